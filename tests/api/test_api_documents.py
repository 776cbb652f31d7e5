"""The documents' API end to end through HTTP with real tokens: shapes, the credit check's answers (422, 409,
202), the limit's boundary, idempotent retries, bad input that changes nothing, companies and roles."""

from collections.abc import Callable
from typing import Any

import pytest

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Role
from carnet.credit import services as credit
from carnet.credit.models import CreditAccount, CreditOverride
from carnet.customers.models import Customer
from carnet.documents import services as documents
from carnet.documents.models import Allocation, CreditNote, Invoice, Order, Payment, Quote, Shipment

MODELS = (Quote, Order, Shipment, Invoice, CreditNote, Payment, Allocation)


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def order_body(customer: Customer, amount: str = "1500.00", **extra: Any) -> dict[str, Any]:
    return {"customer": str(customer.pk), "company": "MAIN", "date": "2026-11-22", "amount": amount, **extra}


def set_limit(customer: Customer, value: str | None) -> None:
    credit.set_limit(actor=None, customer=customer, company="MAIN", limit=value)


@pytest.fixture
def as_operator(api_as: Callable[[User], Any], operator: User) -> Any:
    return api_as(operator)


@pytest.fixture
def other_company(db: Any) -> Company:
    return Company.objects.create(code="OTHER", name="Autre compagnie", currency="CAD")


# --- creating ------------------------------------------------------------------------------------


def test_an_order_is_created_with_its_decision(as_operator: Any, customer: Customer) -> None:
    response = as_operator.post("orders", order_body(customer))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] == str(Order.objects.get().pk)
    assert body["number"].startswith("ORD-")
    assert (body["status"], body["amount"], body["currency"], body["date"]) == (
        "open",
        "1500.00",
        "CAD",
        "2026-11-22",
    )
    assert (body["customer"], body["customer_code"], body["company"]) == (str(customer.pk), "C1001", "MAIN")
    assert (body["channel"], body["override"], body["credit_hold"]) == ("desk", None, None)
    assert body["decision"]["outcome"] == "ok"
    assert body["decision"]["exposure"] == {
        "limit": None,
        "exposure": "0.00",
        "open_orders": "0.00",
        "unpaid_invoices": "0.00",
        "available": None,
    }
    assert response["Location"] == f"/api/v1/orders/{body['id']}"
    assert response["ETag"] == '"1"'
    assert as_operator.get(f"orders/{body['id']}").json()["amount"] == "1500.00"


def test_each_kind_is_created_and_read_back(api: Any, customer: Customer) -> None:
    quote = api.post("quotes", order_body(customer, "500.00"))
    invoice = api.post(
        "invoices",
        {
            **order_body(customer, "800.00"),
            "lines": [
                {"product_code": "P1", "description": "Palettes", "quantity": "2", "unit_price": "250.00"},
                {"product_code": "P2", "quantity": "1.5", "unit_price": "200.00"},
            ],
        },
    )
    note = api.post("credit-notes", order_body(customer, "100.00"))
    payment = api.post(
        "payments",
        {
            **order_body(customer, "300.00"),
            "allocations": [{"invoice": invoice.json()["id"], "amount": "200.00"}],
        },
    )

    for response in (quote, invoice, note, payment):
        assert response.status_code == 201, response.content
    assert quote.json()["status"] == "open"
    assert invoice.json()["status"] == "posted"
    assert [line["amount"] for line in invoice.json()["lines"]] == ["500.00", "300.00"]
    assert invoice.json()["lines"][1]["quantity"] == "1.500"
    assert invoice.json()["decision"]["outcome"] == "ok"
    assert note.json()["unallocated"] == "100.00"
    assert payment.json()["unallocated"] == "100.00"
    assert payment.json()["allocations"][0]["amount"] == "200.00"
    read = api.get(f"invoices/{invoice.json()['id']}").json()
    assert read["open_balance"] == "600.00"
    assert read["decision"] is None
    for kind, answer in (("quotes", quote), ("credit-notes", note), ("payments", payment)):
        assert api.get(f"{kind}/{answer.json()['id']}").json()["id"] == answer.json()["id"]


