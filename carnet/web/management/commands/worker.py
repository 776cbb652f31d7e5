"""`carnet worker`: the background worker. One process, one loop: every tick it enqueues what the schedulers
say is due (the daily credit reviews), posts the webhook deliveries that are due, then runs every task
waiting in the database queue (django-tasks-db's worker, in batch mode), then sleeps `--interval` seconds.
SIGTERM or SIGINT (Ctrl+C) stops it after the task under way; a second one stops it at once."""

import logging
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker

from carnet.audit.context import Source, activity, new_request_id

# What runs every tick before the tasks: functions of no argument that enqueue what is due (the daily
# reviews) or do it (post the webhook deliveries that are due, for a bounded time).
SCHEDULERS = ("carnet.credit.scheduling.enqueue_due_reviews", "carnet.integrations.delivery.deliver_due")
DEFAULT_INTERVAL = 10.0

logger = logging.getLogger("carnet.worker")


class RecordingWorker(Worker):
    """django-tasks-db's worker, each task an activity of its own: what it changes says it came from the
    worker, under a request id of its own (a review applied by the task says the review, same id)."""

    def run_task(self, db_task_result: Any) -> None:
        with activity(Source.WORKER, request_id=new_request_id()):
            super().run_task(db_task_result)


def _interval(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise CommandError(f"--interval: {value} is not a number of seconds.") from None
    if not 0 < seconds <= 86400:
        raise CommandError("--interval: give a number of seconds above 0 and at most 86400.")
    return seconds


class Command(BaseCommand):
    help = (
        "Run the background worker: enqueue the daily credit reviews when they are due, post the webhook "
        "deliveries and run the waiting tasks, until SIGTERM or Ctrl+C. --once does what is due now and "
        "exits."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Do what is due now, run every waiting task, and exit."
        )
        parser.add_argument(
            "--interval",
            default=str(DEFAULT_INTERVAL),
            help=f"Seconds between two looks at the schedule and the queue (default {DEFAULT_INTERVAL:g}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = _interval(str(options["interval"]))
        self._logging(options["verbosity"])
        schedulers: list[Callable[[], Any]] = [import_string(path) for path in SCHEDULERS]
        self.stopping = threading.Event()
        self.worker = RecordingWorker(
            queue_names=["*"],
            interval=interval,
            batch=True,  # run every ready task, then hand back to this loop
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
        self._signals()
        try:
            self._loop(schedulers, interval, once=options["once"])
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _loop(self, schedulers: list[Callable[[], Any]], interval: float, *, once: bool) -> None:
        if not once:
            self.stderr.write(
                f"Worker {self.worker.worker_id[:8]} started; every {interval:g} s. Ctrl+C stops."
            )
        while not self.stopping.is_set():
            close_old_connections()
            for scheduler in schedulers:
                try:
                    with activity(Source.WORKER, request_id=new_request_id()):
                        scheduler()
                except Exception:  # a database hiccup must not stop the worker: next tick tries again
                    if once:
                        raise
                    logger.exception("The scheduler %s failed; trying again next tick.", scheduler.__name__)
            self.worker.run()
            close_old_connections()
            if once:
                break
            self.stopping.wait(interval)
        if not once:
            self.stderr.write("Worker stopped.")

    def _signals(self) -> None:
        def stop(signum: int, frame: FrameType | None) -> None:
            if self.stopping.is_set():
                logger.warning("Received %s again: stopping now.", signal.strsignal(signum))
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                sys.exit(1)
            logger.warning(
                "Received %s: stopping after the task under way (again to stop at once).",
                signal.strsignal(signum),
            )
            self.stopping.set()
            self.worker.running = False  # the task loop ends after the current task

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)

    def _logging(self, verbosity: int) -> None:
        """Carnet's worker messages (and each task's start and end) on standard error at verbosity 1;
        django-tasks-db's own chatter (it "starts" and "exits" on every tick) only at verbosity 2."""
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        levels = {
            "carnet.worker": logging.INFO if verbosity >= 1 else logging.ERROR,
            "django_tasks": logging.INFO if verbosity >= 2 else logging.WARNING,
            "django_tasks_db": logging.INFO if verbosity >= 2 else logging.WARNING,
        }
        for name, level in levels.items():
            named = logging.getLogger(name)
            named.setLevel(level)
            if not named.handlers:
                named.addHandler(handler)
                named.propagate = False
