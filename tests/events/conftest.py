"""Fixtures of the events tests: a customer with a contact, made through the services."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from carnet.customers import services as customers
from carnet.customers.models import Contact, Customer

TORONTO = ZoneInfo("America/Toronto")


def at(text: str) -> datetime:
    """A moment in Carnet's time zone: at("2026-11-20 10:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=TORONTO)


def make_customer(code: str, name: str, status: str = "approved") -> Customer:
    return customers.create_customer(
        actor=None, data={"code": code, "name": name, "status": status}, acknowledge_duplicates=True
    )


def add_contact(customer: Customer, name: str) -> Contact:
    return customers.add_contact(actor=None, customer_id=customer.pk, data={"name": name})


@pytest.fixture
def customer(db: Any) -> Customer:
    return make_customer("C1001", "Transports Laurentides inc.")


@pytest.fixture
def contact(customer: Customer) -> Contact:
    return add_contact(customer, "Marie Tremblay")


@pytest.fixture
def other_customer(db: Any) -> Customer:
    return make_customer("C2002", "Boulangerie Saint-Denis")
