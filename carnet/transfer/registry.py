"""The kinds of records that import and export as CSV, by name, in the order they are best imported."""

from .kinds.addresses import KIND as ADDRESSES
from .kinds.base import Kind
from .kinds.contacts import KIND as CONTACTS
from .kinds.customers import KIND as CUSTOMERS
from .kinds.invoices import KIND as INVOICES
from .kinds.payments import KIND as PAYMENTS

KINDS: dict[str, Kind] = {k.name: k for k in (CUSTOMERS, ADDRESSES, CONTACTS, INVOICES, PAYMENTS)}


def get_kind(name: str) -> Kind:
    return KINDS[name]
