"""The customer list: active by default, filters, type-ahead search, cursor pagination, query count."""

from typing import Any

import pytest

from carnet.customers import services
from carnet.customers.models import Customer


def _codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


@pytest.fixture
def book(make_customer: Any, operator: Any) -> dict[str, Customer]:
    """A small book with one customer per interesting trait."""
    return {
        "approved": make_customer(
            "Alpha Transport",
            code="A1",
            status="approved",
            external_code="EST",
            key_account=True,
            assigned_to=operator,
        ),
        "blocked": make_customer(
            "Bravo Béton",
            code="B1",
            status="blocked",
            status_reason="Unpaid",
            categories=["customer", "partner"],
        ),
        "closed": make_customer("Charlie Closed", code="C1", status="closed", status_reason="Gone"),
        "prospect": make_customer(
            "Delta Quincaillerie",
            code="D1",
            status="prospect",
            external_code="OUEST",
            gst_number="123456782RT0001",
        ),
    }


def test_the_list_opens_on_active_customers_sorted_by_name(api: Any, book: Any) -> None:
    assert _codes(api.get("customers")) == ["A1", "B1", "D1"]


def test_active_false_lists_closed_ones_and_all_lists_both(api: Any, book: Any) -> None:
    assert _codes(api.get("customers", params={"active": "false"})) == ["C1"]
    assert _codes(api.get("customers", params={"active": "all"})) == ["A1", "B1", "C1", "D1"]


def test_status_filter_is_repeatable_or_a_comma_list(api: Any, book: Any) -> None:
    assert _codes(api.get("customers?status=blocked&status=prospect")) == ["B1", "D1"]
    assert _codes(api.get("customers", params={"status": "blocked,prospect"})) == ["B1", "D1"]


def test_a_status_filter_alone_can_find_closed_customers(api: Any, book: Any) -> None:
    assert _codes(api.get("customers", params={"status": "closed"})) == ["C1"]


def test_filters_by_category_external_code_code_key_account_and_assignee(api: Any, book: Any) -> None:
    assert _codes(api.get("customers", params={"category": "partner"})) == ["B1"]
    assert _codes(api.get("customers", params={"external_code": "ouest"})) == ["D1"]
    assert _codes(api.get("customers", params={"code": "a1"})) == ["A1"]
    assert _codes(api.get("customers", params={"key_account": "true"})) == ["A1"]
    assert _codes(api.get("customers", params={"assigned_to": "operator"})) == ["A1"]


def test_sort_descending_by_code(api: Any, book: Any) -> None:
    assert _codes(api.get("customers", params={"sort": "-code"})) == ["D1", "B1", "A1"]


@pytest.mark.parametrize(
    ("params", "field", "status"),
    [
        ({"status": "active"}, "status", 422),
        ({"category": "friend"}, "category", 422),
        ({"sort": "colour"}, "sort", 422),
        ({"active": "maybe"}, "active", 400),
        ({"key_account": "perhaps"}, "key_account", 400),
        ({"limit": "0"}, "limit", 400),
        ({"limit": "1000"}, "limit", 400),
        ({"cursor": "not-a-cursor"}, "cursor", 422),
    ],
)
def test_an_unknown_filter_value_names_the_filter(
    api: Any, book: Any, assert_problem: Any, params: dict[str, str], field: str, status: int
) -> None:
    assert_problem(api.get("customers", params=params), status, field)


def test_a_cursor_of_another_sort_is_refused(api: Any, book: Any, assert_problem: Any) -> None:
    cursor = api.get("customers", params={"limit": 1}).json()["next_cursor"]

    assert_problem(
        api.get("customers", params={"limit": 1, "sort": "-created", "cursor": cursor}), 422, "cursor"
    )


class TestSearch:
    @pytest.fixture
    def searchable(self, api: Any, make_customer: Any) -> Customer:
        customer = make_customer("Transports Laurentides inc.", code="TL1", neq="1123456789")
        services.add_contact(
            actor=None, customer_id=customer.pk, data={"name": "Marie Tremblay", "phone": "+1 819 555 0142"}
        )
        services.add_address(
            actor=None,
            customer_id=customer.pk,
            data={
                "line1": "100 rue Principale",
                "city": "Sherbrooke",
                "province": "QC",
                "postal_code": "J1H 1A1",
                "country": "CA",
            },
        )
        make_customer("Béton Mauricie", code="BM1")
        return customer

    @pytest.mark.parametrize(
        "query",
        [
            "laurentides",
            "TL1",
            "tremblay",
            "marie trem",
            "819 555-0142",
            "5550142",
            "sherbrooke",
            "1123456789",
        ],
    )
    def test_finds_by_name_code_contact_phone_digits_city_and_business_number(
        self, api: Any, searchable: Customer, query: str
    ) -> None:
        assert _codes(api.get("customers", params={"q": query})) == ["TL1"]

    def test_finds_nothing_for_an_unknown_word(self, api: Any, searchable: Customer) -> None:
        assert _codes(api.get("customers", params={"q": "zebra"})) == []

    def test_combines_search_with_filters(self, api: Any, searchable: Customer) -> None:
        assert _codes(api.get("customers", params={"q": "sherbrooke", "status": "blocked"})) == []


@pytest.mark.parametrize("sort", ["name", "-name", "code", "-created", "updated", "status"])
def test_the_cursor_walks_every_page_without_repeats_or_gaps(api: Any, make_customer: Any, sort: str) -> None:
    # Same names and statuses on purpose: ties must be broken by id, not lost between pages.
    created = {make_customer(f"Client {i % 4}", code=f"P{i:03d}").pk for i in range(23)}
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 5, "sort": sort}
        if cursor:
            params["cursor"] = cursor
        body = api.get("customers", params=params).json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert pages < 10

    assert pages == 5
    assert len(seen) == len(set(seen))
    assert {int(i) for i in seen} == created


def test_the_default_page_is_50(api: Any, make_customer: Any) -> None:
    for i in range(51):
        make_customer(f"Client {i}", code=f"P{i:03d}")

    body = api.get("customers").json()

    assert len(body["items"]) == 50
    assert body["next_cursor"]


def test_the_list_runs_a_fixed_number_of_queries(
    api: Any, make_customer: Any, operator: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        customer = make_customer(f"Client {i}", code=f"P{i:03d}", assigned_to=operator)
        services.add_address(
            actor=None,
            customer_id=customer.pk,
            data={
                "line1": f"{i} rue Principale",
                "city": "Sherbrooke",
                "province": "QC",
                "postal_code": "J1H 1A1",
            },
        )
        services.add_note(actor=None, customer_id=customer.pk, data={"text": f"Memo {i}", "pinned": True})
    api.get("customers")  # the token's first use records it; not part of the list's cost

    with django_assert_max_num_queries(6):
        response = api.get("customers", params={"limit": 30})

    items = response.json()["items"]
    assert len(items) == 30
    assert all(item["main_address"] and item["memo"] and item["assigned_to"] == "operator" for item in items)
