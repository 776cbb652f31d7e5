"""Where a change comes from and which action it belongs to.

Every change Carnet records (history rows, outbox events) says its source (the web UI, the API, an import,
a credit review, the command line, the worker) and a request id shared by all the changes of one action.
The web and API middleware, the commands, the importer and the review open an `activity`; code that records
a change reads `current()`.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Activity:
    source: str
    request_id: str


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
    token = _current.set(Activity(source=source, request_id=request_id))
    try:
        yield _current.get()  # type: ignore[misc]
    finally:
        _current.reset(token)


def current() -> Activity:
    """The activity under way; outside any, a system change with an id of its own."""
    found = _current.get()
    return found if found is not None else Activity(source=Source.SYSTEM, request_id=new_request_id())
