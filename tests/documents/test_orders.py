"""Orders through the credit check: refused, warned and acknowledged, kept on credit hold; and every other
path that creates an order or raises its amount (a quote converted, a cancelled order reopened, an open
order's amount raised) goes through the same check."""

from collections.abc import Callable
from typing import Any

import pytest
from credit.support import D, account_of, order
from django.core.exceptions import PermissionDenied, ValidationError
from factories import HoldFactory

from carnet.accounts.models import Company, User
from carnet.credit.models import CreditAccount, CreditOverride, CreditPolicy
from carnet.customers.models import Customer
from carnet.documents import services
from carnet.documents.models import Order, Quote
from carnet.errors import CreditRefused, CreditWarningNotAcknowledged, InvalidState, StaleVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(customer: Customer, limit: Callable[..., CreditAccount]) -> Customer:
    """The customer with a limit of 1000.00 and no documents."""
    limit(customer, "1000.00")
    return customer


def enter(customer: Customer, amount: str, actor: User | None = None, **kw: Any) -> Any:
    return services.enter_order(actor=actor, customer=customer.pk, company="MAIN", amount=amount, **kw)


# --- the limit at entry ---------------------------------------------------------------------------


def test_an_order_within_the_limit_is_saved_open_and_counted(limited: Customer, company: Company) -> None:
    entered = enter(limited, "600.00", date="2026-11-22")

    assert entered.decision.ok and entered.override is None
    order = entered.document
    assert (order.status, order.amount, order.currency, order.channel) == ("open", D("600.00"), "CAD", "desk")
    assert order.number == "ORD-000001" and str(order.date) == "2026-11-22"
    assert account_of(limited, company).open_orders == D("600.00")


def test_numbers_follow_each_other_per_company_and_kind(limited: Customer) -> None:
    numbers = [enter(limited, "1.00").document.number for _ in range(3)]
    quote = services.enter_quote(actor=None, customer=limited, company="MAIN", amount="5").document

    assert numbers == ["ORD-000001", "ORD-000002", "ORD-000003"]
    assert quote.number == "QUO-000001"


def test_block_at_entry_refuses_and_saves_nothing(
    limited: Customer,
    policy: Callable[..., CreditPolicy],
    counts: Callable[[], dict[str, int]],
    company: Company,
) -> None:
    policy(limit_enforcement="block_at_entry")
    enter(limited, "600.00")
    before = counts()

    with pytest.raises(CreditRefused) as exc:
        enter(limited, "400.01")

    assert exc.value.decision.codes == ["credit_limit_exceeded"]
    assert exc.value.extra["decision"]["outcome"] == "blocked"
    assert counts() == before
    assert account_of(limited, company).open_orders == D("600.00")


def test_exactly_the_limit_passes(limited: Customer, policy: Callable[..., CreditPolicy]) -> None:
    policy(limit_enforcement="block_at_entry")
    enter(limited, "600.00")

    assert enter(limited, "400.00").document.status == "open"


def test_a_warning_not_acknowledged_is_refused_and_saves_nothing(
    limited: Customer, counts: Callable[[], dict[str, int]]
) -> None:
    before = counts()

    with pytest.raises(CreditWarningNotAcknowledged) as exc:
        enter(limited, "1000.01")

    assert exc.value.status == 409
    assert exc.value.decision.outcome == "warning"
    assert counts() == before and not CreditOverride.objects.exists()


def test_an_acknowledged_warning_is_saved_and_the_override_recorded(
    limited: Customer, operator: User, company: Company
) -> None:
    entered = enter(
        limited, "1500.00", actor=operator, acknowledge_warnings=True, override_reason="Paiement promis lundi"
    )

    override = CreditOverride.objects.get()
    assert entered.override == override and entered.document.status == "open"
    assert (override.user, override.order, override.reason) == (
        operator,
        entered.document,
        "Paiement promis lundi",
    )
    assert override.at is not None and override.customer == limited and override.company == company
    assert override.decision["outcome"] == "warning"
    assert override.decision["reasons"][0]["code"] == "credit_limit_exceeded"
    assert override.decision["reasons"][0]["amount"] == "1500.00"
    assert account_of(limited, company).open_orders == D("1500.00")


