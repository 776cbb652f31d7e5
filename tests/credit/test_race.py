"""Two orders entered at the same moment, through two real database connections (one thread each), each
fitting the limit alone but not together: exactly one passes. The credit account's row lock (SELECT … FOR
UPDATE on PostgreSQL; BEGIN IMMEDIATE on an SQLite file) makes the second check wait for the first commit
and read its balance.

Transactional tests: each thread commits through its own connection, as two web workers would."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from factories import CustomerFactory

from carnet.accounts.models import User
from carnet.credit import services as credit
from carnet.credit.models import CreditAccount
from carnet.documents import services
from carnet.documents.idempotency import run_once
from carnet.documents.models import Order
from carnet.errors import CreditRefused, CreditWarningNotAcknowledged

from .support import D

# serialized_rollback: each test starts from the migrated installation (the MAIN company).
pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROUNDS = 5


@pytest.fixture(autouse=True)
def main_company_exists(transactional_db: Any) -> None:
    """The company MAIN, made by a data migration. serialized_rollback puts it back after an earlier
    transactional test flushed the database, except when that test ran in another greenlet (the browser
    tests: Playwright), whose connection object took the copy away with it; so make sure of it here."""
    from importlib import import_module

    from django.apps import apps

    import_module("carnet.accounts.migrations.0002_main_company").create_main_company(apps, None)


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


@pytest.mark.parametrize(
    ("enforcement", "refusal"),
    [("block_at_entry", CreditRefused), ("warn_at_entry", CreditWarningNotAcknowledged)],
)
def test_two_orders_at_once_that_only_fit_the_limit_one_at_a_time(enforcement: str, refusal: type) -> None:
    credit.set_policy(actor=None, company="MAIN", limit_enforcement=enforcement)
    for round_ in range(ROUNDS):
        customer = CustomerFactory(code=f"R{round_:04d}")
        credit.set_limit(actor=None, customer=customer, company="MAIN", limit="1000.00")

        def enter(customer_id: int = customer.pk) -> Any:
            return services.enter_order(actor=None, customer=customer_id, company="MAIN", amount="600.00")

        answers = run_together(enter, enter)

        passed = [a for a in answers if isinstance(a, services.Entered)]
        refused = [a for a in answers if isinstance(a, refusal)]
        assert (len(passed), len(refused)) == (1, 1), answers
        assert refused[0].decision.as_json()["exposure"]["exposure"] == "600.00"  # it saw the winner's order
        assert Order.objects.filter(customer=customer).count() == 1
        assert CreditAccount.objects.get(customer=customer).open_orders == D("600.00")


def test_orders_entered_at_once_never_share_a_number() -> None:
    customers = [CustomerFactory(code=f"N{n}") for n in range(4)]

    answers = run_together(
        *(
            lambda c=c: services.enter_order(actor=None, customer=c.pk, company="MAIN", amount="1.00")
            for c in customers
        )
    )

    assert all(isinstance(a, services.Entered) for a in answers), answers
    assert sorted(a.document.number for a in answers) == [f"ORD-00000{n}" for n in range(1, 5)]


def test_one_idempotency_key_sent_twice_at_once_creates_one_order(make_user: Callable[..., User]) -> None:
    user = make_user("erp")
    customer = CustomerFactory()
    body = {"customer": str(customer.pk), "company": "MAIN", "amount": "10.00"}

    def post() -> Any:
        return run_once(
            user=user,
            key="same-key",
            scope="POST /api/v1/orders",
            body=body,
            operation=lambda: (201, {"number": services.enter_order(actor=user, **body).document.number}),
        )

    answers = run_together(post, post)

    assert sorted(a.replayed for a in answers) == [False, True], answers
    assert answers[0].body == answers[1].body
    assert Order.objects.count() == 1
