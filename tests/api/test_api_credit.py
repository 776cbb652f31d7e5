"""The credit desk's API end to end through HTTP with real tokens: dry runs, customers' credit and limits,
holds, activity, company settings, companies and roles, and the OpenAPI document."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from carnet.accounts.models import Company, User
from carnet.credit import services as credit
from carnet.credit.models import CreditAccount, CreditPolicy, Hold
from carnet.customers.models import Customer
from carnet.documents import services as documents
from carnet.documents.models import IdempotencyKey, Order

# What a dry run costs through the API, for a customer with an account, no hold and no pinned note: the
# token's lookup and its last-used update, and the check's one query (account, customer, company and policy,
# with whether holds or a memo exist). No request transaction: the route only reads (carnet/urls.py). The
# credit-check bench may lower it (bench/credit_check.py): change it here then.
CREDIT_CHECK_QUERIES = 3


def check_body(customer: Customer, amount: str = "1500.00", **extra: Any) -> dict[str, Any]:
    return {"customer": str(customer.pk), "company": "MAIN", "kind": "order", "amount": amount, **extra}


@pytest.fixture
def as_operator(api_as: Callable[[User], Any], operator: User) -> Any:
    return api_as(operator)


@pytest.fixture
def other_company(db: Any) -> Company:
    return Company.objects.create(code="OTHER", name="Autre compagnie", currency="CAD")


# --- credit checks -------------------------------------------------------------------------------


def test_a_dry_run_answers_the_decision_and_saves_nothing(as_operator: Any, customer: Customer) -> None:
    credit.set_limit(actor=None, customer=customer, company="MAIN", limit="10000.00")
    documents.enter_order(actor=None, customer=customer, company="MAIN", amount="9200.00")
    before = (Order.objects.count(), CreditAccount.objects.get().version, IdempotencyKey.objects.count())

    response = as_operator.post("credit-checks", check_body(customer))

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    decision = response.json()
    assert decision["outcome"] == "warning"
    assert decision["reasons"][0]["code"] == "credit_limit_exceeded"
    assert {k: decision["reasons"][0][k] for k in ("limit", "exposure", "amount")} == {
        "limit": "10000.00",
        "exposure": "9200.00",
        "amount": "1500.00",
    }
    assert decision["memo"] == []
    assert decision["exposure"] == {
        "limit": "10000.00",
        "exposure": "9200.00",
        "open_orders": "9200.00",
        "unpaid_invoices": "0.00",
        "available": "800.00",
    }
    assert (
        Order.objects.count(),
        CreditAccount.objects.get().version,
        IdempotencyKey.objects.count(),
    ) == before


def test_a_dry_run_of_a_blocked_customer_is_a_200_blocked_decision(
    as_operator: Any, customer: Customer
) -> None:
    Customer.objects.filter(pk=customer.pk).update(status="blocked", status_reason="Unpaid")

    decision = as_operator.post("credit-checks", check_body(customer, channel="portal")).json()

    assert decision["outcome"] == "blocked"
    assert [r["code"] for r in decision["reasons"]] == ["status_blocked", "portal_requires_approved"]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"amount": 1500.0}, 400, "amount"),
        ({"amount": "lots"}, 422, "amount"),
        ({"kind": "receipt"}, 400, "kind"),
        ({"customer": "424242"}, 422, "customer"),
        ({"company": "NOPE"}, 422, "company"),
    ],
)
def test_a_bad_dry_run_names_the_field(
    as_operator: Any, customer: Customer, assert_problem: Any, change: dict[str, Any], status: int, field: str
) -> None:
    assert_problem(as_operator.post("credit-checks", {**check_body(customer), **change}), status, field)


def test_a_dry_run_takes_a_fixed_number_of_queries(
    as_operator: Any, customer: Customer, django_assert_num_queries: Any
) -> None:
    credit.set_limit(actor=None, customer=customer, company="MAIN", limit="10000.00")
    credit.get_policy(Company.objects.get(code="MAIN"))
    for amount in ("100.00", "200.00", "300.00"):
        documents.enter_order(actor=None, customer=customer, company="MAIN", amount=amount)

    with django_assert_num_queries(CREDIT_CHECK_QUERIES):
        assert as_operator.post("credit-checks", check_body(customer)).status_code == 200


# --- a customer's credit and limit ---------------------------------------------------------------


def test_a_customers_credit_per_company(
    as_operator: Any, customer: Customer, admin_user: User, api_as: Any, other_company: Company
) -> None:
    credit.set_limit(actor=None, customer=customer, company="MAIN", limit="1000.00")
    documents.enter_order(actor=None, customer=customer, company="MAIN", amount="250.00")
    documents.enter_invoice(actor=None, customer=customer, company="MAIN", amount="100.00", date="2020-01-01")

    body = as_operator.get(f"customers/{customer.pk}/credit").json()

    assert body["customer"] == str(customer.pk)
    [main] = body["companies"]
    assert main["company"] == "MAIN"
    assert (main["limit"], main["exposure"], main["available"], main["utilisation_percent"]) == (
        "1000.00",
        "350.00",
        "650.00",
        "35.0",
    )
    assert (main["open_orders"], main["posted_invoices_open"], main["unpaid_invoices"]) == (
        "250.00",
        "100.00",
        "100.00",
    )
    assert (main["overdue"], main["aging"]["over_90"], main["aging"]["current"]) == (
        "100.00",
        "100.00",
        "0.00",
    )
    assert (main["balance"], main["balance_side"], main["exposure_method"]) == (
        "100.00",
        "debit",
        "all_orders",
    )
    everything = api_as(admin_user).get(f"customers/{customer.pk}/credit").json()["companies"]
    assert [c["company"] for c in everything] == ["MAIN", "OTHER"]
    assert everything[1]["limit"] is None and everything[1]["available"] is None
    only = api_as(admin_user).get(f"customers/{customer.pk}/credit", params={"company": "OTHER"}).json()
    assert [c["company"] for c in only["companies"]] == ["OTHER"]


def test_unknown_customers_and_other_companies_are_not_found(
    as_operator: Any, customer: Customer, other_company: Company, assert_problem: Any
) -> None:
    assert_problem(as_operator.get("customers/999999/credit"), 404)
    assert_problem(as_operator.get(f"customers/{customer.pk}/credit", params={"company": "OTHER"}), 404)
    assert_problem(as_operator.get("customers/999999/holds"), 404)
    assert_problem(as_operator.get("customers/999999/activity"), 404)


def test_a_controller_sets_the_limit_with_if_match(api: Any, customer: Customer, assert_problem: Any) -> None:
    set_once = api.put(f"customers/{customer.pk}/credit", {"company": "MAIN", "limit": "10000.00"})

    assert set_once.status_code == 200, set_once.content
    [main] = set_once.json()["companies"]
    assert (main["limit"], main["limit_set_by"], main["version"]) == ("10000.00", "controller", 2)
    assert set_once["ETag"] == '"2"'
    stale = api.put(
        f"customers/{customer.pk}/credit", {"company": "MAIN", "limit": "5.00"}, headers={"If-Match": '"1"'}
    )
    assert assert_problem(stale, 409)["current_version"] == 2
    removed = api.put(
        f"customers/{customer.pk}/credit", {"company": "MAIN", "limit": None}, headers={"If-Match": '"2"'}
    )
    assert removed.json()["companies"][0]["limit"] is None
    assert_problem(
        api.put(f"customers/{customer.pk}/credit", {"company": "MAIN", "limit": "-1.00"}), 422, "limit"
    )
    assert_problem(
        api.put(f"customers/{customer.pk}/credit", {"company": "MAIN", "limit": 100}), 400, "limit"
    )
    assert_problem(api.put("customers/999999/credit", {"company": "MAIN", "limit": "1.00"}), 404)
    assert CreditAccount.objects.get().limit is None


def test_an_operator_cannot_set_limits(as_operator: Any, customer: Customer, assert_problem: Any) -> None:
    assert_problem(
        as_operator.put(f"customers/{customer.pk}/credit", {"company": "MAIN", "limit": "1.00"}), 403
    )

    assert not CreditAccount.objects.exists()


# --- holds ---------------------------------------------------------------------------------------


def test_a_sale_order_hold_stops_orders_until_lifted(
    api: Any, as_operator: Any, customer: Customer, assert_problem: Any
) -> None:
    added = api.post(
        f"customers/{customer.pk}/holds",
        {
            "type": "sale_order",
            "company": "MAIN",
            "reason": "Cheque returned",
            "reason_code": "NSF",
            "ends_on": None,
        },
    )

    assert added.status_code == 201, added.content
    hold = added.json()
    assert (hold["type"], hold["company"], hold["reason"], hold["reason_code"]) == (
        "sale_order",
        "MAIN",
        "Cheque returned",
        "NSF",
    )
    assert (hold["active"], hold["set_by"], hold["lifted_at"]) == (True, "controller", None)
    order = {"customer": str(customer.pk), "company": "MAIN", "amount": "10.00"}
    refused = assert_problem(as_operator.post("orders", order), 422)
    assert [r["code"] for r in refused["decision"]["reasons"]] == ["hold_sale_order"]

    lifted = api.post(f"holds/{hold['id']}/lift")

    assert lifted.status_code == 200, lifted.content
    assert (lifted.json()["active"], lifted.json()["lifted_by"]) == (False, "controller")
    assert lifted.json()["lifted_at"] is not None
    assert as_operator.post("orders", order).status_code == 201
    assert_problem(api.post(f"holds/{hold['id']}/lift", {}), 422)
    listed = api.get(f"customers/{customer.pk}/holds").json()["items"]
    assert [(h["id"], h["active"]) for h in listed] == [(hold["id"], False)]
    assert api.get(f"customers/{customer.pk}/holds", params={"active": True}).json()["items"] == []


def test_holds_list_active_and_past(api: Any, customer: Customer) -> None:
    first = credit.add_hold(actor=None, customer=customer, company="MAIN", type="dunning", comment="Dispute")
    second = credit.add_hold(actor=None, customer=customer, company=None, type="invoicing", comment="Audit")
    credit.lift_hold(actor=None, hold_id=first.pk)

    items = api.get(f"customers/{customer.pk}/holds").json()["items"]
    active = api.get(f"customers/{customer.pk}/holds", params={"active": "true"}).json()["items"]

    assert [(h["id"], h["company"], h["active"]) for h in items] == [
        (str(second.pk), None, True),
        (str(first.pk), "MAIN", False),
    ]
    assert [h["id"] for h in active] == [str(second.pk)]


def test_bad_holds_are_refused_and_change_nothing(
    api: Any, as_operator: Any, customer: Customer, other_company: Company, assert_problem: Any
) -> None:
    path = f"customers/{customer.pk}/holds"
    good = {"type": "sale_order", "company": "MAIN", "reason": "Why"}

    assert_problem(as_operator.post(path, good), 403)
    assert_problem(api.post(path, {**good, "type": "forever"}), 400, "type")
    assert_problem(api.post(path, {**good, "reason": ""}), 422, "comment")
    assert_problem(api.post(path, {**good, "ends_on": "2001-01-01"}), 422, "ends_on")
    assert_problem(api.post(path, {**good, "company": None}), 403)  # MAIN only: not every company
    assert_problem(api.post(path, {**good, "company": "OTHER"}), 404)
    assert_problem(api.post("customers/999999/holds", good), 404)
    assert not Hold.objects.exists()


def test_an_operator_cannot_lift_holds(as_operator: Any, customer: Customer, assert_problem: Any) -> None:
    hold = credit.add_hold(actor=None, customer=customer, company="MAIN", type="sale_order", comment="x")

    assert_problem(as_operator.post(f"holds/{hold.pk}/lift"), 403)
    assert_problem(as_operator.post("holds/999999/lift"), 403)
    assert Hold.objects.get().lifted_at is None


# --- activity ------------------------------------------------------------------------------------


def test_sales_per_year_and_per_product(as_operator: Any, customer: Customer) -> None:
    documents.enter_invoice(
        actor=None,
        customer=customer,
        company="MAIN",
        lines=[
            {"product_code": "P1", "description": "Palettes", "quantity": "3", "unit_price": "100.00"},
            {"product_code": "P2", "description": "Caisses", "quantity": "1", "unit_price": "50.00"},
        ],
    )
    documents.enter_credit_note(actor=None, customer=customer, company="MAIN", amount="20.00")

    body = as_operator.get(f"customers/{customer.pk}/activity").json()

    [main] = body["companies"]
    assert (main["company"], main["currency"], len(main["years"])) == ("MAIN", "CAD", 5)
    this_year = main["years"][-1]
    assert (this_year["invoiced"], this_year["credited"], this_year["net"]) == ("350.00", "20.00", "330.00")
    assert main["years"][0]["invoiced"] == "0.00"
    assert main["products"] == [
        {"product_code": "P1", "description": "Palettes", "quantity": "3.000", "amount": "300.00"},
        {"product_code": "P2", "description": "Caisses", "quantity": "1.000", "amount": "50.00"},
    ]
    assert (
        len(
            as_operator.get(f"customers/{customer.pk}/activity", params={"years": 2}).json()["companies"][0][
                "years"
            ]
        )
        == 2
    )


# --- company settings ----------------------------------------------------------------------------


def test_a_companys_settings_read_and_changed_by_an_admin(
    api_as: Any, admin_user: User, as_operator: Any, assert_problem: Any
) -> None:
    read = as_operator.get("companies/MAIN/settings")

    assert read.status_code == 200, read.content
    assert read.json() == {
        "company": "MAIN",
        "name": read.json()["name"],
        "currency": "CAD",
        "exposure_method": "all_orders",
        "limit_enforcement": "warn_at_entry",
        "credit_hold_queue": False,
        "new_customer_status": "prospect",
        "review": {
            "action": "blocked",
            "reason": "",
            "grace_days": None,
            "limit_days": None,
            "limit_percent": None,
            "limit_minimum": None,
        },
        "review_schedule": "off",
        "review_time": "06:00",
        "accounting_sync_before_invoicing": False,
        "version": 1,
    }
    as_admin = api_as(admin_user)
    changed = as_admin.patch(
        "companies/main/settings",
        {"limit_enforcement": "block_at_entry", "credit_hold_queue": True, "new_customer_status": "approved"},
        headers={"If-Match": read["ETag"]},
    )

    assert changed.status_code == 200, changed.content
    assert (changed.json()["limit_enforcement"], changed.json()["credit_hold_queue"]) == (
        "block_at_entry",
        True,
    )
    assert (changed.json()["new_customer_status"], changed.json()["version"]) == ("approved", 2)
    assert Company.objects.get(code="MAIN").new_customer_status == "approved"
    stale = as_admin.patch(
        "companies/MAIN/settings", {"exposure_method": "invoiced_only"}, headers={"If-Match": "1"}
    )
    assert assert_problem(stale, 409)["current_version"] == 2
    assert_problem(as_admin.patch("companies/MAIN/settings", {"limit_enforcement": "sometimes"}), 400)
    assert_problem(
        as_admin.patch("companies/MAIN/settings", {"review": {"action": "never"}}), 400, "review.action"
    )
    assert_problem(as_admin.patch("companies/NOPE/settings", {"credit_hold_queue": False}), 404)
    assert CreditPolicy.objects.get().exposure_method == "all_orders"


def test_only_admins_change_settings_and_members_read_them(
    api: Any, as_operator: Any, other_company: Company, assert_problem: Any
) -> None:
    assert_problem(api.patch("companies/MAIN/settings", {"credit_hold_queue": True}), 403)
    assert_problem(as_operator.get("companies/OTHER/settings"), 404)
    assert_problem(as_operator.get("companies/NOPE/settings"), 404)
    assert not CreditPolicy.objects.filter(credit_hold_queue=True).exists()


# --- the OpenAPI document ------------------------------------------------------------------------

DOCUMENTED = {
    ("post", "/api/v1/quotes"),
    ("post", "/api/v1/orders"),
    ("post", "/api/v1/invoices"),
    ("post", "/api/v1/credit-notes"),
    ("post", "/api/v1/payments"),
    ("post", "/api/v1/shipments"),
    *{
        ("get", f"/api/v1/{kind}")
        for kind in ("quotes", "orders", "shipments", "invoices", "credit-notes", "payments")
    },
    ("get", "/api/v1/quotes/{quote_id}"),
    ("get", "/api/v1/orders/{order_id}"),
    ("get", "/api/v1/shipments/{shipment_id}"),
    ("get", "/api/v1/invoices/{invoice_id}"),
    ("get", "/api/v1/credit-notes/{credit_note_id}"),
    ("get", "/api/v1/payments/{payment_id}"),
    ("post", "/api/v1/invoices/{invoice_id}/post"),
    ("patch", "/api/v1/orders/{order_id}"),
    ("post", "/api/v1/orders/{order_id}/cancel"),
    ("post", "/api/v1/orders/{order_id}/reopen"),
    ("post", "/api/v1/orders/{order_id}/release"),
    ("post", "/api/v1/orders/{order_id}/reject"),
    ("get", "/api/v1/credit-hold-queue"),
    ("post", "/api/v1/quotes/{quote_id}/convert"),
    ("post", "/api/v1/payments/{payment_id}/allocations"),
    ("post", "/api/v1/credit-notes/{credit_note_id}/allocations"),
    ("post", "/api/v1/credit-checks"),
    ("get", "/api/v1/customers/{customer_id}/credit"),
    ("put", "/api/v1/customers/{customer_id}/credit"),
    ("get", "/api/v1/customers/{customer_id}/holds"),
    ("post", "/api/v1/customers/{customer_id}/holds"),
    ("post", "/api/v1/holds/{hold_id}/lift"),
    ("get", "/api/v1/customers/{customer_id}/activity"),
    ("get", "/api/v1/companies/{code}/settings"),
    ("patch", "/api/v1/companies/{code}/settings"),
}


def test_the_openapi_document_lists_every_credit_and_document_path(db: Any) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    described = {(m, p) for p, ops in document["paths"].items() for m in ops}

    assert described >= DOCUMENTED
    for method, path in DOCUMENTED:
        operation = document["paths"][path][method]
        assert operation["summary"] and operation["responses"], (method, path)
    order = document["paths"]["/api/v1/orders"]["post"]["responses"]
    assert {"201", "202", "409", "422"} <= set(order)
    refused = order["422"]["content"]["application/problem+json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "decision" in document["components"]["schemas"][refused]["properties"]
    check = document["paths"]["/api/v1/credit-checks"]["post"]["responses"]["200"]
    assert check["content"]["application/json"]["schema"]["$ref"].endswith("/DecisionOut")
    settings = document["components"]["schemas"]["CompanySettingsOut"]["properties"]
    assert {
        "exposure_method",
        "limit_enforcement",
        "credit_hold_queue",
        "new_customer_status",
        "review",
    } <= set(settings)


def test_the_credit_check_route_is_tried_first_and_every_route_still_resolves() -> None:
    from django.urls import get_resolver, resolve

    api_routes = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/")
    assert api_routes.url_patterns[0].name == "credit_check"  # type: ignore[attr-defined]
    assert resolve("/api/v1/credit-checks").url_name == "credit_check"
    assert resolve("/api/v1/customers/7/credit").url_name == "get_credit"
    assert resolve("/api/v1/orders").url_name == "list_orders"