def test_an_invoice_entered_as_a_draft_is_posted_later_and_not_twice(
    api: Any, customer: Customer, assert_problem: Any
) -> None:
    draft = api.post("invoices", {**order_body(customer, "800.00"), "post": False}).json()
    assert (draft["status"], draft["posted_at"]) == ("draft", None)

    posted = api.post(f"invoices/{draft['id']}/post")

    assert posted.status_code == 200, posted.content
    assert posted.json()["status"] == "posted"
    assert posted.json()["decision"]["outcome"] == "ok"
    again = assert_problem(api.post(f"invoices/{draft['id']}/post"), 422)
    assert again["type"].endswith("invalid_state")
    assert Invoice.objects.get().version == 2


def test_posting_answers_the_check_at_posting_warnings(api: Any, customer: Customer) -> None:
    credit.set_policy(actor=None, company="MAIN", limit_enforcement="check_at_posting")
    set_limit(customer, "500.00")
    draft = api.post("invoices", {**order_body(customer, "800.00"), "post": False})
    assert draft.status_code == 201, draft.content

    posted = api.post(f"invoices/{draft.json()['id']}/post", {})

    assert posted.status_code == 200
    decision = posted.json()["decision"]
    assert decision["outcome"] == "warning"
    assert decision["reasons"][0]["code"] == "credit_limit_exceeded"
    assert posted.json()["status"] == "posted"


# --- the credit check's answers ------------------------------------------------------------------


def test_a_blocked_customer_answers_422_with_the_decision(
    as_operator: Any, customer: Customer, assert_problem: Any
) -> None:
    Customer.objects.filter(pk=customer.pk).update(status="blocked", status_reason="3 invoices over 60 days")

    body = assert_problem(as_operator.post("orders", order_body(customer)), 422)

    assert body["decision"]["outcome"] == "blocked"
    assert [r["code"] for r in body["decision"]["reasons"]] == ["status_blocked"]
    assert "3 invoices over 60 days" in body["decision"]["reasons"][0]["message"]
    assert counts()["Order"] == 0


def test_a_warning_answers_409_then_201_once_acknowledged_with_the_override(
    as_operator: Any, customer: Customer, assert_problem: Any
) -> None:
    set_limit(customer, "1000.00")

    refused = assert_problem(as_operator.post("orders", order_body(customer)), 409)

    assert refused["decision"]["outcome"] == "warning"
    assert refused["decision"]["reasons"][0] == {
        "code": "credit_limit_exceeded",
        "message": refused["decision"]["reasons"][0]["message"],
        "limit": "1000.00",
        "exposure": "0.00",
        "amount": "1500.00",
    }
    assert counts()["Order"] == 0
    missing_reason = as_operator.post("orders", order_body(customer, acknowledge_warnings=True))
    assert_problem(missing_reason, 422, "override_reason")

    accepted = as_operator.post(
        "orders", order_body(customer, acknowledge_warnings=True, override_reason="Paid by cheque today")
    )

    assert accepted.status_code == 201, accepted.content
    override = accepted.json()["override"]
    assert (override["user"], override["reason"]) == ("operator", "Paid by cheque today")
    assert override["decision"]["outcome"] == "warning"
    assert CreditOverride.objects.get().order_id == int(accepted.json()["id"])
    assert as_operator.get(f"orders/{accepted.json()['id']}").json()["override"]["id"] == override["id"]