def test_acknowledging_needs_a_reason(limited: Customer, counts: Callable[[], dict[str, int]]) -> None:
    before = counts()

    with pytest.raises(ValidationError) as exc:
        enter(limited, "1500.00", acknowledge_warnings=True, override_reason="  ")

    assert list(exc.value.message_dict) == ["override_reason"]
    assert counts() == before


def test_a_role_that_may_not_override_cannot_acknowledge(
    limited: Customer, monkeypatch: pytest.MonkeyPatch, operator: User
) -> None:
    from carnet.accounts import roles

    monkeypatch.setitem(roles.PERMISSIONS, roles.Action.OVERRIDE_WARNING, frozenset({"admin"}))

    with pytest.raises(PermissionDenied):
        enter(limited, "1500.00", actor=operator, acknowledge_warnings=True, override_reason="Promis")
    assert not Order.objects.exists()


def test_acknowledging_when_there_is_no_warning_records_nothing(limited: Customer) -> None:
    entered = enter(limited, "10.00", acknowledge_warnings=True, override_reason="au cas où")

    assert entered.decision.ok and entered.override is None and not CreditOverride.objects.exists()


@pytest.mark.parametrize("enforcement", ["check_at_posting", "off"])
def test_no_limit_check_at_order_entry_when_checked_at_posting_or_off(
    limited: Customer, policy: Callable[..., CreditPolicy], enforcement: str
) -> None:
    policy(limit_enforcement=enforcement)

    assert enter(limited, "5000.00").decision.ok


def test_with_invoiced_only_open_orders_do_not_use_credit(
    limited: Customer, policy: Callable[..., CreditPolicy]
) -> None:
    policy(exposure_method="invoiced_only", limit_enforcement="block_at_entry")
    enter(limited, "900.00")

    assert enter(limited, "900.00").decision.ok


def test_an_order_above_the_maximum_per_order_is_a_warning(customer: Customer) -> None:
    customer.max_order_amount = D("500.00")
    customer.save()

    with pytest.raises(CreditWarningNotAcknowledged) as exc:
        enter(customer, "500.01")

    assert exc.value.decision.codes == ["max_order_amount_exceeded"]
    assert enter(customer, "500.00").decision.ok


def test_a_customer_in_warning_needs_an_acknowledgement(customer: Customer) -> None:
    Customer.objects.filter(pk=customer.pk).update(status="warning", status_reason="Retards de paiement")

    with pytest.raises(CreditWarningNotAcknowledged) as exc:
        enter(customer, "10.00")
    assert exc.value.decision.codes == ["status_warning"]

    entered = enter(customer, "10.00", acknowledge_warnings=True, override_reason="Accord du directeur")
    assert entered.override is not None


@pytest.mark.parametrize("status", ["prospect", "not_approved", "blocked", "closed"])
def test_statuses_without_sales_refuse_orders(customer: Customer, status: str) -> None:
    Customer.objects.filter(pk=customer.pk).update(status=status, status_reason="raison")

    with pytest.raises(CreditRefused) as exc:
        enter(customer, "10.00")

    assert exc.value.decision.codes == [f"status_{status}"]


def test_a_portal_order_needs_an_approved_customer(customer: Customer) -> None:
    assert enter(customer, "10.00", channel="portal").document.channel == "portal"
    Customer.objects.filter(pk=customer.pk).update(status="warning", status_reason="Retards")

    with pytest.raises(CreditRefused) as exc:
        enter(customer, "10.00", channel="portal", acknowledge_warnings=True, override_reason="x")

    assert exc.value.decision.codes == ["status_warning", "portal_requires_approved"]


def test_a_sale_order_hold_refuses_orders(customer: Customer, company: Company) -> None:
    HoldFactory(customer=customer, company=company, type="sale_order")

    with pytest.raises(CreditRefused) as exc:
        enter(customer, "10.00")

    assert exc.value.decision.codes == ["hold_sale_order"]


