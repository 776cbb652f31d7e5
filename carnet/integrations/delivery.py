"""Posting the outbox's deliveries to their endpoints: what `carnet worker` does every tick.

- At least once: a delivery is marked delivered only after its endpoint answered 2xx. A worker claims a
  delivery for a lease before posting; if it dies mid-post, the lease runs out and a worker posts it again.
  Receivers recognise a repeat by the event id (Carnet-Event-Id).
- In order per customer: a customer's event is not posted to an endpoint while an earlier event of that
  customer to that endpoint is not delivered (it waits behind the failing one, retried with backoff).
- Several workers: PostgreSQL hands each one different rows (FOR UPDATE SKIP LOCKED) and the claim is a
  conditional update, so a delivery is claimed by one worker at a time; on SQLite the claim transaction
  takes the write lock at BEGIN (IMMEDIATE), which serialises them.
- Failures retry with exponential backoff: 10 s, 20 s, 40 s… up to an hour between attempts, for ever
  (nothing is dropped; the delivery log shows the failing ones, and "retry now" skips the wait).
"""

import http.client
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from .models import Delivery, OutboxEvent, WebhookEndpoint
from .signing import signature_header

logger = logging.getLogger("carnet.worker")

BACKOFF_FIRST = 10  # seconds
BACKOFF_MAX = 3600
TICK_BUDGET = 30.0  # seconds of posting per worker tick, so that the tick's tasks still run
USER_AGENT = "Carnet-Webhooks/1"
ERROR_LENGTH = 2000


def timeout() -> float:
    """Seconds to connect, and again to read the answer (CARNET_WEBHOOK_TIMEOUT, default 10)."""
    return float(getattr(settings, "CARNET_WEBHOOK_TIMEOUT", 10))


def lease() -> timedelta:
    """How long a claim lasts: long enough for one post (connect and read) with room to record it."""
    return timedelta(seconds=2 * timeout() + 5)


def backoff(attempts: int) -> timedelta:
    """The wait after the attempts-th failed attempt."""
    return timedelta(seconds=min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX))


# --- what is posted --------------------------------------------------------------------------------------


def body(event: OutboxEvent) -> bytes:
    """The JSON body of an event, the same at every attempt."""
    payload = event.payload or {}
    document = {
        "id": str(event.event_id),
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "company": event.company.code if event.company_id and event.company else None,
        "customer": None if event.customer_id is None else str(event.customer_id),
        "sequence": event.sequence,
        "request_id": payload.get("request_id"),
        "source": payload.get("source"),
        "data": payload.get("data", {}),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def headers(event: OutboxEvent, secret: str, payload: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Carnet-Event-Id": str(event.event_id),
        "Carnet-Event-Type": event.type,
        "Carnet-Timestamp": str(timestamp),
        "Carnet-Signature": signature_header(secret, timestamp, payload),
    }


@dataclass(frozen=True)
class Answer:
    ok: bool
    status: int | None
    error: str


def post(url: str, payload: bytes, head: dict[str, str], seconds: float) -> Answer:
    """POST and read the answer's status. Redirects are not followed: a webhook URL says where to post."""
    parts = urlsplit(url)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    client = connection_class(parts.hostname or "", parts.port, timeout=seconds)
    try:
        client.request("POST", path, body=payload, headers=head)
        response = client.getresponse()
        response.read(65536)
    except (OSError, http.client.HTTPException) as exc:
        return Answer(False, None, f"{type(exc).__name__}: {exc}")
    finally:
        client.close()
    if 200 <= response.status < 300:
        return Answer(True, response.status, "")
    return Answer(False, response.status, f"HTTP {response.status} {response.reason}".strip())


# --- claiming, posting, recording ---------------------------------------------------------------------


def due(now: datetime) -> Any:
    """The deliveries a worker may post now: pending, due, to an active endpoint, not claimed by a live
    lease, and with no earlier event of their customer still undelivered to the same endpoint."""
    earlier = Delivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        customer_id=OuterRef("customer_id"),
        sequence__lt=OuterRef("sequence"),
    ).exclude(status=Delivery.DELIVERED)
    return (
        Delivery.objects.filter(status=Delivery.PENDING, next_attempt_at__lte=now, endpoint__active=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(~Exists(earlier))
        .order_by("next_attempt_at", "id")
    )


def claim(worker: str, now: datetime | None = None) -> Delivery | None:
    """Claim the next due delivery for `worker` (its attempt counted), or None when nothing is due."""
    now = now or timezone.now()
    with transaction.atomic():
        candidates = due(now)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        found = candidates.values_list("pk", flat=True).first()
        if found is None:
            return None
        taken = (
            Delivery.objects.filter(pk=found, status=Delivery.PENDING)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .update(claimed_until=now + lease(), claimed_by=worker, last_attempt_at=now)
        )
        if not taken:
            return None
        delivery = Delivery.objects.select_related("event", "event__company", "endpoint").get(pk=found)
        delivery.attempts += 1
        Delivery.objects.filter(pk=found).update(attempts=delivery.attempts)
    return delivery


def record(delivery: Delivery, answer: Answer, worker: str, now: datetime | None = None) -> None:
    """Keep the outcome of an attempt. A success always counts; a failure only while the claim is still
    this worker's (after its lease ran out, another worker may be posting it again)."""
    now = now or timezone.now()
    rows = Delivery.objects.filter(pk=delivery.pk)
    if answer.ok:
        rows.update(
            status=Delivery.DELIVERED,
            delivered_at=now,
            response_code=answer.status,
            last_error="",
            claimed_until=None,
        )
        return
    rows.filter(claimed_by=worker, status=Delivery.PENDING).update(
        response_code=answer.status,
        last_error=answer.error[:ERROR_LENGTH],
        next_attempt_at=now + backoff(delivery.attempts),
        claimed_until=None,
    )


def attempt(delivery: Delivery, worker: str) -> Answer:
    """Post a claimed delivery, signed with its endpoint's current secret, and record the answer."""
    endpoint: WebhookEndpoint = delivery.endpoint
    payload = body(delivery.event)
    stamp = int(time.time())
    answer = post(endpoint.url, payload, headers(delivery.event, endpoint.secret, payload, stamp), timeout())
    record(delivery, answer, worker)
    if answer.ok:
        logger.info("Delivered %s %s to %s.", delivery.event.type, delivery.event.event_id, endpoint.url)
    else:
        logger.warning(
            "Delivery of %s %s to %s failed (attempt %s): %s",
            delivery.event.type,
            delivery.event.event_id,
            endpoint.url,
            delivery.attempts,
            answer.error,
        )
    return answer


def deliver_due(*, budget: float = TICK_BUDGET, worker: str | None = None) -> int:
    """Post the due deliveries, one claim at a time, for up to `budget` seconds. Answers how many were
    attempted. `carnet worker` calls it every tick."""
    worker = worker or get_random_string(24)
    started = time.monotonic()
    count = 0
    while time.monotonic() - started < budget:
        delivery = claim(worker)
        if delivery is None:
            break
        attempt(delivery, worker)
        count += 1
    return count


@transaction.atomic
def retry_now(delivery: Delivery) -> Delivery:
    """Make a pending delivery due at once (its lease, if any, still protects a post under way)."""
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.PENDING).update(next_attempt_at=timezone.now())
    delivery.refresh_from_db()
    return delivery
