"""Writing the checked rows of an import: many records and their history rows, at the database's speed.

Django's bulk_create builds every value of every row through the query compiler, and bulk_update writes a
CASE WHEN per field and row; for the wide customer table (70 columns, and as many in its history) that
cost more than checking the rows. Here the rows go to PostgreSQL by COPY (updates through a temporary
table) and to SQLite by executemany, and new records take their ids from the table's sequence first.
Each value goes through its field's own conversion to the database (get_db_prep_save), except text,
numbers and booleans already of the database's type. The history rows are those simple_history's bulk
functions write: the tracked fields, the date, the type, the user, the reason, and the source and request
id of the activity.
"""

import operator
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import Model
from django.utils import timezone

# Fields whose values are passed to the driver as they are when they already are str, int, bool or None.
_PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "ForeignKey",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
    }
)
_PLAIN_TYPES = (str, int, bool, type(None))


def _to_db(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    prep = field.get_db_prep_save
    # The connection itself, not the proxy that looks it up again at each use.
    connection = connections[DEFAULT_DB_ALIAS]
    if field.get_internal_type() in _PLAIN:

        def plain(value: Any) -> Any:
            if type(value) in _PLAIN_TYPES:
                return value
            if isinstance(value, str):  # a choice (TextChoices) or a lazy text: its text
                return str(value)
            return prep(value, connection)

        return plain
    if connection.vendor == "postgresql" and type(field) is models.DateTimeField:
        # An aware datetime is what Django would send (it converts only naive ones, and text).
        def moment(value: Any) -> Any:
            if type(value) is datetime and value.tzinfo is not None:
                return value
            return prep(value, connection)

        return moment
    if connection.vendor == "postgresql" and type(field) is models.JSONField:
        adapt, encoder = connection.ops.adapt_json_value, field.encoder

        # A dict or a list is adapted as Django adapts it, without the lookups on the way.
        def document(value: Any) -> Any:
            if type(value) is dict or type(value) is list:
                return adapt(value, encoder)
            return prep(value, connection)

        return document
    return lambda value: prep(value, connection)


@dataclass(frozen=True)
class _Column:
    field: models.Field[Any, Any]
    to_db: Callable[[Any], Any]
    # auto_now / auto_now_add: the field sets its own value when the row is inserted, as save() does.
    sets_itself: bool
    # The types passed as they are (none for fields that always convert): checked inline, since a call
    # per value of 70 columns of a hundred thousand rows costs more than the check.
    as_is: tuple[type, ...]


def _reader(columns: Sequence[_Column], adding: bool) -> Callable[[Model], list[Any]]:
    """A function giving the database values of a record's columns (read at once by attrgetter)."""
    stamped = [c.field for c in columns if adding and c.sets_itself]
    names = [c.field.attname for c in columns]
    get = operator.attrgetter(*names) if len(names) > 1 else (lambda r: (getattr(r, names[0]),))
    converters = [(c.as_is, c.to_db) for c in columns]

    def read(record: Model) -> list[Any]:
        for field in stamped:
            field.pre_save(record, True)  # sets the attribute, as an insert by save() would
        return [
            value if type(value) in as_is else to_db(value)
            for (as_is, to_db), value in zip(converters, get(record), strict=True)
        ]

    return read


def _columns(fields: Iterable[models.Field[Any, Any]]) -> list[_Column]:
    return [
        _Column(
            f,
            _to_db(f),
            bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)),
            _PLAIN_TYPES if f.get_internal_type() in _PLAIN else (),
        )
        for f in fields
    ]


def _quote(name: str | None) -> str:
    assert name, "a column without a name"
    return connection.ops.quote_name(name)


