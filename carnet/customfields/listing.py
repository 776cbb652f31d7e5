"""Custom fields in the customer list and record pages: columns, filter controls, rows of the detail."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError

from . import services
from .filtering import PREFIX, parse_filters
from .models import RANGE_TYPES, CustomField, FieldType


def list_columns(fields: list[CustomField]) -> list[CustomField]:
    return [f for f in fields if f.show_in_list]


def valid_filter_params(query: Mapping[str, Any], fields: list[CustomField]) -> dict[str, str]:
    """The cf_ parameters of a shared URL that filter something; the others are dropped, not refused."""
    valid = {}
    for name in query:
        value = str(query.get(name, "") or "").strip()
        if name.startswith(PREFIX) and value:
            try:
                parse_filters({name: value}, fields)
            except ValidationError:
                continue
            valid[name] = value
    return valid


def filter_controls(query: Mapping[str, Any], fields: list[CustomField]) -> list[dict[str, Any]]:
    """What the list's filter bar shows for each filterable field, with the values the URL gives."""
    controls = []
    for field in fields:
        if not field.filterable:
            continue
        name = f"{PREFIX}{field.key}"
        control: dict[str, Any] = {
            "field": field,
            "name": name,
            "value": str(query.get(name, "") or ""),
            "label": field.label(),
        }
        if field.type == FieldType.CHOICE:
            control["kind"] = "select"
            control["choices"] = field.option_choices()
        elif field.type == FieldType.BOOLEAN:
            control["kind"] = "select"
            control["choices"] = [(word, services.display(field, word == "yes")) for word in ("yes", "no")]
        elif field.type in RANGE_TYPES:
            control["kind"] = "range"
            control["input"] = "date" if field.type == FieldType.DATE else "text"
            control["low"] = str(query.get(f"{name}__gte", "") or "")
            control["high"] = str(query.get(f"{name}__lte", "") or "")
        else:
            control["kind"] = "text"
        controls.append(control)
    return controls


def detail_rows(fields: list[CustomField], values: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(name, label, shown value) per active field, as the record's overview lists its fields: the value as
    safe HTML (a link value is a link)."""
    return [
        (f"custom_fields.{f.key}", f.label(), services.display_html(f, (values or {}).get(f.key)))
        for f in fields
    ]
