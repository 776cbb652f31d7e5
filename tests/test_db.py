"""The hot read statements run prepared on PostgreSQL, and are counted like any query."""

from typing import Any

import pytest
from django.db import connection

from carnet.db import fetch_one_prepared


@pytest.mark.django_db
def test_a_prepared_read_answers_its_row_and_is_counted(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        assert fetch_one_prepared("SELECT %s + 1, %s", [41, "x"]) == (42, "x")
    assert fetch_one_prepared("SELECT 1 WHERE 1 = %s", [2]) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: its run checks it")
@pytest.mark.django_db
def test_on_postgresql_the_statement_is_prepared_once_and_nothing_else_is() -> None:
    sql = "SELECT count(*) + %s FROM accounts_company"
    for _ in range(3):
        fetch_one_prepared(sql, [0])
    with connection.cursor() as cursor:  # an ordinary query, run often: still not prepared
        for _ in range(10):
            cursor.execute("SELECT %s", [1])
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert [s for s in prepared if "accounts_company" in s] == ["SELECT count(*) + $1 FROM accounts_company"]
    assert not [s for s in prepared if s.strip() in {"SELECT $1", "SELECT 1"}]
    assert connection.connection.prepare_threshold is None  # Django's setting is back
