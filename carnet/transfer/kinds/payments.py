"""Payments as CSV (see documents.py). `allocations` lists the invoices paid as NUMBER:AMOUNT separated by
semicolons (INV-000012:150.00;INV-000013:49.99); what is not allocated stays on account."""

from collections.abc import Iterator, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.customers.models import Customer
from carnet.documents import services
from carnet.documents.models import Allocation, Invoice, Payment

from ..cells import DATE, DECIMAL, Column, neutralise
from ..reading import Row
from ..report import Action as Done
from .base import Job
from .documents import DocumentKind, refuse_change, same

COLUMNS = [
    Column("customer_code", source="customer__code", required=True),
    Column("company", source="company__code"),
    Column("number", required=True),
    Column("date", DATE),
    Column("amount", DECIMAL, required=True),
    Column("currency"),
    Column("method"),
    Column("reference"),
    Column("allocations", source="id"),
    Column("unallocated", DECIMAL, readable=False),
]


def _allocations_text(payment_id: int) -> str:
    return ";".join(
        f"{number}:{amount:.2f}"
        for number, amount in Allocation.objects.filter(payment_id=payment_id)
        .order_by("id")
        .values_list("invoice__number", "amount")
    )


class PaymentKind(DocumentKind):
    name = "payments"
    model = Payment
    columns = COLUMNS

    @property
    def label(self) -> str:  # type: ignore[override]
        return _("Payments")

    def export_rows(
        self, actor: User | None, company: Company | None, chunk_size: int = 2000
    ) -> Iterator[list[str]]:
        queryset: QuerySet[Any] = self.export_queryset(actor, company).values(*self.export_lookups())
        for values in queryset.iterator(chunk_size=chunk_size):
            cells = self.cells({**values, "id": ""})
            cells[[c.name for c in self.columns].index("allocations")] = neutralise(
                _allocations_text(values["id"])
            )
            yield cells

    def enter(
        self, job: Job, row: Row, values: Mapping[str, Any], customer: Customer, company: Company, number: str
    ) -> str:
        allocations = self._allocations(values.get("allocations") or "", customer, company)
        found = Payment.objects.filter(company=company, number=number).first() if number else None
        if found is not None:
            if not same(found, customer, values, ("date", "amount", "method", "reference")):
                raise refuse_change(number)
            return Done.UNCHANGED
        services.enter_payment(
            actor=job.actor,
            customer=customer,
            company=company,
            amount=values.get("amount") or "",
            date=values.get("date"),
            currency=values.get("currency") or None,
            method=values.get("method") or "",
            reference=values.get("reference") or "",
            allocations=allocations,
            number=number or None,
        )
        return Done.CREATED

    @staticmethod
    def _allocations(text: str, customer: Customer, company: Company) -> list[dict[str, Any]]:
        pairs = []
        for part in filter(None, (p.strip() for p in text.split(";"))):
            number, _colon, amount = part.partition(":")
            invoice = Invoice.objects.filter(company=company, number=number.strip().upper()).first()
            if invoice is None or not amount.strip():
                raise ValidationError(
                    {
                        "allocations": _(
                            "%(part)s is not an invoice of %(company)s and an amount (INV-000012:150.00)."
                        )
                        % {"part": part, "company": company.code}
                    }
                )
            pairs.append({"invoice": invoice.pk, "amount": amount.strip()})
        return pairs


KIND = PaymentKind()
