"""The custom fields of customers and contacts as extra CSV columns, cf_<key>, after the declared ones.

The definitions, and how a value reads from and writes to text, belong to carnet.customfields; this module
only lays them out as columns. Without that module installed, there are no extra columns.
"""

import importlib
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

from django.core.exceptions import ValidationError

from .cells import neutralise
from .reading import Row
from .report import Report

PREFIX = "cf_"


def _services() -> ModuleType | None:
    try:
        return importlib.import_module("carnet.customfields.services")
    except ImportError:
        return None


def fields(target: str) -> list[Any]:
    """The active custom field definitions of "customer" or "contact", in their order."""
    services = _services()
    return list(services.definitions(target)) if services is not None else []


def column_names(target: str) -> list[str]:
    return [PREFIX + field.key for field in fields(target)]


def read(definitions: Sequence[Any], row: Row, report: Report) -> dict[str, Any]:
    """The custom field values of a row, {key: value}, for the columns it has (None: cleared)."""
    services = _services()
    values: dict[str, Any] = {}
    if services is None:
        return values
    for field in definitions:
        column = PREFIX + field.key
        if column not in row.cells:
            continue
        try:
            values[field.key] = services.parse_text(field, row.cells[column].strip())
        except ValidationError as exc:
            for message in exc.messages:
                report.problem(row.number, column, message)
    return values


def merge(stored: Mapping[str, Any] | None, read_values: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(stored or {})
    for key, value in read_values.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def cells(definitions: Sequence[Any], stored: Mapping[str, Any] | None) -> list[str]:
    services = _services()
    if services is None:
        return []
    stored = stored or {}
    return [
        neutralise("" if stored.get(f.key) is None else services.format_text(f, stored[f.key]))
        for f in definitions
    ]
