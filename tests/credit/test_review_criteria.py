"""The credit review's criteria: a company's set, a customer's override (its whole set wins), and the
errors that name the field and save nothing."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import CustomerFactory

from carnet.accounts.models import User
from carnet.accounts.roles import Role
from carnet.credit.models import CreditReviewCriteria
from carnet.credit.review_criteria import (
    clear_customer_criteria,
    get_effective_criteria,
    parse_criteria,
    set_company_criteria,
    set_customer_criteria,
)
from carnet.customers.models import Customer

pytestmark = pytest.mark.django_db

GOOD = {
    "action": "warning",
    "reason": "Solde en souffrance",
    "grace_days": 60,
    "limit_days": 30,
    "limit_percent": "80",
    "limit_minimum": None,
}


def errors_of(data: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        parse_criteria(data)
    return exc.value.message_dict


def test_company_criteria_are_saved_and_read_back() -> None:
    row = set_company_criteria(actor=None, company="MAIN", data=GOOD)
    assert (row.action, row.grace_days, row.limit_days, row.limit_percent) == (
        "warning",
        60,
        30,
        Decimal("80"),
    )
    customer = CustomerFactory()
    effective = get_effective_criteria(customer=customer, company="MAIN")
    assert effective.source == "company"
    assert effective.as_json() == {**GOOD, "limit_percent": "80.00"}


def test_the_customer_override_wins_as_a_whole_and_clearing_returns_to_the_company() -> None:
    set_company_criteria(actor=None, company="MAIN", data=GOOD)
    customer = CustomerFactory()
    set_customer_criteria(
        actor=None, customer=customer, company="MAIN", data={"reason": "Client à risque", "grace_days": 10}
    )
    effective = get_effective_criteria(customer=customer, company="MAIN")
    assert effective.source == "customer"
    # The whole set: the company's limit criterion does not leak into the override.
    assert (effective.action, effective.grace_days, effective.limit_days) == ("blocked", 10, None)

    assert clear_customer_criteria(actor=None, customer=customer, company="MAIN") is True
    assert get_effective_criteria(customer=customer, company="MAIN").source == "company"
    assert clear_customer_criteria(actor=None, customer=customer, company="MAIN") is False


def test_no_criteria_saved_means_nothing_is_reviewed() -> None:
    effective = get_effective_criteria(customer=CustomerFactory(), company="MAIN")
    assert (effective.source, effective.active) == ("none", False)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"grace_days": -1}, "grace_days"),
        ({"limit_days": -5, "limit_percent": "80"}, "limit_days"),
        ({"grace_days": "soixante"}, "grace_days"),
        ({"grace_days": 1.5}, "grace_days"),
        ({"limit_days": 30, "limit_percent": "1001"}, "limit_percent"),
        ({"limit_days": 30, "limit_percent": "-0.01"}, "limit_percent"),
        ({"limit_days": 30, "limit_percent": "80.001"}, "limit_percent"),
        ({"limit_days": 30, "limit_minimum": "-1.00"}, "limit_minimum"),
        ({"limit_days": 30, "limit_minimum": "12.345"}, "limit_minimum"),
        ({"limit_days": 30}, "limit_percent"),
        ({"limit_percent": "80"}, "limit_days"),
        ({"action": "closed", "grace_days": 60}, "action"),
        ({"grace_days": 60, "reason": ""}, "reason"),
        ({"grace_days": 60, "colour": "red"}, "colour"),
    ],
)
def test_bad_criteria_name_the_field(data: dict[str, Any], field: str) -> None:
    data = {"reason": "Raison", **data}
    assert field in errors_of(data)


def test_the_boundaries_of_the_ranges_are_accepted() -> None:
    parsed = parse_criteria({"reason": "R", "grace_days": 0, "limit_days": 0, "limit_percent": "1000"})
    assert (parsed.grace_days, parsed.limit_days, parsed.limit_percent) == (0, 0, Decimal("1000.00"))
    parsed = parse_criteria({"reason": "R", "limit_days": 0, "limit_percent": "0", "limit_minimum": "0"})
    assert (parsed.limit_percent, parsed.limit_minimum) == (Decimal("0.00"), Decimal("0.00"))


def test_bad_criteria_save_nothing_and_keep_the_previous_set() -> None:
    set_company_criteria(actor=None, company="MAIN", data=GOOD)
    with pytest.raises(ValidationError) as exc:
        set_company_criteria(
            actor=None, company="MAIN", data={**GOOD, "limit_percent": "1001", "grace_days": -1}
        )
    assert set(exc.value.message_dict) == {"limit_percent", "grace_days"}
    row = CreditReviewCriteria.objects.get()
    assert (row.grace_days, row.limit_percent, row.version) == (60, Decimal("80"), 1)


def test_unknown_company_names_the_field() -> None:
    with pytest.raises(ValidationError) as exc:
        set_company_criteria(actor=None, company="NOPE", data=GOOD)
    assert "company" in exc.value.message_dict
    assert not CreditReviewCriteria.objects.exists()


def test_permissions(make_user: Callable[..., User], admin_user: User, controller: User) -> None:
    customer: Customer = CustomerFactory()
    set_company_criteria(actor=admin_user, company="MAIN", data=GOOD)
    with pytest.raises(PermissionDenied):
        set_company_criteria(actor=controller, company="MAIN", data=GOOD)
    set_customer_criteria(actor=controller, customer=customer, company="MAIN", data=GOOD)
    accountant = make_user("accountant", Role.ACCOUNTANT)
    with pytest.raises(PermissionDenied):
        set_customer_criteria(actor=accountant, customer=customer, company="MAIN", data=GOOD)
    with pytest.raises(PermissionDenied):
        clear_customer_criteria(actor=accountant, customer=customer, company="MAIN")
