"""Invoices as CSV (see documents.py). The due date and the open balance are written for information."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from carnet.accounts.models import Company
from carnet.customers.models import Customer
from carnet.documents import services
from carnet.documents.choices import InvoiceStatus
from carnet.documents.models import Invoice

from ..cells import DATE, DECIMAL, Column
from ..reading import Row
from ..report import Action as Done
from .base import Job
from .documents import OVERRIDE_REASON, DocumentKind, refuse_change, same

COLUMNS = [
    Column("customer_code", source="customer__code", required=True),
    Column("company", source="company__code"),
    Column("number", required=True),
    Column("date", DATE),
    Column("due_date", DATE, readable=False),
    Column("status"),
    Column("amount", DECIMAL, required=True),
    Column("open_balance", DECIMAL, readable=False),
    Column("currency"),
    Column("reference"),
]


class InvoiceKind(DocumentKind):
    name = "invoices"
    model = Invoice
    columns = COLUMNS

    @property
    def label(self) -> str:  # type: ignore[override]
        return _("Invoices")

    def enter(
        self, job: Job, row: Row, values: Mapping[str, Any], customer: Customer, company: Company, number: str
    ) -> str:
        status = (values.get("status") or InvoiceStatus.POSTED).lower()
        if status not in InvoiceStatus.values:
            raise ValidationError({"status": _("Write draft or posted.")})
        found = Invoice.objects.filter(company=company, number=number).first() if number else None
        if found is not None:
            if not same(found, customer, values, ("date", "amount", "reference")):
                raise refuse_change(number)
            if found.status == status:
                return Done.UNCHANGED
            if status == InvoiceStatus.POSTED:
                services.post_invoice(actor=job.actor, invoice_id=found.pk)
                return Done.UPDATED
            raise refuse_change(number)
        services.enter_invoice(
            actor=job.actor,
            customer=customer,
            company=company,
            amount=values.get("amount"),
            date=values.get("date"),
            post=status == InvoiceStatus.POSTED,
            currency=values.get("currency") or None,
            reference=values.get("reference") or "",
            number=number or None,
            # An invoice already issued elsewhere: warnings are acknowledged (and recorded as an override);
            # a refusal (a blocked customer) is a problem of the row.
            acknowledge_warnings=True,
            override_reason=OVERRIDE_REASON,
        )
        return Done.CREATED


KIND = InvoiceKind()
