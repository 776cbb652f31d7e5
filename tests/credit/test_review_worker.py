"""The daily credit review: the company setting, the scheduler (once per company per day, even when two
workers ask at once), the task (prepare or apply, as the installation) and `carnet worker` as a real process.
"""

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connections
from django_tasks_db.models import DBTaskResult
from factories import CompanyFactory, CustomerFactory

from carnet.accounts.models import User
from carnet.credit import scheduling
from carnet.credit.models import CreditPolicy, CreditReview, ScheduledReview
from carnet.credit.scheduling import enqueue_due_reviews, set_review_schedule
from carnet.credit.tasks import run_scheduled_review
from carnet.customers.models import Customer

from .review_support import AS_OF, REASON, aged_invoice, criteria

ROOT = Path(__file__).resolve().parents[2]
CARNET = Path(sys.executable).parent / "carnet"
ZONE = ZoneInfo(settings.TIME_ZONE)


def at(day: Any, hour: int, minute: int = 0) -> datetime:
    """A moment of the installation's time zone."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def schedule(mode: str, when: str = "06:00", company: str = "MAIN") -> CreditPolicy:
    return set_review_schedule(actor=None, company=company, schedule=mode, review_time=when)


@pytest.fixture
def late_payer(db: Any) -> Customer:
    """With the company's criteria (grace 60 days), a customer the review proposes to block as of AS_OF."""
    criteria(grace_days=60)
    customer = CustomerFactory(code="LATE1", name="Transports Retard")
    aged_invoice(customer, "250.00", 90)
    aged_invoice(CustomerFactory(code="ONTIME"), "100.00", 10)
    return customer


# --- the company setting ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_schedule_is_off_at_six_by_default_and_can_be_set(main_company: Any) -> None:
    policy = schedule("prepare", "07:30")
    assert (policy.review_schedule, policy.review_time) == ("prepare", time(7, 30))
    other = CompanyFactory(code="EST")
    fresh = set_review_schedule(actor=None, company=other)
    assert (fresh.review_schedule, fresh.review_time) == ("off", time(6, 0))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"schedule": "weekly"}, "review_schedule"),
        ({"schedule": ""}, "review_schedule"),
        ({"review_time": "25:00"}, "review_time"),
        ({"review_time": "6h"}, "review_time"),
        ({"review_time": "06:60"}, "review_time"),
        ({"review_time": ""}, "review_time"),
    ],
)
def test_bad_settings_name_the_field_and_save_nothing(
    main_company: Any, data: dict[str, Any], field: str
) -> None:
    schedule("apply", "05:00")
    before = CreditPolicy.objects.get(company=main_company)
    with pytest.raises(ValidationError) as exc:
        set_review_schedule(actor=None, company="MAIN", **data)
    assert field in exc.value.message_dict
    after = CreditPolicy.objects.get(company=main_company)
    assert (after.review_schedule, after.review_time, after.version) == ("apply", time(5, 0), before.version)


@pytest.mark.django_db
def test_only_admins_change_the_schedule(make_user: Callable[..., User]) -> None:
    with pytest.raises(PermissionDenied):
        set_review_schedule(actor=make_user("ctl", "credit_controller"), company="MAIN", schedule="apply")
    policy = set_review_schedule(actor=make_user("boss", "admin"), company="MAIN", schedule="apply")
    assert policy.review_schedule == "apply"


# --- the scheduler ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_due_at_the_review_time_once_per_company_per_day(main_company: Any) -> None:
    schedule("prepare", "06:00")
    assert enqueue_due_reviews(at(AS_OF, 5, 59)) == []
    [claimed] = enqueue_due_reviews(at(AS_OF, 6, 0))
    assert (claimed.company, claimed.day, claimed.mode, claimed.status) == (
        main_company,
        AS_OF,
        "prepare",
        "enqueued",
    )
    assert enqueue_due_reviews(at(AS_OF, 6, 0)) == []  # called again: nothing more
    assert enqueue_due_reviews(at(AS_OF, 23, 59)) == []
    task = DBTaskResult.objects.get()
    assert str(task.id) == claimed.task_id
    assert task.task_path == "carnet.credit.tasks.run_scheduled_review"
    assert task.args_kwargs == {"args": [claimed.pk], "kwargs": {}}
    next_day = AS_OF + timedelta(days=1)
    assert [s.day for s in enqueue_due_reviews(at(next_day, 6, 1))] == [next_day]
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db
def test_a_worker_started_late_still_runs_the_day_and_off_companies_are_left_alone() -> None:
    schedule("apply", "06:00")
    CompanyFactory(code="EST")
    schedule("off", "00:00", company="EST")
    claimed = enqueue_due_reviews(at(AS_OF, 15, 0))
    assert [(s.company.code, s.mode) for s in claimed] == [("MAIN", "apply")]


