"""Helpers of the custom-field tests: definitions made through the services, signed-in clients, customers."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from carnet.accounts.models import User
from carnet.customers import services as customer_services
from carnet.customers.models import Customer
from carnet.customfields import services
from carnet.customfields.models import CustomField

# One field per type: what a person types, what is stored, and what the API may send for it.
TYPES: list[tuple[str, str, Any, Any]] = [
    ("text", "Transport frigorifique", "Transport frigorifique", "Transport frigorifique"),
    ("number", "42", 42, 42),
    ("decimal", "1 250,50", "1250.5", "1250.50"),
    ("date", "2026-11-22", "2026-11-22", "2026-11-22"),
    ("boolean", "yes", True, True),
    ("choice", "PME", "PME", "PME"),
    ("link", "example.com/fiche", "https://example.com/fiche", "https://example.com/fiche"),
]
SEGMENTS = [
    {"value": "PME", "label_fr": "PME", "label_en": "SME"},
    {"value": "grand_compte", "label_fr": "Grand compte", "label_en": "Key account"},
]


@pytest.fixture
def define(db: Any) -> Callable[..., CustomField]:
    """A definition made by the installation (no actor); keyword arguments as create_field takes them."""

    def make(key: str = "segment", type: str = "choice", **data: Any) -> CustomField:
        data.setdefault("label_en", key.replace("_", " ").capitalize())
        data.setdefault("label_fr", data["label_en"])
        if type == "choice":
            data.setdefault("options", SEGMENTS)
        return services.create_field(actor=None, data={"key": key, "type": type, **data})

    return make


@pytest.fixture
def one_of_each(define: Callable[..., CustomField]) -> dict[str, CustomField]:
    """A customer field of every type, keyed by type (the key is f_<type>)."""
    return {kind: define(f"f_{kind}", kind) for kind, *_rest in TYPES}


@pytest.fixture
def make_customer(db: Any) -> Callable[..., Customer]:
    def make(name: str = "Transports Laurentides inc.", **data: Any) -> Customer:
        return customer_services.create_customer(
            actor=None, data={"name": name, **data}, acknowledge_duplicates=True
        )

    return make


@pytest.fixture
def client_as(db: Any) -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def admin_client(client_as: Callable[[User], Client], admin_user: User) -> Client:
    return client_as(admin_user)


@pytest.fixture
def controller_client(client_as: Callable[[User], Client], controller: User) -> Client:
    return client_as(controller)


def problem_fields(response: Any, status: int) -> list[str]:
    """The fields an application/problem+json answer names, once its status and media type are checked."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    return [error["field"] for error in response.json().get("errors") or []]
