"""Hostile customer names: markup is shown as text on every page that shows a name, and a name that a
spreadsheet would run as a formula is exported with a leading quote (OWASP's advice for CSV injection)."""

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from factories import CustomerFactory
from permissions.book import seed_book

from carnet.accounts.models import Company, User
from carnet.web.csv_export import safe_cell

SCRIPT = '<script>alert("carnet")</script>'
IMAGE = '<img src=x onerror="alert(1)">'
MARKUP_NAME = f"Boutique {SCRIPT} {IMAGE}"


@pytest.fixture
def signed_in(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


def _assert_inert(html: str) -> None:
    assert SCRIPT not in html and IMAGE not in html
    assert "&lt;script&gt;alert(&quot;carnet&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_markup_in_a_name_is_shown_as_text_on_every_page(signed_in: Client, main_company: Company) -> None:
    book = seed_book(main_company, name=MARKUP_NAME)
    pk = book.customer.pk
    pages = {
        "list": "/customers/?q=Boutique",
        "detail": f"/customers/{pk}/",
        "credit tab": f"/customers/{pk}/?tab=credit",
        "type-ahead": "/documents/entry/customers/?q=Boutique",
        "order entry": f"/documents/orders/new/?customer={pk}",
        "entry panel": f"/documents/entry/customer/?customer={pk}&kind=order&pick=1",
        "credit queue": "/documents/credit-queue/",
        "order": f"/documents/orders/{book.held_order.pk}/",
        "review": f"/credit/reviews/{book.review.pk}/",
    }
    for page, url in pages.items():
        response = signed_in.get(url)
        assert response.status_code == 200, page
        _assert_inert(response.content.decode())


def _exported(client: Client) -> list[list[str]]:
    response = client.get("/customers/export.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"],
)
def test_a_name_that_starts_a_formula_is_exported_inert(signed_in: Client, name: str) -> None:
    CustomerFactory(code="F1", name=name)
    rows = _exported(signed_in)
    header, row = rows[0], rows[1]
    assert row[header.index("name")] == "'" + name


def test_other_names_and_figures_are_exported_as_they_are(signed_in: Client) -> None:
    CustomerFactory(code="F1", name="Éditions L'Île = Plaisir", payment_terms_days=45)
    rows = _exported(signed_in)
    header, row = rows[0], rows[1]
    assert row[header.index("name")] == "Éditions L'Île = Plaisir"
    assert row[header.index("payment_terms_days")] == "45"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (Decimal("-12.50"), "-12.50"),
        (-3, "-3"),
        ("-12.50", "'-12.50"),
        ("=1+1", "'=1+1"),
        (None, ""),
        (True, "True"),
        ("Plain", "Plain"),
    ],
)
def test_safe_cell(value: Any, cell: str) -> None:
    assert safe_cell(value) == cell