# --- the credit-hold queue ----------------------------------------------------------------------------


@pytest.fixture
def queue(policy: Callable[..., CreditPolicy]) -> CreditPolicy:
    return policy(limit_enforcement="block_at_entry", credit_hold_queue=True)


def test_with_the_queue_a_blocked_order_is_kept_on_credit_hold_and_not_counted(
    limited: Customer, queue: CreditPolicy, company: Company
) -> None:
    entered = enter(limited, "1500.00")

    assert entered.on_credit_hold
    assert entered.document.hold_decision["reasons"][0]["code"] == "credit_limit_exceeded"
    assert account_of(limited, company).open_orders == D("0.00")


def test_the_queue_does_not_swallow_warnings(limited: Customer, policy: Callable[..., CreditPolicy]) -> None:
    policy(limit_enforcement="warn_at_entry", credit_hold_queue=True)

    with pytest.raises(CreditWarningNotAcknowledged):
        enter(limited, "1500.00")


def test_a_controller_releases_an_order_from_credit_hold(
    limited: Customer, queue: CreditPolicy, controller: User, company: Company
) -> None:
    held = enter(limited, "1500.00").document

    released = services.release_order(actor=controller, order_id=held.pk, reason="Chèque certifié reçu")

    assert (released.status, released.hold_resolved_by, released.hold_resolution_note) == (
        "open",
        controller,
        "Chèque certifié reçu",
    )
    assert account_of(limited, company).open_orders == D("1500.00")
    override = CreditOverride.objects.get()
    assert (override.order, override.user, override.decision["outcome"]) == (released, controller, "blocked")


def test_a_controller_rejects_an_order_on_credit_hold(
    limited: Customer, queue: CreditPolicy, controller: User, company: Company
) -> None:
    held = enter(limited, "1500.00").document

    rejected = services.reject_order(actor=controller, order_id=held.pk, reason="Client injoignable")

    assert rejected.status == "rejected" and account_of(limited, company).open_orders == D("0.00")
    with pytest.raises(InvalidState):
        services.release_order(actor=controller, order_id=held.pk, reason="trop tard")


def test_an_operator_may_not_release(limited: Customer, queue: CreditPolicy, operator: User) -> None:
    held = enter(limited, "1500.00").document

    with pytest.raises(PermissionDenied):
        services.release_order(actor=operator, order_id=held.pk, reason="x")


def test_releasing_needs_a_reason(limited: Customer, queue: CreditPolicy) -> None:
    held = enter(limited, "1500.00").document

    with pytest.raises(ValidationError) as exc:
        services.release_order(actor=None, order_id=held.pk, reason="")

    assert list(exc.value.message_dict) == ["reason"]
    assert Order.objects.get().status == "on_credit_hold"


def test_an_open_order_cannot_be_released(limited: Customer) -> None:
    with pytest.raises(InvalidState):
        services.release_order(actor=None, order_id=enter(limited, "1.00").document.pk, reason="x")


# --- every path that raises the exposure --------------------------------------------------------------


def test_raising_an_open_orders_amount_runs_the_check(
    limited: Customer, policy: Callable[..., CreditPolicy], company: Company
) -> None:
    policy(limit_enforcement="block_at_entry")
    first = enter(limited, "600.00").document

    with pytest.raises(CreditRefused) as exc:
        services.change_order_amount(actor=None, order_id=first.pk, amount="1000.01")
    assert exc.value.decision.as_json()["reasons"][0]["exposure"] == "0.00"

    raised = services.change_order_amount(actor=None, order_id=first.pk, amount="1000.00")
    assert (raised.document.amount, raised.document.version) == (D("1000.00"), 2)
    assert account_of(limited, company).open_orders == D("1000.00")


def test_lowering_an_amount_runs_no_check(customer: Customer, company: Company) -> None:
    first = enter(customer, "600.00").document
    Customer.objects.filter(pk=customer.pk).update(status="blocked", status_reason="Impayés")

    lowered = services.change_order_amount(actor=None, order_id=first.pk, amount="100.00")

    assert lowered.decision is None and account_of(customer, company).open_orders == D("100.00")


