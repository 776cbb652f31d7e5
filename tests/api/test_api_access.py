"""Who may call the API: no token is 401, a role without the permission is 403, and nothing changes."""

from typing import Any

import pytest
from django.test import Client

from carnet.customers.models import Customer


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/customers"),
        ("post", "/api/v1/customers"),
        ("get", "/api/v1/customers/1"),
        ("delete", "/api/v1/customers/1"),
        ("get", "/api/v1/addresses/1"),
    ],
)
def test_no_token_is_401_problem(db: Any, assert_problem: Any, method: str, path: str) -> None:
    response = getattr(Client(), method)(path)

    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_wrong_token_is_401(db: Any, assert_problem: Any) -> None:
    response = Client().get("/api/v1/customers", HTTP_AUTHORIZATION="Bearer carnet_not-a-token")

    assert_problem(response, 401)


def test_a_viewer_reads_but_cannot_create(
    api_as: Any, viewer: Any, customer: Customer, assert_problem: Any
) -> None:
    as_viewer = api_as(viewer)

    assert as_viewer.get("customers").status_code == 200
    assert as_viewer.get(f"customers/{customer.pk}").status_code == 200
    assert_problem(as_viewer.post("customers", {"name": "Quincaillerie Côté"}), 403)
    assert_problem(as_viewer.patch(f"customers/{customer.pk}", {"name": "X"}), 403)
    assert_problem(as_viewer.post(f"customers/{customer.pk}/notes", {"text": "X"}), 403)
    assert Customer.objects.count() == 1
    assert Customer.objects.get().name != "X"


def test_an_operator_cannot_delete_nor_change_a_code_or_status(
    api_as: Any, operator: Any, customer: Customer, assert_problem: Any
) -> None:
    as_operator = api_as(operator)

    assert_problem(as_operator.delete(f"customers/{customer.pk}"), 403)
    assert_problem(as_operator.patch(f"customers/{customer.pk}", {"code": "NEW1"}), 403)
    assert_problem(
        as_operator.patch(f"customers/{customer.pk}", {"status": "blocked", "status_reason": "Unpaid"}), 403
    )
    customer.refresh_from_db()
    assert (customer.code, customer.status) == ("C1001", "approved")
    assert as_operator.patch(f"customers/{customer.pk}", {"team": "Est"}).status_code == 200


def test_a_signed_in_session_works_too(client: Any, controller: Any, customer: Customer) -> None:
    client.force_login(controller)

    assert client.get("/api/v1/customers").json()["items"][0]["code"] == "C1001"
