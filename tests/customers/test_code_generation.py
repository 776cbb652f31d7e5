"""Codes left blank are taken from the book's prefix and sequence (BookSettings)."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from factories import CustomerFactory

from carnet.customers import services
from carnet.customers.models import BookSettings, Customer

pytestmark = pytest.mark.django_db


def create(**data: Any) -> Customer:
    data.setdefault("name", f"Client {Customer.objects.count() + 1} Ltée")
    return services.create_customer(actor=None, data=data, acknowledge_duplicates=True)


def test_a_blank_code_is_taken_from_the_prefix_and_sequence() -> None:
    assert [create().code, create(code="").code, create(code="  ").code] == ["C00001", "C00002", "C00003"]


def test_prefix_and_digits_are_settings() -> None:
    BookSettings.objects.filter(pk=1).update(code_prefix="cl-", code_digits=3, next_code_number=42)

    assert create().code == "CL-042"


def test_the_sequence_grows_past_its_digits_rather_than_failing() -> None:
    BookSettings.objects.filter(pk=1).update(code_digits=2, next_code_number=99)

    assert [create().code, create().code] == ["C99", "C100"]


def test_the_sequence_skips_codes_typed_by_hand() -> None:
    CustomerFactory(code="C00001")
    CustomerFactory(code="C00002")

    assert create().code == "C00003"
    assert BookSettings.load().next_code_number == 4


def test_a_typed_code_leaves_the_sequence_alone() -> None:
    create(code="LAUR-01")

    assert BookSettings.load().next_code_number == 1


def test_a_refused_customer_does_not_use_up_a_number() -> None:
    with pytest.raises(ValidationError):
        create(email="not-an-email")

    assert create().code == "C00001"


def test_the_settings_row_is_made_when_missing() -> None:
    BookSettings.objects.all().delete()

    assert services.next_customer_code() == "C00001"
    assert BookSettings.load().next_code_number == 2
