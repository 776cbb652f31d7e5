"""Addresses and contacts as CSV: parts of a customer, named by the customer's code and their number.

`number` is the part's place among its customer's parts, in the order they were added (1, 2, …): a row
whose number exists updates that part; a blank number, or one past the customer's parts, adds one. Flags a
customer has once (the main address, the default and the billing contact) move to the row that takes them,
as the services move them.
"""

import copy
import functools
import operator
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Model, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Action
from carnet.customers.models import Customer

from .. import customfields, many, writing
from ..background import Background
from ..blank import Blank
from ..checked import CheckedValues
from ..reading import Row
from ..report import Action as Done
from ..report import Report
from ..rows_ahead import rows_checked_ahead
from ..search_text import SearchSources, refresh_search_texts
from .base import BATCH, Job, Kind, chunks, history_kwargs, parse, report_errors

# Customers whose parts are written at once: fewer, larger writes cost the database less per row, while
# the rows checked meanwhile keep it busy.
SETTLED_BATCH = 5 * BATCH


class PartKind(Kind):
    model: type[Model]
    # Column name → model field, where they differ.
    field_of_column: Mapping[str, str] = {}
    # Flags a customer has on one part at most (model field names).
    single_flags: tuple[str, ...] = ()
    import_actions = (Action.CHANGE_CUSTOMER,)

    def export_queryset(self, actor: User | None, company: Company | None) -> QuerySet[Any]:
        return self.model._default_manager.annotate(
            number=Window(RowNumber(), partition_by=[F("customer_id")], order_by=F("id").asc())
        ).order_by("customer__code", "id")

    def column_of(self, field: str) -> str:
        reverse = {f: c for c, f in self.field_of_column.items()}
        return reverse.get(field, field)

    def new_part(self, customer_id: int, values: Mapping[str, Any], job: Job) -> Model:
        blank: Blank[Model] = job.once("blank", lambda: Blank(self.model))
        return blank(customer_id=customer_id)

    def check(self, part: Model, job: Job, checked: CheckedValues) -> None:
        raise NotImplementedError

    def custom_definitions(self) -> list[Any]:
        """The active custom fields of this kind of part (none by default)."""
        return []

    def load(self, rows: list[Row], job: Job) -> None:
        job.custom_fields = self.custom_definitions()
        codes = [(row.cells.get("customer_code") or "").strip().upper() for row in rows]
        # The parts need their customer's id alone: not the wide record, nor a record at all.
        customers = many.ids_by_code(Customer, codes)
        existing: dict[int, list[Model]] = defaultdict(list)
        for part in many.records_of(self.model, "customer", list(customers.values())):
            existing[part.customer_id].append(part)  # type: ignore[attr-defined]
        # A customer's parts are settled once its last row is checked: they are written then, a batch of
        # customers at a time, while the next rows are checked (see carnet.transfer.background).
        last_row = {customers[code]: index for index, code in enumerate(codes) if code in customers}
        closing: dict[int, list[int]] = defaultdict(list)
        for customer_id, index in last_row.items():
            closing[index].append(customer_id)
        adding = _may_add(rows, codes, customers, existing)
        settled: list[int] = []
        load = _Checking(self, job, existing)
        customer_ids = [customers.get(code) for code in codes]
        # The second process starts before the thread: a fork copies only the thread that forks.
        with rows_checked_ahead(load.checked_alone, rows, customer_ids) as ahead, Background() as background:
            # Read by the thread while the first rows are checked, before any write: what the customers'
            # search texts are made of, and ids for the parts the rows may add.
            sources = background.call(lambda: self.search_sources(sorted(customers.values())))
            load.read_sources = sources
            load.read_ids = background.call(lambda: writing.allocate_ids(self.model, adding))
            load.ahead = ahead
            for index, (row, code) in enumerate(zip(rows, codes, strict=True)):
                if index and index % BATCH == 0:
                    job.progress(index)
                load.check_row(index, row, code, customer_ids[index])
                settled += closing.get(index, ())
                if len(settled) >= SETTLED_BATCH or index == len(rows) - 1:
                    load.settle(settled, background)
                    settled = []
        if job.report.ok:
            # A customer changed by someone else during the import has its search text made again from
            # the book as it is now (the one written was made of the customer as read at the start). Its
            # version, counted by the database, went up by more than the import's one. (On SQLite the
            # import holds the one writer's lock from its start: nobody else changes a customer.)
            read = sources.result()
            moved = [pk for pk, version in load.versions if version != read.versions[pk] + 1]
            refresh_search_texts(moved)
        job.progress(len(rows))

    def search_sources(self, customer_ids: list[int]) -> SearchSources:
        """What the customers' search texts are made of, but for the parts of this kind."""
        raise NotImplementedError

    def check_flags(self, existing: Any, creates: Any, updates: Any, holders: Any, report: Any) -> None:
        """Rules of the flags across the rows of one customer (the main address)."""

    def _changed(self, found: Model, part: Model) -> bool:
        return any(
            getattr(found, f.attname) != getattr(part, f.attname)
            for f in self.model._meta.concrete_fields
            if f.name not in {"id", "version", "created_at"}
        )

    def prepare_write(
        self,
        existing: Any,
        creates: Any,
        updates: Any,
        holders: Any,
        history: Any,
        sources: SearchSources,
        ids: Iterator[int],
        versions: list[tuple[int, int]],
    ) -> list[Callable[[], None]]:
        """The writes of the parts of settled customers, and of the customers' new search text and version,
        built here (nothing is read: the writes sent before may still be running), to be sent in this
        order. New parts take the next of `ids`; the customers' new versions are added to `versions` when
        written (PostgreSQL)."""
        sends: list[Callable[[], None]] = []
        taken_by: dict[tuple[int, str], Model] = {}
        # A flag taken by a row leaves the customer's other parts first (one per customer).
        for flag in self.single_flags:
            taken = {customer_id: part for (customer_id, f), (_row, part) in holders.items() if f == flag}
            taken_by.update({(customer_id, flag): part for customer_id, part in taken.items()})
            # Only customers with a part holding the flag when the import read them have one to clear: an
            # import of new parts need not ask for the others of every customer. (A part given the flag
            # meanwhile makes the write fail on the one-per-customer index: the book changed.)
            holding = {cid for cid, stored in existing.items() if any(getattr(p, flag) for p in stored)}
            # The parts that lose it are changed as the services change them: a new version and a history
            # row each. Those the file changes too lose it here first (the one-per-customer index is
            # checked row by row), and take their version and history row with their other changes below.
            rewritten = {p.pk for _row, p in updates}
            for batch in chunks(sorted(taken.keys() & holding)):
                keep = [taken[cid].pk for cid in batch if taken[cid].pk is not None]
                # Read when sent, as the book is then (rare: only customers that had the flag).
                sends.append(functools.partial(self._clear_flag, flag, batch, keep, rewritten, history))
            for _row, part in updates:
                holder = taken.get(part.customer_id)  # type: ignore[attr-defined]
                if holder is not None and holder is not part:
                    setattr(part, flag, False)
        if updates:
            parts = [p for _row, p in updates]
            for part in parts:
                part.version += 1  # type: ignore[attr-defined]
            fields = [
                f.attname
                for f in self.model._meta.concrete_fields
                if f.name not in {"id", "customer", "created_at"}
            ]
            sends.append(writing.prepare_update(self.model, parts, fields).send)
            sends.append(writing.prepare_history(self.model, parts, updated=True, **history).send)
        new = [p for _row, p in creates]
        if new:
            for part in new:
                part.pk = next(ids)
            inserted = writing.prepare_insert(self.model, new)
            sends.append(inserted.send)
            sends.append(
                writing.prepare_history(self.model, new, updated=False, written=inserted.rows, **history).send
            )
        # The customers' parts as they will be, for their search texts.
        now = [*(p for _row, p in updates), *new]
        parts_of: dict[int, dict[int, Model]] = {}
        for customer_id in {p.customer_id for p in now}:  # type: ignore[attr-defined]
            parts_of[customer_id] = {p.pk: p for p in existing.get(customer_id, ())}
        for part in now:
            parts_of[part.customer_id][part.pk] = part  # type: ignore[attr-defined]
        final = {
            customer_id: [self._as_written(p, customer_id, taken_by) for _key, p in sorted(parts.items())]
            for customer_id, parts in parts_of.items()
        }
        texts = self.search_texts_with(sources, sorted(final), final)
        stamp = timezone.now()
        rows = [(pk, text, stamp) for pk, text, _s in texts]
        touched = writing.prepare_update_values(Customer, ["search_text", "updated_at"], rows, ["version"])
        touched.counted = versions
        sends.append(touched.send)
        return sends

    def _clear_flag(
        self, flag: str, customer_ids: Sequence[int], keep: list[Any], rewritten: set[Any], history: Any
    ) -> None:
        """The parts of these customers that hold the flag, but those kept, lose it. The parts that lose it
        are changed as the services change them: a new version and a history row each. Those the file
        changes too lose it here first (the one-per-customer index is checked row by row), and take their
        version and history row with their other changes."""
        losing = list(
            self.model._default_manager.filter(customer_id__in=customer_ids, **{flag: True}).exclude(
                pk__in=keep
            )
        )
        for part in losing:
            setattr(part, flag, False)
        recorded = [p for p in losing if p.pk not in rewritten]
        for part in recorded:
            part.version += 1  # type: ignore[attr-defined]
        writing.update(self.model, [p for p in losing if p.pk in rewritten], [flag])
        writing.update_with_history(self.model, recorded, [flag, "version"], **history)

    def _as_written(self, part: Model, customer_id: int, taken_by: Mapping[tuple[int, str], Model]) -> Model:
        """The part with the flags it will have: a flag a row took for its customer leaves the others."""
        lost = [
            flag
            for flag in self.single_flags
            if getattr(part, flag) and taken_by.get((customer_id, flag), part) is not part
        ]
        if not lost:
            return part
        written = copy.copy(part)
        for flag in lost:
            setattr(written, flag, False)
        return written

    def search_texts_with(
        self, sources: SearchSources, customer_ids: list[int], final: dict[int, list[Model]]
    ) -> list[tuple[int, str, str]]:
        """(id, search text, stored) of the customers, given all their parts of this kind (by id)."""
        raise NotImplementedError


