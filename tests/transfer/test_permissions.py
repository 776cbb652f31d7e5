"""Who may import and export, in the UI and the API: as the command line's rules (docs/permissions.md)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from carnet.accounts.models import User
from carnet.customers.models import Customer
from carnet.documents.models import Invoice

from .test_ui import GOOD, csv_file

INVOICE = "customer_code,number,amount\r\nC001,INV-900001,100.00\r\n"


@pytest.mark.django_db
def test_a_viewer_may_export_but_not_import(client_as: Callable[[User], Client], viewer: User) -> None:
    client = client_as(viewer)
    page = client.get("/transfer/").content.decode()
    assert 'href="/transfer/"' in page  # the navigation links the page
    assert "/transfer/export/customers.csv" in page
    assert 'action="/transfer/import/"' not in page
    assert client.get("/transfer/export/customers.csv").status_code == 200
    response = client.post("/transfer/import/", {"kind": "customers", "file": csv_file(GOOD)})
    assert response.status_code == 403
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_an_operator_may_import_parts_of_the_book_but_not_export_nor_enter_invoices(
    client_as: Callable[[User], Client], operator: User, book_data: dict[str, Any]
) -> None:
    client = client_as(operator)
    page = client.get("/transfer/").content.decode()
    assert 'href="/transfer/"' in page
    assert '<option value="contacts">' in page and '<option value="invoices">' not in page
    assert "/transfer/export/" not in page
    assert client.get("/transfer/export/customers.csv").status_code == 403
    invoices = Invoice.objects.count()
    response = client.post("/transfer/import/", {"kind": "invoices", "file": csv_file(INVOICE)})
    assert response.status_code == 400
    assert "Choose one of the kinds of records you may import" in response.content.decode()
    assert Invoice.objects.count() == invoices


@pytest.mark.django_db
def test_an_operator_may_not_give_a_status_allowing_sales(
    client_as: Callable[[User], Client], operator: User
) -> None:
    response = client_as(operator).post(
        "/transfer/import/", {"kind": "customers", "file": csv_file("code,name,status\r\nA1,Un,approved\r\n")}
    )
    assert response.status_code == 422
    assert "Your role may not set a customer&#x27;s status." in response.content.decode()
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/transfer/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/transfer/export/customers.csv").status_code == 302


@pytest.mark.django_db
def test_the_api_asks_the_same_permissions(
    api_as: Callable[[User], Any], viewer: User, operator: User, book_data: dict[str, Any]
) -> None:
    as_viewer, as_operator = api_as(viewer), api_as(operator)

    def post(api: Any, kind: str, text: str) -> Any:
        return api.client.post(
            f"/api/v1/imports/{kind}",
            data=text.encode(),
            content_type="text/csv",
            HTTP_AUTHORIZATION=f"Bearer {api.token}",
        )

    assert as_viewer.get("exports/customers").status_code == 200
    assert post(as_viewer, "customers", GOOD).status_code == 403
    assert as_operator.get("exports/customers").status_code == 403
    assert post(as_operator, "invoices", INVOICE).status_code == 403
    assert post(as_operator, "customers", GOOD + "A3,Trois,\r\n").status_code == 200
    assert Customer.objects.filter(code__in=["A1", "A2", "A3"]).count() == 3
    assert Client().get("/api/v1/exports/customers").status_code == 401
