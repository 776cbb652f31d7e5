"""Helpers for the credit review tests: invoices of a given age, criteria, statuses set by hand."""

from datetime import date, timedelta
from typing import Any

from carnet.credit import review_criteria
from carnet.customers.models import Customer
from carnet.documents import services as documents
from carnet.documents.models import Invoice

AS_OF = date(2026, 11, 22)
REASON = "Factures impayées depuis plus de 60 jours"


def aged_invoice(customer: Customer, amount: str, days: int, *, company: str = "MAIN", **kw: Any) -> Invoice:
    """A posted invoice dated `days` days before AS_OF, entered through the services."""
    return documents.enter_invoice(
        actor=None, customer=customer, company=company, amount=amount, date=AS_OF - timedelta(days=days), **kw
    ).document


def pay(customer: Customer, invoice: Invoice, amount: str) -> None:
    documents.enter_payment(
        actor=None,
        customer=customer,
        company=invoice.company,
        amount=amount,
        date=AS_OF,
        allocations=[{"invoice": invoice.pk, "amount": amount}],
    )


def criteria(company: str = "MAIN", **data: Any) -> None:
    data.setdefault("reason", REASON)
    review_criteria.set_company_criteria(actor=None, company=company, data=data)


def set_status_by_hand(customer: Customer, status: str, reason: str = "") -> Customer:
    from carnet.customers.services import set_status

    return set_status(actor=None, customer_id=customer.pk, status=status, reason=reason)
