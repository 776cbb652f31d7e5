"""The outbox: `emit` writes an event (and its deliveries to the endpoints subscribed now) in the caller's
transaction, so a change and its event commit together or not at all. The worker posts the deliveries
later (integrations/delivery.py).

Services call it in one line after their change, for example:

    emit(EventType.HOLD_ADDED, customer=hold.customer_id, company=hold.company, data={...})

Each event of a customer takes the customer's next sequence number under a row lock held until the
transaction ends: a customer's events are numbered in the order their changes commit, which is the order
they are delivered in.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F

from carnet.accounts.models import Company
from carnet.audit.context import after_activity, current

from .models import Delivery, EventSequence, EventType, OutboxEvent, WebhookEndpoint


@dataclass(frozen=True)
class Event:
    """An event to emit (see emit_many)."""

    type: str
    customer: Any = None  # a Customer or its id
    company: Company | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


def _customer_id(customer: Any) -> int | None:
    if customer is None:
        return None
    return int(customer.pk if hasattr(customer, "pk") else customer)


def next_sequence(customer_id: int) -> int:
    """The customer's next event number; locks its counter until the transaction ends."""
    counters = EventSequence.objects.filter(customer_id=customer_id)
    if not counters.update(last=F("last") + 1):
        # The customer's first event: make its counter (a concurrent first event makes it too; the second
        # insert waits for the first and is skipped), then count as any other time.
        EventSequence.objects.bulk_create([EventSequence(customer_id=customer_id)], ignore_conflicts=True)
        counters.update(last=F("last") + 1)
    return counters.values_list("last", flat=True).get()


def _payload(data: Mapping[str, Any]) -> dict[str, Any]:
    activity = current()
    return {"data": dict(data), "request_id": activity.request_id, "source": str(activity.source)}


def emit_many(events: Iterable[Event]) -> list[OutboxEvent]:
    """Write the events, numbered per customer in the order given, with a delivery to each endpoint
    subscribed to their type (and company); a paused endpoint's wait until it is active again. Inside the
    caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() belongs inside the transaction of the change it tells.")
    rows = []
    for event in events:
        if event.type not in EventType.values:
            raise ValueError(f"Unknown event type {event.type!r}.")
        customer_id = _customer_id(event.customer)
        rows.append(
            OutboxEvent(
                type=event.type,
                company=event.company,
                customer_id=customer_id,
                sequence=None if customer_id is None else next_sequence(customer_id),
                payload=_payload(event.data),
            )
        )
    if not rows:
        return rows
    OutboxEvent.objects.bulk_create(rows)
    endpoints = list(WebhookEndpoint.objects.all())
    deliveries = [
        Delivery(
            event=row,
            endpoint=endpoint,
            customer_id=row.customer_id,
            sequence=row.sequence,
            next_attempt_at=row.created_at,
        )
        for row in rows
        for endpoint in endpoints
        if endpoint.wants(row.type, row.company_id)
    ]
    Delivery.objects.bulk_create(deliveries)
    return rows


def emit(
    type: str, *, customer: Any = None, company: Company | None = None, data: Mapping[str, Any] | None = None
) -> OutboxEvent:
    """Write one event in the caller's transaction (see emit_many)."""
    return emit_many([Event(type=type, customer=customer, company=company, data=data or {})])[0]


# --- what the services emit ------------------------------------------------------------------------------


def customer_data(customer: Any) -> dict[str, Any]:
    """What an event says of a customer: enough to recognise it; the receiver reads the rest by the API."""
    return {
        "customer": {
            "id": str(customer.pk),
            "code": customer.code,
            "name": customer.name,
            "status": customer.status,
            "external_code": customer.external_code,
            "version": customer.version,
        }
    }


