"""What an import writes in bulk is what saving each record would: the record's values, its history row with
the same values, and a search text that holds its addresses' cities and its contacts."""

from typing import Any

import pytest
from django.db.models import Model

from carnet.customers.models import Address, Contact, Customer

from .conftest import import_text


def _tracked(record: Model) -> dict[str, Any]:
    history = record.history.model  # type: ignore[attr-defined]
    return {f.attname: getattr(record, f.attname) for f in history.tracked_fields}


def _history_values(row: Model) -> dict[str, Any]:
    return {f.attname: getattr(row, f.attname) for f in row.__class__.tracked_fields}  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_history_rows_of_new_records_hold_their_values() -> None:
    report = import_text(
        "customers",
        "code,name,phone,email,max_order_amount,categories\r\n"
        'H1,Ébénisterie Hull,819 555 0101,Info@Hull.example,1250.50,"customer,partner"\r\n'
        "H2,Deux,,,,\r\n",
    )
    assert report.ok, report.sorted_problems()
    report = import_text(
        "contacts",
        "customer_code,name,email,phone,default\r\nH1,Éric Roy,eric@hull.example,514 555 0199,true\r\n",
    )
    assert report.ok, report.sorted_problems()
    report = import_text(
        "addresses",
        "customer_code,line1,city,province,postal_code,country\r\n"
        "H1,1 rue Principale,Gatineau,QC,J8X 1A1,CA\r\n",
    )
    assert report.ok, report.sorted_problems()
    for model in (Customer, Contact, Address):
        for record in model._default_manager.all():
            row = model.history.get(id=record.pk, history_type="+")  # type: ignore[attr-defined]
            created = _history_values(row)
            if model is Customer:
                # The search text and version move on when the customer's addresses and contacts come.
                created = {
                    k: v for k, v in created.items() if k not in {"search_text", "version", "updated_at"}
                }
            expected = {k: v for k, v in _tracked(record).items() if k in created}
            assert created == expected, model
    customer = Customer.objects.get(code="H1")
    assert customer.phone == "+1 819-555-0101" and customer.email == "info@hull.example"
    assert "gatineau" in customer.search_text and "eric roy" in customer.search_text
    assert "5145550199" in customer.search_text and "ebenisterie hull" in customer.search_text
    assert customer.version == 3  # created, then its contacts, then its addresses


@pytest.mark.django_db
def test_a_code_taken_while_the_rows_were_checked_fails_the_import_and_keeps_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from carnet.transfer.kinds import customers

    assert import_text("customers", "code,name\r\nT1,Pris\r\n").ok
    # The import reads the book as it was before T1 came: T1 looks new, and the database refuses it.
    monkeypatch.setattr(customers, "by_code", lambda model, codes, *fields: {})
    rows = "".join(f"N{i},Nouveau {i}\r\n" for i in range(2500))
    report = import_text("customers", f"code,name\r\n{rows}T1,Encore\r\n")
    assert not report.ok and not report.actions
    assert [p.row for p in report.problems] == [0]
    assert "The book changed during the import" in report.problems[0].message
    assert list(Customer.objects.values_list("code", flat=True)) == ["T1"]


@pytest.mark.django_db
def test_a_part_that_loses_its_flag_to_an_imported_one_is_recorded_as_a_change() -> None:
    assert import_text("customers", "code,name\r\nF1,Fleuriste\r\n").ok
    header = "customer_code,line1,city,province,postal_code,country,main\r\n"
    assert import_text("addresses", header + "F1,1 rue A,Hull,QC,J8X 1A1,CA,true\r\n").ok
    assert import_text("contacts", "customer_code,name,default\r\nF1,Ana,true\r\n").ok
    first_address = Address.objects.get(city="Hull")
    first_contact = Contact.objects.get(name="Ana")

    assert import_text("addresses", header + "F1,2 rue B,Aylmer,QC,J9H 1A1,CA,true\r\n").ok
    assert import_text("contacts", "customer_code,name,default\r\nF1,Bob,true\r\n").ok

    for before, flag in ((first_address, "main"), (first_contact, "is_default")):
        after = type(before)._default_manager.get(pk=before.pk)
        assert getattr(after, flag) is False
        assert after.version == before.version + 1
        last = after.history.order_by("-history_id").first()  # type: ignore[attr-defined]
        assert last.history_type == "~" and getattr(last, flag) is False
        assert last.source == "import" and last.version == after.version
    assert Address.objects.get(city="Aylmer").main and Contact.objects.get(name="Bob").is_default


@pytest.mark.django_db
def test_two_parts_the_file_changes_can_swap_a_flag() -> None:
    header = "customer_code,number,line1,city,province,postal_code,country,main\r\n"
    assert import_text("customers", "code,name\r\nS1,Serrurier\r\n").ok
    assert import_text(
        "addresses",
        header + "S1,1,1 rue A,Hull,QC,J8X 1A1,CA,true\r\nS1,2,2 rue B,Aylmer,QC,J9H 1A1,CA,false\r\n",
    ).ok

    report = import_text(
        "addresses",
        header + "S1,1,1 rue A,Hull,QC,J8X 1A1,CA,false\r\nS1,2,2 rue B,Aylmer,QC,J9H 1A1,CA,true\r\n",
    )

    assert report.ok, report.sorted_problems()
    hull, aylmer = Address.objects.get(city="Hull"), Address.objects.get(city="Aylmer")
    assert (hull.main, aylmer.main) == (False, True)
    assert (hull.version, aylmer.version) == (2, 2)  # one change each, one history row each
    assert hull.history.filter(history_type="~").count() == 1  # type: ignore[attr-defined]
