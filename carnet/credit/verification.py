"""Recompute every kept balance from the documents, with database aggregates, and list what disagrees.

The kept balances (credit/decision.py gives their meaning) are, per credit account:
    open_orders          = sum of amount of orders with status open
    draft_invoices       = sum of amount of draft invoices
    posted_invoices_open = sum of amount of posted invoices - sum of allocations
                           (allocations go to posted invoices only)
    unallocated_credit   = sum of payments + sum of credit notes - sum of allocations
and per document: an invoice's open balance = amount - its allocations; a payment's or a credit note's
unallocated amount = amount - its allocations.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from carnet.accounts.models import Company
from carnet.customers.models import Customer
from carnet.documents.choices import InvoiceStatus, OrderStatus
from carnet.documents.models import Allocation, CreditNote, Invoice, Order, Payment

from .models import CreditAccount

ZERO = Decimal("0.00")
HALF_CENT = Decimal("0.005")
_MONEY = DecimalField(max_digits=14, decimal_places=2)
Key = tuple[int, int]  # (customer id, company id)


@dataclass(frozen=True)
class Difference:
    customer_code: str
    company_code: str
    field: str
    kept: Decimal
    recomputed: Decimal


def _sums(queryset: QuerySet[Any], column: str = "amount") -> dict[Key, Decimal]:
    rows = queryset.order_by().values("customer_id", "company_id").annotate(total=Sum(column))
    # Rounded to the cent: SQLite sums decimals as binary floats (4490704.87999999 for 4490704.88), while
    # every amount is in whole cents, so a real drift is at least one cent.
    return {(r["customer_id"], r["company_id"]): _cents(r["total"]) for r in rows}


def _cents(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(ZERO)


def recomputed_balances() -> dict[Key, dict[str, Decimal]]:
    """The four balances of every (customer, company) that has documents, from the documents."""
    open_orders = _sums(Order.objects.filter(status=OrderStatus.OPEN))
    drafts = _sums(Invoice.objects.filter(status=InvoiceStatus.DRAFT))
    posted = _sums(Invoice.objects.filter(status=InvoiceStatus.POSTED))
    allocated_to_posted = _sums(Allocation.objects.filter(invoice__status=InvoiceStatus.POSTED))
    allocated = _sums(Allocation.objects.all())
    received = _sums(Payment.objects.all())
    credited = _sums(CreditNote.objects.all())
    keys = set(open_orders) | set(drafts) | set(posted) | set(allocated) | set(received) | set(credited)
    return {
        key: {
            "open_orders": open_orders.get(key, ZERO),
            "draft_invoices": drafts.get(key, ZERO),
            "posted_invoices_open": posted.get(key, ZERO) - allocated_to_posted.get(key, ZERO),
            "unallocated_credit": received.get(key, ZERO)
            + credited.get(key, ZERO)
            - allocated.get(key, ZERO),
        }
        for key in keys
    }


def _document_differences(
    model: Any, kept_field: str, label: str
) -> tuple[int, list[tuple[Key, str, Decimal, Decimal]]]:
    compared = model.objects.count()
    # Compared within half a cent: SQLite computes decimals as binary floats (1278.34 - 0 may come out as
    # 1278.3400000001); PostgreSQL is exact. Kept amounts are whole cents, so a real drift is at least one.
    wrong = (
        model.objects.annotate(
            allocated=Coalesce(Sum("allocations__amount"), Value(ZERO), output_field=_MONEY)
        )
        .annotate(
            expected=ExpressionWrapper(F("amount") - F("allocated"), output_field=_MONEY),
            drift=ExpressionWrapper(F(kept_field) - F("amount") + F("allocated"), output_field=_MONEY),
        )
        .filter(Q(drift__gt=HALF_CENT) | Q(drift__lt=-HALF_CENT))
        .values_list("customer_id", "company_id", "number", kept_field, "expected")
    )
    return compared, [
        ((customer_id, company_id), f"{label} {number} {kept_field}", kept, Decimal(expected).quantize(ZERO))
        for customer_id, company_id, number, kept, expected in wrong
    ]


def find_differences() -> tuple[int, list[Difference]]:
    """How many kept balances were compared, and those that differ from the documents."""
    recomputed = recomputed_balances()
    kept: dict[Key, dict[str, Decimal]] = {
        (row["customer_id"], row["company_id"]): row
        for row in CreditAccount.objects.values("customer_id", "company_id", *CreditAccount.BALANCES_ORDER)
    }
    found: list[tuple[Key, str, Decimal, Decimal]] = []
    compared = 0
    for key in sorted(set(kept) | set(recomputed)):
        ours = kept.get(key, {})
        theirs = recomputed.get(key, {})
        for name in CreditAccount.BALANCES_ORDER:
            compared += 1
            kept_value = ours.get(name, ZERO)
            recomputed_value = theirs.get(name, ZERO)
            if kept_value != recomputed_value:
                found.append((key, name, kept_value, recomputed_value))
    for model, kept_field, label in (
        (Invoice, "open_balance", "invoice"),
        (Payment, "unallocated", "payment"),
        (CreditNote, "unallocated", "credit note"),
    ):
        count, wrong = _document_differences(model, kept_field, label)
        compared += count
        found.extend(wrong)
    return compared, _named(found)


def _named(found: Iterable[tuple[Key, str, Decimal, Decimal]]) -> list[Difference]:
    found = list(found)
    customers = dict(Customer.objects.filter(pk__in={k[0] for k, *_ in found}).values_list("pk", "code"))
    companies = dict(Company.objects.filter(pk__in={k[1] for k, *_ in found}).values_list("pk", "code"))
    return [
        Difference(
            customers.get(key[0], str(key[0])), companies.get(key[1], str(key[1])), name, kept, recomputed
        )
        for key, name, kept, recomputed in found
    ]
