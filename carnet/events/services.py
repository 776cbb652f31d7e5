"""Business operations on events. The UI and the API call these.

Each function runs in one transaction, checks the actor's permission when an actor is given (None is the
installation itself), validates everything before writing and raises ValidationError by field (the
fields are named as in the API: `ends_at`, `due_on`, `contact`…) or a CarnetError.

Rules, decided here:
- Calls and meetings happen at a moment: they need `starts_at`; `ends_at` is optional and never before it.
- Only tasks have a due date (`due_on`); a task needs no start, and may have none of the dates.
- The contact must be one of the customer's. The user responsible defaults to the one who creates.
- A note is a record of something said or done: it is `done` unless a status is given.
- Events do not change the customer's version: logging a call must not make an open edit of the customer
  stale.
"""

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.accounts.models import User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.customers.models import Contact, Customer
from carnet.errors import NotFound, StaleVersion

from .choices import TIMED_TYPES, EventStatus, EventType
from .models import Event

EVENT_FIELDS = frozenset(
    {"type", "subject", "description", "starts_at", "ends_at", "due_on", "status", "contact", "assigned_to"}
)
_NOT_NULL = ("type", "subject", "status")


def rule_errors(event: Event) -> dict[str, str]:
    """The rules between an event's fields, by field; empty when it may be saved."""
    errors: dict[str, str] = {}
    if event.type in TIMED_TYPES and event.starts_at is None:
        errors["starts_at"] = _("A call or a meeting needs a start.")
    if event.ends_at is not None:
        if event.starts_at is None:
            errors["ends_at"] = _("An end needs a start; give the start too.")
        elif event.ends_at < event.starts_at:
            errors["ends_at"] = _("The end is before the start; an event cannot end before it starts.")
    if event.due_on is not None and event.type != EventType.TASK:
        errors["due_on"] = _("Only tasks have a due date; give a call or a meeting a start instead.")
    if event.contact is not None and event.contact.customer_id != event.customer_id:
        errors["contact"] = _("This contact is not one of this customer's.")
    return errors


def occurs_at(event: Event) -> datetime:
    """Where the event sits in the timeline: its start, else its due date (at midnight), else its creation."""
    if event.starts_at is not None:
        return event.starts_at
    if event.due_on is not None:
        return day_start(event.due_on)
    return event.created_at


def day_start(day: date) -> datetime:
    """Midnight of a day in the current time zone: where things that have only a date sit among others."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _aware(value: Any) -> Any:
    # A time without a zone (a form's datetime-local, a client that leaves it out) is read in Carnet's zone.
    if isinstance(value, datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _resolve(event: Event, data: Mapping[str, Any]) -> dict[str, str]:
    """Set the given fields on the event; ids and usernames become records. Errors by field."""
    errors: dict[str, str] = {}
    for field, value in data.items():
        if field == "contact":
            event.contact = _contact(value, errors)
        elif field == "assigned_to":
            event.assigned_to = _user(value, errors)
        elif field == "description" and value is None:
            event.description = ""
        elif field in _NOT_NULL and value is None:
            errors[field] = _("This field cannot be null.")
        else:
            setattr(event, field, _aware(value))
    return errors


def _contact(value: Any, errors: dict[str, str]) -> Contact | None:
    if value in (None, ""):
        return None
    if isinstance(value, Contact):
        return value
    found = Contact.objects.filter(pk=_int_or_zero(value)).first()
    if found is None:
        errors["contact"] = _("No contact has the id %(id)s.") % {"id": value}
    return found


def _user(value: Any, errors: dict[str, str]) -> User | None:
    if value in (None, ""):
        return None
    if isinstance(value, User):
        user: User | None = value
    else:
        user = User.objects.filter(username=value).first()
    if user is None or not user.is_active:
        errors["assigned_to"] = _("No active user is named %(name)s.") % {"name": value}
    return user


def _int_or_zero(value: Any) -> int:
    # No record has id 0, so a malformed id reads as an unknown one.
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _validate(event: Event, errors: dict[str, str]) -> None:
    try:
        event.full_clean(exclude=["customer", "occurs_at"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, " ".join(messages))
    for field, message in rule_errors(event).items():
        errors.setdefault(field, message)
    if errors:
        raise ValidationError(errors)


def _settle(event: Event) -> None:
    """What follows from the fields: when it was done, where it sits in the timeline."""
    if event.status == EventStatus.DONE:
        event.done_at = event.done_at or timezone.now()
    else:
        event.done_at = None
    event.occurs_at = occurs_at(event)


def _check_unknown(data: Mapping[str, Any]) -> None:
    unknown = sorted(set(data) - EVENT_FIELDS)
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in unknown})


def _actor_or_none(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


@transaction.atomic
def create_event(*, actor: User | None, customer_id: int | str, data: Mapping[str, Any]) -> Event:
    if actor is not None:
        require(actor, Action.CHANGE_CUSTOMER)
    customer = Customer.objects.filter(pk=_int_or_zero(customer_id)).first()
    if customer is None:
        raise NotFound(_("No customer has the id %(id)s.") % {"id": customer_id})
    _check_unknown(data)
    creator = _actor_or_none(actor)
    event = Event(customer=customer, created_by=creator, assigned_to=creator)
    if data.get("type") == EventType.NOTE and data.get("status") is None:
        event.status = EventStatus.DONE
    errors = _resolve(event, {k: v for k, v in data.items() if not (k == "status" and v is None)})
    _validate(event, errors)
    _settle(event)
    event._history_user = actor  # type: ignore[attr-defined]
    event.save()
    return event


def get_event(event_id: int | str) -> Event:
    event = (
        Event.objects.select_related("customer", "contact", "assigned_to", "created_by")
        .filter(pk=_int_or_zero(event_id))
        .first()
    )
    if event is None:
        raise NotFound(_("No event has the id %(id)s.") % {"id": event_id})
    return event


def _event_for_update(event_id: int | str, expected_version: int | None) -> Event:
    get_event(event_id)  # a clear 404 before locking
    event = Event.objects.select_for_update().get(pk=_int_or_zero(event_id))
    if expected_version is not None and event.version != expected_version:
        raise StaleVersion(
            _(
                "Someone else changed this event since you read it (version %(expected)s, now %(current)s). "
                "Reload it and apply your change again."
            )
            % {"expected": expected_version, "current": event.version},
            current_version=event.version,
        )
    return event


@transaction.atomic
def update_event(
    *,
    actor: User | None,
    event_id: int | str,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> Event:
    if actor is not None:
        require(actor, Action.CHANGE_CUSTOMER)
    event = _event_for_update(event_id, expected_version)
    _check_unknown(changes)
    errors = _resolve(event, changes)
    _validate(event, errors)
    _settle(event)
    event.version += 1
    event._history_user = actor  # type: ignore[attr-defined]
    event.save()
    return event


def set_status(
    *, actor: User | None, event_id: int | str, status: str, expected_version: int | None = None
) -> Event:
    """Mark an event done, cancelled, or planned again."""
    return update_event(
        actor=actor, event_id=event_id, changes={"status": status}, expected_version=expected_version
    )


@transaction.atomic
def delete_event(*, actor: User | None, event_id: int | str) -> None:
    if actor is not None:
        require(actor, Action.CHANGE_CUSTOMER)
    event = _event_for_update(event_id, None)
    event._history_user = actor  # type: ignore[attr-defined]
    event.delete()
