"""Parts are written a batch of customers at a time, once every row of those customers is checked, while
the next rows are checked (in a thread on PostgreSQL): the result is the same as writing them all at the
end, whatever the order of the rows, and a wrong row anywhere still keeps nothing. The customers' search
texts are built from the parts as written, without reading them back."""

from typing import Any

import pytest
from django.db import connection

from carnet.customers import services as book
from carnet.customers.models import Address, Contact, Customer
from carnet.transfer.kinds import addresses, parts
from carnet.transfer.search_text import SearchSources

from .conftest import import_text

ADDRESS_HEADER = "customer_code,line1,city,province,postal_code,country,main\r\n"
CONTACT_HEADER = "customer_code,number,name,email,phone,default,billing\r\n"


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two customers per batch, so that a file of a few rows is written in several batches."""
    monkeypatch.setattr(parts, "SETTLED_BATCH", 2)


def _customers(count: int) -> None:
    rows = "".join(f"P{i},Client {i}\r\n" for i in range(count))
    assert import_text("customers", f"code,name\r\n{rows}").ok


def _address(code: str, street: int, city: str, main: str = "") -> str:
    return f"{code},{street} rue Principale,{city},QC,J8X 1A1,CA,{main}\r\n"


def _read_back(code: str) -> str:
    """The customer's search text as made from the book (what a refresh would write)."""
    pk = Customer.objects.get(code=code).pk
    return SearchSources([pk]).texts([pk])[0][1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_customer_whose_rows_are_apart_is_written_after_its_last_row() -> None:
    _customers(6)
    # P0's rows open and close the file: P0 is settled last, after the batches of the others.
    rows = [_address("P0", 1, "Hull")]
    rows += [_address(f"P{i}", i, f"Ville {i}") for i in range(1, 6)]
    rows += [_address("P0", 2, "Aylmer", "true"), _address("P0", 3, "Wakefield")]

    report = import_text("addresses", ADDRESS_HEADER + "".join(rows))

    assert report.ok, report.sorted_problems()
    assert Address.objects.count() == 8
    for customer in Customer.objects.all():
        assert Address.objects.filter(customer=customer, main=True).count() == 1
        assert customer.version == 2  # created, then its addresses: one change
        assert customer.search_text == _read_back(customer.code)
    p0 = Customer.objects.get(code="P0")
    assert Address.objects.get(customer=p0, main=True).city == "Aylmer"
    assert [a.city for a in Address.objects.filter(customer=p0).order_by("id")] == [
        "Hull",
        "Aylmer",
        "Wakefield",
    ]
    assert all(city in p0.search_text for city in ("hull", "aylmer", "wakefield"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_wrong_last_row_keeps_nothing_of_the_batches_written_before_it() -> None:
    _customers(6)
    versions = dict(Customer.objects.values_list("code", "version"))
    rows = [_address(f"P{i}", i, f"Ville {i}") for i in range(6)]
    rows.append("P5,9 rue Principale,Hull,QC,J8X 1A1,ZZ,\r\n")

    report = import_text("addresses", ADDRESS_HEADER + "".join(rows))

    assert not report.ok and not report.actions
    assert [(p.row, p.column) for p in report.problems] == [(8, "country")]
    assert Address.objects.count() == 0
    assert Address.history.count() == 0  # type: ignore[attr-defined]
    assert dict(Customer.objects.values_list("code", "version")) == versions
    assert "ville" not in " ".join(Customer.objects.values_list("search_text", flat=True))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dry_run_of_many_batches_keeps_nothing() -> None:
    _customers(6)
    rows = "".join(f"P{i},,Contact {i},c{i}@example.ca,,true,\r\n" for i in range(6))

    report = import_text("contacts", CONTACT_HEADER + rows, dry_run=True)

    assert report.ok and report.dry_run and len(report.actions) == 6
    assert Contact.objects.count() == 0
    assert set(Customer.objects.values_list("version", flat=True)) == {1}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_search_texts_built_in_batches_are_those_read_from_the_book() -> None:
    _customers(5)
    for i in range(5):
        book.add_contact(
            actor=None,
            customer_id=Customer.objects.get(code=f"P{i}").pk,
            data={"name": f"Zoé Ancienne {i}", "email": f"old{i}@example.ca", "is_default": True},
        )
    rows = [
        # P0: the stored contact renamed, a new default contact (the old one loses the flag), one more.
        "P0,1,Zoé Renommée,old0@example.ca,,,\r\n",
        "P0,,Albert Neuf,albert@example.ca,+1 819 555 0142,true,true\r\n",
        "P0,,Éric Autre,eric@example.ca,,,\r\n",
    ]
    rows += [f"P{i},,Contact {i},c{i}@example.ca,,,\r\n" for i in range(1, 5)]

    report = import_text("contacts", CONTACT_HEADER + "".join(rows))

    assert report.ok, report.sorted_problems()
    for i in range(5):
        customer = Customer.objects.get(code=f"P{i}")
        assert customer.search_text == _read_back(customer.code)
        assert customer.version == 3  # created, its first contact, the import
    p0 = Customer.objects.get(code="P0")
    assert Contact.objects.get(customer=p0, is_default=True).name == "Albert Neuf"
    assert p0.search_text.index("albert neuf") < p0.search_text.index("zoe renommee")
    assert "18195550142" in p0.search_text and "ancienne" not in p0.search_text


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: on SQLite the import holds the one writer's lock, no one else writes",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_customer_changed_during_the_import_keeps_a_search_text_of_its_new_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _customers(4)
    read = addresses.AddressKind.search_sources

    def read_then_rename(self: Any, customer_ids: list[int]) -> SearchSources:
        # What the search texts are made of is read at the start; someone renames P2 just after.
        sources = read(self, customer_ids)
        renamed = Customer.objects.get(code="P2").pk
        book.update_customer(actor=None, customer_id=renamed, changes={"name": "Quincaillerie Renommée"})
        return sources

    monkeypatch.setattr(addresses.AddressKind, "search_sources", read_then_rename)
    rows = "".join(_address(f"P{i}", i, f"Ville {i}") for i in range(4))

    assert import_text("addresses", ADDRESS_HEADER + rows).ok

    p2 = Customer.objects.get(code="P2")
    assert "quincaillerie renommee" in p2.search_text and "ville 2" in p2.search_text
    assert p2.search_text == _read_back("P2")
