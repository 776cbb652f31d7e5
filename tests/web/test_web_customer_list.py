"""The customer list: opens on active customers, type-ahead search, filters, sort, pages, CSV export."""

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from carnet.accounts.models import User
from carnet.customers import services
from carnet.customers.models import Customer


def htmx(target: str) -> dict[str, str]:
    """Headers of an htmx request aimed at one element of the page."""
    return {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target}


def codes_in(html: bytes) -> list[str]:
    """Customer codes of the result rows, in display order."""
    text = html.decode()
    return [
        chunk.split('">', 1)[1].split("<", 1)[0] for chunk in text.split('<td class="code"><a href="')[1:]
    ]


@pytest.fixture
def book(make_customer: Callable[..., Customer], controller: User) -> dict[str, Customer]:
    made = {
        "laurentides": make_customer(
            "Transports Laurentides inc.",
            code="C1001",
            status="approved",
            external_code="EST",
            key_account=True,
            assigned_to=controller,
        ),
        "beauce": make_customer(
            "Acier Beauce ltée",
            code="C1002",
            status="blocked",
            status_reason="3 invoices over 60 days",
            gst_number="123456782RT0001",
        ),
        "lyon": make_customer(
            "Boulangerie Lyonnaise", code="C1003", status="prospect", categories=["customer", "partner"]
        ),
        "closed": make_customer(
            "Fermé depuis longtemps", code="C1004", status="closed", status_reason="Ceased trading"
        ),
    }
    services.add_address(
        actor=None,
        customer_id=made["lyon"].pk,
        data={
            "line1": "3 rue de la République",
            "city": "Lyon",
            "postal_code": "69002",
            "country": "FR",
            "province": "",
        },
    )
    services.add_contact(
        actor=None,
        customer_id=made["beauce"].pk,
        data={"name": "Julie Poulin", "email": "julie@acierbeauce.example", "phone": "819 555 0142"},
    )
    return made


def test_the_list_opens_on_active_customers(operator_client: Client, book: Any) -> None:
    response = operator_client.get("/customers/")
    assert codes_in(response.content) == ["C1002", "C1003", "C1001"]
    assert "Fermé depuis longtemps" not in response.content.decode()


def test_include_closed_shows_closed_customers_too(operator_client: Client, book: Any) -> None:
    assert "C1004" in codes_in(operator_client.get("/customers/?closed=on").content)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("beauce", ["C1002"]),
        ("c1003", ["C1003"]),
        ("julie", ["C1002"]),
        ("acierbeauce.example", ["C1002"]),
        ("555-0142", ["C1002"]),
        ("lyon", ["C1003"]),
        ("123456782", ["C1002"]),
    ],
)
def test_search_looks_in_codes_names_contacts_emails_phones_cities_and_numbers(
    operator_client: Client, book: Any, query: str, expected: list[str]
) -> None:
    assert codes_in(operator_client.get("/customers/", {"q": query}).content) == expected


def test_type_ahead_answers_only_the_results(operator_client: Client, book: Any) -> None:
    response = operator_client.get("/customers/", {"q": "beauce"}, **htmx("results"))
    assert b"<html" not in response.content
    assert codes_in(response.content) == ["C1002"]


def test_the_status_reason_is_shown_with_the_badge(operator_client: Client, book: Any) -> None:
    html = operator_client.get("/customers/", {"q": "beauce"}).content.decode()
    assert 'class="badge status-blocked" title="3 invoices over 60 days"' in html
    assert "3 invoices over 60 days</div>" in html


def test_filters_by_several_statuses(operator_client: Client, book: Any) -> None:
    response = operator_client.get("/customers/?status=blocked&status=prospect")
    assert codes_in(response.content) == ["C1002", "C1003"]


def test_the_closed_status_filter_shows_closed_customers(operator_client: Client, book: Any) -> None:
    assert codes_in(operator_client.get("/customers/?status=closed").content) == ["C1004"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "partner"}, ["C1003"]),
        ({"key_account": "yes"}, ["C1001"]),
        ({"key_account": "no"}, ["C1002", "C1003"]),
        ({"external_code": "est"}, ["C1001"]),
    ],
)
def test_filters_by_category_key_account_and_external_code(
    operator_client: Client, book: Any, params: dict[str, str], expected: list[str]
) -> None:
    assert codes_in(operator_client.get("/customers/", params).content) == expected


