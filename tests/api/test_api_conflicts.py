"""409s: likely duplicates, a taken code, a stale version. Each changes nothing."""

from typing import Any

import pytest

from carnet.customers.models import Address, Customer


def test_a_likely_twin_answers_409_with_the_twins_then_201_when_acknowledged(
    api: Any, make_customer: Any, assert_problem: Any
) -> None:
    twin = make_customer("Transports Laurentides inc.", code="C0001")
    body = {"name": "Transports Laurentides", "status": "approved"}

    refused = assert_problem(api.post("customers", body), 409)

    assert refused["duplicates"] == [
        {"id": str(twin.pk), "code": "C0001", "name": "Transports Laurentides inc.", "why": "similar name"}
    ]
    assert Customer.objects.count() == 1

    accepted = api.post("customers", {**body, "acknowledge_duplicates": True})

    assert accepted.status_code == 201, accepted.content
    assert Customer.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("email", "compta@laurentides.example", "same email"),
        ("phone", "+1 819 555 0100", "same phone"),
        ("gst_number", "123456782RT0001", "same GST/HST number"),
    ],
)
def test_the_same_email_phone_or_business_number_is_a_likely_twin(
    api: Any, make_customer: Any, assert_problem: Any, field: str, value: str, why: str
) -> None:
    twin = make_customer("Transports Laurentides inc.", **{field: value})

    refused = assert_problem(api.post("customers", {"name": "Béton Mauricie", field: value}), 409)

    assert [(d["id"], d["why"]) for d in refused["duplicates"]] == [(str(twin.pk), why)]


def test_a_taken_code_is_refused_even_when_acknowledged_and_names_the_holder(
    api: Any, make_customer: Any, assert_problem: Any
) -> None:
    holder = make_customer("Béton Mauricie", code="C1001")

    body = assert_problem(
        api.post(
            "customers", {"code": "c1001", "name": "Quincaillerie Côté", "acknowledge_duplicates": True}
        ),
        409,
    )

    assert body["existing"] == {"id": str(holder.pk), "code": "C1001", "name": "Béton Mauricie"}
    assert Customer.objects.count() == 1


def test_changing_to_a_taken_code_is_refused(api: Any, make_customer: Any, assert_problem: Any) -> None:
    make_customer("Béton Mauricie", code="C1001")
    other = make_customer("Quincaillerie Côté", code="C1002")

    assert_problem(api.patch(f"customers/{other.pk}", {"code": "C1001"}), 409)

    other.refresh_from_db()
    assert other.code == "C1002"


@pytest.mark.parametrize("if_match", ["1", '"1"', 'W/"1"'])
def test_a_stale_if_match_is_409_and_changes_nothing(
    api: Any, customer: Customer, assert_problem: Any, if_match: str
) -> None:
    api.patch(f"customers/{customer.pk}", {"team": "Est"})  # someone else's change: version 2

    body = assert_problem(
        api.patch(f"customers/{customer.pk}", {"name": "Stale"}, headers={"If-Match": if_match}), 409
    )

    assert body["current_version"] == 2
    customer.refresh_from_db()
    assert customer.name != "Stale"
    assert customer.version == 2


def test_a_current_if_match_updates(api: Any, customer: Customer) -> None:
    etag = api.get(f"customers/{customer.pk}")["ETag"]

    response = api.patch(f"customers/{customer.pk}", {"name": "Fresh"}, headers={"If-Match": etag})

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Fresh"
    assert response["ETag"] != etag


def test_a_stale_body_version_is_409_too(api: Any, customer: Customer, assert_problem: Any) -> None:
    version = customer.version
    api.patch(f"customers/{customer.pk}", {"team": "Est"})

    assert_problem(api.patch(f"customers/{customer.pk}", {"name": "Stale", "version": version}), 409)

    customer.refresh_from_db()
    assert customer.name != "Stale"


def test_if_match_and_body_version_must_agree(api: Any, customer: Customer, assert_problem: Any) -> None:
    response = api.patch(
        f"customers/{customer.pk}", {"name": "X", "version": customer.version}, headers={"If-Match": '"99"'}
    )

    assert_problem(response, 400, "version")


def test_a_garbled_if_match_is_named(api: Any, customer: Customer, assert_problem: Any) -> None:
    assert_problem(
        api.patch(f"customers/{customer.pk}", {"name": "X"}, headers={"If-Match": "abc"}), 400, "If-Match"
    )


def test_a_change_to_a_part_makes_the_customer_version_stale(
    api: Any, customer: Customer, assert_problem: Any
) -> None:
    etag = api.get(f"customers/{customer.pk}")["ETag"]
    api.post(f"customers/{customer.pk}/notes", {"text": "Paie le 15.", "pinned": True})

    assert_problem(api.patch(f"customers/{customer.pk}", {"name": "X"}, headers={"If-Match": etag}), 409)


def test_a_stale_address_update_is_409_and_changes_nothing(
    api: Any, customer: Customer, assert_problem: Any
) -> None:
    created = api.post(
        f"customers/{customer.pk}/addresses",
        {"line1": "100 rue Principale", "city": "Sherbrooke", "province": "QC", "postal_code": "J1H 1A1"},
    )
    address_id = created.json()["id"]
    api.patch(f"addresses/{address_id}", {"label": "Siège"}, headers={"If-Match": created["ETag"]})

    assert_problem(
        api.patch(f"addresses/{address_id}", {"city": "Magog"}, headers={"If-Match": created["ETag"]}), 409
    )

    assert Address.objects.get(pk=address_id).city == "Sherbrooke"
