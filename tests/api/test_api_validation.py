"""Bad input answers problem+json naming the field, and saves nothing."""

from typing import Any

import pytest

from carnet.customers.models import Address, Contact, Customer


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("iban", "FR7630006000011234567890188"),
        ("bic", "DEUT"),
        ("phone", "12"),
        ("bank_phone", "not a phone"),
        ("gst_number", "123456789"),
        ("siren", "732829321"),
        ("neq", "5512345678"),
        ("email", "not-an-email"),
        ("currency", "XXY"),
        ("payment_terms_days", 400),
    ],
)
def test_a_bad_value_names_its_field_and_saves_nothing(
    api: Any, assert_problem: Any, field: str, value: Any
) -> None:
    response = api.post("customers", {"name": "Quincaillerie Côté", field: value})

    body = assert_problem(response, 422, field)
    assert all(e["message"] for e in body["errors"])
    assert not Customer.objects.exists()


@pytest.mark.parametrize("status", ["warning", "blocked", "closed"])
def test_a_reason_is_required_for_warning_blocked_and_closed(
    api: Any, assert_problem: Any, status: str
) -> None:
    assert_problem(
        api.post("customers", {"name": "Quincaillerie Côté", "status": status}), 422, "status_reason"
    )
    assert not Customer.objects.exists()


def test_blocking_without_a_reason_changes_nothing(api: Any, customer: Customer, assert_problem: Any) -> None:
    assert_problem(api.patch(f"customers/{customer.pk}", {"status": "blocked"}), 422, "status_reason")

    customer.refresh_from_db()
    assert customer.status == "approved"


def test_an_unknown_status_value_is_refused(api: Any, assert_problem: Any) -> None:
    assert_problem(api.post("customers", {"name": "Quincaillerie Côté", "status": "active"}), 400, "status")


def test_an_unknown_field_is_refused_by_name(api: Any, customer: Customer, assert_problem: Any) -> None:
    body = assert_problem(
        api.post("customers", {"name": "Quincaillerie Côté", "colour": "red"}), 400, "colour"
    )
    assert "Unknown field" in body["errors"][0]["message"]

    assert_problem(api.patch(f"customers/{customer.pk}", {"nmae": "Typo"}), 400, "nmae")
    assert_problem(
        api.post(f"customers/{customer.pk}/contacts", {"name": "Marie", "is_default": True}),
        400,
        "is_default",
    )
    assert Customer.objects.count() == 1


def test_malformed_json_is_a_400_problem(api: Any, assert_problem: Any) -> None:
    response = api.client.post(
        "/api/v1/customers",
        data=b'{"name": "Quincaillerie',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )

    assert_problem(response, 400, "")
    assert not Customer.objects.exists()


def test_a_body_that_is_not_an_object_is_a_400_problem(api: Any, assert_problem: Any) -> None:
    assert_problem(api.post("customers", ["Quincaillerie Côté"]), 400)


def test_a_missing_name_is_named(api: Any, assert_problem: Any) -> None:
    assert_problem(api.post("customers", {"code": "C2000"}), 400, "name")


def test_a_customer_cannot_be_its_own_ancestor(api: Any, make_customer: Any, assert_problem: Any) -> None:
    top = make_customer("Groupe Laurentides")
    middle = make_customer("Laurentides Est", parent=top)
    bottom = make_customer("Laurentides Sherbrooke", parent=middle)

    assert_problem(api.patch(f"customers/{top.pk}", {"parent": str(bottom.pk)}), 422, "parent")
    assert_problem(api.patch(f"customers/{top.pk}", {"parent": str(top.pk)}), 422, "parent")

    top.refresh_from_db()
    assert top.parent_id is None


def test_an_unknown_parent_is_named(api: Any, assert_problem: Any) -> None:
    assert_problem(api.post("customers", {"name": "Quincaillerie Côté", "parent": "999999"}), 422, "parent")


def test_an_unknown_assigned_user_is_named(api: Any, assert_problem: Any) -> None:
    assert_problem(
        api.post("customers", {"name": "Quincaillerie Côté", "assigned_to": "nobody"}), 422, "assigned_to"
    )


ADDRESS = {
    "line1": "100 rue Principale",
    "city": "Sherbrooke",
    "province": "QC",
    "postal_code": "J1H 1A1",
    "country": "CA",
}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"country": "US", "province": None, "postal_code": "05401", "city": "Burlington"}, "province"),
        ({"country": "US", "province": "VT", "postal_code": "0540"}, "postal_code"),
        ({"country": "CA", "province": "QC", "postal_code": "12345"}, "postal_code"),
        ({"country": "FR", "province": None, "postal_code": "7500"}, "postal_code"),
        ({"country": "CA", "province": "ZZ"}, "province"),
        ({"country": "XX"}, "country"),
        ({"billing": False, "delivery": False}, "billing"),
    ],
)
def test_a_bad_address_names_its_field_and_saves_nothing(
    api: Any, customer: Customer, assert_problem: Any, changes: dict[str, Any], field: str
) -> None:
    response = api.post(f"customers/{customer.pk}/addresses", {**ADDRESS, **changes})

    assert_problem(response, 422, field)
    assert not Address.objects.exists()


def test_a_us_and_a_french_address_with_their_formats_are_accepted(api: Any, customer: Customer) -> None:
    us = api.post(
        f"customers/{customer.pk}/addresses",
        {
            "line1": "1 Main St",
            "city": "Burlington",
            "province": "VT",
            "postal_code": "05401-1234",
            "country": "US",
        },
    )
    fr = api.post(
        f"customers/{customer.pk}/addresses",
        {"line1": "1 rue de Rivoli", "city": "Paris", "postal_code": "75001", "country": "FR"},
    )

    assert us.status_code == 201, us.content
    assert fr.status_code == 201, fr.content


def test_a_bad_contact_phone_is_named_and_saves_nothing(
    api: Any, customer: Customer, assert_problem: Any
) -> None:
    response = api.post(f"customers/{customer.pk}/contacts", {"name": "Marie Tremblay", "phone": "555"})

    assert_problem(response, 422, "phone")
    assert not Contact.objects.exists()


def test_an_unknown_note_category_is_named(api: Any, customer: Customer, assert_problem: Any) -> None:
    response = api.post(f"customers/{customer.pk}/notes", {"category": "gossip", "text": "…"})

    assert_problem(response, 422, "category")
