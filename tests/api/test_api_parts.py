"""A customer's addresses, contacts and notes, with the bodies of the contract."""

from typing import Any

import pytest

from carnet.customers.models import Address, Contact, Customer, Note

ADDRESS_BODY = {
    "line1": "100 rue Principale",
    "line2": None,
    "city": "Sherbrooke",
    "province": "QC",
    "postal_code": "J1H 1A1",
    "country": "CA",
    "billing": True,
    "delivery": True,
    "main": True,
}
CONTACT_BODY = {
    "name": "Marie Tremblay",
    "role": "Comptes payables",
    "email": "marie@example.ca",
    "phone": "+1 819 555 0100",
    "default": True,
    "billing": True,
    "invoice_copy": False,
}
NOTE_BODY = {"category": "credit", "text": "Paie toujours le 15.", "pinned": True}


@pytest.fixture
def credit_category(db: Any) -> None:
    from carnet.customers.models import NoteCategory

    NoteCategory.objects.get_or_create(code="credit", defaults={"label_en": "Credit", "label_fr": "Crédit"})


class TestAddresses:
    def test_the_body_of_the_contract_adds_the_main_address(self, api: Any, customer: Customer) -> None:
        response = api.post(f"customers/{customer.pk}/addresses", ADDRESS_BODY)

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["customer"] == str(customer.pk)
        assert body["main"] is True and body["line2"] == ""
        assert body["map_url"].startswith("https://")
        assert Address.objects.get(pk=body["id"]).customer_id == customer.pk

    def test_a_new_main_address_takes_over(self, api: Any, customer: Customer) -> None:
        first = api.post(f"customers/{customer.pk}/addresses", ADDRESS_BODY).json()
        second = api.post(f"customers/{customer.pk}/addresses", {**ADDRESS_BODY, "city": "Magog"}).json()

        assert api.get(f"addresses/{first['id']}").json()["main"] is False
        assert api.get(f"addresses/{second['id']}").json()["main"] is True

    def test_omitted_country_and_province_take_the_book_defaults(self, api: Any, customer: Customer) -> None:
        response = api.post(
            f"customers/{customer.pk}/addresses",
            {"line1": "1 rue King", "city": "Sherbrooke", "postal_code": "J1H1A1"},
        )

        assert response.status_code == 201, response.content
        assert (response.json()["country"], response.json()["province"]) == ("CA", "QC")

    def test_patch_and_read(self, api: Any, customer: Customer) -> None:
        address = api.post(f"customers/{customer.pk}/addresses", ADDRESS_BODY).json()

        response = api.patch(f"addresses/{address['id']}", {"label": "Entrepôt", "billing": False})

        assert response.status_code == 200, response.content
        assert response.json()["label"] == "Entrepôt"
        assert response["ETag"] == '"2"'
        assert api.get(f"addresses/{address['id']}").json()["billing"] is False

    def test_an_unused_address_is_deleted(self, api: Any, customer: Customer) -> None:
        address = api.post(f"customers/{customer.pk}/addresses", ADDRESS_BODY).json()

        response = api.delete(f"addresses/{address['id']}")

        assert response.status_code == 204
        assert not Address.objects.filter(pk=address["id"]).exists()

    def test_a_used_address_is_made_inactive(
        self, api: Any, customer: Customer, used_parts: set[tuple[str, int]]
    ) -> None:
        main = api.post(f"customers/{customer.pk}/addresses", ADDRESS_BODY).json()
        other = api.post(f"customers/{customer.pk}/addresses", {**ADDRESS_BODY, "main": False}).json()
        used_parts.add(("address", int(other["id"])))

        response = api.delete(f"addresses/{other['id']}")

        assert response.status_code == 200
        assert response.json() == {"outcome": "deactivated"}
        assert Address.objects.get(pk=other["id"]).active is False
        assert Address.objects.get(pk=main["id"]).main is True

    def test_the_list_is_paginated_and_filters_on_active(self, api: Any, customer: Customer) -> None:
        ids = [
            api.post(f"customers/{customer.pk}/addresses", {**ADDRESS_BODY, "main": False}).json()["id"]
            for _ in range(5)
        ]
        Address.objects.filter(pk=ids[-1]).update(active=False)

        first = api.get(f"customers/{customer.pk}/addresses", params={"limit": 3}).json()
        second = api.get(
            f"customers/{customer.pk}/addresses", params={"limit": 3, "cursor": first["next_cursor"]}
        ).json()

        assert [a["id"] for a in first["items"] + second["items"]] == ids
        assert second["next_cursor"] is None
        active = api.get(f"customers/{customer.pk}/addresses", params={"active": "true"}).json()["items"]
        assert [a["id"] for a in active] == ids[:-1]

    def test_unknown_ids_are_404(self, api: Any, assert_problem: Any) -> None:
        assert_problem(api.get("customers/999999/addresses"), 404)
        assert_problem(api.post("customers/999999/addresses", ADDRESS_BODY), 404)
        assert_problem(api.get("addresses/999999"), 404)
        assert_problem(api.delete("addresses/999999"), 404)


