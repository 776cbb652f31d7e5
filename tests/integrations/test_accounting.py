"""The accounting sync: states per company, the prospect refusal, the event to the company's connector, the
connector's answer, and the company setting that refuses invoices for customers not synced."""

from typing import Any

import pytest
from factories import CompanyFactory, CustomerFactory

from carnet.documents import services as documents
from carnet.errors import CreditRefused
from carnet.integrations import accounting
from carnet.integrations.models import Delivery, EventType, OutboxEvent

from .conftest import add_endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def connector(main_company: Any) -> Any:
    endpoint, _secret = add_endpoint("http://127.0.0.1:9/accounting", ["customer.sync_requested"], "MAIN")
    return endpoint


def states(api: Any, customer: Any) -> dict[str, dict[str, Any]]:
    answer = api.get(f"customers/{customer.pk}/accounting-sync")
    assert answer.status_code == 200, answer.content
    return {s["company"]: s for s in answer.json()["companies"]}


def test_sending_marks_pending_and_emits_to_the_companys_connector(
    api_as: Any, make_user: Any, connector: Any
) -> None:
    other = CompanyFactory(code="EST")
    elsewhere, _secret = add_endpoint("http://127.0.0.1:9/est", ["customer.sync_requested"], "EST")
    accountant = api_as(make_user("compta", "accountant", companies=[connector.company, other]))
    customer = CustomerFactory(code="C1001")
    assert states(accountant, customer)["MAIN"]["state"] == "never"

    sent = accountant.post(f"customers/{customer.pk}/accounting-sync?company=MAIN")
    assert sent.status_code == 200, sent.content
    assert sent.json()["state"] == "pending" and sent.json()["requested_at"]
    event = OutboxEvent.objects.get(type=EventType.CUSTOMER_SYNC_REQUESTED)
    assert event.company_id == connector.company_id
    assert event.payload["data"]["customer"]["code"] == "C1001"
    assert [d.endpoint_id for d in Delivery.objects.filter(event=event)] == [connector.pk]  # not EST's
    assert elsewhere.deliveries.count() == 0
    assert states(accountant, customer)["EST"]["state"] == "never"

    synced = accountant.post(
        f"customers/{customer.pk}/accounting-sync/report",
        {"company": "MAIN", "state": "synced", "external_id": "AC-1001"},
    )
    assert synced.status_code == 200, synced.content
    assert (synced.json()["state"], synced.json()["external_id"]) == ("synced", "AC-1001")

    accountant.post(f"customers/{customer.pk}/accounting-sync?company=MAIN")  # sent again, after a change
    failed = accountant.post(
        f"customers/{customer.pk}/accounting-sync/report",
        {"company": "MAIN", "state": "failed", "error": "Code client en double"},
    )
    now = failed.json()
    assert (now["state"], now["last_error"], now["external_id"]) == (
        "failed",
        "Code client en double",
        "AC-1001",
    )


def test_a_prospect_is_not_sent(api: Any, connector: Any) -> None:
    prospect = CustomerFactory(code="P1", status="prospect")
    refused = api.post(f"customers/{prospect.pk}/accounting-sync?company=MAIN")
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("prospect_not_sent")
    assert "prospect" in refused.json()["detail"]
    assert not OutboxEvent.objects.filter(type=EventType.CUSTOMER_SYNC_REQUESTED).exists()
    assert states(api, prospect)["MAIN"]["state"] == "never"


def test_without_a_connector_sending_is_refused_with_the_reason(api: Any, main_company: Any) -> None:
    customer = CustomerFactory(code="C1")
    refused = api.post(f"customers/{customer.pk}/accounting-sync?company=MAIN")
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("no_accounting_connection")
    assert "customer.sync_requested" in refused.json()["detail"]


def test_reports_are_checked(api: Any, connector: Any) -> None:
    customer = CustomerFactory(code="C1")
    no_id = api.post(
        f"customers/{customer.pk}/accounting-sync/report", {"company": "MAIN", "state": "synced"}
    )
    assert no_id.status_code == 422 and no_id.json()["errors"][0]["field"] == "external_id"
    no_error = api.post(
        f"customers/{customer.pk}/accounting-sync/report", {"company": "MAIN", "state": "failed"}
    )
    assert no_error.status_code == 422 and no_error.json()["errors"][0]["field"] == "error"
    assert states(api, customer)["MAIN"]["state"] == "never"


def test_who_may_send(api_as: Any, operator: Any, viewer: Any, connector: Any) -> None:
    customer = CustomerFactory(code="C1")
    for user in (operator, viewer):
        assert api_as(user).post(f"customers/{customer.pk}/accounting-sync?company=MAIN").status_code == 403
    assert api_as(viewer).get(f"customers/{customer.pk}/accounting-sync").status_code == 200
    hidden = CompanyFactory(code="EST")
    assert (
        api_as(operator).get(f"customers/{customer.pk}/accounting-sync?company={hidden.code}").status_code
        == 404
    )


def test_an_invoice_needs_a_synced_customer_when_the_company_says_so(
    api_as: Any, admin_user: Any, connector: Any
) -> None:
    customer = CustomerFactory(code="C1")
    documents.enter_invoice(actor=None, customer=customer, company="MAIN", amount="100.00")  # setting off

    admin = api_as(admin_user)
    changed = admin.patch("companies/MAIN/settings", {"accounting_sync_before_invoicing": True})
    assert changed.status_code == 200 and changed.json()["accounting_sync_before_invoicing"] is True

    with pytest.raises(CreditRefused) as refused:
        documents.enter_invoice(actor=None, customer=customer, company="MAIN", amount="100.00")
    assert refused.value.decision.codes == ["accounting_sync_required"]
    assert "never sent to accounting" in refused.value.decision.reasons[0].message

    accounting.request_sync(actor=None, customer=customer, company="MAIN")
    dry_run = admin.post(
        "credit-checks",
        {"customer": str(customer.pk), "company": "MAIN", "kind": "invoice", "amount": "100.00"},
    )
    assert dry_run.json()["outcome"] == "blocked"
    assert dry_run.json()["reasons"][0]["code"] == "accounting_sync_required"
    assert "not synced yet" in dry_run.json()["reasons"][0]["message"]
    order_check = admin.post(
        "credit-checks",
        {"customer": str(customer.pk), "company": "MAIN", "kind": "order", "amount": "100.00"},
    )
    assert order_check.json()["outcome"] == "ok"  # orders are not concerned

    accounting.report_sync(actor=None, customer=customer, company="MAIN", state="synced", external_id="AC-1")
    entered = documents.enter_invoice(actor=None, customer=customer, company="MAIN", amount="100.00")
    assert entered.document.pk is not None


def test_the_setting_is_for_admins(api_as: Any, controller: Any, main_company: Any) -> None:
    refused = api_as(controller).patch("companies/MAIN/settings", {"accounting_sync_before_invoicing": True})
    assert refused.status_code == 403
    assert accounting.accounting_settings(main_company).sync_before_invoicing is False
