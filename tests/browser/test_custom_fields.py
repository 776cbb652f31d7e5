"""Custom fields in a real browser: an admin defines a choice field in the settings, fills it on a customer,
and filters the customer list by it (htmx swaps the results, the column shows the option's label).

A transactional test, as the live server answers from another thread.
"""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from carnet.accounts.models import User
from carnet.customers import services
from carnet.customers.models import Customer
from carnet.customfields.models import CustomField

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct-horse-9"  # of the users made by tests/conftest.py


@pytest.fixture
def book(db: Any) -> list[Customer]:
    return [
        services.create_customer(actor=None, data={"name": name, "code": code}, acknowledge_duplicates=True)
        for name, code in (
            ("Transports Laurentides inc.", "T1001"),
            ("Boulangerie Saint-Roch", "B1001"),
            ("Quincaillerie Beauce", "Q1001"),
        )
    ]


def sign_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/customers/")


def test_define_a_choice_field_fill_it_and_filter_the_list(
    page: Page, live_server: Any, admin_user: User, book: list[Customer]
) -> None:
    base = live_server.url
    expect.set_options(timeout=10_000)
    sign_in(page, base, admin_user)
    bakery = book[1]

    # 1. Settings → Custom fields → add a choice field, a column and a filter of the list.
    page.locator("nav.mainnav").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Custom fields").click()
    expect(page).to_have_url(f"{base}/settings/custom-fields/")
    page.locator("#custom-fields-customer").locator("xpath=..").get_by_role(
        "link", name="Add a field"
    ).click()
    page.fill("#id_key", "segment")
    page.fill("#id_label_fr", "Segment")
    page.fill("#id_label_en", "Segment")
    page.select_option("#id_type", "choice")
    page.fill("#id_options", "PME\ngrand_compte | Grand compte | Key account")
    page.check("#id_show_in_list")
    page.check("#id_filterable")
    page.get_by_role("button", name="Add the field").click()
    expect(page).to_have_url(f"{base}/settings/custom-fields/")
    expect(page.locator(".flash-success")).to_contain_text("Segment")
    expect(page.locator("#custom-fields-customer")).to_contain_text("segment")
    field = CustomField.objects.get(key="segment")
    assert (field.type, field.show_in_list, field.filterable) == ("choice", True, True)

    # 2. Fill it on a customer: the edit form has the select, the record shows the label.
    page.goto(f"{base}/customers/{bakery.pk}/edit/")
    select = page.locator("select[name='custom_fields.segment']")
    expect(select.locator("option")).to_have_text(["—", "PME", "Key account"])
    select.select_option("grand_compte")
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url(f"{base}/customers/{bakery.pk}/")
    expect(page.locator("#tab-panel")).to_contain_text("Key account")
    bakery.refresh_from_db()
    assert bakery.custom_fields == {"segment": "grand_compte"}

    # 3. Filter the list by it: only that customer stays, with its value in the column.
    page.locator("nav.mainnav").get_by_role("link", name="Customers").click()
    codes = page.locator("#results tbody td.code")
    expect(codes).to_have_count(3)
    page.select_option("#id_cf_segment", "grand_compte")
    expect(page).to_have_url(re.compile(r"[?&]cf_segment=grand_compte(&|$)"))
    expect(codes).to_have_text([bakery.code])
    expect(page.locator("#results tbody td.custom-column")).to_have_text(["Key account"])
    page.select_option("#id_cf_segment", "PME")
    expect(page.locator("#results")).to_contain_text("No customer matches these filters")
