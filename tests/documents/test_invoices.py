"""Invoices: from an order or not, with lines or an amount, draft or posted, and the check at posting."""

from collections.abc import Callable
from datetime import date

import pytest
from credit.support import D, account_of, invoice, order
from django.core.exceptions import PermissionDenied, ValidationError
from factories import HoldFactory

from carnet.accounts.models import Company, User
from carnet.credit.models import CreditAccount, CreditOverride, CreditPolicy
from carnet.customers.models import Customer
from carnet.documents import services
from carnet.documents.models import Invoice, InvoiceLine
from carnet.errors import CreditRefused, CreditWarningNotAcknowledged, InvalidState

pytestmark = pytest.mark.django_db


def test_an_invoice_is_entered_posted_with_its_due_date(customer: Customer, company: Company) -> None:
    customer.payment_terms_days = 45
    customer.save()

    entered = services.enter_invoice(
        actor=None, customer=customer.pk, company="MAIN", date="2026-09-01", amount="800.00"
    )

    inv = entered.document
    assert (inv.number, inv.status, inv.due_date, inv.open_balance) == (
        "INV-000001",
        "posted",
        date(2026, 10, 16),
        D("800.00"),
    )
    assert inv.posted_at is not None
    assert account_of(customer, company).posted_invoices_open == D("800.00")


def test_a_draft_counts_as_pending_until_it_is_posted(customer: Customer, company: Company) -> None:
    draft = invoice(customer, "300.00", post=False)
    account = account_of(customer, company)
    assert (draft.status, account.draft_invoices, account.posted_invoices_open) == (
        "draft",
        D("300.00"),
        D("0"),
    )

    posted = services.post_invoice(actor=None, invoice_id=draft.pk)

    account = account_of(customer, company)
    assert posted.document.status == "posted"
    assert (account.draft_invoices, account.posted_invoices_open) == (D("0.00"), D("300.00"))


def test_posting_a_posted_invoice_is_refused(customer: Customer) -> None:
    posted = invoice(customer, "300.00")

    with pytest.raises(InvalidState, match="already posted"):
        services.post_invoice(actor=None, invoice_id=posted.pk)


def test_invoicing_an_order_moves_it_from_the_open_orders(customer: Customer, company: Company) -> None:
    first = order(customer, "500.00")

    inv = invoice(customer, order=first.pk)

    first.refresh_from_db()
    account = account_of(customer, company)
    assert (inv.amount, inv.order, first.status) == (D("500.00"), first, "invoiced")
    assert (account.open_orders, account.posted_invoices_open) == (D("0.00"), D("500.00"))


def test_an_order_is_invoiced_once(customer: Customer) -> None:
    first = order(customer, "500.00")
    invoice(customer, order=first.pk)

    with pytest.raises(ValidationError) as exc:
        invoice(customer, order=first.pk)

    assert list(exc.value.message_dict) == ["order"]


def test_another_customers_order_names_the_field(customer: Customer) -> None:
    from factories import CustomerFactory

    others = order(CustomerFactory(), "500.00")

    with pytest.raises(ValidationError) as exc:
        invoice(customer, order=others.pk)

    assert list(exc.value.message_dict) == ["order"]


def test_the_amount_is_the_sum_of_the_lines(customer: Customer) -> None:
    lines = [
        {
            "product_code": "TR-LTL",
            "description": "Transport partiel",
            "quantity": "2",
            "unit_price": "125.50",
        },
        {
            "product_code": "FUEL",
            "description": "Surcharge carburant",
            "quantity": "1.5",
            "unit_price": "10.01",
        },
    ]

    inv = invoice(customer, lines=lines)

    assert inv.amount == D("266.02")  # 251.00 + 15.015 rounded half up
    assert list(InvoiceLine.objects.values_list("position", "amount", "customer_id")) == [
        (1, D("251.00"), customer.pk),
        (2, D("15.02"), customer.pk),
    ]


def test_an_amount_that_disagrees_with_the_lines_is_refused(customer: Customer) -> None:
    with pytest.raises(ValidationError) as exc:
        invoice(customer, "100.00", lines=[{"quantity": "1", "unit_price": "99.99"}])

    assert list(exc.value.message_dict) == ["amount"]
    assert not Invoice.objects.exists()


def test_each_bad_line_is_named(customer: Customer) -> None:
    lines = [
        {"quantity": "0", "unit_price": "1.00"},
        {"quantity": "1", "unit_price": "1.005"},
        {"quantity": "1", "unit_price": "1", "colour": "red"},
    ]

    with pytest.raises(ValidationError) as exc:
        invoice(customer, lines=lines)

    assert set(exc.value.message_dict) == {"lines.0.quantity", "lines.1.unit_price", "lines.2.colour"}


