"""Helpers of the web UI tests: signed-in test clients per role, customers made through the services."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from carnet.accounts.models import User
from carnet.customers import services, usage
from carnet.customers.models import Address, Contact, Customer


@pytest.fixture
def client_as(db: Any) -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def controller_client(client_as: Callable[[User], Client], controller: User) -> Client:
    return client_as(controller)


@pytest.fixture
def operator_client(client_as: Callable[[User], Client], operator: User) -> Client:
    return client_as(operator)


@pytest.fixture
def viewer_client(client_as: Callable[[User], Client], viewer: User) -> Client:
    return client_as(viewer)


@pytest.fixture
def make_customer(db: Any) -> Callable[..., Customer]:
    """A customer saved without the duplicate warning, so tests can build look-alikes on purpose."""

    def make(name: str = "Transports Laurentides inc.", **data: Any) -> Customer:
        return services.create_customer(actor=None, data={"name": name, **data}, acknowledge_duplicates=True)

    return make


@pytest.fixture
def customer(make_customer: Callable[..., Customer]) -> Customer:
    customer = make_customer(code="C1001", status="approved", email="compta@laurentides.example")
    services.add_address(
        actor=None,
        customer_id=customer.pk,
        data={
            "line1": "100 rue Principale",
            "city": "Sherbrooke",
            "province": "QC",
            "postal_code": "J1H 1A1",
            "country": "CA",
        },
    )
    services.add_contact(
        actor=None,
        customer_id=customer.pk,
        data={"name": "Marie Tremblay", "email": "marie@laurentides.example", "is_default": True},
    )
    customer.refresh_from_db()
    return customer


@pytest.fixture
def used_customers() -> Iterator[set[int]]:
    """Customers whose ids are put in the set count as used by a document, for one test only."""
    ids: set[int] = set()

    def check(customer: Customer) -> list[str]:
        return ["It has 2 invoices."] if customer.pk in ids else []

    usage.register_customer_usage(check)
    yield ids
    usage.unregister(check)


@pytest.fixture
def used_addresses() -> Iterator[set[int]]:
    ids: set[int] = set()

    def check(address: Address) -> list[str]:
        return ["It is on order 42."] if address.pk in ids else []

    usage.register_address_usage(check)
    yield ids
    usage.unregister(check)


@pytest.fixture
def used_contacts() -> Iterator[set[int]]:
    ids: set[int] = set()

    def check(contact: Contact) -> list[str]:
        return ["It is on invoice 7."] if contact.pk in ids else []

    usage.register_contact_usage(check)
    yield ids
    usage.unregister(check)
