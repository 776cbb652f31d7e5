"""The integrations' API: customers' accounting sync, and webhook endpoints with their deliveries (admins).

Handlers parse, call the services (which check the permission and the rules in one transaction) and
serialise. The webhook endpoints are the installation's, for admins only (403 for everyone else).
"""

from typing import Any, Literal, cast

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from ninja import Body, Header, Query, Router, Schema, Status
from pydantic import Field

from carnet.accounts.models import User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.customers.api import expected_version
from carnet.customers.models import Customer
from carnet.customers.schemas import Problem
from carnet.documents.common import resolve_company
from carnet.errors import NotFound
from carnet.pagination import paginate

from . import accounting, webhooks
from .models import Delivery, WebhookEndpoint
from .schemas import (
    CustomerSyncOut,
    DeliveryOut,
    DeliveryPage,
    NoBody,
    SecretOut,
    SyncOut,
    SyncReportIn,
    SyncRequestIn,
    WebhookIn,
    WebhookOut,
    WebhookPage,
    WebhookPatch,
    WebhookSecretOut,
)

router = Router(tags=["integrations"])

READ_ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 409: Problem}
IF_MATCH_HELP = 'The version read (3, "3" or W/"3"); a stale one answers 409 and changes nothing.'


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _customer(customer_id: str) -> Customer:
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        pk = 0
    customer = Customer.objects.filter(pk=pk).first()
    if customer is None:
        raise NotFound(f"No customer has the id {customer_id}.")
    return customer


# --- accounting sync -------------------------------------------------------------------------------------


class CompanyQuery(Schema):
    company: str | None = Field(None, description="A company code; left out: every company of yours.")


@router.get(
    "/customers/{customer_id}/accounting-sync",
    response={200: CustomerSyncOut, **READ_ERRORS},
    summary="A customer's accounting sync state, per company",
    description="never (not sent), pending (sent, no answer yet), synced (with the external id) or failed "
    "(with the error), in each of your companies or the one named.",
)
def get_sync(request: HttpRequest, customer_id: str, filters: Query[CompanyQuery]) -> dict[str, Any]:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    customer = _customer(customer_id)
    companies = (
        [resolve_company(filters.company, actor)]
        if filters.company
        else list(actor.visible_companies().order_by("code"))
    )
    states = accounting.sync_states(customer, companies)
    return {"customer": str(customer.pk), "companies": [s.as_json() for s in states]}


@router.post(
    "/customers/{customer_id}/accounting-sync",
    response={200: SyncOut, **WRITE_ERRORS},
    summary="Send a customer to accounting",
    description="The company as ?company=MAIN or in the body. Marks the customer pending in the company "
    "and emits customer.sync_requested, which the worker posts to the company's webhooks subscribed to it "
    "(the accounting connector); the connector reports back with POST …/accounting-sync/report. A prospect "
    "is refused (422 prospect_not_sent), and so is a company with no such webhook (422 "
    "no_accounting_connection).",
)
def send_to_accounting(
    request: HttpRequest,
    customer_id: str,
    company: str | None = None,
    payload: SyncRequestIn = Body(None),  # noqa: B008
) -> dict[str, Any]:
    code = (payload.company if payload is not None else None) or company
    if not code:
        raise ValidationError({"company": "Name the company by its code, like MAIN (?company=MAIN)."})
    view = accounting.request_sync(actor=_actor(request), customer=_customer(customer_id), company=code)
    return view.as_json()


@router.post(
    "/customers/{customer_id}/accounting-sync/report",
    response={200: SyncOut, **WRITE_ERRORS},
    summary="Report the accounting system's answer",
    description="synced with the customer's `external_id` in the accounting system, or failed with the "
    "`error`. For the accounting connector (a user who may send customers to accounting).",
)
def report_sync(request: HttpRequest, customer_id: str, payload: SyncReportIn) -> dict[str, Any]:
    view = accounting.report_sync(
        actor=_actor(request),
        customer=_customer(customer_id),
        company=payload.company,
        state=payload.state,
        external_id=payload.external_id,
        error=payload.error,
    )
    return view.as_json()


# --- webhooks --------------------------------------------------------------------------------------------


def webhook_json(endpoint: WebhookEndpoint, pending: int | None = None) -> dict[str, Any]:
    if pending is None:
        pending = endpoint.deliveries.filter(status=Delivery.PENDING).count()
    return {
        "id": str(endpoint.pk),
        "url": endpoint.url,
        "description": endpoint.description,
        "company": endpoint.company.code if endpoint.company_id and endpoint.company else None,
        "event_types": list(endpoint.event_types),
        "active": endpoint.active,
        "secret_set_at": endpoint.secret_set_at,
        "created_at": endpoint.created_at,
        "version": endpoint.version,
        "pending": pending,
    }


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    pending = delivery.status == Delivery.PENDING
    return {
        "id": str(delivery.pk),
        "event_id": str(delivery.event.event_id),
        "event_type": delivery.event.type,
        "customer": None if delivery.customer_id is None else str(delivery.customer_id),
        "sequence": delivery.sequence,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at if pending else None,
        "last_attempt_at": delivery.last_attempt_at,
        "delivered_at": delivery.delivered_at,
        "response_code": delivery.response_code,
        "last_error": delivery.last_error or None,
        "created_at": delivery.created_at,
    }


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = None


class DeliveryQuery(PageQuery):
    status: Literal["pending", "delivered"] | None = Field(None, description="pending or delivered.")


