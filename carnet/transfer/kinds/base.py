"""What every kind of CSV shares: its columns, the rows it exports, and the checks of an import."""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import can
from carnet.audit.context import current

from ..cells import Column, neutralise
from ..reading import Row
from ..report import Report

BATCH = 1000


@dataclass
class Job:
    """One import under way: who runs it, in which company, where its findings go."""

    actor: User | None
    company: Company
    report: Report
    progress: Callable[[int], None] = field(default=lambda done: None)
    # The custom field definitions the rows are read with, as they were when this import began (kinds are
    # shared by every import in the process, so what one import reads is kept here, not on the kind).
    custom_fields: list[Any] = field(default_factory=list)
    # What an import reads once rather than for each row (the book's settings…), by name.
    cache: dict[str, Any] = field(default_factory=dict)

    def once(self, name: str, read: Callable[[], Any]) -> Any:
        if name not in self.cache:
            self.cache[name] = read()
        return self.cache[name]

    def may(self, action: str) -> bool:
        """The command line runs as the installation itself (no actor), which may do everything."""
        return self.actor is None or can(self.actor, action)


class Kind:
    """A kind of record that imports and exports as CSV."""

    name: str = ""
    label: str = ""
    columns: Sequence[Column] = ()
    # The Action needed to import this kind at all (rows may need more, checked row by row).
    import_actions: Sequence[str] = ()

    def extra_columns(self) -> list[str]:
        """Names of further columns (custom fields), after the declared ones."""
        return []

    def header(self) -> list[str]:
        return [c.name for c in self.columns] + self.extra_columns()

    # --- export --------------------------------------------------------------------------------

    def export_queryset(self, actor: User | None, company: Company | None) -> QuerySet[Any]:
        raise NotImplementedError

    def export_lookups(self) -> list[str]:
        return [c.lookup for c in self.columns if c.lookup]

    def cells(self, values: Mapping[str, Any]) -> list[str]:
        return [neutralise(c.codec.write(values[c.lookup])) for c in self.columns]

    def export_rows(
        self, actor: User | None, company: Company | None, chunk_size: int = 2000
    ) -> Iterator[list[str]]:
        queryset = self.export_queryset(actor, company).values(*self.export_lookups())
        for values in queryset.iterator(chunk_size=chunk_size):
            yield self.cells(values)

    # --- import --------------------------------------------------------------------------------

    def may_import(self, actor: User | None) -> bool:
        return actor is None or any(can(actor, a) for a in self.import_actions)

    def load(self, rows: list[Row], job: Job) -> None:
        raise NotImplementedError


def parse(row: Row, columns: Iterable[Column], report: Report) -> dict[str, Any]:
    """The values of the row's cells, read by their columns' codecs; a cell that does not read is reported
    and left out."""
    values: dict[str, Any] = {}
    for column in columns:
        if not column.readable or column.name not in row.cells:
            continue
        try:
            values[column.name] = column.codec.read(row.cells[column.name])
        except ValidationError as exc:
            for message in exc.messages:
                report.problem(row.number, column.name, message)
    return values


def report_errors(
    report: Report, row: int, exc: ValidationError, columns: Mapping[str, str] | None = None
) -> None:
    """Report a service's ValidationError against the row, each field under its column's name."""
    columns = columns or {}
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            column = "" if name == "__all__" else columns.get(name, name)
            # A rule checked twice (a field's validator and the service) is reported once.
            for message in dict.fromkeys(messages):
                report.problem(row, column, message)
    else:
        for message in exc.messages:
            report.problem(row, "", message)


def chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def by_code(model: type[Model], codes: Iterable[str], *fields: str) -> dict[str, Any]:
    """Records of a model by code, read a batch of codes at a time (SQLite takes a limited number of
    parameters per query)."""
    found: dict[str, Any] = {}
    unique = sorted(set(codes))
    for batch in chunks(unique):
        queryset = model._default_manager.filter(code__in=batch)
        if fields:
            queryset = queryset.only(*fields)
        for record in queryset:
            found[record.code] = record  # type: ignore[attr-defined]
    return found


def history_kwargs(model: type[Model], actor: User | None) -> dict[str, Any]:
    """How rows written in bulk record their history, as a save would: the user, the reason "import", and
    the source and request id of the activity where the history rows have fields for them."""
    activity = current()
    history_fields = {f.name for f in model.history.model._meta.get_fields()}  # type: ignore[attr-defined]
    attrs = {
        name: value
        for name, value in (("source", activity.source), ("request_id", activity.request_id))
        if name in history_fields
    }
    return {
        "default_user": actor if actor is not None and actor.pk else None,
        "default_change_reason": "import",
        "custom_historical_attrs": attrs or None,
    }


def required_text(values: Mapping[str, Any], column: str, row: Row, report: Report) -> str:
    text = str(values.get(column) or "").strip()
    if not text and column not in {p.column for p in report.problems if p.row == row.number}:
        report.problem(row.number, column, _("This cell is required."))
    return text
