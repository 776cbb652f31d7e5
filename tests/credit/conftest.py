import pytest

from .support import company, counts, customer, limit, policy, skip_postgres_only_on_memory_sqlite

__all__ = ["company", "counts", "customer", "limit", "policy"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_postgres_only_on_memory_sqlite(items, "credit")
