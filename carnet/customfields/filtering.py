"""Filtering records by their custom values: cf_<key>=value, and cf_<key>__gte / __lte for ranges.

Equality on PostgreSQL is a containment test (custom_fields @> {"key": value}), which the GIN index on
custom_fields (migration 0002) serves wherever collecting the matches beats walking the list's order:
counts, exports, combined filters; other databases compare the extracted value (json_extract on SQLite).
Text and link fields match a part of the text, case-insensitively. Ranges apply to numbers, decimals and
dates.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    BigIntegerField,
    DecimalField,
    QuerySet,
    TextField,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from .models import RANGE_TYPES, CustomField, FieldType

PREFIX = "cf_"
RANGE_SUFFIXES = {"__gte": "gte", "__lte": "lte"}
TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.LINK})


@dataclass(frozen=True)
class Condition:
    field: CustomField
    operator: str  # "exact", "contains", "gte" or "lte"
    value: Any


def with_value(queryset: QuerySet[Any], key: str, value: Any) -> QuerySet[Any]:
    """The records of `queryset` whose value of `key` is `value` (a stored value)."""
    if connection.vendor == "postgresql":
        return queryset.filter(custom_fields__contains={key: value})
    # Through an alias rather than custom_fields__<key>: a key may be spelt like a lookup ("in").
    alias = f"_cf_value_{key}"
    return queryset.alias(**{alias: KeyTransform(key, "custom_fields")}).filter(**{alias: value})


def _split(name: str) -> tuple[str, str]:
    key = name[len(PREFIX) :]
    for suffix, operator in RANGE_SUFFIXES.items():
        if key.endswith(suffix):
            return key[: -len(suffix)], operator
    return key, "exact"


def parse_filters(
    params: Mapping[str, Any], fields: list[CustomField], *, lenient: bool = False
) -> list[Condition]:
    """The conditions that the cf_ parameters of a query string ask for, among `fields` (the target's
    active definitions). A parameter naming no filterable field, or a value of the wrong type, raises
    ValidationError naming the parameter, or is left out when `lenient` (a shared URL in the web UI)."""
    from .services import parse_text  # services import this module for value_q

    by_key = {f.key: f for f in fields if f.active and f.filterable}
    conditions: list[Condition] = []
    errors: dict[str, str] = {}
    for name in params:
        if not name.startswith(PREFIX):
            continue
        raw = params[name]
        text = str(raw[-1] if isinstance(raw, list | tuple) else raw).strip()
        if not text:
            continue
        key, operator = _split(name)
        field = by_key.get(key)
        if field is None:
            errors[name] = _(
                "No custom field that filters the list has the key %(key)s; use one of: %(known)s."
            ) % {"key": key, "known": ", ".join(by_key) or _("none")}
            continue
        if operator != "exact" and field.type not in RANGE_TYPES:
            errors[name] = _("Only numbers, decimals and dates filter by a range.")
            continue
        try:
            value = parse_text(field, text)
        except ValidationError as exc:
            errors[name] = exc.messages[0]
            continue
        if operator == "exact" and field.type in TEXT_TYPES:
            operator, value = "contains", text
        conditions.append(Condition(field=field, operator=operator, value=value))
    if errors and not lenient:
        raise ValidationError(errors)
    return conditions


def _text(field: CustomField) -> Cast:
    # Cast to text: lookups on the key itself would read the bound as JSON ("2026-03-01" is not).
    return Cast(KeyTextTransform(field.key, "custom_fields"), TextField())


def _ordered_value(field: CustomField) -> Any:
    text = _text(field)
    if field.type == FieldType.NUMBER:
        return Cast(text, BigIntegerField())
    if field.type == FieldType.DECIMAL:
        return Cast(text, DecimalField(max_digits=30, decimal_places=6))
    return text  # ISO dates sort as text


def apply_filters(queryset: QuerySet[Any], conditions: list[Condition]) -> QuerySet[Any]:
    for index, condition in enumerate(conditions):
        field, value = condition.field, condition.value
        if condition.operator == "exact":
            queryset = with_value(queryset, field.key, value)
        elif condition.operator == "contains":
            alias = f"_cf_text_{index}"
            queryset = queryset.alias(**{alias: _text(field)}).filter(**{f"{alias}__icontains": value})
        else:
            alias = f"_cf_range_{index}"
            bound = Decimal(value) if field.type == FieldType.DECIMAL else value
            queryset = queryset.alias(**{alias: _ordered_value(field)}).filter(
                **{f"{alias}__{condition.operator}": bound}
            )
    return queryset
