"""The tests that kill database connections (pg_terminate_backend) need PostgreSQL itself."""

import pytest
from django.db import connection


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="postgres_only: terminates a server connection with pg_terminate_backend; run with "
        "DATABASE_URL=postgresql://…"
    )
    for item in items:
        if item.get_closest_marker("postgres_only") and "/security/" in str(item.path):
            item.add_marker(skip)
