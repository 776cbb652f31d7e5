"""The JSON shapes of the events API. Write bodies forbid unknown fields; ids travel as strings."""

from datetime import date, datetime

from ninja import Schema
from pydantic import ConfigDict, Field

from carnet.customers.schemas import Id

from .choices import EventStatus, EventType
from .models import Event

TIMES_HELP = "ISO 8601; a time without a zone is read in Carnet's time zone."


class EventWrite(Schema):
    model_config = ConfigDict(extra="forbid")

    type: EventType
    subject: str
    description: str | None = None
    starts_at: datetime | None = Field(None, description="Required for calls and meetings. " + TIMES_HELP)
    ends_at: datetime | None = Field(None, description="Optional; never before starts_at. " + TIMES_HELP)
    due_on: date | None = Field(None, description="Tasks only.")
    status: EventStatus | None = Field(None, description="planned by default; done for a note.")
    contact: Id | None = Field(None, description="One of the customer's contacts.")
    assigned_to: str | None = Field(None, description="A username; the creator when omitted.")


class EventUpdate(EventWrite):
    version: int | None = Field(
        None, description="The version read; a stale one is a 409 (same as If-Match)."
    )


class EventOut(Schema):
    id: Id
    customer: Id
    type: EventType
    subject: str
    description: str
    starts_at: datetime | None
    ends_at: datetime | None
    due_on: date | None
    status: EventStatus
    overdue: bool = Field(description="A planned task whose due date has passed.")
    contact: Id | None
    assigned_to: str | None = Field(description="The username of the user responsible.")
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None
    version: int

    @staticmethod
    def resolve_id(obj: Event) -> str:
        return str(obj.pk)

    @staticmethod
    def resolve_customer(obj: Event) -> str:
        return str(obj.customer_id)

    @staticmethod
    def resolve_contact(obj: Event) -> str | None:
        return None if obj.contact_id is None else str(obj.contact_id)

    @staticmethod
    def resolve_assigned_to(obj: Event) -> str | None:
        return obj.assigned_to.username if obj.assigned_to is not None else None

    @staticmethod
    def resolve_created_by(obj: Event) -> str | None:
        return obj.created_by.username if obj.created_by is not None else None

    @staticmethod
    def resolve_overdue(obj: Event) -> bool:
        return obj.is_overdue()


class EventPage(Schema):
    items: list[EventOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class EventListQuery(Schema):
    status: EventStatus | None = None
    type: EventType | None = None
    due_before: date | None = Field(None, description="Events due strictly before this day (tasks).")
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = None
