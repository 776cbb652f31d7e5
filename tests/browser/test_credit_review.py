"""The credit review in a real browser: a credit controller runs a review where two customers meet the grace
days criterion, unticks one proposal, applies, and sees both customers' new states: one blocked with the
reason, the other still approved."""

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from carnet.accounts.models import User
from carnet.credit.models import CreditReview, CreditReviewLine
from carnet.credit.review_criteria import set_company_criteria
from carnet.customers import services as customers
from carnet.customers.models import Customer
from carnet.documents import services as documents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct-horse-9"  # of the users made by tests/conftest.py
REASON = "Factures impayées depuis plus de 60 jours"


@pytest.fixture
def late(db: Any) -> tuple[Customer, Customer]:
    """Two approved customers, each with an invoice of MAIN unpaid for 120 days; grace days 60."""
    from django.utils import timezone

    made = []
    for code, name, amount in (
        ("R1001", "Boulangerie Saint-Roch", "1200"),
        ("R1002", "Quincaillerie Dubé", "800"),
    ):
        customer = customers.create_customer(
            actor=None, data={"name": name, "code": code, "status": "approved"}, acknowledge_duplicates=True
        )
        documents.enter_invoice(
            actor=None,
            customer=customer,
            company="MAIN",
            amount=amount,
            date=timezone.localdate() - timedelta(days=120),
        )
        made.append(customer)
    set_company_criteria(actor=None, company="MAIN", data={"reason": REASON, "grace_days": 60})
    return made[0], made[1]


def sign_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/login/?next=/credit/reviews/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/credit/reviews/")


def test_a_controller_runs_unticks_one_and_applies(
    page: Page, live_server: Any, controller: User, late: tuple[Customer, Customer]
) -> None:
    base = live_server.url
    expect.set_options(timeout=10_000)
    first, second = late
    sign_in(page, base, controller)
    expect(page.locator("h1")).to_have_text("Credit review")

    page.get_by_role("button", name="Run the review").click()
    review = CreditReview.objects.get()
    expect(page).to_have_url(f"{base}/credit/reviews/{review.pk}/")
    expect(page.locator(".flash-success")).to_contain_text("2 to block, 0 to release")
    block = page.locator("#group-block")
    expect(block.locator("tr.proposal")).to_have_count(2)
    expect(block.locator(f"#line-{first.pk}")).to_contain_text("Boulangerie Saint-Roch")
    expect(block.locator(f"#line-{first.pk}")).to_contain_text("120 days")
    expect(page.locator("#ticked-count")).to_have_text("2 of 2 lines ticked")

    # Select none, then all, without a reload; then the filter hides a line but keeps its tick.
    page.locator("#select-none").click()
    expect(page.locator(f"#tick-{first.pk}")).not_to_be_checked()
    expect(page.locator(f"#tick-{second.pk}")).not_to_be_checked()
    page.locator("#select-all").click()
    expect(page.locator("#ticked-count")).to_have_text("2 of 2 lines ticked")
    page.fill("#filter-text", "boulangerie")
    expect(page.locator(f"#line-{second.pk}")).to_be_hidden()
    page.fill("#filter-text", "")
    expect(page.locator(f"#line-{second.pk}")).to_be_visible()
    expect(page.locator(f"#tick-{second.pk}")).to_be_checked()

    # Untick the hardware store, apply.
    page.locator(f"#tick-{second.pk}").uncheck()
    expect(page.locator("#ticked-count")).to_have_text("1 of 2 lines ticked")
    page.get_by_role("button", name="Apply the ticked lines").click()

    expect(page.locator(".flash-success")).to_contain_text("1 status changes, 0 skipped")
    expect(page.locator("#applied-notice")).to_contain_text("cannot be applied again")
    expect(page.locator("#apply-review")).to_have_count(0)
    expect(page.locator(f"#line-{first.pk} .result")).to_have_text("Applied")
    expect(page.locator(f"#line-{second.pk} .result")).to_have_text("Not selected")

    # The customers' pages: one blocked with the reason, the other still approved.
    page.locator(f"#line-{first.pk} a").click()
    expect(page).to_have_url(f"{base}/customers/{first.pk}/")
    expect(page.locator(".record-status")).to_contain_text("Blocked")
    expect(page.locator(".record-status")).to_contain_text(REASON)
    page.goto(f"{base}/customers/{second.pk}/")
    expect(page.locator(".record-status")).to_contain_text("Approved")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.status_reason) == ("blocked", REASON)
    assert (second.status, second.status_reason) == ("approved", "")
    results = dict(CreditReviewLine.objects.values_list("customer_id", "result"))
    assert results == {first.pk: CreditReviewLine.APPLIED, second.pk: CreditReviewLine.NOT_SELECTED}