class TestContacts:
    def test_the_body_of_the_contract_adds_a_contact(self, api: Any, customer: Customer) -> None:
        response = api.post(f"customers/{customer.pk}/contacts", CONTACT_BODY)

        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["default"], body["billing"], body["invoice_copy"]) == (True, True, False)
        contact = Contact.objects.get(pk=body["id"])
        assert contact.is_default and contact.is_billing and not contact.invoice_copy

    def test_the_flags_move_to_the_new_default_and_billing_contact(
        self, api: Any, customer: Customer
    ) -> None:
        first = api.post(f"customers/{customer.pk}/contacts", CONTACT_BODY).json()
        second = api.post(
            f"customers/{customer.pk}/contacts",
            {**CONTACT_BODY, "name": "Luc Gagnon", "email": "luc@example.ca"},
        ).json()

        old = api.get(f"contacts/{first['id']}").json()
        assert (old["default"], old["billing"]) == (False, False)
        assert api.get(f"contacts/{second['id']}").json()["default"] is True

    def test_patch_maps_the_flags(self, api: Any, customer: Customer) -> None:
        contact = api.post(f"customers/{customer.pk}/contacts", CONTACT_BODY).json()

        response = api.patch(f"contacts/{contact['id']}", {"default": False, "invoice_copy": True})

        assert response.status_code == 200, response.content
        stored = Contact.objects.get(pk=contact["id"])
        assert stored.is_default is False and stored.invoice_copy is True

    def test_an_unused_contact_is_deleted_and_a_used_one_made_inactive(
        self, api: Any, customer: Customer, used_parts: set[tuple[str, int]]
    ) -> None:
        unused = api.post(f"customers/{customer.pk}/contacts", CONTACT_BODY).json()
        used = api.post(f"customers/{customer.pk}/contacts", {**CONTACT_BODY, "name": "Luc Gagnon"}).json()
        used_parts.add(("contact", int(used["id"])))

        assert api.delete(f"contacts/{unused['id']}").status_code == 204
        response = api.delete(f"contacts/{used['id']}")

        assert response.status_code == 200
        assert response.json() == {"outcome": "deactivated"}
        assert not Contact.objects.filter(pk=unused["id"]).exists()
        assert Contact.objects.get(pk=used["id"]).active is False

    def test_a_used_contact_keeps_its_customer_from_deletion(
        self, api: Any, customer: Customer, used_parts: set[tuple[str, int]], assert_problem: Any
    ) -> None:
        contact = api.post(f"customers/{customer.pk}/contacts", CONTACT_BODY).json()
        used_parts.add(("contact", int(contact["id"])))

        body = assert_problem(api.delete(f"customers/{customer.pk}"), 409)

        assert body["reasons"] == ["It is the contact of invoice 7."]

    def test_the_list(self, api: Any, customer: Customer) -> None:
        api.post(f"customers/{customer.pk}/contacts", CONTACT_BODY)

        items = api.get(f"customers/{customer.pk}/contacts").json()["items"]

        assert [c["name"] for c in items] == ["Marie Tremblay"]


class TestNotes:
    def test_the_body_of_the_contract_adds_a_pinned_note_to_the_memo(
        self, api: Any, customer: Customer, credit_category: None, operator: Any
    ) -> None:
        response = api.post(f"customers/{customer.pk}/notes", NOTE_BODY)

        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["category"], body["pinned"], body["author"]) == ("credit", True, "controller")
        assert api.get(f"customers/{customer.pk}").json()["memo"] == ["Paie toujours le 15."]

    def test_the_category_defaults_to_general(self, api: Any, customer: Customer) -> None:
        response = api.post(f"customers/{customer.pk}/notes", {"text": "Rappeler lundi."})

        assert response.status_code == 201
        assert response.json()["category"] == "general"

    def test_unpinning_takes_it_out_of_the_memo(self, api: Any, customer: Customer) -> None:
        note = api.post(f"customers/{customer.pk}/notes", {"text": "Paie le 15.", "pinned": True}).json()

        response = api.patch(f"notes/{note['id']}", {"pinned": False}, headers={"If-Match": '"1"'})

        assert response.status_code == 200, response.content
        assert api.get(f"customers/{customer.pk}").json()["memo"] == []

    def test_delete(self, api: Any, customer: Customer) -> None:
        note = api.post(f"customers/{customer.pk}/notes", {"text": "Paie le 15."}).json()

        assert api.delete(f"notes/{note['id']}").status_code == 204
        assert not Note.objects.filter(pk=note["id"]).exists()

    def test_the_list_is_newest_first_across_pages(self, api: Any, customer: Customer) -> None:
        ids = [
            api.post(f"customers/{customer.pk}/notes", {"text": f"Note {i}"}).json()["id"] for i in range(4)
        ]

        first = api.get(f"customers/{customer.pk}/notes", params={"limit": 2}).json()
        second = api.get(
            f"customers/{customer.pk}/notes", params={"limit": 2, "cursor": first["next_cursor"]}
        ).json()

        assert [n["id"] for n in first["items"] + second["items"]] == ids[::-1]
        assert second["next_cursor"] is None
