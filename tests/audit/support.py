"""Helpers of the change-history tests: reading a customer's history as the installation."""

from typing import Any

from carnet.audit.queries import Entry, HistoryFilters, customer_history, with_readable_references
from carnet.customers.models import Customer


def history(customer: Customer | int, **filters: Any) -> list[Entry]:
    """The customer's whole history as the installation sees it, newest first, references readable."""
    pk = customer if isinstance(customer, int) else customer.pk
    entries = customer_history(Customer(pk=pk), reader=None, filters=HistoryFilters(**filters))
    return with_readable_references(entries)


def changes(customer: Customer | int, **filters: Any) -> dict[tuple[str, str], Entry]:
    """The latest entry of each (object, field)."""
    found: dict[tuple[str, str], Entry] = {}
    for entry in history(customer, **filters):
        found.setdefault((entry.object, entry.field), entry)
    return found
