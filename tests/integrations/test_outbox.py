"""The outbox: every change emits its event in its own transaction (rolled back: nothing), with a unique
event id, the source and request id of the change, and a per-customer sequence."""

import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from factories import CustomerFactory

from carnet.audit.context import Source, activity
from carnet.credit import services as credit
from carnet.credit.review import apply_review, run_review
from carnet.customers import services as customers
from carnet.documents import services as documents
from carnet.errors import CreditRefused
from carnet.integrations.models import Delivery, EventType, OutboxEvent

from .conftest import add_endpoint

pytestmark = pytest.mark.django_db


def types_of(customer: Any) -> list[str]:
    return list(
        OutboxEvent.objects.filter(customer_id=customer.pk)
        .order_by("sequence")
        .values_list("type", flat=True)
    )


def test_a_new_customer_emits_its_event_with_the_source_and_request_id(main_company: Any) -> None:
    with activity(Source.API, request_id="req-42"):
        customer = customers.create_customer(actor=None, data={"name": "Transports Laurentides"})
    event = OutboxEvent.objects.get(customer_id=customer.pk)
    assert event.type == EventType.CUSTOMER_CREATED
    assert isinstance(event.event_id, uuid.UUID)
    assert event.sequence == 1
    assert event.payload["request_id"] == "req-42"
    assert event.payload["source"] == "api"
    assert event.payload["data"]["customer"]["code"] == customer.code


def test_a_rolled_back_change_emits_nothing(main_company: Any) -> None:
    add_endpoint("http://127.0.0.1:9/hooks")
    with pytest.raises(RuntimeError), transaction.atomic():
        customers.create_customer(actor=None, data={"name": "Jamais Enregistré"})
        assert OutboxEvent.objects.count() == 1  # written, inside the transaction…
        raise RuntimeError("the request fails after the change")
    assert OutboxEvent.objects.count() == 0  # …and gone with it
    assert Delivery.objects.count() == 0


def test_a_refused_change_emits_nothing(main_company: Any) -> None:
    customer = CustomerFactory(code="C1")
    with pytest.raises(ValidationError):
        customers.update_customer(actor=None, customer_id=customer.pk, changes={"status": "blocked"})
    assert types_of(customer) == []


def test_each_change_numbers_the_customers_events_in_order(main_company: Any) -> None:
    customer = customers.create_customer(actor=None, data={"name": "Béton Estrie"})
    customers.update_customer(actor=None, customer_id=customer.pk, changes={"team": "Est"})
    customers.set_status(
        actor=None, customer_id=customer.pk, status="blocked", reason="Chèque sans provision"
    )
    customers.add_contact(actor=None, customer_id=customer.pk, data={"name": "Marie Tremblay"})
    hold = credit.add_hold(actor=None, customer=customer, company="MAIN", type="sale_order", comment="Litige")
    credit.lift_hold(actor=None, hold_id=hold.pk)
    assert types_of(customer) == [
        "customer.created",
        "customer.changed",
        "customer.changed",
        "customer.status_changed",
        "customer.changed",
        "hold.added",
        "hold.lifted",
    ]
    sequences = list(
        OutboxEvent.objects.filter(customer_id=customer.pk).order_by("id").values_list("sequence", flat=True)
    )
    assert sequences == [1, 2, 3, 4, 5, 6, 7]
    status = OutboxEvent.objects.get(customer_id=customer.pk, type="customer.status_changed")
    assert status.payload["data"]["status_before"] == "prospect"  # the company's default
    assert status.payload["data"]["status"] == "blocked"
    changed = OutboxEvent.objects.filter(customer_id=customer.pk, type="customer.changed").first()
    assert changed is not None and changed.payload["data"]["fields"] == ["team"]
    lifted = OutboxEvent.objects.get(type="hold.lifted")
    assert lifted.company_id == hold.company_id and lifted.payload["data"]["hold"]["lifted_at"]


def test_an_order_kept_on_credit_hold_is_refused_and_a_warning_passed_is_overridden(
    main_company: Any,
) -> None:
    credit.set_policy(actor=None, company="MAIN", credit_hold_queue=True)
    blocked = CustomerFactory(code="BLK", status="blocked", status_reason="Faillite")
    held = documents.enter_order(actor=None, customer=blocked, company="MAIN", amount="100.00").document
    refused = OutboxEvent.objects.get(type=EventType.ORDER_REFUSED)
    assert refused.customer_id == blocked.pk and refused.company_id == main_company.pk
    assert refused.payload["data"]["order"]["number"] == held.number
    assert refused.payload["data"]["decision"]["outcome"] == "blocked"

    warned = CustomerFactory(code="WRN", status="warning", status_reason="Paie en retard")
    with pytest.raises(Exception):  # noqa: B017 - a warning not acknowledged saves nothing, emits nothing
        documents.enter_order(actor=None, customer=warned, company="MAIN", amount="50.00")
    assert not OutboxEvent.objects.filter(type=EventType.ORDER_OVERRIDDEN).exists()
    documents.enter_order(
        actor=None,
        customer=warned,
        company="MAIN",
        amount="50.00",
        acknowledge_warnings=True,
        override_reason="Client de longue date",
    )
    overridden = OutboxEvent.objects.get(type=EventType.ORDER_OVERRIDDEN)
    assert overridden.payload["data"]["reason"] == "Client de longue date"
    assert overridden.payload["data"]["decision"]["reasons"][0]["code"] == "status_warning"


