"""The customer's timeline: events, documents, notes and status changes in one list, newest first."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import BadRequest

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Role
from carnet.customers import services as customers
from carnet.customers.models import Customer, Note
from carnet.documents import services as documents
from carnet.events import services
from carnet.events.timeline import timeline

from .conftest import at, make_customer


def set_status_at(customer: Customer, status: str, reason: str, when: str) -> None:
    customers.set_status(actor=None, customer_id=customer.pk, status=status, reason=reason)
    latest = Customer.history.filter(id=customer.pk).latest("history_date", "history_id")  # type: ignore[attr-defined]
    Customer.history.filter(history_id=latest.history_id).update(history_date=at(when))  # type: ignore[attr-defined]


def note_at(customer: Customer, text: str, when: str) -> Note:
    note = customers.add_note(actor=None, customer_id=customer.pk, data={"text": text})
    Note.objects.filter(pk=note.pk).update(created_at=at(when))
    return note


@pytest.fixture
def story(db: Any, controller: User) -> Customer:
    """A customer created on Nov 1st as a prospect, approved on the 3rd, with documents, notes and events."""
    customer = make_customer("C3003", "Quincaillerie Sherbrooke", status="prospect")
    Customer.history.filter(id=customer.pk).update(history_date=at("2026-11-01 09:00"))  # type: ignore[attr-defined]
    set_status_at(customer, "approved", "", "2026-11-03 11:00")
    customers.update_customer(actor=None, customer_id=customer.pk, changes={"phone": "+1 819 555 0100"})
    documents.enter_quote(actor=None, customer=customer, company="MAIN", amount="500.00", date="2026-11-02")
    documents.enter_order(actor=None, customer=customer, company="MAIN", amount="1500.00", date="2026-11-04")
    documents.enter_invoice(actor=None, customer=customer, company="MAIN", amount="800.00", date="2026-11-06")
    note_at(customer, "Paie toujours le 15.", "2026-11-05 14:30")
    services.create_event(
        actor=controller,
        customer_id=customer.pk,
        data={"type": "call", "subject": "Appel de bienvenue", "starts_at": at("2026-11-03 15:00")},
    )
    services.create_event(
        actor=controller,
        customer_id=customer.pk,
        data={"type": "task", "subject": "Relancer pour le chèque", "due_on": date(2026, 11, 30)},
    )
    return customer


def labels(entries: list[Any]) -> list[str]:
    out = []
    for e in entries:
        if e.kind == "event":
            out.append(f"event:{e.obj.subject}")
        elif e.kind == "document":
            out.append(f"{e.document_kind}:{e.obj.amount}")
        elif e.kind == "note":
            out.append(f"note:{e.obj.text}")
        else:
            out.append(f"status:{e.obj.previous}->{e.obj.status}")
    return out


EXPECTED = [
    "event:Relancer pour le chèque",  # due Nov 30
    "invoices:800.00",  # Nov 6
    "note:Paie toujours le 15.",  # Nov 5, 14:30
    "orders:1500.00",  # Nov 4
    "event:Appel de bienvenue",  # Nov 3, 15:00
    "status:prospect->approved",  # Nov 3, 11:00
    "quotes:500.00",  # Nov 2
    "status:None->prospect",  # Nov 1, created
]


def test_everything_in_order_newest_first(story: Customer, controller: User) -> None:
    page = timeline(story, actor=controller)
    assert labels(page.entries) == EXPECTED
    assert page.next_cursor is None


def test_a_change_that_keeps_the_status_is_not_a_status_change(story: Customer, controller: User) -> None:
    statuses = labels(timeline(story, actor=controller, kind="status").entries)
    assert statuses == ["status:prospect->approved", "status:None->prospect"]


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_pages_follow_each_other_without_gap_or_repeat(story: Customer, controller: User, limit: int) -> None:
    seen: list[str] = []
    cursor = None
    for _page in range(20):
        page = timeline(story, actor=controller, cursor=cursor, limit=limit)
        seen += labels(page.entries)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == EXPECTED


def test_a_cursor_inside_a_day_keeps_that_day_documents(story: Customer, controller: User) -> None:
    """A document sits at midnight; a page ending on the afternoon note must still give the day's order."""
    documents.enter_quote(actor=None, customer=story, company="MAIN", amount="55.00", date="2026-11-05")
    first = timeline(story, actor=controller, limit=3)
    assert labels(first.entries)[-1] == "note:Paie toujours le 15."
    rest = timeline(story, actor=controller, cursor=first.next_cursor)
    assert labels(rest.entries) == ["quotes:55.00", *EXPECTED[3:]]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("events", ["event:Relancer pour le chèque", "event:Appel de bienvenue"]),
        ("documents", ["invoices:800.00", "orders:1500.00", "quotes:500.00"]),
        ("notes", ["note:Paie toujours le 15."]),
    ],
)
def test_filtered_by_kind(story: Customer, controller: User, kind: str, expected: list[str]) -> None:
    assert labels(timeline(story, actor=controller, kind=kind).entries) == expected


def test_documents_of_other_companies_are_left_out(
    story: Customer, make_user: Callable[..., User], controller: User
) -> None:
    west = Company.objects.create(code="WEST", name="Ouest", currency="CAD")
    documents.enter_order(actor=None, customer=story, company="WEST", amount="999.00", date="2026-11-07")
    west_user = make_user("west", Role.OPERATOR, companies=[west])
    mine = labels(timeline(story, actor=controller, kind="documents").entries)
    theirs = labels(timeline(story, actor=west_user, kind="documents").entries)
    assert "orders:999.00" not in mine and len(mine) == 3
    assert theirs == ["orders:999.00"]
    # The events, notes and status changes belong to the customer: every company sees them.
    assert len(timeline(story, actor=west_user, kind="events").entries) == 2


def test_a_forged_cursor_is_refused(story: Customer, controller: User) -> None:
    with pytest.raises(BadRequest):
        timeline(story, actor=controller, cursor="not-a-cursor")


def test_an_empty_timeline_has_only_the_first_status(controller: User, db: Any) -> None:
    fresh = make_customer("C4004", "Nouveau client")
    assert labels(timeline(fresh, actor=controller).entries) == ["status:None->approved"]
