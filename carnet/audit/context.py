"""Where a change comes from and which action it belongs to.

Every change Carnet records (history rows, outbox events) says its source (the web UI, the API, an import,
a credit review, the command line, the worker) and a request id shared by all the changes of one action.
The web and API middleware, the commands, the importer and the review open an `activity`; code that records
a change reads `current()`.
"""

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    UI = "ui", _("web")
    API = "api", _("API")
    IMPORT = "import", _("import")
    REVIEW = "review", _("credit review")
    CLI = "cli", _("command line")
    WORKER = "worker", _("worker")
    SYSTEM = "system", _("system")


logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Activity:
    source: str
    request_id: str
    # Work to do when the activity ends, outside its transactions (see after_activity).
    after: list[Callable[[], None]] = field(default_factory=list, compare=False, repr=False)


_current: ContextVar[Activity | None] = ContextVar("carnet_activity", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def activity(source: str, request_id: str | None = None) -> Iterator[Activity]:
    """Everything recorded inside says `source` and `request_id` (a new id when none is given).

    An import inside a command keeps the outer request id but takes its own source."""
    outer = _current.get()
    if request_id is None:
        request_id = outer.request_id if outer is not None else new_request_id()
    started = Activity(source=source, request_id=request_id)
    token = _current.set(started)
    try:
        yield started
    finally:
        try:
            _run_after(started)
        finally:
            _current.reset(token)


def after_activity(work: Callable[[], None]) -> None:
    """Do `work` when the activity under way ends, whatever became of its transactions (the request's
    may roll back): for what must be kept of an action that failed. Outside any activity, at once.
    A failure of the work is logged, not raised: the action's own outcome is already decided."""
    found = _current.get()
    if found is None:
        _run([work])
    else:
        found.after.append(work)


def _run_after(done: Activity) -> None:
    work, done.after[:] = list(done.after), []
    _run(work)


def _run(work: list[Callable[[], None]]) -> None:
    for one in work:
        try:
            one()
        except Exception:
            logger.exception("Work left at the end of an activity failed")


def current() -> Activity:
    """The activity under way; outside any, a system change with an id of its own."""
    found = _current.get()
    return found if found is not None else Activity(source=Source.SYSTEM, request_id=new_request_id())
