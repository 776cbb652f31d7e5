"""Webhook endpoints through the API: admins only; the secret is shown when made, rotated or revealed, never
listed; bad input names the field and saves nothing; the delivery log and "retry now"."""

from typing import Any

import pytest
from factories import CustomerFactory

from carnet.customers import services as customers
from carnet.integrations.models import Delivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

NEW = {"url": "https://erp.example.com/carnet", "event_types": ["customer.created", "hold.added"]}


def test_only_admins_manage_webhooks(api_as: Any, admin_user: Any, controller: Any, viewer: Any) -> None:
    made = api_as(admin_user).post("webhooks", NEW).json()
    for user in (controller, viewer):
        client = api_as(user)
        assert client.get("webhooks").status_code == 403
        assert client.post("webhooks", NEW).status_code == 403
        assert client.get(f"webhooks/{made['id']}/secret").status_code == 403
        assert client.patch(f"webhooks/{made['id']}", {"active": False}).status_code == 403
        assert client.post(f"webhooks/{made['id']}/rotate-secret").status_code == 403
        assert client.delete(f"webhooks/{made['id']}").status_code == 403
    assert WebhookEndpoint.objects.get().active is True


def test_an_admin_adds_reveals_rotates_changes_and_removes_a_webhook(api_as: Any, admin_user: Any) -> None:
    admin = api_as(admin_user)
    made = admin.post("webhooks", {**NEW, "company": "MAIN", "description": "ERP"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["secret"].startswith("whsec_") and body["company"] == "MAIN" and body["active"] is True
    listed = admin.get("webhooks").json()["items"]
    assert [w["url"] for w in listed] == [NEW["url"]] and "secret" not in listed[0]
    assert "secret" not in admin.get(f"webhooks/{body['id']}").json()
    assert admin.get(f"webhooks/{body['id']}/secret").json()["secret"] == body["secret"]

    rotated = admin.post(f"webhooks/{body['id']}/rotate-secret").json()
    assert rotated["secret"] != body["secret"]
    assert WebhookEndpoint.objects.get().secret == rotated["secret"]

    stale = admin.patch(f"webhooks/{body['id']}", {"active": False}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    paused = admin.patch(f"webhooks/{body['id']}", {"active": False, "company": ""})
    assert paused.status_code == 200 and paused.json()["active"] is False and paused.json()["company"] is None

    assert admin.delete(f"webhooks/{body['id']}").status_code == 204
    assert admin.get(f"webhooks/{body['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW, "url": "ftp://erp.example.com/"}, "url"),
        ({**NEW, "url": "not a url"}, "url"),
        ({**NEW, "url": "https://user:pw@erp.example.com/"}, "url"),
        ({**NEW, "event_types": ["customer.exploded"]}, "event_types"),
        ({**NEW, "event_types": []}, "event_types"),
        ({**NEW, "company": "NOPE"}, "company"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    api_as: Any, admin_user: Any, body: dict[str, Any], field: str
) -> None:
    answer = api_as(admin_user).post("webhooks", body)
    assert answer.status_code == 422, answer.content
    assert field in [e["field"] for e in answer.json()["errors"]]
    assert WebhookEndpoint.objects.count() == 0


def test_the_delivery_log_and_retry_now(api_as: Any, admin_user: Any, main_company: Any) -> None:
    admin = api_as(admin_user)
    made = admin.post("webhooks", {**NEW, "url": "http://127.0.0.1:9/hooks"}).json()
    CustomerFactory(code="C1")
    customers.create_customer(actor=None, data={"name": "Transports Laurentides"})
    log = admin.get(f"webhooks/{made['id']}/deliveries").json()["items"]
    assert [(d["event_type"], d["status"], d["attempts"]) for d in log] == [
        ("customer.created", "pending", 0)
    ]
    Delivery.objects.update(
        attempts=3, last_error="ConnectionRefusedError", next_attempt_at="2099-01-01T00:00Z"
    )
    retried = admin.post(f"webhook-deliveries/{log[0]['id']}/retry")
    assert retried.status_code == 200
    assert Delivery.objects.get().next_attempt_at.year < 2099
    assert admin.get(f"webhooks/{made['id']}").json()["pending"] == 1