def _column(field: Any) -> str:
    assert field.column, "a field without a column"
    return str(field.column)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def allocate_ids(model: type[Model], count: int) -> list[int]:
    """Ids for `count` new rows, taken as an insert would take them (the caller's transaction holds
    SQLite's write lock, taken at BEGIN: see settings.py)."""
    pk = model._meta.pk
    assert pk is not None
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [_quote(table), pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT max({_quote(pk.column)}) FROM {_quote(table)}")
        highest = cursor.fetchone()[0] or 0
        # AUTOINCREMENT never hands out an id again, even a deleted row's: start past the sequence too.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        first = max(highest, found[0] if found else 0) + 1
        return list(range(first, first + count))


def _write_rows(table: str, names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write the rows, given one at a time (never all held as parameters at once)."""
    columns = ", ".join(_quote(n) for n in names)
    with connection.cursor() as cursor:
        if _postgres():
            # COPY goes to the driver's own cursor: its errors are made Django's here (an IntegrityError
            # when a code or a flag was taken meanwhile), as a query's are.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {_quote(table)} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(names))
            cursor.executemany(
                f"INSERT INTO {_quote(table)} ({columns}) VALUES ({placeholders})",
                cast(Any, rows),  # sqlite3 takes an iterator: the rows need not all be built first
            )


@dataclass
class Prepared:
    """Rows of database values, built here and sent later (by the thread that writes while an import
    goes on checking rows: building them is Python's work, sending them mostly the database's)."""

    table: str
    names: list[str]
    rows: list[list[Any]]

    def send(self) -> None:
        if self.rows:
            _write_rows(self.table, self.names, self.rows)


@dataclass
class PreparedUpdate:
    """The new values of some columns of rows (primary key first), sent later as an UPDATE."""

    model: type[Model]
    columns: list[_Column]
    rows: list[list[Any]]
    increment: Sequence[str] = ()
    # On PostgreSQL, the rows' primary key and new values of the columns `increment` are added here.
    counted: list[tuple[Any, ...]] | None = None

    def send(self) -> None:
        if self.rows:
            _update(self.model, self.columns, self.rows, self.increment, self.counted)


def prepare_insert(model: type[Model], records: Sequence[Model]) -> Prepared:
    """The rows that INSERT records already given their primary keys (allocate_ids), primary key first
    and then the fields in the model's order."""
    pk = model._meta.pk
    assert pk is not None
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    read = _reader(_columns(fields), adding=True)
    for record in records:
        record._state.adding = False
        record._state.db = connection.alias
    return Prepared(
        model._meta.db_table,
        [_column(pk), *(_column(f) for f in fields)],
        [[record.pk, *read(record)] for record in records],
    )


def prepare_update(model: type[Model], records: Sequence[Model], attnames: Sequence[str]) -> PreparedUpdate:
    columns = _columns_of(model, attnames)
    read = _reader(columns, adding=False)
    return PreparedUpdate(model, columns, [[r.pk, *read(r)] for r in records])


def insert(model: type[Model], records: Sequence[Model], written: list[list[Any]] | None = None) -> None:
    """INSERT the new records and give each its primary key, as bulk_create does; their rows of database
    values, primary key first and then the fields in the model's order, are added to `written` if given."""
    if not records:
        return
    pk = model._meta.pk
    assert pk is not None
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = _columns(fields)
    for record, key in zip(records, allocate_ids(model, len(records)), strict=True):
        setattr(record, pk.attname, key)
        record._state.adding = False
        record._state.db = connection.alias
    read = _reader(columns, adding=True)

    def rows() -> Iterator[list[Any]]:
        for record in records:
            row = [record.pk, *read(record)]
            if written is not None:
                written.append(row)
            yield row

    _write_rows(model._meta.db_table, [_column(pk), *(_column(f) for f in fields)], rows())


def update(model: type[Model], records: Sequence[Model], attnames: Sequence[str]) -> None:
    """UPDATE these columns of the records."""
    if not records:
        return
    columns = _columns_of(model, attnames)
    read = _reader(columns, adding=False)
    _update(model, columns, ([r.pk, *read(r)] for r in records))


def update_values(
    model: type[Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]], increment: Sequence[str] = ()
) -> None:
    """UPDATE these columns of the rows given as (primary key, *values of the columns): for values read
    with values_list, without building a record per row. The columns `increment` go up by one, counted by
    the database (a version read earlier may have moved on since)."""
    prepare_update_values(model, attnames, rows, increment).send()


def prepare_update_values(
    model: type[Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]], increment: Sequence[str] = ()
) -> PreparedUpdate:
    """update_values, its rows built now and sent later."""
    columns = _columns_of(model, attnames)
    converters = [(c.as_is, c.to_db) for c in columns]
    return PreparedUpdate(
        model,
        columns,
        [
            [
                row[0],
                *(
                    v if type(v) in as_is else to_db(v)
                    for (as_is, to_db), v in zip(converters, row[1:], strict=True)
                ),
            ]
            for row in rows
        ],
        increment,
    )


def _columns_of(model: type[Model], attnames: Sequence[str]) -> list[_Column]:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return _columns(by_attname[a] for a in attnames)