def customer_changed(customer: Any, fields: Iterable[str], *, before_status: str | None = None) -> None:
    """customer.changed (the fields given, or the customer's addresses, contacts or notes when none are),
    and customer.status_changed when the status moved from `before_status`."""
    events = [
        Event(
            EventType.CUSTOMER_CHANGED,
            customer,
            data={**customer_data(customer), "fields": sorted(fields)},
        )
    ]
    if before_status is not None and before_status != customer.status:
        events.append(status_changed(customer, before_status))
    emit_many(events)


def status_changed(customer: Any, before_status: str, company: Company | None = None) -> Event:
    return Event(
        EventType.CUSTOMER_STATUS_CHANGED,
        customer,
        company,
        data={
            **customer_data(customer),
            "status_before": before_status,
            "status": customer.status,
            "status_reason": customer.status_reason,
        },
    )


def hold_data(hold: Any) -> dict[str, Any]:
    return {
        "hold": {
            "id": str(hold.pk),
            "customer": str(hold.customer_id),
            "company": hold.company.code if hold.company_id else None,
            "type": hold.type,
            "reason_code": hold.reason_code,
            "comment": hold.comment,
            "ends_on": hold.ends_on,
            "lifted_at": hold.lifted_at,
        }
    }


def hold_event(type: str, hold: Any) -> None:
    emit(type, customer=hold.customer_id, company=hold.company, data=hold_data(hold))


def _document(document: Any) -> dict[str, Any]:
    return {
        "id": str(document.pk),
        "number": document.number,
        "status": getattr(document, "status", None),
        "date": document.date,
        "amount": document.amount,
        "currency": document.currency,
    }


def overridden_event(override: Any, document: Any, *, kind: str) -> None:
    """order.overridden or invoice.overridden: entered (or released from credit hold) past the decision."""
    emit(
        EventType.ORDER_OVERRIDDEN if kind == "order" else EventType.INVOICE_OVERRIDDEN,
        customer=document.customer_id,
        company=document.company,
        data={
            kind: _document(document),
            "reason": override.reason,
            "user": override.user.username if override.user_id else None,
            "decision": override.decision,
        },
    )


def order_refused(order: Any, decision: Any, *, rejected_reason: str | None = None) -> None:
    """order.refused: the credit check blocked the order and the company keeps such orders on credit hold
    (saved, held), or a held order was rejected (rejected_reason). For an entry refused outright, see
    order_refused_at_entry."""
    emit(
        EventType.ORDER_REFUSED,
        customer=order.customer_id,
        company=order.company,
        data={
            "order": _document(order),
            "decision": decision.as_json() if hasattr(decision, "as_json") else decision,
            "rejected_reason": rejected_reason,
        },
    )


def order_refused_at_entry(
    *, customer: Any, company: Company, amount: Any, day: Any, currency: str, reference: str, decision: Any
) -> None:
    """order.refused for an order the credit check refused outright: nothing was saved (the order has no
    id nor number) and the refusal rolls the request's transaction back, so the event is written when the
    activity ends, in a transaction of its own."""
    data = {
        "order": {
            "id": None,
            "number": None,
            "status": "refused",
            "date": day,
            "amount": amount,
            "currency": currency,
            "reference": reference,
        },
        "decision": decision.as_json(),
        "rejected_reason": None,
    }
    customer_id = _customer_id(customer)

    def write() -> None:
        with transaction.atomic():
            emit(EventType.ORDER_REFUSED, customer=customer_id, company=company, data=data)

    after_activity(write)


def review_applied(review: Any) -> Event:
    """review.applied: an event of the company, not of a customer (each change of status is its own
    customer.status_changed event, in the same transaction)."""
    return Event(
        EventType.REVIEW_APPLIED,
        None,
        review.company,
        data={
            "review": {
                "id": str(review.pk),
                "as_of": review.as_of,
                "applied_at": review.applied_at,
                "applied_by": review.applied_by.username if review.applied_by_id else None,
                "applied": review.applied_count,
                "skipped": review.skipped_count,
            }
        },
    )
