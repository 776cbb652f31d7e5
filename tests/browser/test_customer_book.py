"""The customer book in a real browser: sign in, create a customer with its address and contact, meet the
duplicate warning for a near-twin and save it anyway, find the first one by type-ahead, switch languages.

The live server answers from another thread, so the data must be committed (a transactional test); the
MAIN company and the note categories come from data migrations, which serialized_rollback puts back.
"""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from carnet.accounts.models import User
from carnet.customers import services
from carnet.customers.models import Address, Contact, Customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct-horse-9"  # of the users made by tests/conftest.py
FIRST = "Transports Laurentides inc."
TWIN = "Transport Laurentide inc."  # one letter short twice: the same business, typed differently


@pytest.fixture
def others(db: Any) -> list[Customer]:
    """Customers already in the book, which a search for the new one must leave out."""
    return [
        services.create_customer(actor=None, data={"name": name, "code": code}, acknowledge_duplicates=True)
        for name, code in (("Boulangerie Saint-Roch", "B1001"), ("Quincaillerie Beauce", "Q1001"))
    ]


def sign_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/customers/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))  # the book is for signed-in people only
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/customers/")
    expect(page.locator("h1")).to_have_text("Customers")
    expect(page.locator(".whoami")).to_contain_text(user.username)


def fill_new_customer(
    page: Page, base: str, name: str, address: dict[str, str], contact: dict[str, str]
) -> None:
    page.goto(f"{base}/customers/new/")
    expect(page.locator("h1")).to_have_text("New customer")
    page.fill("#id_name", name)
    # The country and province come from the book settings; the country is not touched, so the province
    # select is not reloaded under our feet.
    expect(page.locator("#id_address-country")).to_have_value("CA")
    page.select_option("#id_address-province", "QC")
    for field, value in address.items():
        page.fill(f"#id_address-{field}", value)
    for field, value in contact.items():
        page.fill(f"#id_contact-{field}", value)


def result_codes(page: Page) -> Any:
    return page.locator("#results tbody td.code")


def test_create_a_customer_meet_its_twin_find_it_and_switch_language(
    page: Page, live_server: Any, operator: User, others: list[Customer]
) -> None:
    """`operator` (tests/conftest.py) enters orders: may create customers, not change statuses."""
    base = live_server.url
    expect.set_options(timeout=10_000)

    # 1. Sign in through the form.
    sign_in(page, base, operator)

    # 2. Create a customer with its main address and main contact, all in one form.
    fill_new_customer(
        page,
        base,
        FIRST,
        {"line1": "100 rue Principale", "city": "Sherbrooke", "postal_code": "j1h 1a1"},
        {"name": "Marie Tremblay", "email": "marie@laurentides.example", "phone": "819 555 0100"},
    )
    page.get_by_role("button", name="Create customer").click()
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    expect(page.locator("h1")).to_contain_text(FIRST)
    expect(page.locator(".flash-success")).to_contain_text("created")
    first = Customer.objects.get(name=FIRST)
    assert page.url == f"{base}/customers/{first.pk}/"
    expect(page.locator("h1 .code")).to_have_text(first.code)
    address = Address.objects.get(customer=first)
    assert (address.main, address.city, address.province, address.postal_code) == (
        True,
        "Sherbrooke",
        "QC",
        "J1H 1A1",
    )
    contact = Contact.objects.get(customer=first)
    assert (contact.name, contact.email, contact.is_default) == (
        "Marie Tremblay",
        "marie@laurentides.example",
        True,
    )
    page.get_by_role("tab", name=re.compile("Contacts")).click()
    expect(page.locator("#tab-panel")).to_contain_text("Marie Tremblay")

    # 3. A near-twin: the warning names the first customer and nothing is saved until "Save anyway".
    fill_new_customer(
        page,
        base,
        TWIN,
        {"line1": "12 rue Saint-Germain Est", "city": "Rimouski", "postal_code": "G5L 1A1"},
        {"name": "Luc Gagnon", "email": "luc@laurentide.example"},
    )
    page.get_by_role("button", name="Create customer").click()
    twins = page.locator(".twins")
    expect(twins).to_be_visible()
    expect(twins.locator("h2")).to_have_text("This customer may already exist")
    link = twins.locator(f"a[href='/customers/{first.pk}/']")
    expect(link).to_contain_text(first.code)
    expect(link).to_contain_text(FIRST)
    expect(twins).to_contain_text("similar name")
    assert not Customer.objects.filter(name=TWIN).exists()
    # What was typed is still there, so saving anyway needs no retyping.
    expect(page.locator("#id_name")).to_have_value(TWIN)
    expect(page.locator("#id_contact-name")).to_have_value("Luc Gagnon")
    twins.get_by_role("button", name="Save anyway").click()
    expect(page.locator(".flash-success")).to_contain_text("created")
    twin = Customer.objects.get(name=TWIN)
    assert page.url == f"{base}/customers/{twin.pk}/"
    assert twin.pk != first.pk
    assert Contact.objects.get(customer=twin).name == "Luc Gagnon"

    # 4. Type-ahead: the results follow what is typed, without a page load.
    page.locator("nav.mainnav").get_by_role("link", name="Customers").click()
    expect(page).to_have_url(f"{base}/customers/")
    expect(result_codes(page)).to_have_count(4)
    # A mark on this very page: a page load while typing would wipe it.
    page.evaluate("window.carnetTypeAhead = 'same page'")
    search = page.locator("#id_q")
    search.press_sequentially("laurentide", delay=40)
    expect(page).to_have_url(re.compile(r"[?&]q=laurentide(&|$)"))
    expect(result_codes(page)).to_have_count(2)
    for customer in (first, twin):
        expect(result_codes(page).filter(has_text=customer.code)).to_have_count(1)
    search.press_sequentially("s sherbrooke", delay=40)
    expect(page).to_have_url(re.compile(r"[?&]q=laurentides(\+|%20)sherbrooke(&|$)"))
    expect(result_codes(page)).to_have_text([first.code])
    row = page.locator("#results tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(FIRST)
    expect(row).to_contain_text("Sherbrooke")
    for other in [twin, *others]:
        expect(page.locator("#results")).not_to_contain_text(other.name)
        expect(result_codes(page).filter(has_text=other.code)).to_have_count(0)
    expect(page.locator(".results-head .count")).to_contain_text("1 customer")
    assert page.evaluate("window.carnetTypeAhead") == "same page"

    # 5. The language switch: the same page in French, then back in English.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("button[value=fr]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text("Clients")
    expect(page.locator("button[value=fr]")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("link", name="Nouveau client")).to_be_visible()
    expect(page.locator("#id_q")).to_have_attribute("placeholder", re.compile("^Rechercher"))
    page.locator("button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Customers")
    expect(page.get_by_role("link", name="New customer")).to_be_visible()
