"""Several workers posting at once: each delivery is claimed by one of them, so each event is posted once
(PostgreSQL: FOR UPDATE SKIP LOCKED and a conditional claim; SQLite: the write lock taken at BEGIN)."""

import threading
from typing import Any

import pytest
from django.db import connection

from carnet.customers import services as customers
from carnet.integrations import delivery
from carnet.integrations.models import Delivery

from .conftest import add_endpoint
from .receiver import Receiver


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_workers_post_each_event_once(receiver: Receiver, settings: Any) -> None:
    settings.CARNET_WEBHOOK_TIMEOUT = 5
    receiver.answer = lambda received: (200, 0.02)  # slow enough for the workers to overlap
    receiver.start()
    add_endpoint(receiver.url, ["customer.created"])
    for n in range(24):
        customers.create_customer(actor=None, data={"name": f"Client {n}"}, acknowledge_duplicates=True)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            delivery.deliver_due(budget=30, worker=name)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    ids = [r.event_id for r in receiver.received]
    assert len(ids) == len(set(ids)) == 24
    assert set(Delivery.objects.values_list("status", "attempts")) == {(Delivery.DELIVERED, 1)}
