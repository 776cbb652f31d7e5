"""The customer's timeline: events, documents, notes and status changes in one list, newest first.

Each kind of entry comes from its own table. A page takes, from every source, the entries just older than
the cursor (one query each, limited to a page), merges them and keeps the newest. Entries are ordered by
(moment, source, id), which is unique, so the cursor (the last entry's key) is stable under inserts.
Things that have only a date (documents) sit at midnight of that day. Documents are those of the
actor's companies only; events, notes and status changes belong to the customer, shared by every company.
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import BadRequest
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carnet.accounts.models import User
from carnet.customers.models import Customer, Note
from carnet.documents.models import CreditNote, Invoice, Order, Payment, Quote, Shipment
from carnet.documents.queries import visible_documents

from .models import Event
from .services import day_start

PAGE_SIZE = 20

KINDS = [
    ("all", _("Everything")),
    ("events", _("Events")),
    ("documents", _("Documents")),
    ("notes", _("Notes")),
    ("status", _("Status changes")),
]
KIND_KEYS = frozenset(k for k, _label in KINDS)


@dataclass(frozen=True)
class StatusChange:
    """One row of the customer's history where the status differs from the row before (or the first)."""

    status: str
    label: str
    reason: str
    previous: str | None
    previous_label: str | None
    user: str | None


@dataclass(frozen=True)
class Entry:
    kind: str  # event, document, note, status
    source: int  # rank of the source: breaks ties between entries at the same moment
    when: datetime
    pk: int
    obj: Any
    all_day: bool = False
    document_kind: str = ""  # the documents' URL kind: quotes, orders…

    @property
    def key(self) -> tuple[datetime, int, int]:
        return (self.when, self.source, self.pk)


@dataclass(frozen=True)
class TimelinePage:
    entries: list[Entry]
    next_cursor: str | None


# --- the cursor ------------------------------------------------------------------------------------

_BAD_CURSOR = "This cursor is not one Carnet gave for this timeline; start again without it."


