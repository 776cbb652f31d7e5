"""The phone numbers of an import, checked ahead in a second process while this one checks the rows.

Checking a phone number (phonenumbers) is the largest single cost of checking a customer or a contact row,
and it depends on the text alone. So a forked process checks the file's distinct phones, in the order the
rows name them, and sends back the valid ones in their international format; this process checks the rows
meanwhile and takes a phone's answer from there when it has come (carnet.customers.validators.checked_ahead),
else checks it itself. Nothing waits for the second process: if it is slow, or fails, or never starts, the
rows are checked exactly as without it; it is stopped when the rows are checked. Invalid phones are never
taken from it: this process checks them and words their message in the reader's language itself.

Only on Linux (fork), and only for files with enough phones to pay for the process. An import of customers
uses it; one of addresses or contacts checks its whole rows ahead instead (carnet.transfer.rows_ahead).
"""

import multiprocessing
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

from carnet.customers import validators

# Fewer distinct phones than this are checked here: a process costs some milliseconds to start.
MINIMUM = 2000
# Answers sent at once: large enough that sending costs little, small enough that they come early.
CHUNK = 500


def _check(values: list[str], out: Connection) -> None:
    """In the second process: the valid phones' international format, and that of the format itself (the
    field's validator checks the normalised value again)."""
    found: list[tuple[str, str]] = []
    for value in values:
        formatted = validators.format_phone(value)
        if isinstance(formatted, str):
            found.append((value, formatted))
            if formatted != value:
                again = validators.format_phone(formatted)
                if isinstance(again, str):
                    found.append((formatted, again))
        if len(found) >= CHUNK:
            out.send(found)
            found = []
    out.send(found)
    out.close()


class Answers(Mapping[Any, Any]):
    """The answers come so far (a second process sends them as lists of (key, answer) pairs); reading the
    pipe now and then (not at every phone: a system call each)."""

    def __init__(self, pipe: Connection) -> None:
        self.pipe: Connection | None = pipe
        self.answers: dict[Any, Any] = {}
        self.asked = 0

    def _read(self) -> None:
        if self.pipe is None:
            return
        try:
            while self.pipe.poll():
                self.answers.update(self.pipe.recv())
        except (EOFError, OSError):  # the process is done, or gone
            self.pipe.close()
            self.pipe = None

    def get(self, value: Any, default: Any = None) -> Any:
        self.asked += 1
        if self.asked % 64 == 1:
            self._read()
        return self.answers.get(value, default)

    def __getitem__(self, value: Any) -> Any:
        return self.answers[value]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.answers)

    def __len__(self) -> int:
        return len(self.answers)


@contextmanager
def checked_ahead(values: Iterable[str]) -> Iterator[None]:
    """Within: the phones among `values` (cells as read, blanks included) are checked in a second process."""
    distinct = list(dict.fromkeys(v for v in values if v))
    if len(distinct) < MINIMUM or not sys.platform.startswith("linux"):
        yield
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_check, args=(distinct, send), daemon=True)
    try:
        process.start()
    except OSError:
        receive.close()
        send.close()
        yield
        return
    send.close()  # the child's end: the pipe reports the end once the child closes its own
    answers = Answers(receive)
    token = validators.checked_ahead.set(answers)
    try:
        yield
    finally:
        validators.checked_ahead.reset(token)
        process.kill()
        process.join()
        receive.close()
