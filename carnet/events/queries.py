"""Reading events: a customer's list with its filters, and each user's open tasks."""

from datetime import date

from django.db.models import F, QuerySet
from django.utils import timezone

from carnet.accounts.models import User

from .choices import EventStatus, EventType
from .models import Event


def customer_events(
    customer_id: int,
    *,
    status: str | None = None,
    type: str | None = None,
    due_before: date | None = None,
) -> QuerySet[Event]:
    """A customer's events; `due_before` keeps those due strictly before that day (so tasks only)."""
    events = Event.objects.filter(customer_id=customer_id).select_related(
        "customer", "contact", "assigned_to", "created_by"
    )
    if status:
        events = events.filter(status=status)
    if type:
        events = events.filter(type=type)
    if due_before is not None:
        events = events.filter(due_on__lt=due_before)
    return events


def open_tasks(user: User) -> QuerySet[Event]:
    """The user's planned tasks, by due date: those overdue come first because their dates are the
    earliest; tasks without a due date come last."""
    return (
        Event.objects.filter(assigned_to=user, status=EventStatus.PLANNED, type=EventType.TASK)
        .select_related("customer", "contact")
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )


def overdue_task_count(user: User, today: date | None = None) -> int:
    day = today or timezone.localdate()
    return Event.objects.filter(
        assigned_to=user, status=EventStatus.PLANNED, type=EventType.TASK, due_on__lt=day
    ).count()