def encode_cursor(entry: Entry) -> str:
    raw = json.dumps([entry.when.isoformat(), entry.source, entry.pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int, int]:
    try:
        when, source, pk = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        moment = datetime.fromisoformat(when)
        if not isinstance(source, int) or not isinstance(pk, int) or timezone.is_naive(moment):
            raise ValueError
    except (ValueError, TypeError, binascii.Error) as exc:
        raise BadRequest(_BAD_CURSOR) from exc
    return moment, source, pk


def _older_q(field: str, source: int, cursor: tuple[datetime, int, int]) -> Q:
    """Rows of a datetime column whose key (field, source, id) sorts before the cursor's."""
    when, cursor_source, pk = cursor
    if source < cursor_source:
        return Q(**{f"{field}__lte": when})
    if source == cursor_source:
        return Q(**{f"{field}__lt": when}) | Q(**{field: when, "pk__lt": pk})
    return Q(**{f"{field}__lt": when})


def _older_date_q(field: str, source: int, cursor: tuple[datetime, int, int]) -> Q:
    """The same for a date column, whose rows sit at midnight of their day."""
    when, cursor_source, pk = cursor
    day = timezone.localdate(when)
    if day_start(day) != when:
        return Q(**{f"{field}__lte": day})  # the cursor is later in that day: the whole day is older
    if source < cursor_source:
        return Q(**{f"{field}__lte": day})
    if source == cursor_source:
        return Q(**{f"{field}__lt": day}) | Q(**{field: day, "pk__lt": pk})
    return Q(**{f"{field}__lt": day})


# --- the sources -----------------------------------------------------------------------------------

DOCUMENT_SOURCES: list[tuple[str, type[Model]]] = [
    ("quotes", Quote),
    ("orders", Order),
    ("shipments", Shipment),
    ("invoices", Invoice),
    ("credit-notes", CreditNote),
    ("payments", Payment),
]
EVENT_SOURCE = 0
NOTE_SOURCE = len(DOCUMENT_SOURCES) + 1
STATUS_SOURCE = NOTE_SOURCE + 1

Cursor = tuple[datetime, int, int] | None
Source = Callable[[Customer, User, Cursor, int], list[Entry]]


def _events(customer: Customer, actor: User, cursor: Cursor, limit: int) -> list[Entry]:
    rows: QuerySet[Event] = Event.objects.filter(customer=customer).select_related(
        "contact", "assigned_to", "created_by"
    )
    if cursor is not None:
        rows = rows.filter(_older_q("occurs_at", EVENT_SOURCE, cursor))
    return [
        Entry(
            "event", EVENT_SOURCE, e.occurs_at, e.pk, e, all_day=e.starts_at is None and e.due_on is not None
        )
        for e in rows.order_by("-occurs_at", "-id")[:limit]
    ]


def _documents(customer: Customer, actor: User, cursor: Cursor, limit: int) -> list[Entry]:
    entries: list[Entry] = []
    for index, (kind, model) in enumerate(DOCUMENT_SOURCES, start=1):
        rows = visible_documents(model, actor=actor, customer=customer)
        if cursor is not None:
            rows = rows.filter(_older_date_q("date", index, cursor))
        entries.extend(
            Entry("document", index, day_start(d.date), d.pk, d, all_day=True, document_kind=kind)  # type: ignore[attr-defined]
            for d in rows.order_by("-date", "-id")[:limit]
        )
    return entries


def _notes(customer: Customer, actor: User, cursor: Cursor, limit: int) -> list[Entry]:
    rows = Note.objects.filter(customer=customer).select_related("category", "author")
    if cursor is not None:
        rows = rows.filter(_older_q("created_at", NOTE_SOURCE, cursor))
    return [
        Entry("note", NOTE_SOURCE, n.created_at, n.pk, n) for n in rows.order_by("-created_at", "-id")[:limit]
    ]


def status_changes(customer: Customer) -> list[Entry]:
    """The customer's status changes from its history, oldest first; the first row is its first status.

    A customer has few history rows, and telling a change needs the row before, so they are compared here
    rather than by a window function that a filter on the dates would cut short."""
    labels = dict(Customer._meta.get_field("status").choices or [])
    rows = (
        Customer.history.filter(id=customer.pk)  # type: ignore[attr-defined]
        .order_by("history_date", "history_id")
        .values_list("history_id", "history_date", "status", "status_reason", "history_user__username")
    )
    entries = []
    previous: str | None = None
    for history_id, when, status, reason, username in rows:
        if status != previous:
            change = StatusChange(
                status=status,
                label=str(labels.get(status, status)),
                reason=reason,
                previous=previous,
                previous_label=None if previous is None else str(labels.get(previous, previous)),
                user=username,
            )
            entries.append(Entry("status", STATUS_SOURCE, when, history_id, change))
        previous = status
    return entries


def _status(customer: Customer, actor: User, cursor: Cursor, limit: int) -> list[Entry]:
    entries = status_changes(customer)
    if cursor is not None:
        entries = [e for e in entries if e.key < cursor]
    return sorted(entries, key=lambda e: e.key, reverse=True)[:limit]


SOURCES: dict[str, list[Source]] = {
    "events": [_events],
    "documents": [_documents],
    "notes": [_notes],
    "status": [_status],
}
SOURCES["all"] = [s for key in ("events", "documents", "notes", "status") for s in SOURCES[key]]


def timeline(
    customer: Customer, *, actor: User, kind: str = "all", cursor: str | None = None, limit: int = PAGE_SIZE
) -> TimelinePage:
    """One page of the customer's timeline, newest first, of one kind ('all' for every kind)."""
    after = decode_cursor(cursor) if cursor else None
    candidates: list[Entry] = []
    for source in SOURCES.get(kind, SOURCES["all"]):
        candidates.extend(source(customer, actor, after, limit + 1))
    candidates.sort(key=lambda e: e.key, reverse=True)
    entries = candidates[:limit]
    more = len(candidates) > limit
    return TimelinePage(entries=entries, next_cursor=encode_cursor(entries[-1]) if more else None)
