"""Fixtures of the customer-book rules: usage checks that documents will register, and the rule that
tests needing several real connections run only where the database can serve them."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from carnet.customers import usage
from carnet.customers.models import Address, Contact, Customer


def _in_memory_sqlite() -> bool:
    settings = connection.settings_dict
    name = (settings.get("TEST") or {}).get("NAME") or ""
    return connection.vendor == "sqlite" and (not name or ":memory:" in name or "mode=memory" in name)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked postgres_only need two connections that wait for each other's locks. PostgreSQL does
    that; so does SQLite on a file (WAL, busy timeout, BEGIN IMMEDIATE). The in-memory SQLite test
    database cannot: its connections share one cache with table locks that fail at once ("database table
    is locked") instead of waiting, so the test would measure the test harness, not Carnet."""
    if not _in_memory_sqlite():
        return
    skip = pytest.mark.skip(
        reason="postgres_only: the SQLite test database is in memory (shared cache), where a second "
        "connection fails with 'table is locked' instead of waiting; run with PostgreSQL "
        "(DATABASE_URL=postgresql://…) or give SQLite a file test database (DATABASES TEST NAME)"
    )
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


@pytest.fixture
def sales() -> Iterator[set[int]]:
    """Ids of customers that have orders or invoices, as the documents app will report them."""
    ids: set[int] = set()

    def check(customer: Customer) -> bool:
        return customer.pk in ids

    usage.register_sales_check(check)
    yield ids
    usage.unregister(check)


@pytest.fixture
def used_customers() -> Iterator[set[int]]:
    """Ids of customers that a document uses (so they cannot be deleted)."""
    ids: set[int] = set()

    def check(customer: Customer) -> list[str]:
        return ["It has 2 open orders."] if customer.pk in ids else []

    usage.register_customer_usage(check)
    yield ids
    usage.unregister(check)


@pytest.fixture
def used_addresses() -> Iterator[set[int]]:
    ids: set[int] = set()

    def check(address: Address) -> list[str]:
        return ["It is the delivery address of order 12."] if address.pk in ids else []

    usage.register_address_usage(check)
    yield ids
    usage.unregister(check)


@pytest.fixture
def used_contacts() -> Iterator[set[int]]:
    ids: set[int] = set()

    def check(contact: Contact) -> list[str]:
        return ["It is the contact of invoice 7."] if contact.pk in ids else []

    usage.register_contact_usage(check)
    yield ids
    usage.unregister(check)


@pytest.fixture
def counts(db: Any) -> Any:
    """Row counts of the customer book, to show that a refused operation saved nothing."""

    def take() -> tuple[int, int, int]:
        return (Customer.objects.count(), Address.objects.count(), Contact.objects.count())

    return take
