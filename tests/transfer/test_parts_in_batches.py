"""Parts are written a batch of customers at a time, once every row of those customers is checked, while
the next rows are checked: the result is the same as writing them all at the end, whatever the order of
the rows, and a wrong row anywhere still keeps nothing."""

import pytest

from carnet.customers.models import Address, Contact, Customer, SearchText
from carnet.customers.search import search_text
from carnet.transfer.kinds import parts

from .conftest import import_text

ADDRESS_HEADER = "customer_code,line1,city,province,postal_code,country,main\r\n"


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two customers per batch, so that a file of a few rows is written in several batches."""
    monkeypatch.setattr(parts, "SETTLED_BATCH", 2)


def _customers(count: int) -> None:
    rows = "".join(f"P{i},Client {i}\r\n" for i in range(count))
    assert import_text("customers", f"code,name\r\n{rows}").ok


def _address(code: str, street: int, city: str, main: str = "") -> str:
    return f"{code},{street} rue Principale,{city},QC,J8X 1A1,CA,{main}\r\n"


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
    p0 = Customer.objects.get(code="P0")
    assert Address.objects.get(customer=p0, main=True).city == "Aylmer"
    assert all(city in search_text(p0.pk) for city in ("hull", "aylmer", "wakefield"))
    assert "ville 4" in search_text(Customer.objects.get(code="P4").pk)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_first_new_address_of_a_customer_is_its_main_one_across_batches() -> None:
    _customers(5)
    rows = [_address("P4", 1, "Premier")]
    rows += [_address(f"P{i}", i, f"Ville {i}") for i in range(4)]
    rows += [_address("P4", 2, "Second")]

    assert import_text("addresses", ADDRESS_HEADER + "".join(rows)).ok

    main = Address.objects.get(customer__code="P4", main=True)
    assert main.city == "Premier"


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
    assert "ville" not in " ".join(SearchText.objects.values_list("text", flat=True))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dry_run_of_many_batches_keeps_nothing() -> None:
    _customers(6)
    rows = "".join(f"P{i},Contact {i},c{i}@example.ca,,true\r\n" for i in range(6))

    report = import_text("contacts", "customer_code,name,email,phone,default\r\n" + rows, dry_run=True)

    assert report.ok and report.dry_run and len(report.actions) == 6
    assert Contact.objects.count() == 0
    assert set(Customer.objects.values_list("version", flat=True)) == {1}