def test_a_blocked_order_is_kept_on_credit_hold_202_then_released(
    as_operator: Any, api: Any, customer: Customer, assert_problem: Any
) -> None:
    credit.set_policy(actor=None, company="MAIN", limit_enforcement="block_at_entry", credit_hold_queue=True)
    set_limit(customer, "1000.00")

    held = as_operator.post("orders", order_body(customer))

    assert held.status_code == 202, held.content
    order = held.json()
    assert order["status"] == "on_credit_hold"
    assert order["decision"]["outcome"] == "blocked"
    assert order["credit_hold"]["decision"]["reasons"][0]["code"] == "credit_limit_exceeded"
    queue = as_operator.get("credit-hold-queue", params={"company": "MAIN"}).json()
    assert [o["id"] for o in queue["items"]] == [order["id"]]
    assert_problem(as_operator.post(f"orders/{order['id']}/release", {"reason": "OK"}), 403)
    assert_problem(api.post(f"orders/{order['id']}/release", {"reason": ""}), 422, "reason")

    released = api.post(f"orders/{order['id']}/release", {"reason": "Deposit received"})

    assert released.status_code == 200, released.content
    assert released.json()["status"] == "open"
    assert released.json()["credit_hold"]["resolved_by"] == "controller"
    assert released.json()["override"]["reason"] == "Deposit received"
    assert CreditAccount.objects.get(customer=customer).open_orders == 1500
    assert api.get("credit-hold-queue").json()["items"] == []


def test_an_order_on_credit_hold_may_be_rejected(api: Any, customer: Customer) -> None:
    credit.set_policy(actor=None, company="MAIN", limit_enforcement="block_at_entry", credit_hold_queue=True)
    set_limit(customer, "0.00")
    order = api.post("orders", order_body(customer)).json()

    rejected = api.post(f"orders/{order['id']}/reject", {"reason": "No deposit"})

    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["credit_hold"]["note"]) == ("rejected", "No deposit")


def test_the_limit_boundary_through_the_api(
    as_operator: Any, customer: Customer, assert_problem: Any
) -> None:
    credit.set_policy(actor=None, company="MAIN", limit_enforcement="block_at_entry")
    set_limit(customer, "1000.00")
    assert as_operator.post("orders", order_body(customer, "600.00")).status_code == 201

    exactly = as_operator.post("orders", order_body(customer, "400.00"))
    over = as_operator.post("orders", order_body(customer, "0.01"))

    assert exactly.status_code == 201, exactly.content
    refused = assert_problem(over, 422)
    assert refused["decision"]["reasons"][0]["exposure"] == "1000.00"
    assert refused["decision"]["exposure"]["available"] == "0.00"
    assert counts()["Order"] == 2


# --- idempotency ---------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_answers_the_first_order(
    as_operator: Any, customer: Customer, assert_problem: Any
) -> None:
    headers = {"Idempotency-Key": "b7a1e0f2-order-1"}
    first = as_operator.post("orders", order_body(customer), headers=headers)
    again = as_operator.post("orders", order_body(customer), headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotency-Replayed"] == "true"
    assert Order.objects.count() == 1

    other = assert_problem(as_operator.post("orders", order_body(customer, "99.00"), headers=headers), 409)

    assert other["type"].endswith("idempotency_key_reused")
    assert Order.objects.count() == 1


def test_a_refused_request_keeps_no_key(as_operator: Any, customer: Customer) -> None:
    set_limit(customer, "1000.00")
    headers = {"Idempotency-Key": "retry-after-warning"}
    assert as_operator.post("orders", order_body(customer), headers=headers).status_code == 409

    accepted = as_operator.post(
        "orders", order_body(customer, acknowledge_warnings=True, override_reason="Known"), headers=headers
    )

    assert accepted.status_code == 201
    assert Order.objects.count() == 1


@pytest.mark.parametrize("kind", ["quotes", "invoices", "credit-notes", "payments"])
def test_every_create_is_idempotent(api: Any, customer: Customer, kind: str) -> None:
    headers = {"Idempotency-Key": f"key-{kind}"}
    first = api.post(kind, order_body(customer, "100.00"), headers=headers)
    again = api.post(kind, order_body(customer, "100.00"), headers=headers)

    assert first.status_code == 201, first.content
    assert again.json()["id"] == first.json()["id"]
    assert sum(counts().values()) == 1


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"amount": "-5.00"}, 422, "amount"),
        ({"amount": "0.00"}, 422, "amount"),
        ({"amount": 1500.5}, 400, "amount"),
        ({"amount": 1500}, 400, "amount"),
        ({"amount": "12,50"}, 422, "amount"),
        ({"amount": "1.234"}, 422, "amount"),
        ({"amount": None}, 400, "amount"),
        ({"customer": "999999"}, 422, "customer"),
        ({"customer": "abc"}, 422, "customer"),
        ({"currency": "USD"}, 422, "currency"),
        ({"company": "NOPE"}, 422, "company"),
        ({"date": "2026-13-01"}, 400, "date"),
        ({"channel": "fax"}, 400, "channel"),
        ({"colour": "blue"}, 400, "colour"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    api: Any, customer: Customer, assert_problem: Any, change: dict[str, Any], status: int, field: str
) -> None:
    before = counts()

    assert_problem(api.post("orders", {**order_body(customer), **change}), status, field)

    assert counts() == before
    assert not CreditAccount.objects.filter(open_orders__gt=0).exists()


