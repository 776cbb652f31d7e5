"""An import of parts settles each customer over all of its rows, wherever they are in the file (it need
not be sorted by customer), and a wrong row anywhere keeps nothing, however many rows were right."""

import pytest

from carnet.customers.models import Address, Contact, Customer

from .conftest import import_text

ADDRESS_HEADER = "customer_code,line1,city,province,postal_code,country,main\r\n"


def _customers(count: int) -> None:
    rows = "".join(f"P{i},Client {i}\r\n" for i in range(count))
    assert import_text("customers", f"code,name\r\n{rows}").ok


def _address(code: str, street: int, city: str, main: str = "") -> str:
    return f"{code},{street} rue Principale,{city},QC,J8X 1A1,CA,{main}\r\n"


@pytest.mark.django_db
def test_a_customer_whose_rows_are_apart_takes_them_all() -> None:
    _customers(6)
    # P0's rows open and close the file, around the other customers' rows.
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
    assert all(city in p0.search_text for city in ("hull", "aylmer", "wakefield"))
    assert "ville 4" in Customer.objects.get(code="P4").search_text


@pytest.mark.django_db
def test_the_first_new_address_of_a_customer_is_its_main_one_wherever_the_next_ones_are() -> None:
    _customers(5)
    rows = [_address("P4", 1, "Premier")]
    rows += [_address(f"P{i}", i, f"Ville {i}") for i in range(4)]
    rows += [_address("P4", 2, "Second")]

    assert import_text("addresses", ADDRESS_HEADER + "".join(rows)).ok

    main = Address.objects.get(customer__code="P4", main=True)
    assert main.city == "Premier"


@pytest.mark.django_db
def test_a_wrong_last_row_keeps_nothing_of_the_rows_before_it() -> None:
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


@pytest.mark.django_db
def test_a_dry_run_of_parts_keeps_nothing() -> None:
    _customers(6)
    rows = "".join(f"P{i},Contact {i},c{i}@example.ca,,true\r\n" for i in range(6))

    report = import_text("contacts", "customer_code,name,email,phone,default\r\n" + rows, dry_run=True)

    assert report.ok and report.dry_run and len(report.actions) == 6
    assert Contact.objects.count() == 0
    assert set(Customer.objects.values_list("version", flat=True)) == {1}
