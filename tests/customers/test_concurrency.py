"""Two real connections at once (one thread each): the row lock and the version decide, never luck.

Transactional tests: each thread commits through its own connection, as two web workers would.
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from carnet.customers import services
from carnet.customers.models import Customer
from carnet.errors import StaleVersion

# serialized_rollback: each test starts from the migrated installation (book settings, note categories).
pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROUNDS = 5


def run_together(*jobs: Callable[[], Any]) -> list[Any]:
    """Run the jobs in threads released at the same instant; each answer is a result or the exception."""
    start = threading.Barrier(len(jobs))
    answers: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            start.wait()
            answers[index] = job()
        except Exception as exc:  # the refusal is the answer under test
            answers[index] = exc
        finally:
            connections.close_all()  # each thread opened its own connection

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a connection never got its turn"
    return answers


def test_two_updates_with_the_same_version_exactly_one_wins() -> None:
    for round_ in range(ROUNDS):
        customer = services.create_customer(
            actor=None,
            data={"name": f"Transports Laurentides {round_}", "team": "Ouest"},
            acknowledge_duplicates=True,
        )

        def change(team: str, customer_id: int = customer.pk) -> Customer:
            return services.update_customer(
                actor=None, customer_id=customer_id, changes={"team": team}, expected_version=1
            )

        answers = run_together(lambda: change("Est"), lambda: change("Nord"))

        winners = [a for a in answers if isinstance(a, Customer)]
        losers = [a for a in answers if isinstance(a, StaleVersion)]
        assert (len(winners), len(losers)) == (1, 1), answers
        assert losers[0].extra["current_version"] == 2
        final = Customer.objects.get(pk=customer.pk)
        assert (final.team, final.version) == (winners[0].team, 2)
        assert customer.history.count() == 2  # the creation and the one winning change, nothing else


def test_two_creates_with_a_blank_code_never_get_the_same_code() -> None:
    def create(name: str) -> Customer:
        return services.create_customer(actor=None, data={"name": name}, acknowledge_duplicates=True)

    for round_ in range(ROUNDS):
        names = [f"Client {round_}-{n}" for n in range(3)]
        answers = run_together(*(lambda name=name: create(name) for name in names))

        assert all(isinstance(a, Customer) for a in answers), answers
        assert len({a.code for a in answers}) == 3

    codes = sorted(Customer.objects.values_list("code", flat=True))
    assert codes == [f"C{n:05d}" for n in range(1, 3 * ROUNDS + 1)]
