"""GET /api/v1/customers/{id}/history: every kind of change, its filters, its pages, per-company hiding, and
no way to change the history through the API."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Role
from carnet.credit import review_criteria
from carnet.credit import services as credit
from carnet.customers import services
from carnet.customers.models import Customer
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def new_customer(name: str = "Transports Laurentides inc.", **data: Any) -> Customer:
    return services.create_customer(actor=None, data={"name": name, **data}, acknowledge_duplicates=True)


def items(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def entry(entries: list[dict[str, Any]], obj: str, field: str) -> dict[str, Any]:
    """The newest entry of the object's field."""
    return next(e for e in entries if e["object"] == obj and e["field"] == field)


# --- every kind of change ---------------------------------------------------------------------------------


def test_an_entry_has_every_documented_member(api: Any) -> None:
    customer = new_customer()
    (first, *_rest) = items(api.get(f"customers/{customer.pk}/history"))
    assert set(first) == {
        "id",
        "at",
        "user",
        "source",
        "request_id",
        "object",
        "object_id",
        "object_label",
        "field",
        "old",
        "new",
        "change",
    }


def test_addresses_contacts_and_notes_created_changed_and_deleted(api: Any) -> None:
    customer = new_customer()
    address = api.post(
        f"customers/{customer.pk}/addresses",
        {
            "line1": "100 rue Principale",
            "city": "Sherbrooke",
            "province": "QC",
            "postal_code": "J1H 1A1",
            "country": "CA",
        },
    ).json()
    api.patch(f"addresses/{address['id']}", {"city": "Magog", "version": address["version"]})
    contact = api.post(f"customers/{customer.pk}/contacts", {"name": "Marie Tremblay"}).json()
    api.patch(f"contacts/{contact['id']}", {"email": "marie@example.ca", "version": contact["version"]})
    note = api.post(f"customers/{customer.pk}/notes", {"text": "Paie le 15."}).json()
    assert api.delete(f"notes/{note['id']}").status_code == 204
    entries = items(api.get(f"customers/{customer.pk}/history", params={"limit": 200}))
    city = entry(entries, "address", "city")
    assert (city["old"], city["new"], city["change"], city["object_id"]) == (
        "Sherbrooke",
        "Magog",
        "changed",
        int(address["id"]),
    )
    email = entry(entries, "contact", "email")
    assert (email["old"], email["new"], email["object_label"]) == ("", "marie@example.ca", "Marie Tremblay")
    removed = entry(entries, "note", "text")
    assert (removed["change"], removed["old"], removed["new"]) == ("deleted", "Paie le 15.", None)
    added = [e for e in entries if e["object"] == "note" and e["field"] == "text"][-1]
    assert (added["change"], added["new"]) == ("created", "Paie le 15.")
    category = entry(entries, "note", "category")
    assert category["old"] == "general"  # a reference by its code, not its id


def test_a_code_change_keeps_the_old_code_findable(api: Any) -> None:
    customer = new_customer(code="C1001")
    api.patch(f"customers/{customer.pk}", {"code": "C2001", "version": customer.version})
    codes = items(api.get(f"customers/{customer.pk}/history", params={"field": "code"}))
    assert [(e["change"], e["old"], e["new"]) for e in codes] == [
        ("changed", "C1001", "C2001"),
        ("created", None, "C1001"),
    ]


def test_custom_fields_are_one_entry_per_key(api: Any) -> None:
    customer = new_customer()
    customer.custom_fields = {"region": "Estrie", "fleet": 12}
    customer.save()
    customer.custom_fields = {"region": "Montérégie", "fleet": 12, "segment": "B"}
    customer.save()
    customer.custom_fields = {"region": "Montérégie", "segment": "B"}
    customer.save()
    entries = items(api.get(f"customers/{customer.pk}/history", params={"field": "custom_fields"}))
    assert [(e["field"], e["old"], e["new"]) for e in entries] == [
        ("custom_fields.fleet", 12, None),
        ("custom_fields.region", "Estrie", "Montérégie"),
        ("custom_fields.segment", None, "B"),
        ("custom_fields.fleet", None, 12),
        ("custom_fields.region", None, "Estrie"),
    ]
    one = items(api.get(f"customers/{customer.pk}/history", params={"field": "custom_fields.segment"}))
    assert [e["new"] for e in one] == ["B"]


def test_holds_limits_and_the_customers_own_review_criteria(api: Any, controller: User) -> None:
    customer = new_customer(status="approved")
    hold = credit.add_hold(
        actor=controller, customer=customer, company="MAIN", type="sale_order", comment="Litige"
    )
    credit.lift_hold(actor=controller, hold_id=hold.pk)
    credit.set_limit(actor=controller, customer=customer, company="MAIN", limit="5000")
    review_criteria.set_customer_criteria(
        actor=controller, customer=customer, company="MAIN", data={"grace_days": 90, "reason": "Retards"}
    )
    entries = items(api.get(f"customers/{customer.pk}/history", params={"limit": 200}))
    lifted = entry(entries, "hold", "lifted_at")
    assert lifted["change"] == "changed" and lifted["old"] is None and lifted["new"]
    assert entry(entries, "hold", "lifted_by")["new"] == "controller"
    assert entry(entries, "hold", "type")["new"] == "sale_order"
    assert entry(entries, "credit_limit", "limit")["new"] == "5000.00"
    grace = entry(entries, "review_criteria", "grace_days")
    assert (grace["new"], grace["object_label"], grace["user"]) == (90, "MAIN", "controller")


def test_a_deleted_customers_history_is_gone_with_it(api: Any) -> None:
    customer = new_customer()
    assert api.delete(f"customers/{customer.pk}").status_code == 204
    assert api.get(f"customers/{customer.pk}/history").status_code == 404


