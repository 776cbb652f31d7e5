"""Addresses and contacts as CSV: parts of a customer, named by the customer's code and their number.

`number` is the part's place among its customer's parts, in the order they were added (1, 2, …): a row
whose number exists updates that part; a blank number, or one past the customer's parts, adds one. Flags a
customer has once (the main address, the default and the billing contact) move to the row that takes them,
as the services move them.
"""

import copy
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Model, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Action
from carnet.customers.models import Customer

from .. import customfields, writing
from ..blank import Blank
from ..checked import CheckedValues
from ..phones import checked_ahead as phones_checked_ahead
from ..reading import Row
from ..report import Action as Done
from ..search_text import refresh_search_texts
from .base import BATCH, Job, Kind, chunks, history_kwargs, parse, report_errors


class PartKind(Kind):
    model: type[Model]
    # Column name → model field, where they differ.
    field_of_column: Mapping[str, str] = {}
    # Flags a customer has on one part at most (model field names).
    single_flags: tuple[str, ...] = ()
    # Columns of phone numbers, checked ahead in a second process (see carnet.transfer.phones).
    phone_columns: tuple[str, ...] = ()
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
        phones = ((row.cells.get(c) or "").strip() for row in rows for c in self.phone_columns)
        with phones_checked_ahead(phones):
            self._load(rows, job)

    def _load(self, rows: list[Row], job: Job) -> None:
        report = job.report
        job.custom_fields = self.custom_definitions()
        checked = CheckedValues(self.model)
        codes = [(row.cells.get("customer_code") or "").strip().upper() for row in rows]
        # The parts need their customer's id alone: not the wide record, nor a record at all.
        customers: dict[str, int] = {}
        for batch in chunks(sorted(set(codes))):
            customers.update(Customer.objects.filter(code__in=batch).values_list("code", "id"))
        existing: dict[int, list[Model]] = defaultdict(list)
        ids = sorted(customers.values())
        for batch in chunks(ids):
            for part in self.model._default_manager.filter(customer_id__in=batch).order_by(
                "customer_id", "id"
            ):
                existing[part.customer_id].append(part)  # type: ignore[attr-defined]
        creates: list[tuple[Row, Model]] = []
        updates: list[tuple[Row, Model]] = []
        seen: dict[tuple[str, int], int] = {}
        holders: dict[tuple[int, str], tuple[Row, Model]] = {}
        field_of: dict[str, models.Field[Any, Any]] = {}
        for name in (c.name for c in self.columns if c.name not in {"customer_code", "number"}):
            field = self.model._meta.get_field(self.field_of_column.get(name, name))
            assert isinstance(field, models.Field)
            field_of[name] = field
        for done, (row, code) in enumerate(zip(rows, codes, strict=True), start=1):
            if done % BATCH == 0:
                job.progress(done)
            count = len(report.problems)
            values = parse(row, self.columns, report)
            custom = customfields.read(job.custom_fields, row, report) if job.custom_fields else {}
            customer_id = customers.get(code)
            if customer_id is None:
                report.problem(
                    row.number,
                    "customer_code",
                    _("No customer has the code %(code)s.") % {"code": code}
                    if code
                    else _("This cell is required."),
                )
                continue
            number = values.pop("number", None)
            parts = existing[customer_id]
            if number is not None and (code, number) in seen:
                report.problem(
                    row.number,
                    "number",
                    _("%(code)s number %(n)d is also on row %(row)d.")
                    % {"code": code, "n": number, "row": seen[(code, number)]},
                )
                continue
            if number is not None:
                seen[(code, number)] = row.number
                if number < 1:
                    report.problem(row.number, "number", _("A number is 1 or more."))
                    continue
            found = parts[number - 1] if number is not None and number <= len(parts) else None
            part = copy.copy(found) if found is not None else self.new_part(customer_id, values, job)
            for column, value in values.items():
                if column == "customer_code":
                    continue
                field = field_of[column]
                setattr(part, field.attname, field.get_default() if value is None else value)
            if custom:
                stored = getattr(part, "custom_fields", None)
                part.custom_fields = customfields.merge(stored, custom)  # type: ignore[union-attr]
            for flag in self.single_flags:
                if getattr(part, flag):
                    other = holders.get((customer_id, flag))
                    if other is not None:
                        report.problem(
                            row.number,
                            self.column_of(flag),
                            _("Row %(row)d already gives %(code)s this; a customer has one.")
                            % {"row": other[0].number, "code": code},
                        )
                    else:
                        holders[(customer_id, flag)] = (row, part)
            if len(report.problems) > count:
                continue
            try:
                self.check(part, job, checked)
            except ValidationError as exc:
                report_errors(
                    report,
                    row.number,
                    exc,
                    {f: self.column_of(f) for f in exc.message_dict} if hasattr(exc, "error_dict") else None,
                )
                continue
            checked.remember(part)
            key = f"{code}/{number or len(parts) + 1}"
            if found is None:
                creates.append((row, part))
                report.act(row.number, key, Done.CREATED)
            elif self._changed(found, part):
                updates.append((row, part))
                report.act(row.number, key, Done.UPDATED)
            else:
                report.act(row.number, key, Done.UNCHANGED)
        self.check_flags(existing, creates, updates, holders, report)
        if not report.ok:
            return
        self._write(job, existing, creates, updates, holders)
        job.progress(len(rows))

    def check_flags(self, existing: Any, creates: Any, updates: Any, holders: Any, report: Any) -> None:
        """Rules of the flags across the rows of one customer (the main address)."""

    def _changed(self, found: Model, part: Model) -> bool:
        return any(
            getattr(found, f.attname) != getattr(part, f.attname)
            for f in self.model._meta.concrete_fields
            if f.name not in {"id", "version", "created_at"}
        )

    def _write(self, job: Job, existing: Any, creates: Any, updates: Any, holders: Any) -> None:
        history = history_kwargs(self.model, job.actor)
        # A flag taken by a row leaves the customer's other parts first (one per customer).
        for flag in self.single_flags:
            taken = {customer_id: part for (customer_id, f), (_row, part) in holders.items() if f == flag}
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
                losing = list(
                    self.model._default_manager.filter(customer_id__in=batch, **{flag: True}).exclude(
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
            for _row, part in updates:
                holder = taken.get(part.customer_id)  # type: ignore[attr-defined]
                if holder is not None and holder is not part:
                    setattr(part, flag, False)
        touched = {p.customer_id for _row, p in [*creates, *updates]}  # type: ignore[attr-defined]
        if updates:
            parts = [p for _row, p in updates]
            for part in parts:
                part.version += 1  # type: ignore[attr-defined]
            fields = [
                f.attname
                for f in self.model._meta.concrete_fields
                if f.name not in {"id", "customer", "created_at"}
            ]
            writing.update_with_history(self.model, parts, fields, **history)
        writing.insert_with_history(self.model, [p for _row, p in creates], **history)
        refresh_search_texts(touched, touch=True)
