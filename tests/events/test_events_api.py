"""The events API: create, read, change, delete, the list's filters and pages, permissions and errors."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Role
from carnet.customers.models import Contact, Customer
from carnet.events import services
from carnet.events.models import Event

from .conftest import add_contact


def body(**changes: Any) -> dict[str, Any]:
    data = {
        "type": "task",
        "subject": "Relancer pour le chèque",
        "description": "",
        "starts_at": None,
        "ends_at": None,
        "due_on": "2026-11-30",
        "status": "planned",
    }
    return {**data, **changes}


def test_create_as_the_contract_shows(api: Any, customer: Customer, contact: Contact, operator: User) -> None:
    answer = api.post(
        f"customers/{customer.pk}/events", body(contact=str(contact.pk), assigned_to="operator")
    )
    assert answer.status_code == 201, answer.content
    event = answer.json()
    assert event["type"] == "task" and event["due_on"] == "2026-11-30" and event["status"] == "planned"
    assert event["contact"] == str(contact.pk) and event["assigned_to"] == "operator"
    assert event["created_by"] == "controller" and event["customer"] == str(customer.pk)
    assert answer["ETag"] == '"1"' and answer["Location"] == f"/api/v1/events/{event['id']}"


def test_the_responsible_defaults_to_the_creator(api: Any, customer: Customer) -> None:
    event = api.post(f"customers/{customer.pk}/events", {"type": "note", "subject": "Client content"}).json()
    assert event["assigned_to"] == "controller" and event["status"] == "done"


def test_an_event_ending_before_it_starts_is_a_422_naming_ends_at(api: Any, customer: Customer) -> None:
    answer = api.post(
        f"customers/{customer.pk}/events",
        body(
            type="meeting",
            due_on=None,
            starts_at="2026-11-20T10:00:00-05:00",
            ends_at="2026-11-20T09:00:00-05:00",
        ),
    )
    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == ["ends_at"]
    assert Event.objects.count() == 0


def test_a_contact_of_another_customer_is_a_422(
    api: Any, customer: Customer, other_customer: Customer
) -> None:
    stranger = add_contact(other_customer, "Jean Untel")
    answer = api.post(f"customers/{customer.pk}/events", body(contact=str(stranger.pk)))
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["contact"]


def test_bad_shapes_are_400s_naming_the_field(api: Any, customer: Customer) -> None:
    unknown = api.post(f"customers/{customer.pk}/events", body(colour="red"))
    wrong_type = api.post(f"customers/{customer.pk}/events", body(type="lunch"))
    bad_date = api.post(f"customers/{customer.pk}/events", body(due_on="30/11/2026"))
    assert [a.status_code for a in (unknown, wrong_type, bad_date)] == [400, 400, 400]
    assert unknown.json()["errors"][0]["field"] == "colour"
    assert wrong_type.json()["errors"][0]["field"] == "type"
    assert bad_date.json()["errors"][0]["field"] == "due_on"
    assert Event.objects.count() == 0


def test_read_change_with_if_match_and_delete(api: Any, customer: Customer) -> None:
    created = api.post(f"customers/{customer.pk}/events", body()).json()
    path = f"events/{created['id']}"
    read = api.get(path)
    assert read.status_code == 200 and read["ETag"] == '"1"'
    done = api.patch(path, {"status": "done"}, headers={"If-Match": '"1"'})
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["done_at"]
    assert done["ETag"] == '"2"'
    stale = api.patch(path, {"subject": "Autre"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert api.get(path).json()["subject"] == "Relancer pour le chèque"
    bad = api.patch(path, {"ends_at": "2026-11-20T09:00:00-05:00"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "ends_at"
    assert api.delete(path).status_code == 204
    assert api.get(path).status_code == 404


def test_unknown_ids_are_404s(api: Any, customer: Customer) -> None:
    assert api.get("events/999999").status_code == 404
    assert api.get("events/abc").status_code == 404
    assert api.get("customers/999999/events").status_code == 404
    assert api.post("customers/999999/events", body()).status_code == 404
    assert api.patch("events/999999", {"status": "done"}).status_code == 404


def test_viewers_read_but_may_not_write(
    api_as: Callable[[User], Any], viewer: User, customer: Customer
) -> None:
    event = services.create_event(actor=None, customer_id=customer.pk, data={"type": "task", "subject": "x"})
    client = api_as(viewer)
    assert client.get(f"customers/{customer.pk}/events").status_code == 200
    assert client.get(f"events/{event.pk}").status_code == 200
    assert client.post(f"customers/{customer.pk}/events", body()).status_code == 403
    assert client.patch(f"events/{event.pk}", {"status": "done"}).status_code == 403
    assert client.delete(f"events/{event.pk}").status_code == 403
    assert Event.objects.get(pk=event.pk).status == "planned"


def test_customers_and_their_events_are_shared_by_every_company(
    api_as: Callable[[User], Any], make_user: Callable[..., User], customer: Customer
) -> None:
    """Documents are per company, the customer book is not: a user of another company sees the events."""
    other = Company.objects.create(code="WEST", name="Ouest", currency="CAD")
    someone = make_user("west", Role.OPERATOR, companies=[other])
    event = services.create_event(actor=None, customer_id=customer.pk, data={"type": "task", "subject": "x"})
    assert api_as(someone).get(f"events/{event.pk}").status_code == 200


def _make(customer: Customer, **data: Any) -> Event:
    return services.create_event(actor=None, customer_id=customer.pk, data=data)


def test_list_newest_first_with_filters(api: Any, customer: Customer, other_customer: Customer) -> None:
    today = timezone.localdate()
    late = _make(customer, type="task", subject="En retard", due_on=today - timedelta(days=3))
    soon = _make(customer, type="task", subject="Bientôt", due_on=today + timedelta(days=3))
    done = _make(customer, type="task", subject="Fait", due_on=today - timedelta(days=10), status="done")
    call = _make(customer, type="call", subject="Appel", starts_at=timezone.now() + timedelta(days=1))
    _make(other_customer, type="task", subject="Ailleurs", due_on=today)

    def ids(**params: Any) -> list[str]:
        answer = api.get(f"customers/{customer.pk}/events", params=params)
        assert answer.status_code == 200, answer.content
        return [e["subject"] for e in answer.json()["items"]]

    assert ids() == ["Bientôt", "Appel", "En retard", "Fait"]
    assert ids(type="task", status="planned") == ["Bientôt", "En retard"]
    assert ids(due_before=today.isoformat()) == ["En retard", "Fait"]
    assert ids(due_before=today.isoformat(), status="planned") == ["En retard"]
    assert ids(type="call") == ["Appel"]
    overdue = api.get(f"customers/{customer.pk}/events", params={"status": "planned"}).json()["items"]
    assert {e["subject"]: e["overdue"] for e in overdue} == {
        "Bientôt": False,
        "Appel": False,
        "En retard": True,
    }
    assert {late.pk, soon.pk, done.pk, call.pk}
    assert api.get(f"customers/{customer.pk}/events", params={"status": "open"}).status_code == 400
    assert api.get(f"customers/{customer.pk}/events", params={"due_before": "soon"}).status_code == 400


def test_the_list_pages_with_a_cursor(api: Any, customer: Customer) -> None:
    for day in range(5):
        _make(customer, type="task", subject=f"T{day}", due_on=date(2026, 11, 1 + day))
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get(f"customers/{customer.pk}/events", params=params).json()
        seen += [e["subject"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["T4", "T3", "T2", "T1", "T0"]


def test_the_openapi_document_describes_the_event_paths(api: Any) -> None:
    paths = api.get("openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/customers/{customer_id}/events"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/events/{event_id}"])
