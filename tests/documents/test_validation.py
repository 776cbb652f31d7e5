"""Bad values name their field; unknown customers and companies too; another company's documents are not
found; each role does what the matrix says."""

from collections.abc import Callable
from typing import Any

import pytest
from credit.support import D, document_counts, order
from django.core.exceptions import PermissionDenied, ValidationError
from factories import CompanyFactory

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Role
from carnet.customers.models import Customer
from carnet.documents import services
from carnet.errors import NotFound

pytestmark = pytest.mark.django_db

ENTRIES: dict[str, Callable[..., Any]] = {
    "quote": services.enter_quote,
    "order": services.enter_order,
    "invoice": services.enter_invoice,
    "credit_note": services.enter_credit_note,
    "payment": services.enter_payment,
}


@pytest.mark.parametrize("kind", ENTRIES)
@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "12,50"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "1e15"}, "amount"),
        ({"currency": "USD"}, "currency"),
        ({"date": "22/11/2026"}, "date"),
        ({"customer": "999999"}, "customer"),
        ({"customer": "abc"}, "customer"),
        ({"company": "NOPE"}, "company"),
        ({"reference": "x" * 101}, "reference"),
    ],
)
def test_a_bad_value_names_its_field_and_saves_nothing(
    customer: Customer, kind: str, args: dict[str, Any], field: str
) -> None:
    call = {"customer": customer.pk, "company": "MAIN", "amount": "100.00"} | args
    before = document_counts()

    with pytest.raises(ValidationError) as exc:
        ENTRIES[kind](actor=None, **call)

    assert field in exc.value.message_dict, exc.value.message_dict
    assert document_counts() == before


def test_the_currency_may_be_given_in_any_case(customer: Customer) -> None:
    assert order(customer, "1.00", currency="cad").currency == "CAD"


def test_documents_are_in_their_companys_currency(customer: Customer) -> None:
    CompanyFactory(code="US", currency="USD")

    assert order(customer, "1.00", company="US").currency == "USD"
    with pytest.raises(ValidationError) as exc:
        order(customer, "1.00", company="US", currency="CAD")
    assert "USD" in exc.value.message_dict["currency"][0]


def test_an_unknown_channel_is_named(customer: Customer) -> None:
    with pytest.raises(ValidationError) as exc:
        order(customer, "1.00", channel="fax")

    assert list(exc.value.message_dict) == ["channel"]


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    """An operator of the company EST only."""
    return make_user("est", Role.CREDIT_CONTROLLER, companies=[CompanyFactory(code="EST")])


def test_entering_in_a_company_one_does_not_belong_to_is_not_found(
    customer: Customer, outsider: User
) -> None:
    with pytest.raises(NotFound):
        services.enter_order(actor=outsider, customer=customer, company="MAIN", amount="1.00")


def test_another_companys_order_is_not_found(customer: Customer, outsider: User) -> None:
    theirs = order(customer, "10.00")

    for call in (
        lambda: services.cancel_order(actor=outsider, order_id=theirs.pk),
        lambda: services.change_order_amount(actor=outsider, order_id=theirs.pk, amount="5"),
        lambda: services.reopen_order(actor=outsider, order_id=theirs.pk),
        lambda: services.enter_shipment(actor=outsider, order_id=theirs.pk),
    ):
        with pytest.raises(NotFound):
            call()


def test_an_unknown_order_id_is_not_found() -> None:
    with pytest.raises(NotFound):
        services.cancel_order(actor=None, order_id="nope")


@pytest.mark.parametrize(
    ("role", "kind", "allowed"),
    [
        (Role.VIEWER, "quote", False),
        (Role.VIEWER, "order", False),
        (Role.OPERATOR, "order", True),
        (Role.OPERATOR, "invoice", False),
        (Role.OPERATOR, "payment", False),
        (Role.OPERATOR, "credit_note", False),
        (Role.ACCOUNTANT, "invoice", True),
        (Role.ACCOUNTANT, "payment", True),
        (Role.CREDIT_CONTROLLER, "credit_note", True),
    ],
)
def test_the_role_decides_who_enters_what(
    customer: Customer, make_user: Callable[..., User], role: str, kind: str, allowed: bool
) -> None:
    actor = make_user("someone", role)
    call = lambda: ENTRIES[kind](actor=actor, customer=customer, company="MAIN", amount="10.00")  # noqa: E731

    if allowed:
        assert call().document.created_by == actor
    else:
        with pytest.raises(PermissionDenied):
            call()


def test_an_admin_enters_in_any_company(customer: Customer, admin_user: User, main_company: Company) -> None:
    east = CompanyFactory(code="EST")

    entered = services.enter_order(actor=admin_user, customer=customer, company=east.code, amount="1.00")

    assert entered.document.company == east and entered.document.amount == D("1.00")