def test_over_allocation_is_refused_and_changes_nothing(
    api: Any, customer: Customer, assert_problem: Any
) -> None:
    invoice = api.post("invoices", order_body(customer, "100.00")).json()
    draft = api.post("invoices", {**order_body(customer, "50.00"), "post": False}).json()
    before = counts()

    too_much = {
        **order_body(customer, "300.00"),
        "allocations": [{"invoice": invoice["id"], "amount": "150.00"}],
    }
    assert_problem(api.post("payments", too_much), 422, "allocations.0.amount")
    to_draft = {**order_body(customer, "30.00"), "allocations": [{"invoice": draft["id"], "amount": "30.00"}]}
    assert_problem(api.post("payments", to_draft), 422, "allocations.0.invoice")
    over_payment = {
        **order_body(customer, "30.00"),
        "allocations": [{"invoice": invoice["id"], "amount": "40.00"}],
    }
    assert_problem(api.post("credit-notes", over_payment), 422, "allocations")

    assert counts() == before


def test_money_on_account_is_allocated_later(api: Any, customer: Customer, assert_problem: Any) -> None:
    invoice = api.post("invoices", order_body(customer, "100.00")).json()
    payment = api.post("payments", order_body(customer, "80.00")).json()
    assert_problem(
        api.post(
            f"payments/{payment['id']}/allocations",
            {"allocations": [{"invoice": invoice["id"], "amount": "90.00"}]},
        ),
        422,
    )

    allocated = api.post(
        f"payments/{payment['id']}/allocations",
        {"allocations": [{"invoice": invoice["id"], "amount": "80.00"}]},
    )

    assert allocated.status_code == 201, allocated.content
    assert allocated.json()["unallocated"] == "0.00"
    assert api.get(f"invoices/{invoice['id']}").json()["open_balance"] == "20.00"


# --- orders' life --------------------------------------------------------------------------------


def test_an_order_amount_changes_with_if_match_and_the_check(
    as_operator: Any, customer: Customer, assert_problem: Any
) -> None:
    order = as_operator.post("orders", order_body(customer, "500.00")).json()
    set_limit(customer, "1000.00")

    stale = assert_problem(
        as_operator.patch(f"orders/{order['id']}", {"amount": "600.00"}, headers={"If-Match": '"7"'}), 409
    )
    assert stale["current_version"] == 1
    warned = assert_problem(as_operator.patch(f"orders/{order['id']}", {"amount": "1200.00"}), 409)
    assert warned["decision"]["reasons"][0]["code"] == "credit_limit_exceeded"
    lowered = as_operator.patch(f"orders/{order['id']}", {"amount": "400.00"}, headers={"If-Match": '"1"'})

    assert lowered.status_code == 200, lowered.content
    assert (lowered.json()["amount"], lowered["ETag"]) == ("400.00", '"2"')
    assert CreditAccount.objects.get(customer=customer).open_orders == 400