def test_filters_on_the_customers_assigned_to_me(
    client_as: Callable[[User], Client], controller: User, book: Any
) -> None:
    assert codes_in(client_as(controller).get("/customers/?assigned=me").content) == ["C1001"]


def test_sorts_by_a_column_and_back(operator_client: Client, book: Any) -> None:
    assert codes_in(operator_client.get("/customers/?sort=-code").content) == ["C1003", "C1002", "C1001"]
    html = operator_client.get("/customers/?sort=code").content.decode()
    assert codes_in(html.encode()) == ["C1001", "C1002", "C1003"]
    assert "sort=-code" in html  # the header now sorts the other way


def test_pages_of_25_keep_the_filters(
    operator_client: Client, make_customer: Callable[..., Customer]
) -> None:
    for n in range(30):
        make_customer(f"Garage numéro {n:02d}", code=f"G{n:03d}", status="approved")
    make_customer("Autre", code="X001", status="approved")
    first = operator_client.get("/customers/", {"q": "garage", "sort": "code"})
    assert len(codes_in(first.content)) == 25
    assert "q=garage&amp;sort=code&amp;page=2" in first.content.decode()
    second = operator_client.get("/customers/", {"q": "garage", "sort": "code", "page": 2})
    assert codes_in(second.content) == [f"G{n:03d}" for n in range(25, 30)]


def test_enter_on_an_exact_code_opens_that_customer(operator_client: Client, book: Any) -> None:
    response = operator_client.get("/customers/", {"q": "c1002", "go": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{book['beauce'].pk}/"


def test_type_ahead_on_an_exact_code_stays_on_the_list(operator_client: Client, book: Any) -> None:
    response = operator_client.get("/customers/", {"q": "C1002"}, **htmx("results"))
    assert response.status_code == 200
    assert codes_in(response.content) == ["C1002"]


def test_enter_carried_by_htmx_on_an_exact_code_navigates_to_it(operator_client: Client, book: Any) -> None:
    response = operator_client.get("/customers/", {"q": "C1002", "go": "1"}, **htmx("results"))
    assert response["HX-Redirect"] == f"/customers/{book['beauce'].pk}/"


def test_no_match_explains_and_offers_to_clear_or_create(operator_client: Client, book: Any) -> None:
    html = operator_client.get("/customers/", {"q": "zzz"}).content.decode()
    assert "No customer matches “zzz”" in html
    assert "Clear filters" in html
    assert "/customers/new/?name=zzz" in html


def test_the_list_takes_a_fixed_number_of_queries(
    operator_client: Client, book: Any, django_assert_max_num_queries: Any
) -> None:
    # The session, the user, the custom fields shown as columns and filters, the count, the page of
    # customers, their main addresses, the overdue tasks of the top bar, and the request's savepoint pair.
    with django_assert_max_num_queries(9):
        operator_client.get("/customers/")


# --- CSV export ------------------------------------------------------------------------------------


def read_csv(response: Any) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


def test_the_export_holds_exactly_the_filtered_customers(controller_client: Client, book: Any) -> None:
    response = controller_client.get("/customers/export.csv", {"status": ["blocked", "prospect"]})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert [r["code"] for r in rows] == ["C1002", "C1003"]
    assert rows[1]["city"] == "Lyon"
    assert rows[0]["status_reason"] == "3 invoices over 60 days"


def test_the_export_link_carries_the_filters(controller_client: Client, book: Any) -> None:
    html = controller_client.get("/customers/", {"q": "beauce", "go": "", "sort": "-name"}).content.decode()
    assert "/customers/export.csv?q=beauce&amp;sort=-name" in html


def test_the_export_cannot_smuggle_formulas(
    controller_client: Client, make_customer: Callable[..., Customer]
) -> None:
    make_customer(
        '=HYPERLINK("http://evil.example","x")',
        code="EVIL1",
        status="approved",
        legal_name="@SUM(A1)",
        phone="+1 819 555 0100",
    )
    rows = read_csv(controller_client.get("/customers/export.csv", {"q": "evil1"}))
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[0]["legal_name"] == "'@SUM(A1)"
    assert rows[0]["phone"] == "'+1 819-555-0100"
    assert rows[0]["code"] == "EVIL1"