def test_an_order_refused_outright_saves_nothing_but_its_event_once_the_action_ends(
    main_company: Any,
) -> None:
    blocked = CustomerFactory(code="BLK", status="blocked", status_reason="Faillite")
    with activity(Source.API, request_id="req-refused"):
        with pytest.raises(CreditRefused), transaction.atomic():
            documents.enter_order(
                actor=None, customer=blocked, company="MAIN", amount="100.00", reference="PO-7"
            )
        # Not inside the transaction the refusal rolls back: written when the action is over.
        assert not OutboxEvent.objects.filter(type=EventType.ORDER_REFUSED).exists()

    refused = OutboxEvent.objects.get(type=EventType.ORDER_REFUSED)
    assert refused.customer_id == blocked.pk and refused.company_id == main_company.pk
    assert refused.payload["request_id"] == "req-refused" and refused.payload["source"] == "api"
    order = refused.payload["data"]["order"]
    assert (order["id"], order["number"], order["status"]) == (None, None, "refused")
    assert (order["amount"], order["reference"]) == ("100.00", "PO-7")
    assert refused.payload["data"]["decision"]["reasons"][0]["code"] == "status_blocked"


def test_an_order_refused_through_the_api_answers_422_and_emits_its_event(
    main_company: Any, controller: Any
) -> None:
    from django.test import Client

    from carnet.accounts import services as accounts
    from carnet.documents.models import Order

    add_endpoint("http://127.0.0.1:9/hook")
    blocked = CustomerFactory(code="BLK", status="blocked", status_reason="Faillite")
    _token, raw = accounts.issue_token(actor=None, user=controller, name="erp")

    answer = Client().post(
        "/api/v1/orders",
        {"customer": str(blocked.pk), "company": "MAIN", "amount": "100.00"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )

    assert answer.status_code == 422, answer.content
    assert not Order.objects.exists()
    refused = OutboxEvent.objects.get(type=EventType.ORDER_REFUSED)
    assert refused.payload["request_id"] == answer["X-Request-ID"]
    assert Delivery.objects.filter(event=refused).count() == 1


def test_an_applied_review_emits_each_status_change_and_review_applied(main_company: Any) -> None:
    from credit.review_support import AS_OF, aged_invoice, criteria

    criteria(grace_days=60)
    late = CustomerFactory(code="LATE1")
    aged_invoice(late, "250.00", 90)
    review = run_review(actor=None, company="MAIN", as_of=AS_OF)
    with activity(Source.REVIEW):
        apply_review(actor=None, review_id=review.pk)
    changed = OutboxEvent.objects.get(customer_id=late.pk, type=EventType.CUSTOMER_STATUS_CHANGED)
    assert changed.payload["source"] == "review" and changed.payload["data"]["status"] == "blocked"
    applied = OutboxEvent.objects.get(type=EventType.REVIEW_APPLIED)
    assert applied.customer_id is None and applied.company_id == main_company.pk
    assert applied.payload["data"]["review"] == {**applied.payload["data"]["review"], "applied": 1}
    assert applied.payload["request_id"] == changed.payload["request_id"]


def test_deliveries_follow_the_subscriptions_and_companies(main_company: Any) -> None:
    from factories import CompanyFactory

    other = CompanyFactory(code="EST")
    everything, _secret = add_endpoint("http://127.0.0.1:9/all")
    holds_of_est, _secret = add_endpoint("http://127.0.0.1:9/est", ["hold.added"], company="EST")
    customer = CustomerFactory(code="C1")
    credit.add_hold(actor=None, customer=customer, company="MAIN", type="sale_order", comment="Litige")
    credit.add_hold(actor=None, customer=customer, company=other, type="sale_order", comment="Litige")
    customers.update_customer(actor=None, customer_id=customer.pk, changes={"team": "Est"})
    assert Delivery.objects.filter(endpoint=everything).count() == 3
    to_est = Delivery.objects.filter(endpoint=holds_of_est)
    assert [(d.event.type, d.event.company_id) for d in to_est] == [("hold.added", other.pk)]
