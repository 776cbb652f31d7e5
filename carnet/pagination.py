"""Cursor (keyset) pagination: stable under inserts, and as fast on page 1,000 as on page 1."""

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)
MAX_LIMIT = 200


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


BAD_CURSOR = "This cursor is not one Carnet gave for this list and sort; start again without it."


def _encode(sort: str, values: list[Any]) -> str:
    # The sort travels in the cursor: a value of one column compared with another would be nonsense.
    raw = json.dumps([sort, *(v.isoformat() if isinstance(v, datetime) else v for v in values)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, sort: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as exc:
        raise ValidationError({"cursor": BAD_CURSOR}) from exc
    if (
        not isinstance(values, list)
        or len(values) != 3
        or values[0] != sort
        or not isinstance(values[2], int)
    ):
        raise ValidationError({"cursor": BAD_CURSOR})
    return values[1:]


def paginate(queryset: QuerySet[M], *, sort: str, limit: int, cursor: str | None) -> Page[M]:
    """One page ordered by `sort` (a field name, '-' for descending) then id, after `cursor`."""
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationError({"limit": f"Use a limit between 1 and {MAX_LIMIT}."})
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    order = [f"-{field}", "-id"] if descending else [field, "id"]
    queryset = queryset.order_by(*order)
    if cursor:
        value, last_id = _decode(cursor, sort)
        after = "lt" if descending else "gt"
        try:
            queryset = queryset.filter(
                Q(**{f"{field}__{after}": value}) | Q(**{field: value, f"id__{after}": last_id})
            )
        except (ValidationError, ValueError, TypeError) as exc:
            raise ValidationError({"cursor": BAD_CURSOR}) from exc
    items = list(queryset[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        next_cursor = _encode(sort, [getattr(last, field), last.pk])
    return Page(items=items, next_cursor=next_cursor)