# --- filters and pages ------------------------------------------------------------------------------------


@pytest.fixture
def busy_customer(api: Any, controller: User, operator: User, api_as: Callable[[User], Any]) -> Customer:
    customer = new_customer(status="approved")
    api_as(operator).post(
        f"customers/{customer.pk}/notes", {"text": "De l'opérateur."}, headers={"X-Request-ID": "op-1"}
    )
    api.post(f"customers/{customer.pk}/notes", {"text": "Du contrôleur."}, headers={"X-Request-ID": "ctl-1"})
    return customer


def test_filters_by_user_source_request_id_and_field(api: Any, busy_customer: Customer) -> None:
    url = f"customers/{busy_customer.pk}/history"
    assert {e["new"] for e in items(api.get(url, params={"user": "operator", "field": "text"}))} == {
        "De l'opérateur."
    }
    assert {e["request_id"] for e in items(api.get(url, params={"request_id": "ctl-1"}))} == {"ctl-1"}
    assert {e["source"] for e in items(api.get(url, params={"source": "system"}))} == {"system"}
    assert {e["object"] for e in items(api.get(url, params={"source": "api"}))} == {"note"}
    assert items(api.get(url, params={"field": "no_such_field"})) == []


def test_filters_by_period(api: Any, busy_customer: Customer) -> None:
    url = f"customers/{busy_customer.pk}/history"
    today = timezone.localdate()
    everything = items(api.get(url, params={"limit": 200}))
    assert (
        items(api.get(url, params={"since": today.isoformat(), "until": today.isoformat(), "limit": 200}))
        == everything
    )
    assert items(api.get(url, params={"until": (today - timedelta(days=1)).isoformat()})) == []
    assert items(api.get(url, params={"since": (today + timedelta(days=1)).isoformat()})) == []
    moment = everything[0]["at"]
    assert [e["at"] for e in items(api.get(url, params={"since": moment}))] == [
        e["at"] for e in everything if e["at"] >= moment
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"source": "fax"}, "source"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-11-22", "until": "2026-11-01"}, "until"),
        ({"cursor": "garbage"}, "cursor"),
        ({"limit": 0}, "limit"),
    ],
)
def test_bad_filters_name_the_parameter(
    api: Any, busy_customer: Customer, params: dict[str, Any], field: str
) -> None:
    response = api.get(f"customers/{busy_customer.pk}/history", params=params)
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}


def test_pages_walk_the_history_newest_first_without_gaps(api: Any, busy_customer: Customer) -> None:
    url = f"customers/{busy_customer.pk}/history"
    everything = items(api.get(url, params={"limit": 200}))
    assert len(everything) > 6
    assert [e["at"] for e in everything] == sorted((e["at"] for e in everything), reverse=True)
    seen, cursor = [], None
    while True:
        body = api.get(url, params={"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
        seen += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert [e["id"] for e in seen] == [e["id"] for e in everything]


# --- who sees what ----------------------------------------------------------------------------------------


def test_holds_and_limits_of_other_companies_are_hidden(
    make_user: Callable[..., User], api_as: Callable[[User], Any], main_company: Company
) -> None:
    other = CompanyFactory(code="WEST")
    customer = new_customer(status="approved")
    credit.add_hold(actor=None, customer=customer, company="WEST", type="invoicing", comment="Ouest")
    credit.add_hold(actor=None, customer=customer, company=None, type="dunning", comment="Partout")
    credit.set_limit(actor=None, customer=customer, company="WEST", limit="900")
    credit.set_limit(actor=None, customer=customer, company="MAIN", limit="100")
    main_only = api_as(make_user("main", Role.CREDIT_CONTROLLER, [main_company]))
    both = api_as(make_user("both", Role.CREDIT_CONTROLLER, [main_company, other]))
    url = f"customers/{customer.pk}/history"
    seen = items(main_only.get(url, params={"limit": 200}))
    assert {e["new"] for e in seen if e["field"] == "comment"} == {"Partout"}
    assert {e["new"] for e in seen if e["field"] == "limit"} == {"100.00"}
    everything = items(both.get(url, params={"limit": 200}))
    assert {e["new"] for e in everything if e["field"] == "comment"} == {"Partout", "Ouest"}
    assert {e["new"] for e in everything if e["field"] == "limit"} == {"100.00", "900.00"}


def test_reading_needs_a_token_and_an_existing_customer(api: Any, client: Any) -> None:
    customer = new_customer()
    assert client.get(f"/api/v1/customers/{customer.pk}/history").status_code == 401
    assert api.get("customers/999999/history").status_code == 404
    assert api.get("customers/abc/history").status_code == 404


# --- read only --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_history_cannot_be_written_through_the_api(api: Any, method: str) -> None:
    customer = new_customer()
    before = items(api.get(f"customers/{customer.pk}/history"))
    call = getattr(api, method)
    response = (
        call(f"customers/{customer.pk}/history")
        if method == "delete"
        else call(f"customers/{customer.pk}/history", {"field": "name", "new": "Forged"})
    )
    assert response.status_code == 405
    assert items(api.get(f"customers/{customer.pk}/history")) == before


def test_no_history_model_is_in_any_admin() -> None:
    """Carnet has no admin site; should one come, the history must not be editable in it."""
    from django.conf import settings

    if "django.contrib.admin" in settings.INSTALLED_APPS:
        from django.contrib import admin

        from carnet.audit.parts import PARTS

        assert not {part.history_model for part in PARTS} & set(admin.site._registry)
    else:
        assert not any(app.startswith("django.contrib.admin") for app in settings.INSTALLED_APPS)
