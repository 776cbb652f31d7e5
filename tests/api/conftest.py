"""Helpers of the API tests: customers made through the services, usage checks registered for one test."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from carnet.customers import services, usage
from carnet.customers.models import Address, Contact, Customer


@pytest.fixture
def make_customer(db: Any) -> Callable[..., Customer]:
    """A customer saved without the duplicate warning, so tests can build many look-alikes."""

    def make(name: str = "Transports Laurentides inc.", **data: Any) -> Customer:
        return services.create_customer(actor=None, data={"name": name, **data}, acknowledge_duplicates=True)

    return make


@pytest.fixture
def customer(make_customer: Callable[..., Customer]) -> Customer:
    return make_customer(code="C1001", status="approved")


@pytest.fixture
def used_customers() -> Iterator[set[int]]:
    """Customers whose ids are added to the set count as used by a document for the test's duration."""
    ids: set[int] = set()

    def check(customer: Customer) -> list[str]:
        return ["It has 2 open orders."] if customer.pk in ids else []

    usage.register_customer_usage(check)
    yield ids
    usage.unregister(check)


@pytest.fixture
def used_parts() -> Iterator[set[tuple[str, int]]]:
    """Addresses and contacts, as ("address", id) or ("contact", id), that a document uses."""
    parts: set[tuple[str, int]] = set()

    def address_check(address: Address) -> list[str]:
        return ["It is the delivery address of order 12."] if ("address", address.pk) in parts else []

    def contact_check(contact: Contact) -> list[str]:
        return ["It is the contact of invoice 7."] if ("contact", contact.pk) in parts else []

    usage.register_address_usage(address_check)
    usage.register_contact_usage(contact_check)
    yield parts
    usage.unregister(address_check)
    usage.unregister(contact_check)


def _assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    if field is not None:
        fields = [e["field"] for e in body.get("errors") or []]
        assert field in fields, body
    return body


@pytest.fixture
def assert_problem() -> Callable[..., dict[str, Any]]:
    """Checks that an answer is problem+json with a status and, when given, an error naming a field."""
    return _assert_problem
