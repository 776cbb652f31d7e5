"""The credit desk in the UI: the customer page's Credit, Holds, Activity and Sales tabs, setting a limit,
adding and lifting holds, the company credit settings, who may do what, and who sees which company."""

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from factories import CompanyFactory, HoldFactory

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Role
from carnet.credit import services as credit
from carnet.credit.models import CreditAccount, CreditPolicy, Hold
from carnet.customers.models import Customer
from carnet.documents import services as documents
from carnet.documents.models import Order

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "tab-panel"}


def figure(html: str, name: str, company: Company | None = None) -> str:
    """The text of a figure of the Credit tab (data-figure=name), of the first company's card by default."""
    if company is not None:
        html = html.split(f'id="credit-{company.pk}"', 1)[1]
    match = re.search(rf'data-figure="{name}">(.*?)</', html, re.S)
    assert match, f"no figure {name}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


@pytest.fixture
def book(customer: Customer, main_company: Company) -> Customer:
    """C1001 in MAIN: a limit of 10,000; posted invoices of 1,000 (current) and 500 (due 45 days ago); an
    open order of 2,000; a payment of 300 on account; a draft invoice of 100."""
    credit.set_limit(actor=None, customer=customer, company=main_company, limit="10000.00")
    documents.enter_invoice(
        actor=None,
        customer=customer,
        company="MAIN",
        date=ago(0),
        lines=[
            {"product_code": "PAL-48", "description": "Pallet 48x40", "quantity": "10", "unit_price": "100"}
        ],
    )
    documents.enter_invoice(
        actor=None,
        customer=customer,
        company="MAIN",
        date=ago(45 + customer.payment_terms_days),
        lines=[{"product_code": "STR-01", "description": "Strapping", "quantity": "5", "unit_price": "100"}],
    )
    documents.enter_order(actor=None, customer=customer, company="MAIN", amount="2000.00", reference="PO-77")
    documents.enter_payment(actor=None, customer=customer, company="MAIN", amount="300.00", method="")
    documents.enter_invoice(actor=None, customer=customer, company="MAIN", amount="100.00", post=False)
    return customer


def tab(client: Client, customer: Customer, name: str, **headers: Any) -> str:
    response = client.get(f"/customers/{customer.pk}/?tab={name}", **headers)
    assert response.status_code == 200
    return response.content.decode()


# --- the Credit tab ------------------------------------------------------------------------------


def test_the_credit_tab_shows_the_limit_exposure_and_its_parts(viewer_client: Client, book: Customer) -> None:
    html = tab(viewer_client, book, "credit")
    assert figure(html, "limit") == "10,000.00"
    assert figure(html, "unpaid_invoices") == "1,200.00"  # 1,000 + 500 posted, less 300 on account
    assert figure(html, "open_orders") == "2,000.00"
    assert figure(html, "draft_invoices") == "100.00"
    assert figure(html, "exposure") == "3,300.00"
    assert figure(html, "available") == "6,700.00"
    assert figure(html, "utilisation") == "33.0 %"
    assert figure(html, "overdue") == "500.00"
    assert figure(html, "balance") == "1,200.00" and "Debit balance" in html
    assert 'class="bar-chart"' in html and "31\u201360 days" in html
    assert "<script" not in html.split('id="tab-panel"', 1)[1]  # the charts are drawn on the server


