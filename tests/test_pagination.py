"""Cursor pagination of a searched list: the probe and the fallback give the same pages as a plain query."""

from typing import Any

import pytest
from factories import CustomerFactory

from carnet import pagination
from carnet.customers.models import Customer
from carnet.customers.queries import CustomerFilters, filter_customers
from carnet.pagination import paginate


def all_pages(query: str, sort: str, limit: int, sparse: bool) -> list[str]:
    codes: list[str] = []
    cursor = None
    while True:
        queryset = filter_customers(CustomerFilters(q=query))
        page = paginate(queryset, sort=sort, limit=limit, cursor=cursor, sparse_filter=sparse)
        codes += [c.code for c in page.items]
        if page.next_cursor is None:
            return codes
        cursor = page.next_cursor


def expected(query: str, sort: str) -> list[str]:
    field = sort.lstrip("-")
    order = [f"-{field}", "-id"] if sort.startswith("-") else [field, "id"]
    return list(filter_customers(CustomerFilters(q=query)).order_by(*order).values_list("code", flat=True))


@pytest.fixture
def book(db: Any) -> None:
    # Matches both spread through the alphabet ("Roy" in every tenth name) and packed together at its
    # end (every "Services …" sorts under S), as in a real book.
    for n in range(60):
        CustomerFactory(code=f"A{n:03d}", name=f"Atelier {n:03d}" + (" Roy" if n % 10 == 0 else ""))
    for n in range(15):
        CustomerFactory(code=f"S{n:03d}", name=f"Services {n:03d}")


@pytest.mark.parametrize("query", ["roy", "services", "ate", "zzz"])
@pytest.mark.parametrize("sort", ["name", "-name", "code", "-created_at"])
def test_a_sparse_search_pages_through_the_same_rows_as_a_plain_query(
    book: None, monkeypatch: pytest.MonkeyPatch, query: str, sort: str
) -> None:
    # A small window, so that both the probe's answer and the fallback are taken on this small book.
    monkeypatch.setattr(pagination, "PROBE_FACTOR", 3)
    want = expected(query, sort)
    assert all_pages(query, sort, limit=4, sparse=True) == want
    assert all_pages(query, sort, limit=4, sparse=False) == want


def test_the_probe_answers_when_the_next_rows_hold_a_full_page(
    book: None, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    monkeypatch.setattr(pagination, "PROBE_FACTOR", 10)
    queryset = filter_customers(CustomerFilters(q="ate"))
    # One query for the window of ids, one for the page: no fallback.
    with django_assert_num_queries(2):
        page = paginate(queryset, sort="name", limit=5, cursor=None, sparse_filter=True)
    assert [c.name for c in page.items] == [f"Atelier {n:03d}" + (" Roy" if n == 0 else "") for n in range(5)]


def test_the_fallback_collects_matches_that_sit_beyond_the_window(
    book: None, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    monkeypatch.setattr(pagination, "PROBE_FACTOR", 2)
    queryset = filter_customers(CustomerFilters(q="services"))
    with django_assert_num_queries(3):
        page = paginate(queryset, sort="name", limit=5, cursor=None, sparse_filter=True)
    assert [c.code for c in page.items] == ["S000", "S001", "S002", "S003", "S004"]
    assert Customer.objects.count() == 75
