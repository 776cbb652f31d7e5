"""Field values already checked during one import, so that a value is checked once, not once a row.

A field's own checks (its type, choices, length and validators: Field.clean) depend on the value alone,
so a hundred thousand rows with the language "fr" need not check "fr" a hundred thousand times. The rules
that involve the record (between fields, the relations, the services' rules) still run on every row.
Foreign keys are left out (their check reads the database for the row named), and so are values that
cannot be remembered (JSON dicts), which are checked every time.
"""

import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Model

# Distinct values remembered per field. Fields whose values repeat (language, currency, country, flags)
# stay far below it; a field with a value per row (names, emails) reaches it and is then left out: its
# values are checked every time, as they would be anyway, without the cost of remembering them.
LIMIT = 1000


class CheckedValues:
    """Remembers, per field of a model, the values that passed the field's checks."""

    def __init__(self, model: type[Model]) -> None:
        self.fields: list[tuple[str, str]] = [
            (f.name, f.attname)
            for f in model._meta.concrete_fields
            if not f.is_relation and not f.primary_key and not isinstance(f, models.JSONField)
        ]
        self.passed: dict[str, set[Any]] = {name: set() for name, _attname in self.fields}
        self._read_fields()
        # The record last asked about, and its values not yet known good.
        self._asked: tuple[Model | None, list[tuple[str, Any]]] = (None, [])

    def _read_fields(self) -> None:
        # The fields' values read at once, and each field's set at hand: asked for every row.
        attnames = [attname for _name, attname in self.fields]
        getter = operator.attrgetter(*attnames) if attnames else (lambda record: ())
        self._values: Callable[[Model], Any] = (
            getter if len(attnames) != 1 else (lambda record: (getter(record),))
        )
        self._seen = [(name, self.passed[name]) for name, _attname in self.fields]

    def __call__(self, record: Model) -> list[str]:
        """The fields whose current values passed before: they need not be checked again."""
        skipped = []
        unknown = []
        for (name, seen), value in zip(self._seen, self._values(record), strict=True):
            # _key(value), inline: asked for every field of every row.
            kind = type(value)
            key = (kind, str(value) if kind is Decimal else value)
            try:
                if key in seen:
                    skipped.append(name)
                else:
                    unknown.append((name, key))
            except TypeError:  # not hashable: checked every time
                continue
        self._asked = (record, unknown)
        return skipped

    def remember(self, record: Model) -> None:
        """The record passed every check: its values are known good."""
        asked, unknown = self._asked
        if asked is not record:
            return
        full = set()
        for name, key in unknown:
            seen = self.passed[name]
            seen.add(key)
            if len(seen) >= LIMIT:
                full.add(name)
        if full:
            self.fields = [(n, a) for n, a in self.fields if n not in full]
            self._read_fields()
        self._asked = (None, [])


def _key(value: Any) -> tuple[type, Any]:
    # The type too: 1 and True, "1" and 1 pass or fail different checks; and a decimal's digits count
    # (1.00 and 1.000 are equal, but only one has two decimal places).
    kind = type(value)
    return kind, str(value) if kind is Decimal else value
