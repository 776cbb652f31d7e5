"""Order entry in a real browser: an operator picks a customer whose status is *warning*, sees its status
reason and its memo at once, types an amount, submits, is asked to acknowledge the warning, gives a reason,
and the order is saved with the override recorded."""

import re
from typing import Any

import pytest
from factories import CustomerFactory, NoteFactory
from playwright.sync_api import Page, expect

from carnet.accounts.models import User
from carnet.credit.models import CreditOverride
from carnet.customers.models import Customer
from carnet.documents.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct-horse-9"  # of the users made by tests/conftest.py
STATUS_REASON = "2 factures à plus de 60 jours"
MEMO = "Toujours appeler Julie Gagnon avant d'accepter une commande"


@pytest.fixture
def warned(db: Any) -> Customer:
    customer = CustomerFactory(
        code="W2001", name="Boulangerie Saint-Roch", status="warning", status_reason=STATUS_REASON
    )
    NoteFactory(customer=customer, pinned=True, text=MEMO)
    CustomerFactory(code="B2001", name="Boucherie Saint-Roch", status="approved")  # a near match
    return customer


def sign_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/login/?next=/documents/orders/new/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/documents/orders/new/")


def test_an_operator_acknowledges_a_warned_customers_order(
    page: Page, live_server: Any, operator: User, warned: Customer
) -> None:
    base = live_server.url
    expect.set_options(timeout=10_000)
    sign_in(page, base, operator)
    expect(page.locator("h1")).to_have_text("New order")

    # Type part of the name: the type-ahead lists both Saint-Roch businesses; pick the bakery.
    page.locator("#id_customer_q").press_sequentially("saint-roch")
    results = page.locator("#customer-results .pick")
    expect(results).to_have_count(2)
    results.filter(has_text="Boulangerie").click()

    # At once: the chosen customer, its status and reason, and the memo.
    expect(page.locator("#picked-customer")).to_contain_text("W2001")
    expect(page.locator("#customer-status")).to_have_text(re.compile(rf"Warning\s*:\s*{STATUS_REASON}"))
    expect(page.locator("#memo")).to_contain_text(MEMO)
    expect(page.locator("#credit-figures")).to_contain_text("No limit")

    # The amount: the live dry run says a warning must be acknowledged.
    page.fill("#id_amount", "1250")
    expect(page.locator("#decision .decision")).to_have_attribute("data-outcome", "warning")
    expect(page.locator("#decision")).to_contain_text("Acknowledge it to enter orders")
    page.fill("#id_reference", "PO-4411")

    page.get_by_role("button", name="Save the order").click()

    # Asked to acknowledge: the reasons and the memo are on the page; nothing is saved yet.
    acknowledge = page.locator("#acknowledge")
    expect(acknowledge).to_contain_text("The credit check gives warnings")
    expect(acknowledge).to_contain_text(STATUS_REASON)
    expect(acknowledge).to_contain_text(MEMO)
    assert not Order.objects.exists()

    page.fill("#id_override_reason", "Julie a confirmé le virement ce matin")
    page.get_by_role("button", name="Acknowledge and save").click()

    order = Order.objects.get()
    expect(page).to_have_url(f"{base}/documents/orders/{order.pk}/")
    expect(page.locator(".flash-success")).to_contain_text(f"Order {order.number} saved")
    expect(page.locator("#overrides")).to_contain_text("Julie a confirmé le virement ce matin")
    expect(page.locator("#overrides")).to_contain_text(operator.username)

    assert (order.customer_id, order.amount, order.reference, order.status) == (
        warned.pk,
        1250,
        "PO-4411",
        "open",
    )
    override = CreditOverride.objects.get()
    assert (override.order_id, override.user_id) == (order.pk, operator.pk)
    assert override.reason == "Julie a confirmé le virement ce matin"
    assert override.decision["outcome"] == "warning"
    assert override.decision["memo"] == [MEMO]
