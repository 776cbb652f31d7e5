"""The rows of an import of addresses or contacts, checked ahead in a second process while this one goes on.

A part's own checks (its fields' validators, the phones, the services' rules between its fields) depend on
the row and on the part it changes, if any, both known before the first row is checked. So a forked
process checks the rows in file order, each exactly as this process would (the same code builds the part),
and sends back, for each row that passes, the changes the checks made to its part (a phone put in its
international format). This process then takes a row's answer if it has come, rather than checking the
row again; the rules across rows (numbers, flags) stay here. It checks itself a row whose answer has not
come, and a row that failed: its problems are worded here, in the reader's language.

Nothing waits for the second process; it reads nothing from the database (the connection it inherits is
this process's, and a query there raises). Only on Linux (fork), and only for files large enough to pay for
a process. It replaces the phones' second process (carnet.transfer.phones) for these imports.
"""

import multiprocessing
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

from django.db import connection

from .phones import Answers
from .reading import Row

# Fewer rows than this are checked here alone: a process costs some milliseconds to start.
MINIMUM = 2000
# Answers sent at once: large enough that sending costs little, small enough that they come early.
CHUNK = 500

# The changes the checks made to a row's part, (attribute name, value) pairs; None if the row failed.
Check = Callable[[Row, int], tuple[tuple[str, Any], ...] | None]


class _NoQueryHere(Exception):
    """The second process shares this process's connection: it must never use it."""


def _refuse(*args: Any) -> Any:
    raise _NoQueryHere


def _check(check: Check, rows: Sequence[Row], customer_ids: Sequence[int | None], out: Connection) -> None:
    connection.execute_wrappers.append(_refuse)
    found: list[tuple[int, tuple[tuple[str, Any], ...]]] = []
    for index, (row, customer_id) in enumerate(zip(rows, customer_ids, strict=True)):
        if customer_id is not None:
            try:
                changes = check(row, customer_id)
            except Exception:  # a row that fails in any way is checked by the import itself
                changes = None
            if changes is not None:
                found.append((index, changes))
        if len(found) >= CHUNK:
            out.send(found)
            found = []
    out.send(found)
    out.close()


@contextmanager
def rows_checked_ahead(
    check: Check, rows: Sequence[Row], customer_ids: Sequence[int | None]
) -> Iterator[Answers | None]:
    """Within: the answers by row index (their place in `rows`), as they come; None if the rows are not
    checked ahead (a small file, or no second process)."""
    if len(rows) < MINIMUM or not sys.platform.startswith("linux"):
        yield None
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_check, args=(check, rows, customer_ids, send), daemon=True)
    try:
        process.start()
    except OSError:
        receive.close()
        send.close()
        yield None
        return
    send.close()  # the child's end: the pipe reports the end once the child closes its own
    try:
        yield Answers(receive)
    finally:
        process.kill()
        process.join()
        receive.close()
