"""Delivery to a real HTTP receiver on 127.0.0.1: down then up, answering 500, too slow. Every event arrives,
once per event id when the receiver answers, in order per customer, signed with the endpoint's secret."""

from collections import defaultdict
from typing import Any

import pytest
from django.utils import timezone
from factories import CustomerFactory

from carnet.credit import services as credit
from carnet.customers import services as customers
from carnet.integrations import delivery
from carnet.integrations.models import Delivery, OutboxEvent

from .conftest import add_endpoint
from .receiver import Receiver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_webhooks")]


def some_changes() -> list[Any]:
    """Two customers, several events each, interleaved."""
    first = customers.create_customer(actor=None, data={"name": "Transports Laurentides"})
    second = customers.create_customer(actor=None, data={"name": "Béton Estrie"})
    customers.update_customer(actor=None, customer_id=first.pk, changes={"team": "Est"})
    credit.add_hold(actor=None, customer=second, company="MAIN", type="sale_order", comment="Litige")
    customers.set_status(actor=None, customer_id=first.pk, status="blocked", reason="Chèque sans provision")
    customers.add_note(actor=None, customer_id=second.pk, data={"text": "Paie le 15."})
    return [first, second]


def time_passes() -> None:
    """As if the backoff had run out."""
    Delivery.objects.filter(status=Delivery.PENDING).update(next_attempt_at=timezone.now())


def deliver_until_done(rounds: int = 20) -> None:
    for _round in range(rounds):
        delivery.deliver_due(budget=10)
        if not Delivery.objects.filter(status=Delivery.PENDING).exists():
            return
        time_passes()


def assert_all_arrived_in_order(receiver: Receiver, secret: str) -> None:
    events = list(OutboxEvent.objects.order_by("id"))
    arrived = [r.event_id for r in receiver.received]
    assert sorted(arrived) == sorted(str(e.event_id) for e in events)  # each once, none missing
    by_customer: dict[str, list[int]] = defaultdict(list)
    for received in receiver.received:
        assert received.signed_by(secret)
        assert not received.signed_by("whsec_another")
        body = received.json
        assert body["id"] == received.event_id
        assert received.headers["Carnet-Event-Type"] == body["type"]
        assert received.headers["Carnet-Timestamp"] == received.headers["Carnet-Signature"][2:].split(",")[0]
        by_customer[body["customer"]].append(body["sequence"])
    for sequences in by_customer.values():
        assert sequences == sorted(sequences) == list(range(1, len(sequences) + 1))
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.DELIVERED}


def test_a_receiver_down_then_up_gets_every_event_once_in_order_and_signed(
    main_company: Any, receiver: Receiver
) -> None:
    _endpoint, secret = add_endpoint(receiver.url)
    some_changes()
    assert OutboxEvent.objects.count() == 7  # the status change is a change too

    attempted = delivery.deliver_due(budget=10)  # down: refused connections
    assert attempted == 2  # the first event of each customer; the others wait behind them
    failed = Delivery.objects.filter(attempts=1)
    assert failed.count() == 2
    assert all(d.status == Delivery.PENDING and d.last_error for d in failed)
    assert all(d.next_attempt_at > timezone.now() for d in failed)  # backing off
    assert delivery.deliver_due(budget=10) == 0  # nothing due before the backoff runs out

    receiver.start()
    deliver_until_done()
    assert_all_arrived_in_order(receiver, secret)
    deliver_until_done()  # and nothing twice
    assert len(receiver.received) == 7


def test_a_receiver_answering_500_loses_nothing(main_company: Any, receiver: Receiver) -> None:
    calls = {"n": 0}

    def flaky(received: Any) -> int:
        calls["n"] += 1
        return 500 if calls["n"] <= 3 else 200

    receiver.answer = flaky
    receiver.start()
    _endpoint, secret = add_endpoint(receiver.url)
    customer = CustomerFactory(code="C1")
    customers.update_customer(actor=None, customer_id=customer.pk, changes={"team": "Est"})
    customers.update_customer(actor=None, customer_id=customer.pk, changes={"team": "Ouest"})

    delivery.deliver_due(budget=10)
    first = Delivery.objects.get(sequence=1)
    assert (first.status, first.attempts, first.response_code) == (Delivery.PENDING, 1, 500)
    assert "500" in first.last_error
    assert len(receiver.received) == 1  # the second event waits for the first
    deliver_until_done()
    first.refresh_from_db()
    assert (first.status, first.attempts, first.response_code, first.last_error) == (
        Delivery.DELIVERED,
        4,
        200,
        "",
    )
    delivered = [r for r in receiver.received if r.event_id == str(first.event.event_id)]
    assert len(delivered) == 4  # three refusals, then the one that counted
    assert [r.json["sequence"] for r in receiver.received] == [1, 1, 1, 1, 2]
    assert all(r.signed_by(secret) for r in receiver.received)


def test_a_receiver_too_slow_to_answer_gets_it_again(main_company: Any, receiver: Receiver) -> None:
    calls = {"n": 0}

    def slow_once(received: Any) -> tuple[int, float]:
        calls["n"] += 1
        return (200, 2.0) if calls["n"] == 1 else (200, 0.0)

    receiver.answer = slow_once
    receiver.start()
    add_endpoint(receiver.url)
    customer = CustomerFactory(code="C1")
    customers.update_customer(actor=None, customer_id=customer.pk, changes={"team": "Est"})

    delivery.deliver_due(budget=10)
    late = Delivery.objects.get()
    assert late.status == Delivery.PENDING and "timed out" in late.last_error.lower()
    deliver_until_done()
    late.refresh_from_db()
    assert (late.status, late.attempts) == (Delivery.DELIVERED, 2)
    # At least once: the receiver saw the event twice, and recognises the repeat by its id.
    assert [r.event_id for r in receiver.received] == [str(late.event.event_id)] * 2


def test_a_paused_endpoint_keeps_its_deliveries_and_retry_now_hurries_one(
    main_company: Any, receiver: Receiver
) -> None:
    from carnet.integrations import webhooks

    endpoint, _secret = add_endpoint(receiver.url)
    webhooks.update_endpoint(actor=None, endpoint_id=endpoint.pk, changes={"active": False})
    CustomerFactory(code="C1")
    customers.create_customer(actor=None, data={"name": "Pendant la pause"})
    assert delivery.deliver_due(budget=10) == 0
    webhooks.update_endpoint(actor=None, endpoint_id=endpoint.pk, changes={"active": True})
    delivery.deliver_due(budget=10)  # down
    waiting = Delivery.objects.get()
    assert waiting.next_attempt_at > timezone.now()
    receiver.start()
    webhooks.retry_now(actor=None, delivery_id=waiting.pk)
    assert delivery.deliver_due(budget=10) == 1
    waiting.refresh_from_db()
    assert waiting.status == Delivery.DELIVERED and len(receiver.received) == 1


def test_a_live_claim_is_not_taken_twice_and_an_expired_one_is(main_company: Any) -> None:
    add_endpoint("http://127.0.0.1:9/hooks")
    CustomerFactory(code="C1")
    customers.create_customer(actor=None, data={"name": "Réclamé"})
    claimed = delivery.claim("worker-a")
    assert claimed is not None and claimed.attempts == 1
    assert delivery.claim("worker-b") is None  # its lease protects the post under way
    later = timezone.now() + delivery.lease() + delivery.backoff(1)
    again = delivery.claim("worker-b", now=later)  # worker-a died: the lease ran out
    assert again is not None and again.pk == claimed.pk and again.attempts == 2


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert delivery.backoff(30).total_seconds() == 3600
