"""The Content-Security-Policy in a real browser: no inline script is allowed, so every behaviour of the
pages comes from static files. Each page used here must work and the browser must report no violation."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from carnet.accounts.models import ApiToken, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct-horse-9"  # of the users made by tests/conftest.py


def watch_violations(page: Page) -> list[str]:
    """Messages of the console about content the policy refused."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return violations


def sign_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/customers/")


def test_pages_work_under_the_policy(page: Page, live_server: Any, controller: User) -> None:
    base = live_server.url
    expect.set_options(timeout=10_000)
    violations = watch_violations(page)
    sign_in(page, base, controller)

    # The customer list's type-ahead leaves the empty filters out of the address it pushes.
    page.fill("#id_q", "rien")
    expect(page).to_have_url(re.compile(r"/customers/\?q=rien&sort=name$"))  # no category=&assigned=…

    # My tokens: make one, see it once, revoke it after saying yes to the question.
    page.get_by_role("link", name="My tokens").click()
    page.fill("#id_name", "browser")
    page.get_by_role("button", name="Make the token").click()
    secret = page.locator("#new-token").input_value()
    assert ApiToken.authenticate(secret) is not None
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator(".flash-success")).to_contain_text("revoked")
    assert ApiToken.authenticate(secret) is None

    # Invoice entry: "Add a line" adds a row of the formset.
    page.goto(f"{base}/documents/invoices/new/")
    rows = page.locator("#line-rows tr")
    before = rows.count()
    page.get_by_role("button", name="Add a line").click()
    expect(rows).to_have_count(before + 1)
    expect(page.locator("#id_lines-TOTAL_FORMS")).to_have_value(str(before + 1))

    # The API's browsable documentation.
    page.goto(f"{base}/api/v1/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()

    assert violations == []
