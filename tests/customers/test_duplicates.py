"""Likely twins are shown before a customer is created: similar name, same number, email or phone."""

from typing import Any

import pytest
from factories import ContactFactory, CustomerFactory

from carnet.customers import services
from carnet.customers.duplicates import find_twins
from carnet.customers.models import Customer
from carnet.errors import DuplicatesFound

pytestmark = pytest.mark.django_db


def twins(**described: Any) -> dict[str, str]:
    described.setdefault("name", "Nom sans rapport aucun")
    return {t.customer.code: t.why for t in find_twins(**described)}


@pytest.mark.parametrize(
    "typed",
    [
        "Transports Laurentides",  # without the legal form
        "TRANSPORTS LAURENTIDES LTÉE",  # another legal form, capitals, accent
        "Transport Laurentides inc",  # one letter less
        "Transports Laurentide",
        "Transports Laurentiides inc.",  # a typo
    ],
)
def test_a_similar_name_is_a_likely_twin(typed: str) -> None:
    CustomerFactory(code="C1", name="Transports Laurentides inc.")

    assert twins(name=typed) == {"C1": "similar name"}


@pytest.mark.parametrize("typed", ["Transports Beauce", "Laurentides Pneus et Mécanique", "Fromagerie Côté"])
def test_a_different_name_is_not_a_twin(typed: str) -> None:
    CustomerFactory(code="C1", name="Transports Laurentides inc.")

    assert twins(name=typed) == {}


def test_the_same_email_on_the_customer_or_a_contact_is_a_likely_twin() -> None:
    CustomerFactory(code="C1", email="compta@laurentides.example")
    ContactFactory(customer=CustomerFactory(code="C2"), email="marie@beauce.example")

    assert twins(email="Compta@Laurentides.example") == {"C1": "same email"}
    assert twins(contact_emails=["marie@beauce.example"]) == {"C2": "same email"}


def test_the_same_phone_however_it_is_written_is_a_likely_twin() -> None:
    CustomerFactory(code="C1", phone="+1 819-555-0100")
    ContactFactory(customer=CustomerFactory(code="C2"), mobile="+1 819-555-0199")

    assert twins(phone="+1 819-555-0100") == {"C1": "same phone"}
    assert twins(contact_phones=["(819) 555-0199"]) == {"C2": "same phone"}


def test_the_same_business_number_is_a_likely_twin() -> None:
    CustomerFactory(code="C1", gst_number="123456782RT0001")

    assert twins(business_numbers={"gst_number": "123456782RT0001"}) == {"C1": "same GST/HST number"}


def test_the_same_business_registration_in_another_field_is_a_likely_twin() -> None:
    CustomerFactory(code="C1", siret="73282932000074")
    CustomerFactory(code="C2", gst_number="123456782RT0001")

    assert twins(business_numbers={"siren": "732829320"}) == {"C1": "same business registration"}
    assert twins(business_numbers={"vat_number": "FR44732829320"}) == {"C1": "same business registration"}
    assert twins(business_numbers={"gst_number": "123456782RT0002"}) == {"C2": "same business registration"}


def test_a_customer_is_not_its_own_twin() -> None:
    customer = CustomerFactory(name="Transports Laurentides inc.", email="a@b.example")

    assert services.customer_twins(customer) == []


def test_creating_a_likely_twin_is_refused_with_the_twins_and_saves_nothing() -> None:
    twin = CustomerFactory(code="C1", name="Transports Laurentides inc.")

    with pytest.raises(DuplicatesFound) as exc:
        services.create_customer(actor=None, data={"name": "Transports Laurentides"})

    assert [(t.customer, t.why) for t in exc.value.extra["duplicates"]] == [(twin, "similar name")]
    assert Customer.objects.count() == 1


def test_an_acknowledged_twin_is_created() -> None:
    CustomerFactory(name="Transports Laurentides inc.")

    services.create_customer(actor=None, data={"name": "Transports Laurentides"}, acknowledge_duplicates=True)

    assert Customer.objects.count() == 2


def test_a_refused_twin_does_not_use_up_a_code() -> None:
    CustomerFactory(code="X1", name="Transports Laurentides inc.")

    with pytest.raises(DuplicatesFound):
        services.create_customer(actor=None, data={"name": "Transports Laurentides"})
    created = services.create_customer(actor=None, data={"name": "Boulangerie Roy"})

    assert created.code == "C00001"
