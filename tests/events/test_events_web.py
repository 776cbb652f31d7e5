"""The Timeline tab, the event form in it, marking done, and My tasks, through the Django test client."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from carnet.accounts.models import User
from carnet.customers.models import Contact, Customer
from carnet.events import services
from carnet.events.models import Event

from .conftest import make_customer

FRENCH = {"accept-language": "fr-CA,fr;q=0.9"}
HTMX = {"HX-Request": "true"}


@pytest.fixture
def client_as(db: Any) -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def operator_client(client_as: Callable[[User], Client], operator: User) -> Client:
    return client_as(operator)


def task(customer: Customer, subject: str, days: int | None, user: User, **data: Any) -> Event:
    due = None if days is None else timezone.localdate() + timedelta(days=days)
    return services.create_event(
        actor=user, customer_id=customer.pk, data={"type": "task", "subject": subject, "due_on": due, **data}
    )


def test_the_timeline_tab_shows_events_and_the_add_button(
    operator_client: Client, customer: Customer, operator: User
) -> None:
    task(customer, "Relancer pour le chèque", 2, operator)
    page = operator_client.get(f"/customers/{customer.pk}/?tab=timeline").content.decode()
    assert 'aria-selected="true" class="tab active">\n      Timeline' in page
    assert "Relancer pour le chèque" in page and "Add event" in page and "Mark done" in page
    assert "Created as Approved" in page


def test_a_viewer_sees_the_timeline_without_actions(
    client_as: Callable[[User], Client], viewer: User, customer: Customer, operator: User
) -> None:
    task(customer, "Relancer", 2, operator)
    client = client_as(viewer)
    page = client.get(f"/customers/{customer.pk}/?tab=timeline").content.decode()
    assert "Relancer" in page and "Add event" not in page and "Mark done" not in page
    assert (
        client.post(f"/events/customers/{customer.pk}/new/", {"type": "note", "subject": "x"}).status_code
        == 403
    )


def test_add_an_event_with_typed_inputs(
    operator_client: Client, customer: Customer, contact: Contact
) -> None:
    form = operator_client.get(f"/events/customers/{customer.pk}/new/", headers=HTMX).content.decode()
    assert 'type="datetime-local"' in form and 'type="date"' in form and "Marie Tremblay" in form
    answer = operator_client.post(
        f"/events/customers/{customer.pk}/new/",
        {
            "type": "meeting",
            "subject": "Visite de l'entrepôt",
            "status": "planned",
            "starts_at": "2026-11-20T10:00",
            "ends_at": "2026-11-20T11:30",
            "contact": str(contact.pk),
            "assigned_to": "operator",
            "description": "Avec le directeur",
        },
        headers=HTMX,
    )
    assert answer.status_code == 200
    event = Event.objects.get()
    assert event.subject == "Visite de l'entrepôt" and event.contact == contact
    assert timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M") == "2026-11-20 10:00"
    assert (
        "Event added." in answer.content.decode() and "Visite de l&#x27;entrepôt" in answer.content.decode()
    )


def test_an_end_before_the_start_is_shown_beside_the_end(operator_client: Client, customer: Customer) -> None:
    answer = operator_client.post(
        f"/events/customers/{customer.pk}/new/",
        {
            "type": "call",
            "subject": "Appel",
            "status": "planned",
            "starts_at": "2026-11-20T10:00",
            "ends_at": "2026-11-20T09:00",
        },
        headers=HTMX,
    )
    page = answer.content.decode()
    assert 'id="id_ends_at-error"' in page and "before the start" in page
    assert Event.objects.count() == 0


def test_edit_an_event(operator_client: Client, customer: Customer, operator: User) -> None:
    event = task(customer, "Relancer", 2, operator)
    form = operator_client.get(f"/events/{event.pk}/edit/").content.decode()
    assert 'value="Relancer"' in form
    operator_client.post(
        f"/events/{event.pk}/edit/",
        {
            "type": "task",
            "subject": "Relancer encore",
            "status": "planned",
            "due_on": "2026-12-01",
            "version": "1",
        },
    )
    event.refresh_from_db()
    assert event.subject == "Relancer encore" and str(event.due_on) == "2026-12-01"


def test_mark_done_from_the_timeline(operator_client: Client, customer: Customer, operator: User) -> None:
    event = task(customer, "Relancer", -1, operator)
    answer = operator_client.post(f"/events/{event.pk}/done/", headers=HTMX)
    assert answer.status_code == 200 and "Marked done: Relancer" in answer.content.decode()
    assert Event.objects.get(pk=event.pk).status == "done"


def test_filter_and_load_more_through_htmx(
    operator_client: Client, customer: Customer, operator: User
) -> None:
    for n in range(25):
        task(customer, f"Tâche {n:02d}", n, operator)
    first = operator_client.get(f"/events/customers/{customer.pk}/timeline/?kind=events").content.decode()
    assert first.count('class="timeline-entry') == 20 and "Load more" in first
    assert "Tâche 24" in first and "Tâche 04" not in first
    cursor = first.split("cursor=")[1].split('"')[0].replace("&amp;", "&")
    more = operator_client.get(
        f"/events/customers/{customer.pk}/timeline/?kind=events&cursor={cursor}"
    ).content.decode()
    assert more.count('class="timeline-entry') == 5 and "Tâche 00" in more and "Load more" not in more
    notes = operator_client.get(f"/events/customers/{customer.pk}/timeline/?kind=notes").content.decode()
    assert "No note yet." in notes


def test_my_tasks_lists_overdue_first_then_by_due_date(
    operator_client: Client, customer: Customer, operator: User, controller: User
) -> None:
    other = make_customer("C5005", "Garage Fleurimont")
    task(customer, "Bientôt", 5, operator)
    task(other, "Très en retard", -10, operator)
    task(customer, "Sans date", None, operator)
    task(customer, "Un peu en retard", -1, operator)
    task(customer, "Demain", 1, operator)
    task(customer, "Fait", -3, operator, status="done")
    task(customer, "Pas à moi", -3, controller, assigned_to="controller")
    services.create_event(
        actor=operator,
        customer_id=customer.pk,
        data={"type": "call", "subject": "Un appel", "starts_at": timezone.now()},
    )
    page = operator_client.get("/events/tasks/").content.decode()
    order = ["Très en retard", "Un peu en retard", "Demain", "Bientôt", "Sans date"]
    positions = [page.index(s) for s in order]
    assert positions == sorted(positions)
    assert "Overdue (2)" in page and page.index("Overdue (2)") < page.index("Très en retard") < page.index(
        "Upcoming"
    )
    assert "Fait" not in page and "Pas à moi" not in page and "Un appel" not in page
    # The navigation shows the number of overdue tasks.
    assert '<span class="count count-late" title="2 overdue tasks">2</span>' in page


def test_mark_done_from_my_tasks_returns_there(
    operator_client: Client, customer: Customer, operator: User
) -> None:
    event = task(customer, "Relancer", -2, operator)
    answer = operator_client.post(f"/events/{event.pk}/done/", {"next": "/events/tasks/"})
    assert answer.status_code == 302 and answer["Location"] == "/events/tasks/"
    page = operator_client.get("/events/tasks/").content.decode()
    assert "Marked done: Relancer" in page and "No open task is assigned to you." in page
    assert "count-late" not in page


def test_french(operator_client: Client, customer: Customer, operator: User) -> None:
    task(customer, "Relancer", -2, operator)
    tab = operator_client.get(f"/customers/{customer.pk}/?tab=timeline", headers=FRENCH).content.decode()
    assert "Chronologie" in tab and "Ajouter un événement" in tab and "Marquer comme fait" in tab
    assert "En retard" in tab and "Tâche" in tab and "Créé avec le statut Approuvé" in tab
    tasks = operator_client.get("/events/tasks/", headers=FRENCH).content.decode()
    assert "<h1>Mes tâches</h1>" in tasks and "En retard (1)" in tasks and "Marquer comme fait" in tasks
    form = operator_client.post(
        f"/events/customers/{customer.pk}/new/",
        {
            "type": "call",
            "subject": "Appel",
            "status": "planned",
            "starts_at": "2026-11-20T10:00",
            "ends_at": "2026-11-20T09:00",
        },
        headers={**FRENCH, **HTMX},
    ).content.decode()
    assert "La fin est avant le début" in form
