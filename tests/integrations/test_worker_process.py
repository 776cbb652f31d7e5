"""`carnet worker` as a real process posts the deliveries; killed (SIGKILL) in the middle of a post, it leaves
the delivery claimed, and a restarted worker posts it again once the claim's lease has run out."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from carnet.customers import services as customers
from carnet.integrations.models import Delivery

from .conftest import add_endpoint
from .receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
CARNET = Path(sys.executable).parent / "carnet"
TIMEOUT = 2  # seconds: the worker's claim lasts 2 * 2 + 5 = 9 s


def database_url() -> str:
    """The test database, for the worker process to use the same one."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    return f"postgresql://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def start_worker() -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=database_url(), CARNET_WEBHOOK_TIMEOUT=str(TIMEOUT))
    return subprocess.Popen(
        [str(CARNET), "worker", "--interval", "0.2"],
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_delivery_redelivers_on_restart(receiver: Receiver) -> None:
    hanging = threading.Event()

    def hang_the_first(received: Any) -> int:
        if len(receiver.received) == 1:
            hanging.set()
            time.sleep(3 * TIMEOUT)  # the worker is killed while it waits for this answer
        return 200

    receiver.answer = hang_the_first
    receiver.start()
    _endpoint, secret = add_endpoint(receiver.url)
    customer = customers.create_customer(actor=None, data={"name": "Transports Laurentides"})
    customers.update_customer(actor=None, customer_id=customer.pk, changes={"team": "Est"})

    first = start_worker()
    try:
        assert hanging.wait(60), "the worker never posted"
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    finally:
        if first.poll() is None:
            first.kill()
    claimed = Delivery.objects.get(sequence=1)
    assert (claimed.status, claimed.attempts) == (Delivery.PENDING, 1)
    assert claimed.claimed_until is not None  # left claimed by the dead worker
    assert Delivery.objects.get(sequence=2).attempts == 0  # the next event waits behind it

    second = start_worker()
    try:
        assert wait_until(lambda: not Delivery.objects.filter(status=Delivery.PENDING).exists(), 60), (
            "the restarted worker did not deliver"
        )
    finally:
        second.send_signal(signal.SIGTERM)
        _out, err = second.communicate(timeout=30)
    assert second.returncode == 0, err
    redelivered = Delivery.objects.get(sequence=1)
    assert (redelivered.status, redelivered.attempts) == (Delivery.DELIVERED, 2)
    ids = [r.event_id for r in receiver.received]
    assert ids == [str(redelivered.event.event_id)] * 2 + [
        str(Delivery.objects.get(sequence=2).event.event_id)
    ]
    assert all(r.signed_by(secret) for r in receiver.received)
