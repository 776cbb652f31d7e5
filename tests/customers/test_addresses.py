"""Addresses: exactly one main address, countries and their provinces, postal codes, delete rules."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import AddressFactory, CustomerFactory

from carnet.accounts.models import User
from carnet.customers import services
from carnet.customers.models import Address, BookSettings, Customer
from carnet.errors import RuleViolation, StaleVersion

pytestmark = pytest.mark.django_db

SHERBROOKE = {"line1": "100 rue King Ouest", "city": "Sherbrooke", "province": "QC", "postal_code": "J1H 1A1"}
TORONTO = {
    "line1": "1 Front St W",
    "city": "Toronto",
    "province": "ON",
    "postal_code": "M5V 2T6",
    "country": "CA",
}


def add(customer: Customer, **data: Any) -> Address:
    return services.add_address(actor=None, customer_id=customer.pk, data={**SHERBROOKE, **data})


def change(address: Address, **changes: Any) -> Address:
    return services.update_address(actor=None, address_id=address.pk, changes=changes)


def mains(customer: Customer) -> list[int]:
    return list(customer.addresses.filter(main=True).values_list("pk", flat=True))


def test_the_first_address_is_the_main_one() -> None:
    customer = CustomerFactory()

    assert add(customer, main=False).main is True


def test_a_second_address_is_not_main_unless_asked() -> None:
    customer = CustomerFactory()
    first = add(customer)

    second = add(customer, **TORONTO)

    assert second.main is False
    assert mains(customer) == [first.pk]


def test_a_new_main_address_takes_over_from_the_old_one() -> None:
    customer = CustomerFactory()
    add(customer)

    second = add(customer, main=True, **TORONTO)

    assert mains(customer) == [second.pk]


def test_making_an_address_main_takes_over_too() -> None:
    customer = CustomerFactory()
    add(customer)
    second = add(customer, **TORONTO)

    change(second, main=True)

    assert mains(customer) == [second.pk]


def test_the_main_address_cannot_be_unset() -> None:
    customer = CustomerFactory()
    first = add(customer)

    with pytest.raises(ValidationError) as exc:
        change(first, main=False)

    assert "main" in exc.value.message_dict
    assert mains(customer) == [first.pk]


def test_the_main_address_cannot_be_made_inactive() -> None:
    customer = CustomerFactory()
    first = add(customer)

    with pytest.raises(ValidationError) as exc:
        change(first, active=False)

    assert "active" in exc.value.message_dict


def test_deleting_the_main_address_promotes_the_oldest_other_active_one() -> None:
    customer = CustomerFactory()
    first = add(customer)
    AddressFactory(customer=customer, active=False, city="Magog")
    second = add(customer, **TORONTO)
    add(customer, city="Lévis", postal_code="G6V 6Z9")

    assert services.remove_address(actor=None, address_id=first.pk) == "deleted"

    assert mains(customer) == [second.pk]


def test_a_used_address_is_made_inactive_not_deleted(used_addresses: set[int]) -> None:
    customer = CustomerFactory()
    add(customer)
    second = add(customer, **TORONTO)
    used_addresses.add(second.pk)

    assert services.remove_address(actor=None, address_id=second.pk) == "deactivated"

    second.refresh_from_db()
    assert second.active is False


def test_a_used_main_address_hands_main_over_when_made_inactive(used_addresses: set[int]) -> None:
    customer = CustomerFactory()
    first = add(customer)
    second = add(customer, **TORONTO)
    used_addresses.add(first.pk)

    services.remove_address(actor=None, address_id=first.pk)

    assert mains(customer) == [second.pk]
    first.refresh_from_db()
    assert (first.active, first.main) == (False, False)


def test_the_only_address_cannot_be_retired_while_documents_use_it(used_addresses: set[int]) -> None:
    customer = CustomerFactory()
    only = add(customer)
    used_addresses.add(only.pk)

    with pytest.raises(RuleViolation):
        services.remove_address(actor=None, address_id=only.pk)

    only.refresh_from_db()
    assert (only.active, only.main) == (True, True)


def test_an_address_that_comes_back_takes_main_when_there_is_none(used_addresses: set[int]) -> None:
    customer = CustomerFactory()
    old = AddressFactory(customer=customer, main=False, active=False)

    assert change(old, active=True).main is True


def test_omitted_country_and_province_take_the_book_defaults() -> None:
    customer = CustomerFactory()

    address = services.add_address(
        actor=None,
        customer_id=customer.pk,
        data={"line1": "1 rue King", "city": "Sherbrooke", "postal_code": "J1H1A1"},
    )

    assert (address.country, address.province, address.postal_code) == ("CA", "QC", "J1H 1A1")


def test_the_default_country_and_province_are_a_setting() -> None:
    BookSettings.objects.filter(pk=1).update(default_country="FR", default_province="")
    customer = CustomerFactory()

    address = services.add_address(
        actor=None,
        customer_id=customer.pk,
        data={"line1": "1 rue de Rivoli", "city": "Paris", "postal_code": "75001"},
    )

    assert (address.country, address.province) == ("FR", "")


def test_a_typed_country_does_not_borrow_the_default_province() -> None:
    customer = CustomerFactory()

    with pytest.raises(ValidationError) as exc:
        services.add_address(
            actor=None,
            customer_id=customer.pk,
            data={"line1": "1 Main St", "city": "Burlington", "postal_code": "05401", "country": "US"},
        )

    assert "province" in exc.value.message_dict


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"province": ""}, "province"),
        ({"province": "VT"}, "province"),
        ({"postal_code": "12345"}, "postal_code"),
        ({"postal_code": "M5V 2T6"}, "postal_code"),  # a Toronto code on a Québec address
        ({"country": "ZZ"}, "country"),
        ({"line1": ""}, "line1"),
        ({"city": ""}, "city"),
        ({"billing": False, "delivery": False}, "billing"),
    ],
)
def test_a_refused_address_names_its_field_and_saves_nothing(
    data: dict[str, Any], field: str, counts: Any
) -> None:
    customer = CustomerFactory()
    before = counts()

    with pytest.raises(ValidationError) as exc:
        add(customer, **data)

    assert field in exc.value.message_dict
    assert counts() == before
    customer.refresh_from_db()
    assert customer.version == 1


def test_a_french_address_needs_no_province() -> None:
    customer = CustomerFactory()

    address = add(customer, country="FR", province="", city="Paris", postal_code="75001")

    assert address.country == "FR"


def test_a_refused_change_leaves_the_address_as_it_was() -> None:
    customer = CustomerFactory()
    address = add(customer)

    with pytest.raises(ValidationError):
        change(address, postal_code="nope", city="Magog")

    address.refresh_from_db()
    assert (address.city, address.postal_code, address.version) == ("Sherbrooke", "J1H 1A1", 1)


def test_a_stale_address_version_changes_nothing() -> None:
    address = add(CustomerFactory())
    change(address, label="Entrepôt")

    with pytest.raises(StaleVersion):
        services.update_address(
            actor=None, address_id=address.pk, changes={"label": "Usine"}, expected_version=1
        )

    address.refresh_from_db()
    assert address.label == "Entrepôt"


def test_the_billing_override_cannot_lose_its_billing_role() -> None:
    customer = CustomerFactory()
    add(customer)
    billing = add(customer, **TORONTO)
    services.update_customer(actor=None, customer_id=customer.pk, changes={"billing_address": billing})

    with pytest.raises(ValidationError) as exc:
        change(billing, billing=False)

    assert "billing" in exc.value.message_dict


def test_retiring_a_used_billing_override_clears_the_override(used_addresses: set[int]) -> None:
    customer = CustomerFactory()
    add(customer)
    billing = add(customer, **TORONTO)
    services.update_customer(actor=None, customer_id=customer.pk, changes={"billing_address": billing})
    used_addresses.add(billing.pk)

    services.remove_address(actor=None, address_id=billing.pk)

    customer.refresh_from_db()
    assert customer.billing_address is None


def test_an_address_change_is_a_change_of_the_customer() -> None:
    customer = CustomerFactory()

    add(customer)

    customer.refresh_from_db()
    assert customer.version == 2


def test_a_viewer_cannot_add_an_address(viewer: User) -> None:
    customer = CustomerFactory()

    with pytest.raises(PermissionDenied):
        services.add_address(actor=viewer, customer_id=customer.pk, data=SHERBROOKE)


def test_the_route_link_opens_the_address_on_a_map() -> None:
    address = AddressFactory(line1="100 rue King Ouest", city="Sherbrooke", postal_code="J1H 1A1")

    assert address.map_url() == (
        "https://www.openstreetmap.org/search?query=100+rue+King+Ouest%2C+Sherbrooke%2C+QC+J1H+1A1%2C+CA"
    )