def _update(
    model: type[Model],
    columns: Sequence[_Column],
    rows: Iterable[list[Any]],
    increment: Sequence[str] = (),
    counted_to: list[tuple[Any, ...]] | None = None,
) -> None:
    """UPDATE the columns from rows of (primary key, *database values); on PostgreSQL, the primary key and
    new values of the columns `increment` are added to `counted_to` if given."""
    pk = model._meta.pk
    assert pk is not None
    table = _quote(model._meta.db_table)
    key = _quote(pk.column)
    counted = [_quote(_column(model._meta.get_field(name))) for name in increment]
    if not _postgres():
        assignments = ", ".join(
            [*(f"{_quote(c.field.column)} = %s" for c in columns), *(f"{n} = {n} + 1" for n in counted)]
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {key} = %s",
                cast(Any, ([*row[1:], row[0]] for row in rows)),
            )
        return
    # The new values go by COPY to a temporary table of the same column types, then one UPDATE … FROM.
    names = [_column(c.field) for c in columns]
    scratch = f"import_{secrets.token_hex(6)}"
    selected = ", ".join(_quote(n) for n in [_column(pk), *names])
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {scratch} AS SELECT {selected} FROM {table} WITH NO DATA")
        try:
            keys = []
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {scratch} ({selected}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    keys.append(row[0])
            cursor.execute(f"ANALYZE {scratch}")
            assignments = ", ".join(
                [
                    *(f"{_quote(n)} = {scratch}.{_quote(n)}" for n in names),
                    *(f"{n} = {table}.{n} + 1" for n in counted),
                ]
            )
            returning = f" RETURNING {', '.join([f'{table}.{key}', *(f'{table}.{n}' for n in counted)])}"
            # The keys again, as an array: the rows are then found by the primary key's index, where
            # joining the scratch table alone read the whole table at each batch.
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {scratch} WHERE {table}.{key} = {scratch}.{key} "
                f"AND {table}.{key} = ANY(%s)" + (returning if counted_to is not None else ""),
                [keys],
            )
            if counted_to is not None:
                counted_to.extend(cursor.fetchall())
        finally:
            cursor.execute(f"DROP TABLE {scratch}")


def insert_history(
    model: type[Model],
    records: Sequence[Model],
    *,
    updated: bool,
    default_user: Any = None,
    default_change_reason: str = "",
    custom_historical_attrs: dict[str, Any] | None = None,
    written: list[list[Any]] | None = None,
) -> None:
    """The history rows of records just created (+) or changed (~), as simple_history's
    bulk_history_create writes them. `written`: the records' rows as insert() wrote them, whose values the
    history rows take rather than converting each again."""
    if records:
        prepare_history(
            model,
            records,
            updated=updated,
            default_user=default_user,
            default_change_reason=default_change_reason,
            custom_historical_attrs=custom_historical_attrs,
            written=written,
        ).send()


def prepare_history(
    model: type[Model],
    records: Sequence[Model],
    *,
    updated: bool,
    default_user: Any = None,
    default_change_reason: str = "",
    custom_historical_attrs: dict[str, Any] | None = None,
    written: list[list[Any]] | None = None,
) -> Prepared:
    """insert_history, its rows built now and sent later."""
    history = model.history.model  # type: ignore[attr-defined]
    if not records:
        return Prepared(history._meta.db_table, [], [])
    tracked = {f.attname for f in history.tracked_fields}
    user = default_user or history.get_default_history_user(records[0])
    extra = {
        "history_date": timezone.now(),
        "history_type": "~" if updated else "+",
        "history_change_reason": default_change_reason,
        "history_user_id": getattr(user, "pk", None),
        **(custom_historical_attrs or {}),
    }
    fields = [f for f in history._meta.concrete_fields if not f.primary_key]
    unknown = [f.attname for f in fields if f.attname not in tracked and f.attname not in extra]
    # A history model with other columns (history_relation…) would need simple_history's own writer.
    assert not unknown, f"history columns not written: {unknown}"
    constant = _columns(f for f in fields if f.attname in extra)
    copied = _columns(f for f in fields if f.attname not in extra)
    values = [c.to_db(extra[c.field.attname]) for c in constant]
    places = _places(model, copied) if written is not None else None
    if places is not None and written is not None:
        pick = operator.itemgetter(*places) if len(places) > 1 else (lambda row: (row[places[0]],))
        rows = [[*values, *pick(row)] for row in written]
    else:
        read = _reader(copied, adding=False)
        rows = [[*values, *read(r)] for r in records]
    return Prepared(history._meta.db_table, [_column(c.field) for c in [*constant, *copied]], rows)


def _places(model: type[Model], copied: Sequence[_Column]) -> list[int] | None:
    """Where each copied history column is in a row written by insert(), if every one is there and is
    converted the same way (the model's id is an auto field, its history's an integer: both plain)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    position = {f.attname: i for i, f in enumerate(fields, start=1)}
    kinds = {f.attname: f.get_internal_type() for f in fields}
    places = []
    for column in copied:
        attname = column.field.attname
        if attname == model._meta.pk.attname:  # type: ignore[union-attr]
            places.append(0)
        elif attname in position and kinds[attname] == column.field.get_internal_type():
            places.append(position[attname])
        else:
            return None
    return places


def insert_with_history(model: type[Model], records: Sequence[Model], **history: Any) -> None:
    """bulk_create_with_history: the records, then their history rows (type +)."""
    written: list[list[Any]] = []
    insert(model, records, written)
    insert_history(model, records, updated=False, written=written, **history)


def update_with_history(
    model: type[Model], records: Sequence[Model], attnames: Sequence[str], **history: Any
) -> None:
    """bulk_update_with_history: the changed columns, then the records' history rows (type ~)."""
    update(model, records, attnames)
    insert_history(model, records, updated=True, **history)
