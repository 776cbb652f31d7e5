"""Reads by many keys at once: `= ANY(array)` on PostgreSQL, ten thousand keys a query; `IN (…)` on SQLite,
which takes fewer parameters, nine hundred a query.

Plain SQL: the ORM spent more building a query of a thousand parameters, and a record or a dict per row,
than the database spent answering it.
"""

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

from .kinds.base import chunks


def batches(keys: Sequence[Any]) -> Iterator[Sequence[Any]]:
    return chunks(keys, 10_000 if connection.vendor == "postgresql" else 900)


def rows(sql: str, keys: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of `sql`, whose {keys} stands for the condition "is one of these keys"."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql.format(keys="= ANY(%s)"), [list(keys)])
        else:
            cursor.execute(sql.format(keys=f"IN ({', '.join(['%s'] * len(keys))})"), list(keys))
        return cursor.fetchall()


def column(model: type[Model], name: str) -> str:
    name = getattr(model._meta.get_field(name), "column", None) or name
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def ids_by_code(model: type[Model], codes: Sequence[str]) -> dict[str, int]:
    """The ids of the records of these codes (those that exist)."""
    code = column(model, "code")
    sql = f"SELECT {code}, {column(model, 'id')} FROM {table(model)} WHERE {code} {{keys}}"
    return {code: pk for batch in batches(sorted(set(codes))) for code, pk in rows(sql, batch)}


def records_of(model: type[Model], link: str, ids: Sequence[int]) -> Iterator[Model]:
    """The records whose `link` (a foreign key) is one of `ids`, by link then id: whole records."""
    key, order = column(model, link), column(model, "id")
    sql = f"SELECT * FROM {table(model)} WHERE {key} {{keys}} ORDER BY {key}, {order}"
    for batch in batches(sorted(set(ids))):
        if connection.vendor == "postgresql":
            yield from model._default_manager.raw(sql.format(keys="= ANY(%s)"), [list(batch)])
        else:
            placeholders = ", ".join(["%s"] * len(batch))
            yield from model._default_manager.raw(sql.format(keys=f"IN ({placeholders})"), list(batch))
