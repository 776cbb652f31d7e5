"""A value is checked once per import, not once per row: and yet every row breaking a rule is named."""

import pytest

from carnet.customers.models import Customer
from carnet.transfer import checked
from carnet.transfer.checked import CheckedValues

from .conftest import import_text


@pytest.mark.django_db
def test_a_repeated_bad_value_is_reported_on_every_row() -> None:
    text = (
        "code,name,language,currency\r\n"
        "A1,Un,fr,CAD\r\nA2,Deux,xx,CAD\r\nA3,Trois,fr,CAD\r\nA4,Quatre,xx,ZZZ\r\n"
    )
    report = import_text("customers", text)
    found = {(p.row, p.column) for p in report.problems}
    assert found == {(3, "language"), (5, "language"), (5, "currency")}
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_an_equal_decimal_with_more_places_is_checked_again() -> None:
    # 1.00 and 1.000 are equal numbers, but only the first has at most two decimal places.
    report = import_text("customers", "code,name,max_order_amount\r\nA1,Un,1.00\r\nA2,Deux,1.000\r\n")
    assert [(p.row, p.column) for p in report.problems] == [(3, "max_order_amount")]


@pytest.mark.django_db
def test_values_are_remembered_only_once_a_record_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checked, "LIMIT", 3)
    memo = CheckedValues(Customer)
    first = Customer(code="A1", name="Un", language="fr")
    assert "language" not in memo(first)
    assert "language" not in memo(Customer(code="A2", name="Deux", language="fr"))  # never confirmed
    assert "language" not in memo(first)
    memo.remember(first)
    assert "language" in memo(Customer(code="A3", name="Trois", language="fr"))
    assert "name" in memo(Customer(code="A4", name="Un", language="fr"))  # by value, whatever the record
    for n, name in enumerate(["Deux", "Trois", "Quatre"]):
        record = Customer(code=f"B{n}", name=name, language="fr")
        memo(record)
        memo.remember(record)
    # A field with a value per row fills its memory and is then always checked.
    assert "name" not in memo(Customer(code="C1", name="Deux", language="fr"))
    assert "language" in memo(Customer(code="C2", name="Deux", language="fr"))