class _Checking:
    """The rows of one import of parts, checked one at a time; the parts of the customers whose rows are
    all checked are then settled (the flags across their rows) and written, unless a row was wrong."""

    def __init__(
        self,
        kind: PartKind,
        job: Job,
        existing: dict[int, list[Model]],
    ) -> None:
        self.kind = kind
        # Read by the write thread (see _load), and the rows' answers from the second process.
        self.read_sources: Future[SearchSources] | None = None
        self.read_ids: Future[list[int]] | None = None
        self.ahead: Mapping[int, tuple[tuple[str, Any], ...]] | None = None
        self.ids: Iterator[int] | None = None
        # The customers given a new version and search text, and that version (PostgreSQL).
        self.versions: list[tuple[int, int]] = []
        self.job = job
        self.report = job.report
        self.existing = existing
        self.checked = CheckedValues(kind.model)
        self.history = history_kwargs(kind.model, job.actor)
        self.field_of: dict[str, models.Field[Any, Any]] = {}
        for name in (c.name for c in kind.columns if c.name not in {"customer_code", "number"}):
            field = kind.model._meta.get_field(kind.field_of_column.get(name, name))
            assert isinstance(field, models.Field)
            self.field_of[name] = field
        self.seen: dict[tuple[str, int], int] = {}
        # By customer, until the customer is settled: the rows that add or change a part, and the row
        # giving a part each flag.
        self.creates: dict[int, list[tuple[Row, Model]]] = defaultdict(list)
        self.updates: dict[int, list[tuple[Row, Model]]] = defaultdict(list)
        self.holders: dict[tuple[int, str], tuple[Row, Model]] = {}
        self._attnames = [f.attname for f in kind.model._meta.concrete_fields if not f.primary_key]
        self._values = operator.attrgetter(*self._attnames)

    def check_row(self, index: int, row: Row, code: str, customer_id: int | None) -> None:
        """Check the row (the `index`th of the file) and keep its part until its customer is settled."""
        kind, report = self.kind, self.report
        count = len(report.problems)
        values = parse(row, kind.columns, report)
        custom = customfields.read(self.job.custom_fields, row, report) if self.job.custom_fields else {}
        if customer_id is None:
            report.problem(
                row.number,
                "customer_code",
                _("No customer has the code %(code)s.") % {"code": code}
                if code
                else _("This cell is required."),
            )
            return
        number = values.pop("number", None)
        parts = self.existing[customer_id]
        if number is not None and (code, number) in self.seen:
            report.problem(
                row.number,
                "number",
                _("%(code)s number %(n)d is also on row %(row)d.")
                % {"code": code, "n": number, "row": self.seen[(code, number)]},
            )
            return
        if number is not None:
            self.seen[(code, number)] = row.number
            if number < 1:
                report.problem(row.number, "number", _("A number is 1 or more."))
                return
        found, part = self._built(customer_id, number, values, custom)
        for flag in kind.single_flags:
            if getattr(part, flag):
                other = self.holders.get((customer_id, flag))
                if other is not None:
                    report.problem(
                        row.number,
                        kind.column_of(flag),
                        _("Row %(row)d already gives %(code)s this; a customer has one.")
                        % {"row": other[0].number, "code": code},
                    )
                else:
                    self.holders[(customer_id, flag)] = (row, part)
        if len(report.problems) > count:
            return
        changes = self.ahead.get(index) if self.ahead is not None else None
        if changes is not None:
            # Checked in the second process, exactly so: its part takes what the checks changed.
            for attname, value in changes:
                setattr(part, attname, value)
        else:
            try:
                kind.check(part, self.job, self.checked)
            except ValidationError as exc:
                columns = (
                    {f: kind.column_of(f) for f in exc.message_dict} if hasattr(exc, "error_dict") else None
                )
                report_errors(report, row.number, exc, columns)
                return
            self.checked.remember(part)
        key = f"{code}/{number or len(parts) + 1}"
        if found is None:
            self.creates[customer_id].append((row, part))
            report.act(row.number, key, Done.CREATED)
        elif kind._changed(found, part):
            self.updates[customer_id].append((row, part))
            report.act(row.number, key, Done.UPDATED)
        else:
            report.act(row.number, key, Done.UNCHANGED)

    def _built(
        self, customer_id: int, number: int | None, values: Mapping[str, Any], custom: Mapping[str, Any]
    ) -> tuple[Model | None, Model]:
        """The part a row names (None for a new one), and the row's part: that one with the row's values."""
        parts = self.existing.get(customer_id, ())
        found = parts[number - 1] if number is not None and number <= len(parts) else None
        part = copy.copy(found) if found is not None else self.kind.new_part(customer_id, values, self.job)
        for column, value in values.items():
            if column == "customer_code":
                continue
            field = self.field_of[column]
            setattr(part, field.attname, field.get_default() if value is None else value)
        if custom:
            stored = getattr(part, "custom_fields", None)
            part.custom_fields = customfields.merge(stored, custom)  # type: ignore[attr-defined]
        return found, part

    def checked_alone(self, row: Row, customer_id: int) -> tuple[tuple[str, Any], ...] | None:
        """In the second process (carnet.transfer.rows_ahead): what the part's own checks change on the
        row's part, built as check_row builds it, if the row passes them; None if it does not."""
        scratch = Report(kind=self.kind.name, dry_run=True)
        values = parse(row, self.kind.columns, scratch)
        custom = customfields.read(self.job.custom_fields, row, scratch) if self.job.custom_fields else {}
        number = values.pop("number", None)
        if scratch.problems or (number is not None and number < 1):
            return None
        _found, part = self._built(customer_id, number, values, custom)
        before = self._values(part)
        try:
            self.kind.check(part, self.job, self.checked)
        except ValidationError:
            return None
        self.checked.remember(part)
        after = self._values(part)
        # A dict or a list may have been changed in place: sent whenever it holds something.
        return tuple(
            (attname, value)
            for attname, old, value in zip(self._attnames, before, after, strict=True)
            if old != value or (isinstance(value, dict | list) and value)
        )

    def settle(self, customer_ids: list[int], background: Background) -> None:
        """Settle the flags of these customers, whose rows are all checked, and have their parts written
        (unless a row was wrong: nothing is kept then)."""
        kind = self.kind
        existing = {cid: self.existing[cid] for cid in customer_ids if cid in self.existing}
        creates = [c for cid in customer_ids for c in self.creates.pop(cid, ())]
        updates = [u for cid in customer_ids for u in self.updates.pop(cid, ())]
        holders = {
            (cid, flag): self.holders.pop((cid, flag))
            for cid in customer_ids
            for flag in kind.single_flags
            if (cid, flag) in self.holders
        }
        kind.check_flags(existing, creates, updates, holders, self.report)
        if self.report.ok and (creates or updates):
            # Built here, sent by the thread: the rows of the next customers are checked meanwhile.
            assert self.read_ids is not None and self.read_sources is not None
            if self.ids is None:
                self.ids = iter(self.read_ids.result())
            sources = self.read_sources.result()
            sends = kind.prepare_write(
                existing, creates, updates, holders, self.history, sources, self.ids, self.versions
            )
            background.submit(lambda: [send() for send in sends])


def _may_add(rows: list[Row], codes: list[str], customers: Mapping[str, int], existing: Any) -> int:
    """How many of the rows may add a part (a blank number, or one past the customer's parts): ids are
    taken for them before the rows are checked. A row that is wrong, or adds nothing, leaves a gap."""
    count = 0
    for row, code in zip(rows, codes, strict=True):
        customer_id = customers.get(code)
        if customer_id is None:
            continue
        number = (row.cells.get("number") or "").strip()
        try:
            count += not number or int(number) > len(existing.get(customer_id, ()))
        except ValueError:
            continue
    return count