def test_an_invoicing_hold_refuses_invoices(customer: Customer, company: Company) -> None:
    HoldFactory(customer=customer, company=company, type="invoicing")

    with pytest.raises(CreditRefused) as exc:
        invoice(customer, "10.00")

    assert exc.value.decision.codes == ["hold_invoicing"]


def test_posting_is_refused_when_an_invoicing_hold_came_since_the_draft(
    customer: Customer, company: Company
) -> None:
    draft = invoice(customer, "10.00", post=False)
    HoldFactory(customer=customer, company=company, type="invoicing")

    with pytest.raises(CreditRefused):
        services.post_invoice(actor=None, invoice_id=draft.pk)
    assert Invoice.objects.get().status == "draft"


@pytest.fixture
def limited(customer: Customer, limit: Callable[..., CreditAccount]) -> Customer:
    limit(customer, "1000.00")
    return customer


def test_check_at_posting_warns_and_posts(
    limited: Customer, policy: Callable[..., CreditPolicy], company: Company
) -> None:
    policy(limit_enforcement="check_at_posting")
    draft = invoice(limited, "1500.00", post=False)  # nothing at entry

    posted = services.post_invoice(actor=None, invoice_id=draft.pk)

    assert posted.document.status == "posted"
    assert posted.decision is not None and posted.decision.outcome == "warning"
    reason = posted.decision.as_json()["reasons"][0]
    assert (reason["code"], reason["exposure"], reason["amount"]) == (
        "credit_limit_exceeded",
        "0.00",
        "1500.00",
    )
    assert account_of(limited, company).posted_invoices_open == D("1500.00")


def test_check_at_posting_warns_when_an_invoice_is_entered_posted(
    limited: Customer, policy: Callable[..., CreditPolicy]
) -> None:
    policy(limit_enforcement="check_at_posting")

    entered = services.enter_invoice(actor=None, customer=limited, company="MAIN", amount="1500.00")

    assert entered.document.status == "posted" and entered.decision is not None
    assert entered.decision.codes == ["credit_limit_exceeded"] and entered.override is None


def test_check_at_posting_counts_an_invoiced_order_once(
    limited: Customer, policy: Callable[..., CreditPolicy]
) -> None:
    policy(limit_enforcement="check_at_posting")
    first = order(limited, "1000.00")

    entered = services.enter_invoice(actor=None, customer=limited, company="MAIN", order=first.pk)

    assert entered.decision is not None and entered.decision.ok


@pytest.mark.parametrize("enforcement", ["block_at_entry", "warn_at_entry", "off"])
def test_other_settings_say_nothing_at_posting(
    limited: Customer, policy: Callable[..., CreditPolicy], enforcement: str
) -> None:
    draft = invoice(limited, "1500.00", post=False, acknowledge_warnings=True, override_reason="Accord")
    policy(limit_enforcement=enforcement)

    assert services.post_invoice(actor=None, invoice_id=draft.pk).decision.ok  # type: ignore[union-attr]


def test_block_at_entry_refuses_an_invoice_over_the_limit(
    limited: Customer, policy: Callable[..., CreditPolicy]
) -> None:
    policy(limit_enforcement="block_at_entry")

    with pytest.raises(CreditRefused):
        invoice(limited, "1000.01")
    assert not Invoice.objects.exists()


def test_invoicing_an_accepted_order_is_not_refused_by_the_limit(
    limited: Customer, policy: Callable[..., CreditPolicy], limit: Callable[..., CreditAccount]
) -> None:
    policy(limit_enforcement="block_at_entry")
    first = order(limited, "900.00")
    limit(limited, "100.00")  # lowered since the order was accepted

    assert invoice(limited, order=first.pk).status == "posted"
    with pytest.raises(CreditRefused):
        invoice(limited, "0.01")


def test_an_invoice_beyond_its_order_is_checked_for_the_difference(
    limited: Customer, policy: Callable[..., CreditPolicy]
) -> None:
    policy(limit_enforcement="block_at_entry")
    first = order(limited, "900.00")

    with pytest.raises(CreditRefused):
        invoice(limited, "1000.01", order=first.pk)
    assert invoice(limited, "1000.00", order=first.pk).amount == D("1000.00")


def test_a_warned_invoice_needs_the_acknowledgement(limited: Customer, controller: User) -> None:
    with pytest.raises(CreditWarningNotAcknowledged):
        invoice(limited, "1500.00")

    entered = services.enter_invoice(
        actor=controller,
        customer=limited,
        company="MAIN",
        amount="1500.00",
        acknowledge_warnings=True,
        override_reason="Contrat signé",
    )

    override = CreditOverride.objects.get()
    assert (override.invoice, override.order, override.user) == (entered.document, None, controller)


def test_an_operator_may_not_enter_invoices(customer: Customer, operator: User) -> None:
    with pytest.raises(PermissionDenied):
        services.enter_invoice(actor=operator, customer=customer, company="MAIN", amount="1.00")
