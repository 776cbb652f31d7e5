"""The few statements every API request runs (the token lookup, the credit check's read), run as prepared
statements on PostgreSQL.

Django binds parameters on the client and prepares nothing (so that connection poolers keep working): each
statement is planned anew, and planning the credit check's six-table read took PostgreSQL about ten times
as long as running it. Prepared once per connection, it is planned once. A pooler in transaction mode must
support protocol-level prepared statements (PgBouncer 1.21 and later, `max_prepared_statements`).
"""

import sys
from collections.abc import Sequence
from typing import Any

from django.db import connection


def fetch_one_prepared(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The first row of a read statement (%s placeholders), prepared on PostgreSQL; as any query elsewhere.
    Logged like Django's own queries (so query counts in tests see it)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()  # type: ignore[no-any-return]
    import psycopg

    connection.ensure_connection()
    pg = connection.connection
    # Django turns psycopg's prepared statements off for the connection (threshold None); on for this call
    # only, with a threshold no other query reaches, and this statement prepared because it asks to be.
    previous = pg.prepare_threshold
    pg.prepare_threshold = sys.maxsize
    try:
        with psycopg.Cursor(pg) as raw:  # binds on the server, so it can be prepared
            if connection.queries_logged:
                with connection.make_debug_cursor(raw).debug_sql(sql, params):  # type: ignore[arg-type]
                    raw.execute(sql, params, prepare=True)
            else:
                raw.execute(sql, params, prepare=True)
            return raw.fetchone()
    finally:
        pg.prepare_threshold = previous