def test_an_order_is_cancelled_then_reopened_through_the_check(
    as_operator: Any, customer: Customer, assert_problem: Any
) -> None:
    order = as_operator.post("orders", order_body(customer, "500.00")).json()

    cancelled = as_operator.post(f"orders/{order['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    assert_problem(as_operator.post(f"orders/{order['id']}/cancel"), 422)
    Customer.objects.filter(pk=customer.pk).update(status="warning", status_reason="Late payer")
    assert_problem(as_operator.post(f"orders/{order['id']}/reopen"), 409)

    reopened = as_operator.post(
        f"orders/{order['id']}/reopen", {"acknowledge_warnings": True, "override_reason": "Spoke to them"}
    )

    assert reopened.status_code == 200, reopened.content
    assert reopened.json()["status"] == "open"
    assert reopened.json()["override"]["reason"] == "Spoke to them"


def test_a_quote_is_converted_into_an_order_through_the_check(
    as_operator: Any, customer: Customer, assert_problem: Any
) -> None:
    quote = as_operator.post("quotes", order_body(customer, "700.00")).json()
    Customer.objects.filter(pk=customer.pk).update(status="blocked", status_reason="Unpaid")
    assert_problem(as_operator.post(f"quotes/{quote['id']}/convert"), 422)
    Customer.objects.filter(pk=customer.pk).update(status="approved", status_reason="")

    converted = as_operator.post(f"quotes/{quote['id']}/convert", {"date": "2026-11-23"})

    assert converted.status_code == 201, converted.content
    assert (converted.json()["quote"], converted.json()["amount"]) == (quote["id"], "700.00")
    assert as_operator.get(f"quotes/{quote['id']}").json()["status"] == "converted"
    assert as_operator.get(f"quotes/{quote['id']}").json()["order"] == converted.json()["id"]


def test_an_order_is_shipped_then_invoiced(api: Any, customer: Customer, assert_problem: Any) -> None:
    order = api.post("orders", order_body(customer, "500.00")).json()

    shipped = api.post("shipments", {"order": order["id"], "amount": "200.00"})
    assert shipped.status_code == 201, shipped.content
    assert shipped.json()["order"] == {"id": order["id"], "number": order["number"]}
    assert_problem(api.post("shipments", {"order": order["id"], "amount": "400.00"}), 422, "amount")
    rest = api.post("shipments", {"order": order["id"]})
    assert rest.json()["amount"] == "300.00"
    invoiced = api.post("invoices", {"customer": str(customer.pk), "company": "MAIN", "order": order["id"]})

    assert invoiced.status_code == 201, invoiced.content
    assert (invoiced.json()["amount"], invoiced.json()["order"]) == ("500.00", order["id"])
    assert api.get(f"orders/{order['id']}").json()["invoice"] == invoiced.json()["id"]
    assert [s["id"] for s in api.get("shipments", params={"order": order["id"]}).json()["items"]] == [
        rest.json()["id"],
        shipped.json()["id"],
    ]


# --- lists ---------------------------------------------------------------------------------------


def test_lists_filter_and_paginate(
    api: Any, customer: Customer, make_customer: Any, assert_problem: Any
) -> None:
    other = make_customer("Béton Mauricie", code="C2002", status="approved")
    for amount in ("100.00", "200.00", "300.00"):
        api.post("quotes", order_body(customer, amount))
    api.post("quotes", order_body(other, "400.00"))
    Quote.objects.filter(amount=200).update(status="cancelled")

    first = api.get("quotes", params={"customer": str(customer.pk), "limit": 2}).json()
    second = api.get(
        "quotes", params={"customer": str(customer.pk), "limit": 2, "cursor": first["next_cursor"]}
    )

    assert [q["amount"] for q in first["items"]] == ["300.00", "200.00"]
    assert [q["amount"] for q in second.json()["items"]] == ["100.00"]
    assert second.json()["next_cursor"] is None
    cancelled = api.get("quotes", params={"status": "cancelled", "company": "MAIN"}).json()["items"]
    assert [q["amount"] for q in cancelled] == ["200.00"]
    assert_problem(api.get("quotes", params={"status": "lost"}), 422, "status")
    assert_problem(api.get("orders", params={"customer": "999999"}), 422, "customer")
    assert_problem(api.get("orders", params={"company": "NOPE"}), 422, "company")
    for kind in ("orders", "shipments", "invoices", "credit-notes", "payments"):
        assert api.get(kind).json() == {"items": [], "next_cursor": None}


def test_a_list_page_takes_a_fixed_number_of_queries(
    api: Any, customer: Customer, django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        order = documents.enter_order(actor=None, customer=customer, company="MAIN", amount="10.00").document
        documents.enter_invoice(actor=None, customer=customer, company="MAIN", order=order.pk)

    with django_assert_max_num_queries(12):
        assert len(api.get("invoices").json()["items"]) == 5
    with django_assert_max_num_queries(12):
        assert len(api.get("orders").json()["items"]) == 5


# --- companies and roles -------------------------------------------------------------------------


def test_another_companys_documents_are_not_found(
    as_operator: Any, customer: Customer, other_company: Company, assert_problem: Any
) -> None:
    theirs = documents.enter_order(actor=None, customer=customer, company="OTHER", amount="10.00").document
    invoice = documents.enter_invoice(actor=None, customer=customer, company="OTHER", amount="10.00").document

    assert_problem(as_operator.get(f"orders/{theirs.pk}"), 404)
    assert_problem(as_operator.post(f"orders/{theirs.pk}/cancel"), 404)
    assert_problem(as_operator.get(f"invoices/{invoice.pk}"), 404)
    assert as_operator.get("orders").json()["items"] == []
    assert_problem(as_operator.get("orders", params={"company": "OTHER"}), 404)
    assert_problem(as_operator.post("orders", {**order_body(customer), "company": "OTHER"}), 404)
    assert Order.objects.get(pk=theirs.pk).status == "open"
    assert Order.objects.count() == 1


def test_an_admin_sees_every_company(
    api_as: Any, admin_user: User, customer: Customer, other_company: Company
) -> None:
    theirs = documents.enter_order(actor=None, customer=customer, company="OTHER", amount="10.00").document

    assert api_as(admin_user).get(f"orders/{theirs.pk}").json()["company"] == "OTHER"


def test_a_viewer_reads_but_cannot_enter_documents(
    api_as: Any, viewer: User, customer: Customer, assert_problem: Any
) -> None:
    order = documents.enter_order(actor=None, customer=customer, company="MAIN", amount="10.00").document
    as_viewer = api_as(viewer)

    assert as_viewer.get(f"orders/{order.pk}").status_code == 200
    for kind in ("quotes", "orders", "invoices", "credit-notes", "payments"):
        assert_problem(as_viewer.post(kind, order_body(customer, "5.00")), 403)
    assert_problem(as_viewer.post(f"orders/{order.pk}/cancel"), 403)
    assert_problem(as_viewer.post("shipments", {"order": str(order.pk)}), 403)
    assert counts()["Order"] == 1 and counts()["Quote"] == 0


def test_an_operator_enters_orders_but_not_invoices(
    make_user: Any, api_as: Any, customer: Customer, assert_problem: Any
) -> None:
    as_operator = api_as(make_user("op2", Role.OPERATOR))

    assert as_operator.post("orders", order_body(customer, "5.00")).status_code == 201
    assert_problem(as_operator.post("invoices", order_body(customer, "5.00")), 403)
    assert_problem(as_operator.post("payments", order_body(customer, "5.00")), 403)


def test_no_token_is_401(db: Any, assert_problem: Any) -> None:
    from django.test import Client

    assert_problem(Client().post("/api/v1/orders", {}, content_type="application/json"), 401)
    assert_problem(Client().get("/api/v1/invoices"), 401)
