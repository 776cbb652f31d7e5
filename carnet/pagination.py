"""Cursor (keyset) pagination: stable under inserts, and as fast on page 1,000 as on page 1."""

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import F, Model, Q, QuerySet
from django.db.models.functions import Coalesce

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


# How many rows, per row of the page, the probe of a sparse search walks in sort order (see paginate).
PROBE_FACTOR = 20


def _in_order(
    queryset: QuerySet[M], field: str, descending: bool, cursor_values: list[Any] | None
) -> QuerySet[M]:
    order = [f"-{field}", "-id"] if descending else [field, "id"]
    queryset = queryset.order_by(*order)
    if cursor_values is None:
        return queryset
    value, last_id = cursor_values
    after = "lt" if descending else "gt"
    try:
        return queryset.filter(
            Q(**{f"{field}__{after}": value}) | Q(**{field: value, f"id__{after}": last_id})
        )
    except (ValidationError, ValueError, TypeError) as exc:
        raise ValidationError({"cursor": BAD_CURSOR}) from exc


def paginate(
    queryset: QuerySet[M], *, sort: str, limit: int, cursor: str | None, sparse_filter: bool = False
) -> Page[M]:
    """One page ordered by `sort` (a field name, '-' for descending) then id, after `cursor`.

    `sparse_filter` says that the queryset carries a filter that an index of its own narrows (a trigram
    search). The database may then pick either of two plans, and each is slow where the other is quick:
    walking the sort column's index and testing every row is slow when the matches sit together far down
    the index (every "Services …" under S); collecting every match and sorting is slow when a quarter of
    the book matches ("Roy"). So a probe first tests the next few hundred rows in sort order; when they
    hold a full page, that is the page (the rows after them all sort later). Otherwise the matches are
    few there, and an order by an expression that no index serves makes the database collect them.
    """
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationError({"limit": f"Use a limit between 1 and {MAX_LIMIT}."})
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    cursor_values = _decode(cursor, sort) if cursor else None
    items: list[M] | None = None
    if sparse_filter:
        window_size = limit * PROBE_FACTOR
        everything = queryset.model._default_manager.all()
        window = list(
            _in_order(everything, field, descending, cursor_values).values_list("pk", flat=True)[:window_size]
        )
        found = list(_in_order(queryset, field, descending, cursor_values).filter(pk__in=window)[: limit + 1])
        if len(found) > limit or len(window) < window_size:
            items = found
        else:
            keyed: QuerySet[M] = queryset.alias(_sort_key=Coalesce(F(field), F(field)))  # type: ignore[assignment]
            items = list(_in_order(keyed, "_sort_key", descending, cursor_values)[: limit + 1])
    else:
        items = list(_in_order(queryset, field, descending, cursor_values)[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        next_cursor = _encode(sort, [getattr(last, field), last.pk])
    return Page(items=items, next_cursor=next_cursor)
