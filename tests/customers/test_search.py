"""Type-ahead search and the list filters, and the search text kept fresh when the parts change."""

from typing import Any

import pytest
from factories import AddressFactory, ContactFactory, CustomerFactory

from carnet.accounts.models import User
from carnet.customers import services
from carnet.customers.models import Customer
from carnet.customers.queries import (
    CustomerFilters,
    customer_detail,
    filter_customers,
    ordered,
    with_main_address,
)

pytestmark = pytest.mark.django_db


def found(**filters: Any) -> list[str]:
    return sorted(filter_customers(CustomerFilters(**filters)).values_list("code", flat=True))


@pytest.fixture
def laurentides() -> Customer:
    customer = CustomerFactory(
        code="C1001",
        name="Transports Laurentides inc.",
        legal_name="9123-4567 Québec inc.",
        email="compta@laurentides.example",
        phone="+1 819-555-0100",
        gst_number="123456782RT0001",
        neq="1123456789",
    )
    AddressFactory(customer=customer, city="Saint-Jérôme", postal_code="J7Z 1A1")
    ContactFactory(
        customer=customer, name="Marie Côté", email="marie@laurentides.example", mobile="+1 450-555-0111"
    )
    CustomerFactory(code="C2002", name="Fromagerie Beauce")
    return customer


@pytest.mark.parametrize(
    "typed",
    [
        "c1001",  # code
        "laurent",  # start of a word of the name
        "transports laur",  # several words, each must match
        "9123-4567",  # legal name
        "marie cote",  # a contact, without the accent
        "MARIE@LAURENTIDES",  # a contact's email
        "compta@",  # the customer's email
        "819 555 0100",  # the phone as written
        "(819) 555-0100",
        "18195550100",  # with the country code
        "4505550111",  # a contact's mobile
        "saint-jerome",  # the city of an address
        "123456782",  # the business number
        "1123456789",  # the NEQ
    ],
)
def test_type_ahead_finds_a_customer_by_any_of_its_words(laurentides: Customer, typed: str) -> None:
    assert found(q=typed) == ["C1001"]


def test_every_word_must_match(laurentides: Customer) -> None:
    assert found(q="laurentides beauce") == []


def test_the_search_text_follows_contact_changes(laurentides: Customer) -> None:
    contact = services.add_contact(actor=None, customer_id=laurentides.pk, data={"name": "Jean Gagnon"})
    assert found(q="gagnon") == ["C1001"]

    services.update_contact(actor=None, contact_id=contact.pk, changes={"name": "Jean Pelletier"})
    assert (found(q="gagnon"), found(q="pelletier")) == ([], ["C1001"])

    services.remove_contact(actor=None, contact_id=contact.pk)
    assert found(q="pelletier") == []


def test_the_search_text_follows_address_changes(laurentides: Customer) -> None:
    address = services.add_address(
        actor=None,
        customer_id=laurentides.pk,
        data={"line1": "1 Front St W", "city": "Toronto", "province": "ON", "postal_code": "M5V 2T6"},
    )
    assert found(q="toronto") == ["C1001"]

    services.update_address(
        actor=None, address_id=address.pk, changes={"city": "Ottawa", "postal_code": "K1P 5J9"}
    )
    assert (found(q="toronto"), found(q="ottawa")) == ([], ["C1001"])

    services.remove_address(actor=None, address_id=address.pk)
    assert found(q="ottawa") == []


def test_the_search_text_follows_customer_changes(laurentides: Customer) -> None:
    services.update_customer(actor=None, customer_id=laurentides.pk, changes={"name": "Camionnage Nordique"})

    assert (found(q="nordique"), found(q="transports")) == (["C1001"], [])


def test_a_former_code_still_finds_the_customer(laurentides: Customer, controller: User) -> None:
    services.update_customer(actor=controller, customer_id=laurentides.pk, changes={"code": "LAUR-01"})

    assert found(code="C1001") == ["LAUR-01"]
    assert found(q="c1001") == ["LAUR-01"]
    assert found(code="laur-01") == ["LAUR-01"]


def test_the_current_holder_of_a_code_wins_over_a_former_one(laurentides: Customer, controller: User) -> None:
    services.update_customer(actor=controller, customer_id=laurentides.pk, changes={"code": "LAUR-01"})
    CustomerFactory(code="C1001", name="Nouveau titulaire")

    assert [c.name for c in filter_customers(CustomerFilters(code="C1001"))] == ["Nouveau titulaire"]


def test_an_unknown_code_finds_nothing(laurentides: Customer) -> None:
    assert found(code="NOPE") == []


def test_the_list_opens_on_active_customers() -> None:
    CustomerFactory(code="A1")
    CustomerFactory(code="Z1", status="closed", status_reason="Fermé en 2024")

    assert found() == ["A1"]
    assert found(active=None) == ["A1", "Z1"]
    assert found(active=False) == ["Z1"]


def test_the_list_filters_by_status_category_key_account_assignee_and_external_code(operator: User) -> None:
    CustomerFactory(code="A1", status="approved", key_account=True, external_code="EST", assigned_to=operator)
    CustomerFactory(code="B1", status="blocked", status_reason="Unpaid", is_partner=True)
    CustomerFactory(code="P1", status="prospect", is_customer=False, is_prospect=True)

    assert found(statuses=["blocked", "prospect"]) == ["B1", "P1"]
    assert found(category="partner") == ["B1"]
    assert found(category="prospect") == ["P1"]
    assert found(key_account=True) == ["A1"]
    assert found(assigned_to="operator") == ["A1"]
    assert found(external_code=" est ") == ["A1"]


@pytest.mark.parametrize(
    ("filters", "field"),
    [({"statuses": ["active"]}, "status"), ({"category": "vip"}, "category"), ({"sort": "colour"}, "sort")],
)
def test_unknown_filter_values_are_refused_by_name(filters: dict[str, Any], field: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        filter_customers(CustomerFilters(**filters))

    assert field in exc.value.message_dict


def test_ties_in_a_sort_are_broken_by_id() -> None:
    first = CustomerFactory(name="Même nom")
    second = CustomerFactory(name="Même nom")

    assert list(ordered(Customer.objects.all(), "name")) == [first, second]
    assert list(ordered(Customer.objects.all(), "-name")) == [second, first]


def test_list_rows_and_the_detail_load_in_a_fixed_number_of_queries(
    django_assert_num_queries: Any,
) -> None:
    for i in range(5):
        AddressFactory(customer=CustomerFactory(name=f"Client {i}"))
    one = Customer.objects.first()
    assert one is not None

    with django_assert_num_queries(2):  # customers (with assignee), main addresses
        rows = list(with_main_address(Customer.objects.all()))
        assert all(len(r.main_addresses) == 1 for r in rows)  # type: ignore[attr-defined]
    with django_assert_num_queries(4):  # customer with its relations, addresses, contacts, notes
        detail = customer_detail(one.pk)
        assert len(detail.addresses.all()) == 1
