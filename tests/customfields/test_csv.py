"""Every type of custom field goes out in the CSV export as a cf_<key> column and comes back on import:
export, empty the book, import, export again gives the same file and the same stored values."""

from collections.abc import Callable

import pytest

from carnet.customers import services as customer_services
from carnet.customers.models import Contact, Customer
from carnet.customfields.models import CustomField
from tests.transfer.conftest import export_text, import_text, wipe

from .conftest import TYPES

pytestmark = pytest.mark.django_db


def test_each_type_round_trips_through_csv_export_and_import(
    one_of_each: dict[str, CustomField],
    define: Callable[..., CustomField],
    make_customer: Callable[..., Customer],
) -> None:
    define("badge", "text", target="contact")
    values = {f"f_{kind}": api_value for kind, _typed, _stored, api_value in TYPES}
    customer = make_customer(code="C100", custom_fields=values)
    make_customer("Fromagerie Boivin", code="C101")  # no values: empty cells
    contact = {"name": "Marie Tremblay", "custom_fields": {"badge": "B-7"}}
    customer_services.add_contact(actor=None, customer_id=customer.pk, data=contact)
    stored = Customer.objects.get(code="C100").custom_fields
    assert stored == {f"f_{kind}": stored_value for kind, _typed, stored_value, _api in TYPES}

    customers, contacts = export_text("customers"), export_text("contacts")
    header = customers.splitlines()[0].split(",")
    assert {f"cf_f_{kind}" for kind, *_ in TYPES} <= set(header)
    assert "cf_badge" in contacts.splitlines()[0]

    wipe()
    for kind, text in (("customers", customers), ("contacts", contacts)):
        report = import_text(kind, text)
        assert report.ok, report.problems

    assert Customer.objects.get(code="C100").custom_fields == stored
    assert Customer.objects.get(code="C101").custom_fields == {}
    assert Contact.objects.get(name="Marie Tremblay").custom_fields == {"badge": "B-7"}
    assert export_text("customers") == customers and export_text("contacts") == contacts


def test_a_bad_custom_value_in_a_csv_names_row_and_column_and_changes_nothing(
    one_of_each: dict[str, CustomField], make_customer: Callable[..., Customer]
) -> None:
    make_customer(code="C100")
    text = export_text("customers")
    header, row = text.splitlines()[:2]
    columns = header.split(",")
    cells = row.split(",")
    cells[columns.index("cf_f_number")] = "douze"
    cells[columns.index("cf_f_choice")] = "Inconnu"
    report = import_text("customers", "\r\n".join([header, ",".join(cells)]) + "\r\n")

    assert not report.ok
    found = {(p.row, p.column) for p in report.problems}
    assert {(2, "cf_f_number"), (2, "cf_f_choice")} <= found
    assert Customer.objects.get(code="C100").custom_fields == {}


def test_values_exported_are_those_of_the_book(
    one_of_each: dict[str, CustomField], make_customer: Callable[..., Customer]
) -> None:
    make_customer(code="C100", custom_fields={"f_boolean": False, "f_decimal": "3.10"})
    text = export_text("customers")
    header, row = text.splitlines()[:2]
    line = dict(zip(header.split(","), row.split(","), strict=True))
    assert (line["cf_f_decimal"], line["cf_f_boolean"], line["cf_f_text"]) == ("3.1", "no", "")