@router.get(
    "/webhooks",
    response={200: WebhookPage, **READ_ERRORS},
    summary="Webhook endpoints (admins)",
    description="Every endpoint, oldest first, with how many deliveries are pending. Secrets are not listed.",
)
def list_webhooks(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    require(_actor(request), Action.MANAGE_WEBHOOKS)
    rows = webhooks.endpoints().annotate(
        pending_count=Count("deliveries", filter=Q(deliveries__status=Delivery.PENDING))
    )
    page = paginate(rows, sort="id", limit=filters.limit, cursor=filters.cursor)
    return {
        "items": [webhook_json(e, e.pending_count) for e in page.items],  # type: ignore[attr-defined]
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/webhooks",
    response={201: WebhookSecretOut, **WRITE_ERRORS},
    summary="Add a webhook endpoint (admins)",
    description="Answers the endpoint with its secret, which signs every delivery (see docs/webhooks.md). "
    "Events emitted from now on are delivered to it.",
)
def create_webhook(request: HttpRequest, response: HttpResponse, payload: WebhookIn) -> Status:
    endpoint, secret = webhooks.create_endpoint(actor=_actor(request), data=payload.model_dump())
    response["Location"] = f"/api/v1/webhooks/{endpoint.pk}"
    return Status(201, {**webhook_json(endpoint, 0), "secret": secret})


@router.get(
    "/webhooks/{endpoint_id}", response={200: WebhookOut, **READ_ERRORS}, summary="A webhook (admins)"
)
def get_webhook(request: HttpRequest, response: HttpResponse, endpoint_id: str) -> dict[str, Any]:
    endpoint = webhooks.get_endpoint(actor=_actor(request), endpoint_id=endpoint_id)
    response["ETag"] = f'"{endpoint.version}"'
    return webhook_json(endpoint)


@router.patch(
    "/webhooks/{endpoint_id}",
    response={200: WebhookOut, **WRITE_ERRORS},
    summary="Change a webhook (admins)",
    description="Only the fields sent change. `active: false` pauses it: its deliveries wait until it is "
    "active again. Send the version read in If-Match (or as `version`): a stale one answers 409.",
)
def update_webhook(
    request: HttpRequest,
    response: HttpResponse,
    endpoint_id: str,
    payload: WebhookPatch,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> dict[str, Any]:
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    endpoint = webhooks.update_endpoint(
        actor=_actor(request),
        endpoint_id=endpoint_id,
        changes=changes,
        expected_version=expected_version(if_match, payload.version),
    )
    response["ETag"] = f'"{endpoint.version}"'
    return webhook_json(endpoint)


@router.delete(
    "/webhooks/{endpoint_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Remove a webhook (admins)",
    description="Its pending deliveries are dropped with it; the events stay in the outbox.",
)
def delete_webhook(request: HttpRequest, endpoint_id: str) -> Status:
    webhooks.delete_endpoint(actor=_actor(request), endpoint_id=endpoint_id)
    return Status(204, None)


@router.get(
    "/webhooks/{endpoint_id}/secret",
    response={200: SecretOut, **READ_ERRORS},
    summary="Reveal a webhook's secret (admins)",
)
def reveal_secret(request: HttpRequest, endpoint_id: str) -> dict[str, Any]:
    return {"secret": webhooks.reveal_secret(actor=_actor(request), endpoint_id=endpoint_id)}


@router.post(
    "/webhooks/{endpoint_id}/rotate-secret",
    response={200: WebhookSecretOut, **WRITE_ERRORS},
    summary="Give a webhook a new secret (admins)",
    description="The new secret signs every attempt from now on; the old one stops at once.",
)
def rotate_secret(request: HttpRequest, endpoint_id: str, payload: NoBody = Body(None)) -> dict[str, Any]:  # noqa: B008
    endpoint, secret = webhooks.rotate_secret(actor=_actor(request), endpoint_id=endpoint_id)
    return {**webhook_json(endpoint), "secret": secret}


@router.get(
    "/webhooks/{endpoint_id}/deliveries",
    response={200: DeliveryPage, **READ_ERRORS},
    summary="A webhook's deliveries (admins)",
    description="Newest first: each event's attempts, status, last response code and error, next attempt.",
)
def list_deliveries(request: HttpRequest, endpoint_id: str, filters: Query[DeliveryQuery]) -> dict[str, Any]:
    rows = webhooks.deliveries(actor=_actor(request), endpoint_id=endpoint_id)
    if filters.status:
        rows = rows.filter(status=filters.status)
    page = paginate(rows, sort="-id", limit=filters.limit, cursor=filters.cursor)
    return {"items": [delivery_json(d) for d in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/webhook-deliveries/{delivery_id}/retry",
    response={200: DeliveryOut, **WRITE_ERRORS},
    summary="Retry a pending delivery now (admins)",
    description="The worker posts it at its next tick instead of waiting for the backoff (it still waits "
    "behind an earlier undelivered event of the same customer). A delivered one is left as it is.",
)
def retry_delivery(request: HttpRequest, delivery_id: str, payload: NoBody = Body(None)) -> dict[str, Any]:  # noqa: B008
    delivery = webhooks.retry_now(actor=_actor(request), delivery_id=delivery_id)
    delivery = Delivery.objects.select_related("event").get(pk=delivery.pk)
    return delivery_json(delivery)