def test_the_aging_is_also_written_for_screen_readers(viewer_client: Client, book: Customer) -> None:
    html = tab(viewer_client, book, "credit")
    table = html.split('<table class="sr-only"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<th scope=\"row\">(.*?)</th><td>(.*?)</td>", table)
    assert rows == [
        ("Current", "1,000.00 CAD"),
        ("1\u201330 days", "0.00 CAD"),
        ("31\u201360 days", "500.00 CAD"),
        ("61\u201390 days", "0.00 CAD"),
        ("Over 90 days", "0.00 CAD"),
    ]


def test_a_customer_in_credit_shows_a_credit_balance_and_no_limit(
    viewer_client: Client, customer: Customer
) -> None:
    documents.enter_payment(actor=None, customer=customer, company="MAIN", amount="250.00")
    html = tab(viewer_client, customer, "credit")
    assert figure(html, "limit") == "No limit"
    assert figure(html, "balance") == "250.00" and "Credit balance" in html
    assert "No limit, no utilisation." in html


def test_the_recent_overrides_say_who_when_why_and_the_outcome(
    viewer_client: Client, book: Customer, controller: User
) -> None:
    documents.enter_order(
        actor=controller,
        customer=book,
        company="MAIN",
        amount="9000.00",
        acknowledge_warnings=True,
        override_reason="Seasonal stock, agreed with the owner",
    )
    html = tab(viewer_client, book, "credit")
    overrides = html.split("Recent credit overrides", 1)[1]
    assert "Seasonal stock, agreed with the owner" in overrides
    assert "controller" in overrides and "Warning, acknowledged" in overrides
    assert "credit_limit_exceeded" not in overrides and "Over the credit limit" in overrides
    assert Order.objects.get(amount=Decimal("9000.00")).number in overrides


@pytest.mark.parametrize("who", ["viewer", "operator"])
def test_viewers_and_operators_see_the_figures_but_no_limit_form(
    request: pytest.FixtureRequest, client_as: Callable[[User], Client], book: Customer, who: str
) -> None:
    html = tab(client_as(request.getfixturevalue(who)), book, "credit")
    assert figure(html, "limit") == "10,000.00"
    assert "credit-set-limit" not in html and "/limit/" not in html


def test_a_controller_sets_a_limit(controller_client: Client, book: Customer, main_company: Company) -> None:
    html = tab(controller_client, book, "credit")
    assert f"/credit/customers/{book.pk}/limit/" in html
    version = CreditAccount.objects.get(customer=book).version
    response = controller_client.post(
        f"/credit/customers/{book.pk}/limit/", {"company": "MAIN", "limit": "12500", "version": version}
    )
    assert response.status_code == 302
    account = CreditAccount.objects.get(customer=book, company=main_company)
    assert account.limit == Decimal("12500.00") and account.limit_set_by is not None
    page = controller_client.get(response["Location"]).content.decode()
    assert "MAIN: the credit limit is now 12,500.00 CAD." in page


def test_a_blank_limit_removes_it_through_htmx(controller_client: Client, book: Customer) -> None:
    response = controller_client.post(
        f"/credit/customers/{book.pk}/limit/", {"company": "MAIN", "limit": ""}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "the credit limit was removed" in html and figure(html, "limit") == "No limit"
    assert CreditAccount.objects.get(customer=book).limit is None


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("-5", "A credit limit cannot be negative"),
        ("ten thousand", "Enter a number."),
        ("1.234", "Ensure that there are no more than 2 decimal places."),
    ],
)
def test_a_bad_limit_is_explained_beside_the_field_and_changes_nothing(
    controller_client: Client, book: Customer, value: str, error: str
) -> None:
    response = controller_client.post(
        f"/credit/customers/{book.pk}/limit/", {"company": "MAIN", "limit": value}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<small class="error" id="id_limit_\d+_limit-error">' + re.escape(error), html)
    assert CreditAccount.objects.get(customer=book).limit == Decimal("10000.00")


def test_a_stale_limit_form_is_refused(controller_client: Client, book: Customer) -> None:
    version = CreditAccount.objects.get(customer=book).version
    credit.set_limit(actor=None, customer=book, company="MAIN", limit="9000")
    html = controller_client.post(
        f"/credit/customers/{book.pk}/limit/", {"company": "MAIN", "limit": "1", "version": version}, **HTMX
    ).content.decode()
    assert "Someone else changed this credit limit" in html
    assert CreditAccount.objects.get(customer=book).limit == Decimal("9000.00")


def test_an_operator_may_not_set_a_limit(operator_client: Client, book: Customer) -> None:
    response = operator_client.post(f"/credit/customers/{book.pk}/limit/", {"company": "MAIN", "limit": "1"})
    assert response.status_code == 403
    assert CreditAccount.objects.get(customer=book).limit == Decimal("10000.00")


def test_a_company_the_user_does_not_belong_to_is_neither_shown_nor_changed(
    client_as: Callable[[User], Client], make_user: Callable[..., User], book: Customer, main_company: Company
) -> None:
    other = CompanyFactory(code="WEST", name="Distribution Ouest")
    credit.set_limit(actor=None, customer=book, company=other, limit="777.00")
    documents.enter_order(actor=None, customer=book, company="WEST", amount="55.00")
    mine = client_as(make_user("maincontroller", Role.CREDIT_CONTROLLER, companies=[main_company]))
    html = tab(mine, book, "credit")
    assert "Distribution Ouest" not in html and "777.00" not in html
    assert "Distribution Ouest" not in tab(mine, book, "sales")
    assert "55.00" not in tab(mine, book, "activity")
    response = mine.post(f"/credit/customers/{book.pk}/limit/", {"company": "WEST", "limit": "1"})
    assert response.status_code == 404
    assert CreditAccount.objects.get(customer=book, company=other).limit == Decimal("777.00")
    both = client_as(make_user("both", Role.VIEWER, companies=[main_company, other]))
    html = tab(both, book, "credit")
    assert figure(html, "limit", other) == "777.00" and figure(html, "limit", main_company) == "10,000.00"


# --- the Holds tab -------------------------------------------------------------------------------


def hold_form(**changes: Any) -> dict[str, Any]:
    return {
        "type": "sale_order",
        "company": "MAIN",
        "reason_code": "DISPUTE",
        "comment": "Invoice 1042",
        **changes,
    }


def test_a_controller_adds_a_hold_and_it_shows_as_active(
    controller_client: Client, customer: Customer
) -> None:
    ends = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = controller_client.post(
        f"/credit/customers/{customer.pk}/holds/new/", hold_form(ends_on=ends), **HTMX
    )
    html = response.content.decode()
    assert "Sale order hold added." in html
    hold = Hold.objects.get(customer=customer)
    assert (hold.type, hold.company.code, hold.reason_code, hold.comment) == (
        "sale_order",
        "MAIN",
        "DISPUTE",
        "Invoice 1042",
    )
    assert hold.ends_on is not None and hold.set_by is not None
    active = html.split("Active holds", 1)[1].split("Past holds", 1)[0]
    assert "DISPUTE" in active and "Invoice 1042" in active and "controller" in active
    assert f"/credit/holds/{hold.pk}/lift/" in active


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"type": "vacation"}, "type", "Select a valid choice."),
        ({"ends_on": "2001-01-01"}, "ends_on", "This day is past: the hold would never apply."),
        ({"reason_code": "", "comment": ""}, "comment", "Say why the customer is on hold."),
        ({"company": "NOPE"}, "company", "Select a valid choice."),
        ({"ends_on": "next week"}, "ends_on", "Enter a valid date."),
    ],
)
def test_a_bad_hold_is_explained_beside_the_field_and_adds_nothing(
    controller_client: Client, customer: Customer, changes: dict[str, str], field: str, error: str
) -> None:
    response = controller_client.post(
        f"/credit/customers/{customer.pk}/holds/new/", hold_form(**changes), **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<small class="error" id="id_{field}-error">{error}' in html
    assert "The hold was not added" in html and '<details class="card add-hold" open>' in html
    assert not Hold.objects.exists()


def test_a_hold_on_every_company_needs_every_company(
    client_as: Callable[[User], Client],
    make_user: Callable[..., User],
    customer: Customer,
    main_company: Company,
) -> None:
    CompanyFactory(code="WEST")
    mine = client_as(make_user("maincontroller", Role.CREDIT_CONTROLLER, companies=[main_company]))
    assert "Every company</option>" not in tab(mine, customer, "holds")
    response = mine.post(f"/credit/customers/{customer.pk}/holds/new/", hold_form(company="*"), **HTMX)
    assert "Select a valid choice." in response.content.decode()
    admin = client_as(make_user("boss", Role.ADMIN))
    assert "Every company</option>" in tab(admin, customer, "holds")
    admin.post(f"/credit/customers/{customer.pk}/holds/new/", hold_form(company="*"))
    assert Hold.objects.get().company is None


def test_a_controller_lifts_a_hold(controller_client: Client, customer: Customer) -> None:
    hold = HoldFactory(customer=customer)
    response = controller_client.post(f"/credit/holds/{hold.pk}/lift/")
    assert response.status_code == 302 and response["Location"].endswith("?tab=holds")
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lifted_by is not None
    html = tab(controller_client, customer, "holds")
    past = html.split("Past holds", 1)[1]
    assert "Lifted</span>" in past and "Litige sur la facture 1042" in past
    assert "No active hold." in html
    again = controller_client.post(f"/credit/holds/{hold.pk}/lift/", **HTMX).content.decode()
    assert "This hold was already lifted." in again


def test_an_expired_hold_shows_as_expired_and_cannot_be_lifted(
    viewer_client: Client, customer: Customer
) -> None:
    HoldFactory(customer=customer, ends_on=timezone.localdate() - timedelta(days=1), comment="Old dispute")
    html = tab(viewer_client, customer, "holds")
    past = html.split("Past holds", 1)[1]
    assert "Old dispute" in past and "Expired</span>" in past
    assert "No active hold." in html


@pytest.mark.parametrize("who", ["viewer", "operator"])
def test_viewers_and_operators_see_holds_but_may_not_add_or_lift_them(
    request: pytest.FixtureRequest, client_as: Callable[[User], Client], customer: Customer, who: str
) -> None:
    hold = HoldFactory(customer=customer)
    client = client_as(request.getfixturevalue(who))
    html = tab(client, customer, "holds")
    assert "Litige sur la facture 1042" in html
    assert "Add a hold" not in html and "/lift/" not in html
    assert client.post(f"/credit/customers/{customer.pk}/holds/new/", hold_form()).status_code == 403
    assert client.post(f"/credit/holds/{hold.pk}/lift/").status_code == 403
    hold.refresh_from_db()
    assert hold.lifted_at is None and Hold.objects.count() == 1


def test_a_hold_in_another_company_is_not_shown_nor_lifted(
    client_as: Callable[[User], Client],
    make_user: Callable[..., User],
    customer: Customer,
    main_company: Company,
) -> None:
    other = CompanyFactory(code="WEST")
    hold = HoldFactory(customer=customer, company=other, comment="West only")
    mine = client_as(make_user("maincontroller", Role.CREDIT_CONTROLLER, companies=[main_company]))
    assert "West only" not in tab(mine, customer, "holds")
    assert mine.post(f"/credit/holds/{hold.pk}/lift/").status_code == 404
    hold.refresh_from_db()
    assert hold.lifted_at is None


# --- the Activity tab ----------------------------------------------------------------------------


def test_the_activity_tab_lists_orders_newest_first_with_links(
    operator_client: Client, book: Customer
) -> None:
    older = documents.enter_order(
        actor=None, customer=book, company="MAIN", amount="10.00", date=ago(3)
    ).document
    html = tab(operator_client, book, "activity")
    rows = html.split('class="grid documents"', 1)[1]
    newest = Order.objects.filter(customer=book).exclude(pk=older.pk).get()
    assert rows.index(newest.number) < rows.index(older.number)
    assert "PO-77" in rows and "2,000.00" in rows
    try:
        detail = reverse("document-detail", args=["orders", newest.pk])
        create = reverse("order-create")
    except NoReverseMatch:
        pytest.skip("the document pages (document-detail, order-create) are not in the URLs yet")
    assert f'href="{detail}"' in rows
    assert f'href="{create}?customer={book.pk}"' in html


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("invoices", ["1,000.00", "500.00", "100.00", "Posted", "Draft"]),
        ("payments", ["300.00"]),
        ("quotes", ["No document of this kind yet."]),
        ("credit-notes", ["No document of this kind yet."]),
        ("shipments", ["No document of this kind yet."]),
    ],
)
def test_each_kind_of_document_comes_alone_for_htmx(
    viewer_client: Client, book: Customer, kind: str, expected: list[str]
) -> None:
    response = viewer_client.get(f"/credit/customers/{book.pk}/activity/{kind}/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and html.startswith('<div id="activity-list"')
    for text in expected:
        assert text in html


def test_the_activity_pages_through_the_documents(viewer_client: Client, customer: Customer) -> None:
    for n in range(23):
        documents.enter_quote(
            actor=None, customer=customer, company="MAIN", amount=f"{n + 1}.00", date=ago(n)
        )
    first = viewer_client.get(f"/credit/customers/{customer.pk}/activity/quotes/", **HTMX).content.decode()
    assert "23 documents, newest first." in first and first.count("QUO-") == 20
    second = viewer_client.get(
        f"/credit/customers/{customer.pk}/activity/quotes/?page=2", **HTMX
    ).content.decode()
    assert second.count("QUO-") == 3 and "1.00" in second
    plain = viewer_client.get(f"/credit/customers/{customer.pk}/activity/quotes/?page=2")
    assert plain["Location"] == f"/customers/{customer.pk}/?tab=activity&kind=quotes&page=2"
    page = tab(viewer_client, customer, "activity&kind=quotes&page=2")
    assert 'class="subtab active" aria-current="true">Quotes' in page


def test_the_activity_of_an_unknown_kind_is_not_found(viewer_client: Client, customer: Customer) -> None:
    assert viewer_client.get(f"/credit/customers/{customer.pk}/activity/letters/", **HTMX).status_code == 404


# --- the Sales tab -------------------------------------------------------------------------------


def test_the_sales_tab_shows_five_years_and_the_top_products(viewer_client: Client, book: Customer) -> None:
    documents.enter_credit_note(actor=None, customer=book, company="MAIN", amount="200.00")
    html = tab(viewer_client, book, "sales")
    year = timezone.localdate().year
    table = html.split("Sales per year", 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r'<th scope="row">(\d+)</th><td class="num">(.*?)</td><td class="num">(.*?)</td>', table
    )
    assert [int(r[0]) for r in rows] == list(range(year - 4, year + 1))
    last_invoice_year = (timezone.localdate() - timedelta(days=45 + book.payment_terms_days)).year
    invoiced = {int(y): v for y, v, _c in rows}
    assert sum(Decimal(v.replace(",", "")) for v in invoiced.values()) == Decimal("1500.00")
    assert invoiced[year] in {"1,000.00", "1,500.00"} and last_invoice_year in invoiced
    assert html.count("<rect ") >= 1 and 'aria-hidden="true"' in html
    products = html.split("Top products", 1)[1]
    assert products.index("PAL-48") < products.index("STR-01")
    assert "Pallet 48x40" in products and "1,000.00" in products


# --- the page frame ------------------------------------------------------------------------------


def test_the_new_tabs_are_in_the_tab_bar(viewer_client: Client, customer: Customer) -> None:
    html = viewer_client.get(f"/customers/{customer.pk}/").content.decode()
    for key, label in [
        ("credit", "Credit"),
        ("holds", "Holds"),
        ("activity", "Activity"),
        ("sales", "Sales"),
    ]:
        assert f'href="?tab={key}"' in html and label in html


def test_a_tab_comes_alone_for_htmx(viewer_client: Client, book: Customer) -> None:
    html = tab(viewer_client, book, "credit", **HTMX)
    assert "<html" not in html and 'id="tabs" role="tablist" hx-swap-oob="true"' in html


def test_the_status_and_its_reason_are_shown_at_the_top(viewer_client: Client, customer: Customer) -> None:
    Customer.objects.filter(pk=customer.pk).update(status="blocked", status_reason="3 invoices over 60 days")
    html = viewer_client.get(f"/customers/{customer.pk}/").content.decode()
    banner = html.split('class="status-banner status-blocked"', 1)[1].split("</div>", 1)[0]
    assert "Blocked: 3 invoices over 60 days" in banner and "payments and credit notes only" in banner


# Each full page also counts the user's overdue tasks for the top bar.
@pytest.mark.parametrize(
    ("name", "queries"), [("credit", 16), ("holds", 11), ("activity", 12), ("sales", 13)]
)
def test_each_tab_takes_a_fixed_number_of_queries(
    viewer_client: Client, book: Customer, django_assert_num_queries: Any, name: str, queries: int
) -> None:
    HoldFactory(customer=book)
    tab(viewer_client, book, name)  # the company's policy is made on first use
    with django_assert_num_queries(queries):
        tab(viewer_client, book, name)


def test_the_credit_tab_in_french(viewer_client: Client, book: Customer) -> None:
    html = tab(viewer_client, book, "credit", headers={"accept-language": "fr"})
    assert "Limite de crédit" in html and "Encours" in html and "Factures impayées" in html
    assert figure(html, "limit") == "10\xa0000,00"
    assert "Solde débiteur" in html and "31\u201360 jours" in html and "Âge des comptes" in html


# --- the credit settings -------------------------------------------------------------------------


def test_the_credit_settings_are_for_admins(
    client_as: Callable[[User], Client], admin_user: User, controller_client: Client
) -> None:
    assert controller_client.get("/credit/settings/").status_code == 403
    assert controller_client.post("/credit/settings/", {"company": "MAIN"}).status_code == 403
    html = client_as(admin_user).get("/credit/settings/").content.decode()
    assert "Exposure method" in html and "Limit enforcement" in html
    assert "Over the limit, the operator is warned and may go on" in html
    assert 'href="/credit/settings/" aria-current="page">Credit' in html
    book = client_as(admin_user).get("/settings/book/").content.decode()
    assert 'href="/credit/settings/"' in book


def test_an_admin_changes_the_credit_settings(client_as: Callable[[User], Client], admin_user: User) -> None:
    admin = client_as(admin_user)
    admin.get("/credit/settings/")
    policy = CreditPolicy.objects.get(company__code="MAIN")
    response = admin.post(
        "/credit/settings/",
        {
            "company": "MAIN",
            "exposure_method": "invoiced_only",
            "limit_enforcement": "block_at_entry",
            "credit_hold_queue": "on",
            "version": policy.version,
        },
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.exposure_method, policy.limit_enforcement, policy.credit_hold_queue) == (
        "invoiced_only",
        "block_at_entry",
        True,
    )
    page = admin.get(response["Location"]).content.decode()
    assert "Credit settings of MAIN saved." in page


def test_bad_credit_settings_are_explained_beside_the_fields(
    client_as: Callable[[User], Client], admin_user: User
) -> None:
    admin = client_as(admin_user)
    admin.get("/credit/settings/")
    before = CreditPolicy.objects.get(company__code="MAIN")
    html = admin.post(
        "/credit/settings/", {"company": "MAIN", "exposure_method": "everything", "limit_enforcement": ""}
    ).content.decode()
    assert "Nothing was saved" in html
    exposure = html.split("Exposure method</legend>", 1)[1].split("</fieldset>", 1)[0]
    assert "Select a valid choice. everything is not one of the available choices." in exposure
    enforcement = html.split("Limit enforcement</legend>", 1)[1].split("</fieldset>", 1)[0]
    assert "This field is required." in enforcement
    after = CreditPolicy.objects.get(company__code="MAIN")
    assert (after.version, after.exposure_method) == (before.version, before.exposure_method)


def test_the_settings_of_another_company(client_as: Callable[[User], Client], admin_user: User) -> None:
    CompanyFactory(code="WEST", name="Distribution Ouest")
    admin = client_as(admin_user)
    html = admin.get("/credit/settings/?company=WEST").content.decode()
    assert '<option value="WEST" selected>' in html and 'name="company" value="WEST"' in html
    admin.post(
        "/credit/settings/",
        {"company": "WEST", "exposure_method": "all_orders", "limit_enforcement": "off", "version": 1},
    )
    assert CreditPolicy.objects.get(company__code="WEST").limit_enforcement == "off"
    assert credit.get_policy(Company.objects.get(code="MAIN")).limit_enforcement == "warn_at_entry"
