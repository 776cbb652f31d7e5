"""Fixtures and helpers shared by the credit and document tests (imported by both conftests)."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from factories import CustomerFactory

from carnet.accounts.models import Company
from carnet.credit import services as credit
from carnet.credit.models import CreditAccount, CreditPolicy
from carnet.customers.models import Customer
from carnet.documents import services as documents
from carnet.documents.models import Allocation, CreditNote, Invoice, Order, Payment, Quote, Shipment

D = Decimal


def in_memory_sqlite() -> bool:
    name = (connection.settings_dict.get("TEST") or {}).get("NAME") or ""
    return connection.vendor == "sqlite" and (not name or ":memory:" in name or "mode=memory" in name)


def skip_postgres_only_on_memory_sqlite(items: list[pytest.Item], folder: str) -> None:
    """As in tests/customers/conftest.py: tests needing two connections that wait for each other's locks
    run on PostgreSQL and on SQLite with a file; the in-memory SQLite test database cannot serve them."""
    if not in_memory_sqlite():
        return
    skip = pytest.mark.skip(
        reason="postgres_only: the SQLite test database is in memory (shared cache), where a second "
        "connection fails with 'table is locked' instead of waiting; run with PostgreSQL or a file database"
    )
    for item in items:
        if item.get_closest_marker("postgres_only") and f"/{folder}/" in str(item.path):
            item.add_marker(skip)


@pytest.fixture
def company(main_company: Company) -> Company:
    return main_company


@pytest.fixture
def customer(db: Any) -> Customer:
    return CustomerFactory(code="C1001", name="Transports Laurentides inc.", payment_terms_days=30)


@pytest.fixture
def policy(company: Company) -> Callable[..., CreditPolicy]:
    """Set the MAIN company's credit policy: policy(limit_enforcement="block_at_entry", …)."""

    def set_policy(**settings: Any) -> CreditPolicy:
        return credit.set_policy(actor=None, company=company, **settings)

    return set_policy


@pytest.fixture
def limit(company: Company) -> Callable[[Customer, str | None], CreditAccount]:
    def set_limit(customer: Customer, value: str | None) -> CreditAccount:
        return credit.set_limit(actor=None, customer=customer, company=company, limit=value)

    return set_limit


def account_of(customer: Customer, company: Company) -> CreditAccount:
    return CreditAccount.objects.get(customer=customer, company=company)


def order(customer: Customer, amount: str, **kw: Any) -> Order:
    kw.setdefault("company", "MAIN")
    return documents.enter_order(actor=None, customer=customer, amount=amount, **kw).document


def invoice(customer: Customer, amount: str | None = None, **kw: Any) -> Invoice:
    kw.setdefault("company", "MAIN")
    return documents.enter_invoice(actor=None, customer=customer, amount=amount, **kw).document


def document_counts() -> dict[str, int]:
    """Every document table's row count, to show that a refused operation saved nothing."""
    models = (Quote, Order, Shipment, Invoice, CreditNote, Payment, Allocation)
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture
def counts(db: Any) -> Callable[[], dict[str, int]]:
    return document_counts
