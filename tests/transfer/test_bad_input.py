"""Bad files change nothing and name every problem: its row, its column and the rule."""

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from carnet.accounts.roles import Role
from carnet.customers.models import Address, Customer

from .conftest import export_text, import_text

HEADER = "code,name,phone,max_order_amount\r\n"


def _customers(n: int) -> list[str]:
    return [f"K{i:05d},Client {i},,{i}.00\r\n" for i in range(n)]


@pytest.mark.django_db
def test_one_bad_row_in_a_thousand_changes_nothing_and_is_named() -> None:
    rows = _customers(1000)
    rows[499] = "K00499,Client 499,,12,50\r\n"  # a wrong number of cells
    rows[700] = "K00700,Client 700,,douze\r\n"  # an invalid number
    report = import_text("customers", HEADER + "".join(rows))
    assert not report.ok
    assert Customer.objects.count() == 0
    problems = {(p.row, p.column) for p in report.problems}
    assert (501, "") in problems
    assert (702, "max_order_amount") in problems
    assert any("douze is not a number" in p.message for p in report.problems)
    assert report.actions == []


@pytest.mark.django_db
def test_every_problem_is_listed_not_only_the_first() -> None:
    text = HEADER + "A1,,,\r\nA2,Deux,999,\r\nA1,Un encore,,\r\n"
    report = import_text("customers", text)
    found = {(p.row, p.column) for p in report.problems}
    assert (2, "name") in found  # required
    assert (3, "phone") in found  # not a phone number
    assert (4, "code") in found  # duplicate of row 2
    assert any("also on row 2" in p.message for p in report.problems)


@pytest.mark.django_db
def test_a_wrong_header_reads_no_row() -> None:
    report = import_text("customers", "code,nom,colour\r\nA1,Un,rouge\r\n")
    columns = {p.column for p in report.problems if p.row == 1}
    assert {"nom", "colour", "name"} <= columns
    assert any("Unknown column" in p.message for p in report.problems)
    assert any("required" in p.message for p in report.problems if p.column == "name")
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_a_file_not_in_utf8_is_refused_clearly() -> None:
    data = "code,name\r\nA1,Société Générale\r\n".encode("cp1252")
    from carnet.transfer.importing import run_import

    report = run_import("customers", data, actor=None)
    assert not report.ok
    assert "not UTF-8" in report.problems[0].message and "line 2" in report.problems[0].message
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_utf8_with_a_byte_order_mark_is_read() -> None:
    from carnet.transfer.importing import run_import

    report = run_import("customers", "\ufeffcode,name\r\nA1,Société\r\n".encode(), actor=None)
    assert report.ok, report.problems
    assert Customer.objects.get(code="A1").name == "Société"


@pytest.mark.django_db
def test_a_duplicate_of_a_code_in_the_book_updates_it() -> None:
    import_text("customers", "code,name\r\nA1,Un\r\n")
    report = import_text("customers", "code,name\r\nA1,Un renommé\r\n")
    assert report.ok and report.updated == 1
    assert Customer.objects.get(code="A1").name == "Un renommé"


@pytest.mark.django_db
def test_an_unknown_country_names_the_row_and_column() -> None:
    import_text("customers", "code,name\r\nA1,Un\r\n")
    text = (
        "customer_code,line1,city,province,postal_code,country\r\n"
        "A1,1 rue,Toronto,ON,M5V 2T6,CA\r\n"
        "A1,2 rue,Nulle part,,,XX\r\n"
    )
    report = import_text("addresses", text)
    assert [(p.row, p.column) for p in report.problems] == [(3, "country")]
    assert "ISO 3166" in report.problems[0].message
    assert Address.objects.count() == 0


@pytest.mark.django_db
def test_a_dry_run_reports_and_changes_nothing() -> None:
    import_text("customers", "code,name\r\nA1,Un\r\n")
    report = import_text("customers", "code,name\r\nA1,Un bis\r\nA2,Deux\r\n", dry_run=True)
    assert report.ok and report.dry_run and not report.applied
    assert (report.created, report.updated) == (1, 1)
    assert [(a.row, a.key, a.action) for a in report.actions] == [(2, "A1", "updated"), (3, "A2", "created")]
    assert list(Customer.objects.values_list("code", "name")) == [("A1", "Un")]


@pytest.mark.django_db
def test_an_import_is_recorded_as_an_import_in_the_history() -> None:
    import_text("customers", "code,name\r\nA1,Un\r\n")
    record = Customer.history.get(code="A1")  # type: ignore[attr-defined]
    assert record.history_change_reason == "import"
    if hasattr(record, "source"):
        assert record.source == "import"


# --- the command line ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_carnet_import_and_export(tmp_path: Any, capsys: Any) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("code,name\nA1,Un\nA2,Deux\n", encoding="utf-8")
    call_command("import", "customers", str(path), "--dry-run")
    assert Customer.objects.count() == 0
    call_command("import", "customers", str(path))
    assert Customer.objects.count() == 2
    out = tmp_path / "out.csv"
    call_command("export", "customers", "--output", str(out))
    assert out.read_bytes().decode("utf-8") == export_text("customers")
    call_command("export", "customers")
    assert "A2,Deux" in capsys.readouterr().out


@pytest.mark.django_db
def test_carnet_import_lists_the_problems_and_fails(tmp_path: Any, capsys: Any) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("code,name,payment_terms_days\nA1,Un,trente\n", encoding="utf-8")
    with pytest.raises(CommandError) as failed:
        call_command("import", "customers", str(path))
    assert failed.value.returncode == 1
    assert "row 2, payment_terms_days: trente is not a whole number." in capsys.readouterr().out
    assert Customer.objects.count() == 0


# --- permissions -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_viewer_may_not_import_and_an_operator_may_not_set_a_status(make_user: Any) -> None:
    from django.core.exceptions import PermissionDenied

    viewer = make_user("v", Role.VIEWER)
    with pytest.raises(PermissionDenied):
        import_text("customers", "code,name\r\nA1,Un\r\n", actor=viewer)
    operator = make_user("o", Role.OPERATOR)
    report = import_text("customers", "code,name,status\r\nA1,Un,approved\r\n", actor=operator)
    assert [(p.row, p.column) for p in report.problems] == [(2, "status")]
    assert Customer.objects.count() == 0
    with pytest.raises(PermissionDenied):
        import_text("invoices", "customer_code,number,amount\r\nA1,INV-1,10.00\r\n", actor=operator)


@pytest.mark.django_db
def test_invoices_of_another_company_are_neither_exported_nor_imported(
    make_user: Any, book_data: dict[str, Any]
) -> None:
    from carnet.accounts.models import Company
    from carnet.transfer.exporting import export_lines

    other = Company.objects.create(code="OTHER", name="Other", currency="CAD")
    accountant = make_user("a", Role.ACCOUNTANT, companies=[other])
    text = "".join(export_lines("invoices", actor=accountant))
    assert "INV-" not in text
    report = import_text(
        "invoices", "customer_code,company,number,amount\r\nC001,MAIN,INV-900,10.00\r\n", actor=accountant
    )
    assert [(p.row, p.column) for p in report.problems] == [(2, "company")]
