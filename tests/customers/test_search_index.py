"""The search index follows every change of a customer, and comes back after a table rebuild."""

from typing import Any

from django.db import connection
from factories import CustomerFactory

from carnet.customers.models import Customer
from carnet.customers.queries import CustomerFilters, filter_customers
from carnet.customers.search import refresh_search_text
from carnet.customers.sqlite_search import FTS_TABLE, TRIGGERS, ensure_search_index


def found(query: str) -> list[str]:
    return list(filter_customers(CustomerFilters(q=query, active=None)).values_list("code", flat=True))


def test_a_search_follows_creation_renaming_and_deletion(db: Any) -> None:
    customer = CustomerFactory(code="C0001", name="Boulangerie Saint-Élie")
    assert found("boulang") == ["C0001"]
    customer.name = "Pâtisserie Saint-Élie"
    customer.save()
    refresh_search_text(customer)
    assert found("boulang") == []
    assert found("patiss") == ["C0001"]
    customer.delete()
    assert found("patiss") == []


def sqlite_objects() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        return {row[0] for row in cursor.fetchall()}


def test_missing_triggers_are_put_back_and_the_index_refilled(db: Any) -> None:
    CustomerFactory(code="C0002", name="Quincaillerie Dubé")
    if connection.vendor != "sqlite":
        # PostgreSQL searches through pg_trgm: nothing to put back, and nothing is created.
        ensure_search_index()
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [FTS_TABLE])
            assert cursor.fetchone()[0] is None
        assert found("quincail") == ["C0002"]
        return
    assert set(TRIGGERS) | {FTS_TABLE} <= sqlite_objects()
    # What Django's rebuild of an SQLite table does to triggers: they go with the old table.
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    Customer.objects.filter(code="C0002").update(search_text="quincaillerie dube | c0002 | nouveau")
    ensure_search_index()
    assert set(TRIGGERS) <= sqlite_objects()
    assert found("nouveau") == ["C0002"]