def test_raising_past_a_block_with_the_queue_puts_the_order_on_hold(
    limited: Customer, queue: CreditPolicy, company: Company
) -> None:
    first = enter(limited, "600.00").document

    held = services.change_order_amount(actor=None, order_id=first.pk, amount="1200.00")

    assert held.on_credit_hold and account_of(limited, company).open_orders == D("0.00")


def test_a_stale_version_changes_nothing(limited: Customer) -> None:
    first = enter(limited, "600.00").document
    services.change_order_amount(actor=None, order_id=first.pk, amount="700.00", expected_version=1)

    with pytest.raises(StaleVersion):
        services.change_order_amount(actor=None, order_id=first.pk, amount="800.00", expected_version=1)


def test_reopening_a_cancelled_order_runs_the_check(
    limited: Customer, policy: Callable[..., CreditPolicy], company: Company
) -> None:
    policy(limit_enforcement="block_at_entry")
    first = enter(limited, "600.00").document
    services.cancel_order(actor=None, order_id=first.pk)
    assert account_of(limited, company).open_orders == D("0.00")
    enter(limited, "500.00")

    with pytest.raises(CreditRefused):
        services.reopen_order(actor=None, order_id=first.pk)
    assert Order.objects.get(pk=first.pk).status == "cancelled"

    services.cancel_order(actor=None, order_id=Order.objects.get(number="ORD-000002").pk)
    reopened = services.reopen_order(actor=None, order_id=first.pk)
    assert reopened.document.status == "open" and account_of(limited, company).open_orders == D("600.00")


def test_converting_a_quote_runs_the_check(
    customer: Customer, limit: Callable[..., CreditAccount], company: Company
) -> None:
    quote = services.enter_quote(actor=None, customer=customer, company="MAIN", amount="2000.00").document
    limit(customer, "1000.00")

    with pytest.raises(CreditWarningNotAcknowledged):
        services.convert_quote_to_order(actor=None, quote_id=quote.pk)
    assert Quote.objects.get().status == "open" and not Order.objects.exists()

    entered = services.convert_quote_to_order(
        actor=None, quote_id=quote.pk, acknowledge_warnings=True, override_reason="Accord du client"
    )
    assert entered.document.quote == quote and entered.document.amount == D("2000.00")
    assert Quote.objects.get().status == "converted"
    with pytest.raises(InvalidState):
        services.convert_quote_to_order(actor=None, quote_id=quote.pk)


def test_prospects_may_have_quotes_but_not_orders(customer: Customer) -> None:
    Customer.objects.filter(pk=customer.pk).update(status="prospect")
    quote = services.enter_quote(actor=None, customer=customer, company="MAIN", amount="500.00").document

    with pytest.raises(CreditRefused):
        services.convert_quote_to_order(actor=None, quote_id=quote.pk)


# --- cancelling and shipping ---------------------------------------------------------------------


def test_an_invoiced_order_cannot_be_cancelled(customer: Customer) -> None:
    first = order(customer, "100.00")
    services.enter_invoice(actor=None, customer=customer, company="MAIN", order=first.pk)

    with pytest.raises(InvalidState):
        services.cancel_order(actor=None, order_id=first.pk)


def test_shipments_default_to_what_is_left_and_never_exceed_the_order(customer: Customer) -> None:
    first = order(customer, "100.00")

    part = services.enter_shipment(actor=None, order_id=first.pk, amount="40.00")
    rest = services.enter_shipment(actor=None, order_id=first.pk)

    assert (part.number, part.amount, rest.amount) == ("SHP-000001", D("40.00"), D("60.00"))
    with pytest.raises(InvalidState):
        services.enter_shipment(actor=None, order_id=first.pk)


def test_a_cancelled_order_is_not_shipped(customer: Customer) -> None:
    first = order(customer, "100.00")
    services.cancel_order(actor=None, order_id=first.pk)

    with pytest.raises(InvalidState):
        services.enter_shipment(actor=None, order_id=first.pk)