@pytest.mark.django_db
def test_the_day_is_the_installations_day() -> None:
    schedule("prepare", "00:30")
    # 03:00 UTC on the 23rd is 22:00 on the 22nd in Toronto: the review of the 22nd.
    utc = datetime(2026, 11, 23, 3, 0, tzinfo=ZoneInfo("UTC"))
    [claimed] = enqueue_due_reviews(utc)
    assert claimed.day == AS_OF


# --- the task --------------------------------------------------------------------------------------------


def claimed_for(mode: str) -> ScheduledReview:
    schedule(mode, "06:00")
    [claimed] = enqueue_due_reviews(at(AS_OF, 6, 0))
    return claimed


@pytest.mark.django_db
def test_prepare_leaves_the_proposal_for_a_person(late_payer: Customer) -> None:
    claimed = claimed_for("prepare")
    review_id = run_scheduled_review.call(claimed.pk)
    review = CreditReview.objects.get()
    assert review.pk == review_id
    assert (review.company.code, review.as_of, review.created_by, review.applied_at) == (
        "MAIN",
        AS_OF,
        None,
        None,
    )
    assert review.to_block_count == 1
    late_payer.refresh_from_db()
    assert late_payer.status == "approved"
    claimed.refresh_from_db()
    assert (claimed.status, claimed.review_id, claimed.error) == ("done", review.pk, "")
    assert claimed.started_at is not None and claimed.finished_at is not None


@pytest.mark.django_db
def test_apply_applies_it_as_the_installation(late_payer: Customer) -> None:
    claimed = claimed_for("apply")
    run_scheduled_review.call(claimed.pk)
    review = CreditReview.objects.get()
    assert review.applied_at is not None and review.applied_by is None and review.applied_count == 1
    late_payer.refresh_from_db()
    assert (late_payer.status, late_payer.status_reason) == ("blocked", REASON)
    assert Customer.objects.get(code="ONTIME").status == "approved"


@pytest.mark.django_db
def test_a_claim_runs_once(late_payer: Customer) -> None:
    claimed = claimed_for("apply")
    first = run_scheduled_review.call(claimed.pk)
    assert run_scheduled_review.call(claimed.pk) == first
    assert CreditReview.objects.count() == 1


