"""The rules of events, through the services: what is refused (naming the field) and what follows."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from carnet.accounts.models import User
from carnet.customers.models import Contact, Customer
from carnet.errors import StaleVersion
from carnet.events import services
from carnet.events.models import Event
from carnet.events.services import day_start

from .conftest import add_contact, at


def create(actor: User | None, customer: Customer, **data: Any) -> Event:
    return services.create_event(actor=actor, customer_id=customer.pk, data=data)


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_an_event_that_ends_before_it_starts_is_refused_on_ends_at(
    customer: Customer, operator: User
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        create(
            operator,
            customer,
            type="meeting",
            subject="Visite",
            starts_at=at("2026-11-20 10:00"),
            ends_at=at("2026-11-20 09:00"),
        )
    assert list(errors_of(excinfo)) == ["ends_at"]
    assert "before the start" in errors_of(excinfo)["ends_at"][0]
    assert Event.objects.count() == 0


def test_an_end_may_equal_the_start(customer: Customer, operator: User) -> None:
    event = create(
        operator,
        customer,
        type="call",
        subject="Appel",
        starts_at=at("2026-11-20 10:00"),
        ends_at=at("2026-11-20 10:00"),
    )
    assert event.ends_at == event.starts_at


def test_the_contact_of_another_customer_is_refused(
    customer: Customer, other_customer: Customer, operator: User
) -> None:
    stranger = add_contact(other_customer, "Jean Untel")
    with pytest.raises(ValidationError) as excinfo:
        create(operator, customer, type="task", subject="Relancer", contact=stranger.pk)
    assert list(errors_of(excinfo)) == ["contact"]
    assert Event.objects.count() == 0


def test_an_unknown_contact_or_user_is_named(customer: Customer, operator: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        create(operator, customer, type="task", subject="Relancer", contact=999999, assigned_to="nobody")
    assert set(errors_of(excinfo)) == {"contact", "assigned_to"}


def test_only_tasks_have_a_due_date(customer: Customer, operator: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        create(
            operator,
            customer,
            type="meeting",
            subject="Visite",
            starts_at=at("2026-11-20 10:00"),
            due_on=date(2026, 11, 30),
        )
    assert list(errors_of(excinfo)) == ["due_on"]
    task = create(operator, customer, type="task", subject="Relancer", due_on=date(2026, 11, 30))
    assert task.due_on == date(2026, 11, 30)


def test_calls_and_meetings_need_a_start(customer: Customer, operator: User) -> None:
    for kind in ("call", "meeting"):
        with pytest.raises(ValidationError) as excinfo:
            create(operator, customer, type=kind, subject="Sans date")
        assert list(errors_of(excinfo)) == ["starts_at"]


def test_unknown_type_and_blank_subject_are_named(customer: Customer, operator: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        create(operator, customer, type="lunch", subject="")
    assert {"type", "subject"} <= set(errors_of(excinfo))


def test_the_creator_is_responsible_by_default_and_is_recorded(
    customer: Customer, contact: Contact, operator: User, controller: User
) -> None:
    mine = create(operator, customer, type="task", subject="Relancer", contact=contact.pk)
    assert mine.assigned_to == operator and mine.created_by == operator and mine.contact == contact
    theirs = create(operator, customer, type="task", subject="Appeler", assigned_to="controller")
    assert theirs.assigned_to == controller and theirs.created_by == operator


def test_a_note_is_done_unless_told_otherwise_and_others_are_planned(
    customer: Customer, operator: User
) -> None:
    note = create(operator, customer, type="note", subject="Client satisfait")
    task = create(operator, customer, type="task", subject="Relancer")
    assert (note.status, task.status) == ("done", "planned")
    assert note.done_at is not None and task.done_at is None


def test_marking_done_records_when_and_planning_again_clears_it(customer: Customer, operator: User) -> None:
    task = create(operator, customer, type="task", subject="Relancer")
    done = services.set_status(actor=operator, event_id=task.pk, status="done", expected_version=1)
    assert done.status == "done" and done.done_at is not None and done.version == 2
    again = services.set_status(actor=operator, event_id=task.pk, status="planned")
    assert again.done_at is None


def test_a_stale_version_changes_nothing(customer: Customer, operator: User) -> None:
    task = create(operator, customer, type="task", subject="Relancer")
    services.update_event(actor=operator, event_id=task.pk, changes={"subject": "Relancer vite"})
    with pytest.raises(StaleVersion):
        services.update_event(
            actor=operator, event_id=task.pk, changes={"subject": "Autre"}, expected_version=1
        )
    assert Event.objects.get(pk=task.pk).subject == "Relancer vite"


def test_the_timeline_moment_is_the_start_else_the_due_date_else_the_creation(
    customer: Customer, operator: User
) -> None:
    call = create(operator, customer, type="call", subject="Appel", starts_at=at("2026-11-20 10:00"))
    task = create(operator, customer, type="task", subject="Relancer", due_on=date(2026, 11, 30))
    note = create(operator, customer, type="note", subject="Note")
    assert call.occurs_at == at("2026-11-20 10:00")
    assert task.occurs_at == day_start(date(2026, 11, 30)) == at("2026-11-30 00:00")
    assert note.occurs_at == note.created_at


def test_a_time_without_zone_is_read_in_carnet_time_zone(customer: Customer, operator: User) -> None:
    naive = at("2026-11-20 10:00").replace(tzinfo=None)
    call = create(operator, customer, type="call", subject="Appel", starts_at=naive)
    assert call.starts_at == at("2026-11-20 10:00")


def test_changes_are_in_the_history_with_who(customer: Customer, operator: User) -> None:
    task = create(operator, customer, type="task", subject="Relancer")
    services.set_status(actor=operator, event_id=task.pk, status="done")
    services.delete_event(actor=operator, event_id=task.pk)
    rows = list(Event.history.filter(id=task.pk).order_by("history_date", "history_id"))  # type: ignore[attr-defined]
    assert [r.history_type for r in rows] == ["+", "~", "-"]
    assert [r.status for r in rows] == ["planned", "done", "done"]
    assert {r.history_user_id for r in rows} == {operator.pk}


def test_events_do_not_change_the_customer_version(customer: Customer, operator: User) -> None:
    create(operator, customer, type="note", subject="Appel reçu")
    assert Customer.objects.get(pk=customer.pk).version == customer.version


def test_a_viewer_may_not_add_events(customer: Customer, viewer: User) -> None:
    with pytest.raises(PermissionDenied):
        create(viewer, customer, type="task", subject="Relancer")


def test_the_database_refuses_an_end_before_the_start_too(customer: Customer) -> None:
    start = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(
            customer=customer,
            type="call",
            subject="x",
            starts_at=start,
            ends_at=start - timedelta(hours=1),
            occurs_at=start,
        )
