"""Writes that run while the import goes on checking rows: PostgreSQL maintains the indexes of the rows
written (the customer table's trigram indexes cost more than writing the rows) on its own core, while this
process checks the next rows on its own.

The writes run in order, in one thread, on the import's own connection and so in its transaction: nothing
is kept unless the import is. The import's own queries, and its end, first wait for the writes submitted
before them, so it always reads what it wrote. A write that fails fails the import where it next waits,
with the database's error as Django raises it (an IntegrityError when a code was taken meanwhile).

On SQLite, which works in this process and holds the lock of the one writer anyway, the writes run at once.
"""

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

T = TypeVar("T")


class Background:
    def __init__(self, alias: str = DEFAULT_DB_ALIAS) -> None:
        self.alias = alias
        self.connection = connections[alias]
        self.threaded = self.connection.vendor == "postgresql"
        self.pending: list[Future[Any]] = []
        self.executor: ThreadPoolExecutor | None = None
        self.thread: threading.Thread | None = None
        self.failed = False

    def __enter__(self) -> "Background":
        if self.threaded:
            self.connection.inc_thread_sharing()
            self.executor = ThreadPoolExecutor(max_workers=1, initializer=self._adopt)
            self.connection.execute_wrappers.append(self._wait_first)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.executor is None:
            return
        try:
            if kind is None:
                self.wait()
            else:
                # Leaving on an error of its own: the writes are let finish (the transaction is rolled
                # back after), their errors no longer matter.
                for future in self.pending:
                    future.exception()
        finally:
            self.executor.shutdown(wait=True)
            self.connection.execute_wrappers.remove(self._wait_first)
            self.connection.dec_thread_sharing()
            self.executor = None

    def _adopt(self) -> None:
        # The thread uses the import's connection, not one of its own (as Django's live test server does).
        connections[self.alias] = self.connection
        self.thread = threading.current_thread()

    def submit(self, write: Callable[[], Any]) -> None:
        """Run `write` after the writes submitted before it (at once without a thread)."""
        self.call(write)

    def call(self, work: Callable[[], T]) -> "Future[T]":
        """Run `work` after the work submitted before it (at once without a thread): its result to come.
        A read sent this way runs while the import checks rows."""
        if self.executor is None:
            done: Future[T] = Future()
            done.set_result(work())
            return done

        # The write sees what its caller saw (the activity recorded in history rows, the language).
        context = contextvars.copy_context()

        def run() -> T:
            if self.failed:
                # The transaction is lost already: the first error is the one to raise.
                raise RuntimeError("an earlier write of the import failed")
            try:
                with self.connection.wrap_database_errors:
                    return context.run(work)
            except BaseException:
                self.failed = True
                raise

        future = self.executor.submit(run)
        self.pending.append(future)  # type: ignore[arg-type]
        return future

    def wait(self) -> None:
        """Until every write submitted is done; raises the first one's error."""
        pending, self.pending = self.pending, []
        for future in pending:
            future.result()

    def _wait_first(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if threading.current_thread() is not self.thread:
            self.wait()
        return execute(sql, params, many, context)
