"""What the customer book asks of documents: is this customer used by any, and does it have sales?"""

from django.db.models import Count, IntegerField, Model, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carnet.customers.models import Customer

from .models import CreditNote, Invoice, Order, Payment, Quote, Shipment

_KINDS: dict[str, type[Model]] = {
    "quotes": Quote,
    "orders": Order,
    "shipments": Shipment,
    "invoices": Invoice,
    "credit_notes": CreditNote,
    "payments": Payment,
}


def _count(model: type[Model]) -> Coalesce:
    per_customer = (
        model._default_manager.filter(customer_id=OuterRef("pk"))
        .order_by()
        .values("customer_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(per_customer, output_field=IntegerField()), 0)


def document_counts(customer: Customer) -> dict[str, int]:
    """How many documents of each kind the customer has, in every company (one query)."""
    counts = (
        Customer.objects.filter(pk=customer.pk)
        .annotate(**{f"n_{kind}": _count(model) for kind, model in _KINDS.items()})
        .values(*(f"n_{kind}" for kind in _KINDS))
        .first()
    )
    return {kind: (counts or {}).get(f"n_{kind}", 0) for kind in _KINDS}


def customer_documents(customer: Customer) -> list[str]:
    """The reason why a customer with documents cannot be deleted, with the counts; empty without any."""
    counts = document_counts(customer)
    labels = {
        "quotes": lambda n: ngettext("%(n)d quote", "%(n)d quotes", n),
        "orders": lambda n: ngettext("%(n)d order", "%(n)d orders", n),
        "shipments": lambda n: ngettext("%(n)d shipment", "%(n)d shipments", n),
        "invoices": lambda n: ngettext("%(n)d invoice", "%(n)d invoices", n),
        "credit_notes": lambda n: ngettext("%(n)d credit note", "%(n)d credit notes", n),
        "payments": lambda n: ngettext("%(n)d payment", "%(n)d payments", n),
    }
    parts = [labels[kind](n) % {"n": n} for kind, n in counts.items() if n]
    if not parts:
        return []
    return [_("It has documents: %(counts)s.") % {"counts": ", ".join(parts)}]


def has_sales(customer: Customer) -> bool:
    """True when the customer has orders or invoices, in any company and whatever their state."""
    return (
        Order.objects.filter(customer_id=customer.pk).exists()
        or Invoice.objects.filter(customer_id=customer.pk).exists()
    )
