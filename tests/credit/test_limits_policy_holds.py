"""Setting limits and the company's policy, adding and lifting holds: who may, and what is refused."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from factories import CompanyFactory

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Role
from carnet.credit import services as credit
from carnet.credit.models import CreditAccount, Hold
from carnet.customers.models import Customer
from carnet.errors import InvalidState, NotFound, StaleVersion

from .support import D

pytestmark = pytest.mark.django_db


# --- limits --------------------------------------------------------------------------------------


def test_a_credit_controller_sets_and_removes_a_limit(customer: Customer, controller: User) -> None:
    account = credit.set_limit(actor=controller, customer=customer.pk, company="MAIN", limit="10000.00")

    assert (account.limit, account.limit_set_by, account.version) == (D("10000.00"), controller, 2)
    removed = credit.set_limit(actor=controller, customer=customer.pk, company="MAIN", limit=None)
    assert removed.limit is None
    assert CreditAccount.objects.count() == 1


@pytest.mark.parametrize("value", ["-1.00", "abc", "1.001", 1.5])
def test_a_bad_limit_names_the_field(customer: Customer, value: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        credit.set_limit(actor=None, customer=customer, company="MAIN", limit=value)

    assert list(exc.value.message_dict) == ["limit"]


def test_a_zero_limit_is_a_limit(customer: Customer) -> None:
    assert credit.set_limit(actor=None, customer=customer, company="MAIN", limit="0").limit == D("0.00")


def test_a_stale_limit_version_changes_nothing(customer: Customer) -> None:
    credit.set_limit(actor=None, customer=customer, company="MAIN", limit="100")

    with pytest.raises(StaleVersion):
        credit.set_limit(actor=None, customer=customer, company="MAIN", limit="200", expected_version=1)

    assert CreditAccount.objects.get().limit == D("100.00")


def test_limits_are_per_company(customer: Customer, company: Company) -> None:
    east = CompanyFactory(code="EST")
    credit.set_limit(actor=None, customer=customer, company="MAIN", limit="100")
    credit.set_limit(actor=None, customer=customer, company=east, limit="900")

    assert dict(CreditAccount.objects.values_list("company__code", "limit")) == {
        "MAIN": D("100.00"),
        "EST": D("900.00"),
    }


def test_a_controller_of_another_company_does_not_find_this_one(
    customer: Customer, make_user: Callable[..., User]
) -> None:
    east = CompanyFactory(code="EST")
    outsider = make_user("est", Role.CREDIT_CONTROLLER, companies=[east])

    with pytest.raises(NotFound):
        credit.set_limit(actor=outsider, customer=customer, company="MAIN", limit="1")


# --- policy --------------------------------------------------------------------------------------


def test_an_admin_changes_the_policy(admin_user: User, company: Company) -> None:
    policy = credit.set_policy(
        actor=admin_user,
        company="MAIN",
        exposure_method="invoiced_only",
        limit_enforcement="block_at_entry",
        credit_hold_queue=True,
    )

    assert (policy.exposure_method, policy.limit_enforcement, policy.credit_hold_queue) == (
        "invoiced_only",
        "block_at_entry",
        True,
    )
    assert credit.get_policy(company).credit_hold_queue is True


def test_an_unknown_setting_value_names_the_field(admin_user: User) -> None:
    with pytest.raises(ValidationError) as exc:
        credit.set_policy(actor=admin_user, company="MAIN", limit_enforcement="sometimes")

    assert list(exc.value.message_dict) == ["limit_enforcement"]


def test_a_credit_controller_may_not_change_the_policy(controller: User) -> None:
    with pytest.raises(PermissionDenied):
        credit.set_policy(actor=controller, company="MAIN", limit_enforcement="off")


# --- holds ---------------------------------------------------------------------------------------


def test_a_controller_puts_a_customer_on_hold_and_lifts_it(customer: Customer, controller: User) -> None:
    hold = credit.add_hold(
        actor=controller,
        customer=customer.pk,
        company="MAIN",
        type="sale_order",
        reason_code="LITIGE",
        comment="Facture 1042 contestée",
        ends_on=None,
    )

    assert (hold.set_by, hold.company.code if hold.company else None) == (controller, "MAIN")
    lifted = credit.lift_hold(actor=controller, hold_id=hold.pk)
    assert (lifted.lifted_by, lifted.lifted_at is not None) == (controller, True)
    with pytest.raises(InvalidState):
        credit.lift_hold(actor=controller, hold_id=hold.pk)


def test_an_operator_may_not_add_holds(customer: Customer, operator: User) -> None:
    with pytest.raises(PermissionDenied):
        credit.add_hold(actor=operator, customer=customer, company="MAIN", type="sale_order", comment="x")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"type": "vacation"}, "type"),
        ({"comment": "", "reason_code": ""}, "comment"),
        ({"ends_on": "2020-01-01"}, "ends_on"),
        ({"ends_on": "next week"}, "ends_on"),
        ({"company": "NOPE"}, "company"),
    ],
)
def test_a_bad_hold_names_the_field(customer: Customer, args: dict[str, str], field: str) -> None:
    call = {"type": "sale_order", "company": "MAIN", "comment": "Litige"} | args

    with pytest.raises(ValidationError) as exc:
        credit.add_hold(actor=None, customer=customer, **call)  # type: ignore[arg-type]

    assert field in exc.value.message_dict
    assert not Hold.objects.exists()


def test_a_hold_may_end_today(customer: Customer) -> None:
    today = timezone.localdate()

    hold = credit.add_hold(
        actor=None, customer=customer, company="MAIN", type="invoicing", comment="x", ends_on=today
    )

    assert hold.applies_on(today) and not hold.applies_on(today + timedelta(days=1))


def test_a_hold_on_every_company_needs_every_company(
    customer: Customer, controller: User, admin_user: User
) -> None:
    CompanyFactory(code="EST")

    with pytest.raises(PermissionDenied):
        credit.add_hold(actor=controller, customer=customer, company=None, type="sale_order", comment="x")
    hold = credit.add_hold(actor=admin_user, customer=customer, company=None, type="sale_order", comment="x")
    assert hold.company is None
