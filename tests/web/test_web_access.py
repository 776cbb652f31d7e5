"""Who may see and do what in the web UI, and the page frame (language, user, logout)."""

from typing import Any

import pytest
from django.test import Client

from carnet.customers.models import Customer

PAGES = [
    "/customers/",
    "/customers/new/",
    "/customers/export.csv",
    "/customers/{id}/",
    "/customers/{id}/edit/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_asks_to_sign_in_first(client: Client, customer: Customer, url: str) -> None:
    response = client.get(url.format(id=customer.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_signing_in_opens_the_customer_list(client: Client, operator: Any) -> None:
    response = client.post("/login/", {"username": "operator", "password": "correct-horse-9"}, follow=True)
    assert response.redirect_chain[-1][0] == "/customers/"
    assert b"Customers" in response.content


def test_a_wrong_password_says_so_on_the_login_page(client: Client, operator: Any) -> None:
    response = client.post("/login/", {"username": "operator", "password": "nope"})
    assert response.status_code == 200
    assert b"alert-error" in response.content


def test_the_top_bar_shows_the_user_role_and_a_logout_form(operator_client: Client) -> None:
    html = operator_client.get("/customers/").content.decode()
    assert "operator" in html and "Operator" in html
    assert 'action="/logout/" method="post"' in html


def test_logging_out_is_a_post(operator_client: Client) -> None:
    response = operator_client.post("/logout/")
    assert response.status_code == 302
    assert operator_client.get("/customers/").status_code == 302


def test_a_viewer_sees_no_create_edit_or_delete_button(viewer_client: Client, customer: Customer) -> None:
    assert b"/customers/new/" not in viewer_client.get("/customers/").content
    detail = viewer_client.get(f"/customers/{customer.pk}/").content.decode()
    assert f"/customers/{customer.pk}/edit/" not in detail
    assert f"/customers/{customer.pk}/delete/" not in detail


@pytest.mark.parametrize(
    "url",
    [
        "/customers/new/",
        "/customers/{id}/edit/",
        "/customers/{id}/status/",
        "/customers/{id}/delete/",
        "/customers/{id}/close/",
        "/customers/{id}/notes/new/",
        "/customers/{id}/addresses/new/",
        "/customers/{id}/contacts/new/",
    ],
)
def test_a_viewer_is_refused_every_change(viewer_client: Client, customer: Customer, url: str) -> None:
    response = viewer_client.post(url.format(id=customer.pk), {"name": "Changed", "reason": "x", "text": "x"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.name == "Transports Laurentides inc."
    assert customer.status == "approved"


def test_an_operator_may_not_export(operator_client: Client) -> None:
    assert b"Export CSV" not in operator_client.get("/customers/").content
    assert operator_client.get("/customers/export.csv").status_code == 403


def test_the_language_follows_the_browser(operator_client: Client) -> None:
    html = operator_client.get("/customers/", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9").content.decode()
    assert '<html lang="fr">' in html


def test_switching_to_french_changes_the_page_language(operator_client: Client) -> None:
    assert '<html lang="en">' in operator_client.get("/customers/").content.decode()
    response = operator_client.post("/i18n/setlang/", {"language": "fr", "next": "/customers/"})
    assert response.status_code == 302
    assert '<html lang="fr">' in operator_client.get("/customers/").content.decode()
