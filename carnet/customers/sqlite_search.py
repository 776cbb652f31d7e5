"""The trigram index of the search text on SQLite: an FTS5 table kept in step by triggers.

PostgreSQL answers `search_text LIKE '%word%'` from a pg_trgm index (migration 0002). SQLite has no such
index, so a search would read every customer; its FTS5 `trigram` tokenizer answers the same LIKE from an
index. The triggers live on the customer table, and Django rebuilds SQLite tables to alter them (dropping
the triggers with the old table), so they are checked and put back after every migrate, not only once.
"""

from typing import Any

from django.db import connections

FTS_TABLE = "customer_search_fts"
TRIGGERS = {
    "customer_search_ai": f"""
        CREATE TRIGGER customer_search_ai AFTER INSERT ON customers_customer BEGIN
            INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
    "customer_search_ad": f"""
        CREATE TRIGGER customer_search_ad AFTER DELETE ON customers_customer BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        END""",
    "customer_search_au": f"""
        CREATE TRIGGER customer_search_au AFTER UPDATE OF search_text ON customers_customer BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
            INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
}


def ensure_search_index(using: str = "default", **_: Any) -> None:
    """Create the FTS5 table and its triggers where they are missing, and fill the table from the
    customers when anything was missing (a trigger that was not there may have missed changes)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        if "customers_customer" not in present:
            return
        missing = [name for name in (FTS_TABLE, *TRIGGERS) if name not in present]
        if not missing:
            return
        if FTS_TABLE not in present:
            cursor.execute(
                f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='customers_customer', "
                "content_rowid='id', tokenize='trigram')"
            )
        for name, sql in TRIGGERS.items():
            if name not in present:
                cursor.execute(sql)
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
