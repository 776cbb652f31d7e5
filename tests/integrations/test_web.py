"""The integrations' pages: the webhooks for admins (secret shown once made, delivery log), the accounting
setting, and the customer's Accounting tab with "Send to accounting"."""

from typing import Any

import pytest
from django.test import Client
from factories import CustomerFactory

from carnet.integrations.models import SyncState, WebhookEndpoint

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(admin_user: Any) -> None:
    client = signed_in(admin_user)
    assert client.get("/integrations/webhooks/").status_code == 200
    page = client.post(
        "/integrations/webhooks/",
        {"url": "https://erp.example.com/carnet", "event_types": ["customer.created"], "active": "on"},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert page.status_code == 200 and endpoint.secret in page.content.decode()
    detail = client.get(f"/integrations/webhooks/{endpoint.pk}/").content.decode()
    assert endpoint.secret not in detail and "customer.created" in detail
    revealed = client.post(f"/integrations/webhooks/{endpoint.pk}/secret/", {"action": "reveal"})
    assert endpoint.secret in revealed.content.decode()


def test_a_bad_url_is_put_back_beside_the_field(admin_user: Any) -> None:
    page = signed_in(admin_user).post(
        "/integrations/webhooks/", {"url": "ftp://x", "event_types": ["customer.created"]}
    )
    assert "Use an http:// or https:// URL." in page.content.decode()
    assert WebhookEndpoint.objects.count() == 0


def test_others_may_not_see_the_webhooks(controller: Any) -> None:
    assert signed_in(controller).get("/integrations/webhooks/").status_code == 403


def test_the_accounting_setting_page(admin_user: Any, main_company: Any) -> None:
    client = signed_in(admin_user)
    client.post("/integrations/accounting/", {"required": ["MAIN"]})
    from carnet.integrations.accounting import accounting_settings

    assert accounting_settings(main_company).sync_before_invoicing is True
    client.post("/integrations/accounting/", {})
    assert accounting_settings(main_company).sync_before_invoicing is False


def test_the_accounting_tab_sends_a_customer(controller: Any, main_company: Any) -> None:
    from carnet.integrations import webhooks

    webhooks.create_endpoint(
        actor=None, data={"url": "http://127.0.0.1:9/a", "event_types": ["customer.sync_requested"]}
    )
    customer = CustomerFactory(code="C1001")
    client = signed_in(controller)
    tab = client.get(f"/customers/{customer.pk}/?tab=accounting").content.decode()
    assert "Send to accounting" in tab and 'data-sync-state="never"' in tab
    answer = client.post(
        f"/integrations/customers/{customer.pk}/accounting-sync/", {"company": "MAIN"}, HTTP_HX_REQUEST="true"
    )
    assert 'data-sync-state="pending"' in answer.content.decode()
    assert customer.accounting_syncs.get().state == SyncState.PENDING


def test_a_prospects_tab_says_why_it_is_not_sent(controller: Any, main_company: Any) -> None:
    prospect = CustomerFactory(code="P1", status="prospect")
    tab = signed_in(controller).get(f"/customers/{prospect.pk}/?tab=accounting").content.decode()
    assert "A prospect is not sent to accounting" in tab and "Send to accounting" not in tab