@pytest.mark.django_db
def test_a_failure_is_recorded_with_its_message(
    late_payer: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    claimed = claimed_for("prepare")

    def broken(**kw: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("carnet.credit.tasks.run_review", broken)
    with pytest.raises(RuntimeError):
        run_scheduled_review.call(claimed.pk)
    claimed.refresh_from_db()
    assert claimed.status == "failed"
    assert claimed.error == "RuntimeError: the database went away"
    assert claimed.review is None and claimed.finished_at is not None


@pytest.mark.django_db
def test_worker_once_enqueues_and_runs_what_is_due(
    late_payer: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    schedule("apply", "00:00")
    today = datetime.now(ZONE)
    monkeypatch.setattr(scheduling, "_local", lambda now: at(AS_OF, today.hour, today.minute))
    # Inside the test's transaction, "close old connections" would close the test's own connection.
    for module in ("carnet.web.management.commands.worker", "django_tasks_db.management.commands.db_worker"):
        monkeypatch.setattr(f"{module}.close_old_connections", lambda: None)
    previous = signal.getsignal(signal.SIGTERM)
    call_command("worker", "--once", verbosity=0)
    assert signal.getsignal(signal.SIGTERM) is previous  # handlers given back
    scheduled = ScheduledReview.objects.get()
    assert (scheduled.status, scheduled.day) == ("done", AS_OF)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert Customer.objects.get(code="LATE1").status == "blocked"
    call_command("worker", "--once", verbosity=0)
    assert CreditReview.objects.count() == 1


# --- two workers at once ---------------------------------------------------------------------------------


def run_together(*jobs: Callable[[], Any]) -> list[Any]:
    """The jobs in threads released at the same instant, each on its own connection."""
    start = threading.Barrier(len(jobs))
    answers: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            start.wait()
            answers[index] = job()
        except Exception as exc:
            answers[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a connection never got its turn"
    return answers


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_enqueue_one_review_per_company_per_day() -> None:
    schedule("prepare", "06:00")
    CompanyFactory(code="EST")
    schedule("apply", "06:00", company="EST")
    days = [AS_OF + timedelta(days=n) for n in range(4)]
    for day in days:
        answers = run_together(*(lambda day=day: enqueue_due_reviews(at(day, 6, 5)) for _ in range(3)))
        assert all(isinstance(a, list) for a in answers), answers
        assert sorted(s.company.code for a in answers for s in a) == ["EST", "MAIN"]
    assert ScheduledReview.objects.count() == 2 * len(days)
    assert DBTaskResult.objects.count() == 2 * len(days)
    assert set(ScheduledReview.objects.values_list("task_id", flat=True)) == {
        str(i) for i in DBTaskResult.objects.values_list("id", flat=True)
    }


# --- a real process ----------------------------------------------------------------------------------------

SETUP = """
import django; django.setup()
from datetime import timedelta
from django.utils import timezone
from carnet.credit.review_criteria import set_company_criteria
from carnet.credit.scheduling import set_review_schedule
from carnet.customers.services import create_customer
from carnet.documents.services import enter_invoice
set_company_criteria(actor=None, company="MAIN", data={"grace_days": 60, "reason": "Factures impayées"})
set_review_schedule(actor=None, company="MAIN", schedule="apply", review_time="00:00")
late = create_customer(actor=None, data={"code": "LATE1", "name": "Transports Retard", "status": "approved"})
enter_invoice(actor=None, customer=late, company="MAIN", amount="250.00",
              date=timezone.localdate() - timedelta(days=90))
"""
CHECK = """
import django; django.setup()
from carnet.credit.models import CreditReview, ScheduledReview
from carnet.customers.models import Customer
s = ScheduledReview.objects.get()
print(CreditReview.objects.count(), s.status, s.review_id, s.mode, Customer.objects.get(code="LATE1").status)
"""


@pytest.fixture
def embedded(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("DJANGO_")}
    env["CARNET_DATA_DIR"] = str(tmp_path)
    return env


def carnet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CARNET), *args],
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def python(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "carnet.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_carnet_worker_once_in_a_real_process(embedded: dict[str, str]) -> None:
    assert carnet(embedded, "migrate", "-v", "0").returncode == 0
    made = python(embedded, SETUP)
    assert made.returncode == 0, made.stderr

    done = carnet(embedded, "worker", "--once")
    assert done.returncode == 0, done.stderr
    assert "Enqueued the daily credit review of MAIN" in done.stderr
    assert "1 to block, 0 to release; applied: 1 changed" in done.stderr
    assert python(embedded, CHECK).stdout.split() == ["1", "done", "1", "apply", "blocked"]

    again = carnet(embedded, "worker", "--once")  # a restart the same day: nothing more
    assert again.returncode == 0, again.stderr
    assert python(embedded, CHECK).stdout.split()[:2] == ["1", "done"]

    refused = carnet(embedded, "worker", "--interval", "soon")
    assert refused.returncode == 1 and "--interval" in refused.stderr


def test_carnet_worker_stops_gracefully_on_sigterm(embedded: dict[str, str]) -> None:
    assert carnet(embedded, "migrate", "-v", "0").returncode == 0
    proc = subprocess.Popen(
        [str(CARNET), "worker", "--interval", "0.2"],
        env=embedded,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        assert "started" in proc.stderr.readline()
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Worker stopped." in err
