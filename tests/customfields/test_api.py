"""Custom fields through the API: definitions at /api/v1/custom-fields, values under a customer's (or a
contact's) "custom_fields", refusals as problem+json naming custom_fields.<key> with nothing saved, the list
filtered by cf_<key>, and the OpenAPI document describing this installation's fields."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from carnet.accounts.models import User
from carnet.customers.models import Contact, Customer
from carnet.customfields.models import CustomField

from .conftest import TYPES, problem_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(api_as: Callable[[User], Any], admin_user: User) -> Any:
    return api_as(admin_user)


class TestDefinitions:
    BODY = {
        "applies_to": "customer",
        "key": "segment",
        "label_fr": "Segment",
        "label_en": "Segment",
        "type": "choice",
        "choices": ["PME", "Grand compte"],
        "required": False,
        "list_column": True,
        "filter": True,
    }

    def test_the_contract_body_defines_a_field(self, admin_api: Any) -> None:
        response = admin_api.post("custom-fields", self.BODY)

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["key"] == "segment" and body["applies_to"] == "customer"
        assert [c["value"] for c in body["choices"]] == ["PME", "Grand compte"]
        assert body["list_column"] is True and body["filter"] is True and body["values_held"] == 0
        field = CustomField.objects.get(key="segment")
        assert field.show_in_list and field.filterable

    def test_only_admins_define_fields_and_everyone_who_sees_customers_reads_them(
        self, api: Any, admin_api: Any
    ) -> None:
        refused = api.post("custom-fields", self.BODY)
        admin_api.post("custom-fields", self.BODY)

        assert refused.status_code == 403
        assert [f["key"] for f in api.get("custom-fields").json()["items"]] == ["segment"]
        assert api.get("custom-fields/segment").json()["label_en"] == "Segment"
        assert api.get("custom-fields/segment", params={"applies_to": "contact"}).status_code == 404

    def test_a_taken_key_is_a_conflict_and_a_bad_key_names_the_rule(self, admin_api: Any) -> None:
        admin_api.post("custom-fields", self.BODY)

        taken = admin_api.post("custom-fields", self.BODY)
        bad = admin_api.post("custom-fields", {**self.BODY, "key": "Mon Segment"})

        assert taken.status_code == 409 and taken.json()["existing"]["key"] == "segment"
        assert problem_fields(bad, 422) == ["key"]
        assert CustomField.objects.count() == 1

    def test_a_type_change_is_refused_while_customers_hold_values(
        self, admin_api: Any, api: Any, make_customer: Callable[..., Customer]
    ) -> None:
        admin_api.post("custom-fields", self.BODY)
        for name in ("Alpha inc.", "Beta ltée"):
            make_customer(name, custom_fields={"segment": "PME"})

        changed = admin_api.patch("custom-fields/segment", {"type": "text"})
        deleted = admin_api.delete("custom-fields/segment")
        option_removed = admin_api.patch("custom-fields/segment", {"choices": ["Grand compte"]})
        deactivated = admin_api.patch("custom-fields/segment", {"active": False})

        assert changed.status_code == 409 and "2 customers hold a value" in changed.json()["detail"]
        assert deleted.status_code == 409 and deleted.json()["suggestion"] == "deactivate"
        assert "2 customers hold a value" in deleted.json()["detail"]
        assert option_removed.status_code == 409 and "PME" in option_removed.json()["detail"]
        assert deactivated.status_code == 200 and deactivated.json()["active"] is False
        assert CustomField.objects.get(key="segment").type == "choice"

    def test_a_field_nobody_holds_changes_type_and_is_deleted(self, admin_api: Any) -> None:
        admin_api.post("custom-fields", self.BODY)

        changed = admin_api.patch("custom-fields/segment", {"type": "number", "default": 3})
        deleted = admin_api.delete("custom-fields/segment")

        assert changed.status_code == 200 and changed.json()["choices"] == []
        assert changed.json()["default"] == 3
        assert deleted.status_code == 204
        assert not CustomField.objects.exists()


@pytest.mark.parametrize(("kind", "_typed", "stored", "sent"), TYPES)
def test_each_type_round_trips_through_the_api(
    api: Any, one_of_each: dict[str, CustomField], kind: str, _typed: str, stored: Any, sent: Any
) -> None:
    key = f"f_{kind}"

    created = api.post("customers", {"name": "Transports Laurentides inc.", "custom_fields": {key: sent}})
    customer_id = created.json()["id"]
    read = api.get(f"customers/{customer_id}")
    saved = Customer.objects.get(pk=customer_id).custom_fields
    cleared = api.patch(f"customers/{customer_id}", {"custom_fields": {key: None}})

    assert created.status_code == 201, created.content
    assert created.json()["custom_fields"] == {key: stored}
    assert read.json()["custom_fields"] == {key: stored}
    assert saved == {key: stored}
    assert cleared.json()["custom_fields"] == {}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"f_number": "douze"}, "custom_fields.f_number"),
        ({"f_choice": "Multinationale"}, "custom_fields.f_choice"),
        ({"f_boolean": "peut-être"}, "custom_fields.f_boolean"),
        ({"unknown": "x"}, "custom_fields.unknown"),
    ],
)
def test_a_bad_value_names_the_field_and_saves_nothing(
    api: Any,
    one_of_each: dict[str, CustomField],
    make_customer: Callable[..., Customer],
    values: dict[str, Any],
    field: str,
) -> None:
    customer = make_customer(code="C1001", custom_fields={"f_text": "avant"})

    created = api.post("customers", {"name": "Quincaillerie Beauce", "custom_fields": values})
    changed = api.patch(f"customers/{customer.pk}", {"name": "Autre nom", "custom_fields": values})

    assert problem_fields(created, 422) == [field]
    assert problem_fields(changed, 422) == [field]
    customer.refresh_from_db()
    assert Customer.objects.count() == 1
    assert (customer.name, customer.custom_fields) == ("Transports Laurentides inc.", {"f_text": "avant"})


def test_a_missing_required_value_is_named_with_the_other_errors(
    api: Any, define: Callable[..., CustomField]
) -> None:
    define("region", "text", required=True)

    response = api.post("customers", {"name": "Transports Laurentides inc.", "email": "pas-un-courriel"})

    assert set(problem_fields(response, 422)) == {"custom_fields.region", "email"}
    assert not Customer.objects.exists()


def test_a_patch_changes_only_the_keys_sent(
    api: Any, one_of_each: dict[str, CustomField], make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer(custom_fields={"f_text": "garder", "f_number": 1})

    response = api.patch(f"customers/{customer.pk}", {"custom_fields": {"f_number": 2}})

    assert response.json()["custom_fields"] == {"f_text": "garder", "f_number": 2}
    assert customer.history.count() == 2  # the change is in the history like any other field


def test_contacts_carry_their_own_fields(
    api: Any, define: Callable[..., CustomField], make_customer: Any
) -> None:
    define("badge", "number", target="contact")
    define("segment")
    customer = make_customer()

    added = api.post(f"customers/{customer.pk}/contacts", {"name": "Marie", "custom_fields": {"badge": "7"}})
    wrong = api.post(
        f"customers/{customer.pk}/contacts", {"name": "Luc", "custom_fields": {"segment": "PME"}}
    )
    changed = api.patch(f"contacts/{added.json()['id']}", {"custom_fields": {"badge": 8}})

    assert added.status_code == 201 and added.json()["custom_fields"] == {"badge": 7}
    assert problem_fields(wrong, 422) == ["custom_fields.segment"]
    assert changed.json()["custom_fields"] == {"badge": 8}
    assert list(Contact.objects.values_list("name", flat=True)) == ["Marie"]


class TestListFilters:
    @pytest.fixture
    def book(self, define: Callable[..., CustomField], make_customer: Callable[..., Customer]) -> None:
        define("segment", filterable=True, show_in_list=True)
        define("employees", "number", filterable=True)
        define("audited_on", "date", filterable=True)
        define("sector", "text", filterable=True)
        define("secret", "text")  # not a filter
        rows = [
            (
                "Alpha",
                "A1",
                {"segment": "PME", "employees": 12, "audited_on": "2026-01-15", "sector": "Bois"},
            ),
            ("Beta", "B1", {"segment": "grand_compte", "employees": 800, "sector": "Transport routier"}),
            ("Gamma", "G1", {"segment": "PME", "employees": 40, "audited_on": "2026-06-01"}),
            ("Delta", "D1", {}),
        ]
        for name, code, values in rows:
            make_customer(f"{name} inc.", code=code, status="approved", custom_fields=values)

    def codes(self, api: Any, **params: Any) -> list[str]:
        response = api.get("customers", params=params)
        assert response.status_code == 200, response.content
        return [c["code"] for c in response.json()["items"]]

    def test_by_equality_range_and_text(self, api: Any, book: None) -> None:
        assert self.codes(api, cf_segment="PME") == ["A1", "G1"]
        assert self.codes(api, cf_segment="PME", cf_employees__gte="20") == ["G1"]
        assert self.codes(api, cf_employees__gte="12", cf_employees__lte="40") == ["A1", "G1"]
        assert self.codes(api, cf_audited_on__lte="2026-03-01") == ["A1"]
        assert self.codes(api, cf_sector="transport") == ["B1"]
        assert self.codes(api, cf_employees="800") == ["B1"]

    def test_with_a_built_in_filter_and_pages(self, api: Any, book: None) -> None:
        first = api.get("customers", params={"cf_segment": "PME", "status": "approved", "limit": 1}).json()
        second = api.get(
            "customers",
            params={"cf_segment": "PME", "status": "approved", "limit": 1, "cursor": first["next_cursor"]},
        ).json()

        assert [c["code"] for c in first["items"] + second["items"]] == ["A1", "G1"]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"cf_segmant": "PME"}, "cf_segmant"),
            ({"cf_secret": "x"}, "cf_secret"),
            ({"cf_employees": "beaucoup"}, "cf_employees"),
            ({"cf_segment__gte": "PME"}, "cf_segment__gte"),
            ({"cf_segment": "Multinationale"}, "cf_segment"),
        ],
    )
    def test_a_bad_filter_is_named(self, api: Any, book: None, params: dict[str, str], field: str) -> None:
        assert problem_fields(api.get("customers", params=params), 422) == [field]


def test_the_openapi_document_describes_the_fields(define: Callable[..., CustomField]) -> None:
    define("segment", filterable=True, help_en="The size of the business.")
    define("employees", "number", required=True)
    define("badge", "boolean", target="contact")

    document = Client().get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    values = schemas["CustomerOut"]["properties"]["custom_fields"]
    written = schemas["CustomerCreate"]["properties"]["custom_fields"]
    parameters = {p["name"] for p in document["paths"]["/api/v1/customers"]["get"]["parameters"]}

    assert values["properties"]["segment"]["enum"] == ["PME", "grand_compte"]
    assert "The size of the business." in values["properties"]["segment"]["description"]
    assert values["properties"]["employees"]["type"] == "integer"
    assert values["additionalProperties"] is False and "`segment` (choice)" in values["description"]
    assert {"type": "null"} in written["properties"]["employees"]["anyOf"]
    assert schemas["ContactOut"]["properties"]["custom_fields"]["properties"]["badge"]["type"] == "boolean"
    assert "cf_segment" in parameters and "cf_employees" not in parameters
    assert "/api/v1/custom-fields/{key}" in document["paths"]
