"""The documents' API: quotes, orders, shipments, invoices, credit notes, payments and the credit-hold queue.

Handlers parse, call carnet.documents.services (which check the permission, the company, every rule and
the credit check in one transaction) and serialise. Answers are plain JSON built here, so that a retry under
the same Idempotency-Key answers exactly the stored first answer (carnet/documents/idempotency.py).

A user sees only the documents of the companies they belong to: another company's document is not found
(404), never forbidden.
"""

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Body, Header, Query, Router, Schema, Status
from pydantic import Field

from carnet.accounts.models import User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.credit.models import CreditOverride
from carnet.credit.schemas import CreditConflict, CreditProblem
from carnet.customers.api import expected_version
from carnet.customers.models import Customer
from carnet.customers.schemas import Problem
from carnet.pagination import paginate

from . import services
from .choices import InvoiceStatus, OrderStatus, QuoteStatus
from .common import Entered, get_document, resolve_company
from .idempotency import run_once
from .models import Allocation, CreditNote, Invoice, InvoiceLine, Order, Payment, Quote, Shipment
from .schemas import (
    AllocationsIn,
    CheckedActionIn,
    ConvertIn,
    CreditNoteIn,
    CreditNoteOut,
    CreditNotePage,
    HoldResolutionIn,
    InvoiceIn,
    InvoiceOut,
    InvoicePage,
    OrderAmountIn,
    OrderIn,
    OrderOut,
    OrderPage,
    PaymentIn,
    PaymentOut,
    PaymentPage,
    QuoteIn,
    QuoteOut,
    QuotePage,
    ShipmentIn,
    ShipmentOut,
    ShipmentPage,
    VersionIn,
)

router = Router(tags=["documents"])
M = TypeVar("M", bound=Model)

READ_ERRORS: dict[int, Any] = {401: Problem, 403: Problem, 404: Problem}
LIST_ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: CreditConflict,
    422: CreditProblem,
}
IDEMPOTENCY_HELP = (
    "Any unique text (a UUID). A retry with the same key and body answers the first answer again "
    "(header Idempotency-Replayed: true) and creates nothing; the same key with another body is a 409."
)
IF_MATCH_HELP = 'The version read (3, "3" or W/"3"); a stale one answers 409 and changes nothing.'
CHECKED = (
    " Runs the credit check: blocked answers 422 with the `decision` (nothing saved), or 202 with the order "
    "kept on credit hold when the company's queue is on; warnings answer 409 with the `decision` until the "
    "request is sent again with `acknowledge_warnings: true` and an `override_reason` (the override is "
    "recorded and returned as `override`)."
)
REFUSED = " A block (status, for instance) answers 422 with the `decision`; nothing is saved."
FILTERS_HELP = (
    " Newest first; filters combine with AND. An unknown customer, company code or status answers 422 "
    "naming the filter; a company you do not belong to answers 404."
)


def _optional_body(schema: type[Schema]) -> dict[str, Any]:
    """The body may be left out: say so in the document, and name its schema."""
    ref = {"$ref": f"#/components/schemas/{schema.__name__}"}
    return {"requestBody": {"content": {"application/json": {"schema": ref}}, "required": False}}


def _with_etag(status: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    header = {
        "ETag": {
            "description": 'The version of the document, quoted ("3"); send it back in If-Match.',
            "schema": {"type": "string"},
        }
    }
    return {"responses": {status: {"headers": header}}, **(extra or {})}


# --- serialising ---------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _username(user: Any) -> str | None:
    return user.username if user is not None else None


def _money(value: Any) -> str:
    return f"{value:.2f}"


def _base(document: Any) -> dict[str, Any]:
    return {
        "id": str(document.pk),
        "number": document.number,
        "customer": str(document.customer_id),
        "customer_code": document.customer.code,
        "customer_name": document.customer.name,
        "company": document.company.code,
        "date": document.date,
        "amount": _money(document.amount),
        "currency": document.currency,
        "reference": document.reference,
        "created_by": _username(document.created_by),
        "created_at": document.created_at,
    }


def override_json(override: CreditOverride | None) -> dict[str, Any] | None:
    if override is None:
        return None
    return {
        "id": str(override.pk),
        "user": _username(override.user),
        "at": override.at,
        "reason": override.reason,
        "decision": override.decision,
    }


def _latest_override(document: Order | Invoice) -> CreditOverride | None:
    overrides = list(document.credit_overrides.all())  # prefetched, newest first
    return overrides[0] if overrides else None


def _related_id(document: Model, name: str) -> str | None:
    try:
        related = getattr(document, name)
    except ObjectDoesNotExist:
        return None
    return None if related is None else str(related.pk)


def quote_json(quote: Quote) -> dict[str, Any]:
    return {
        **_base(quote),
        "status": quote.status,
        "order": _related_id(quote, "order"),
        "version": quote.version,
    }


def order_json(order: Order, entered: Entered[Any] | None = None) -> dict[str, Any]:
    decision = entered.decision if entered is not None else None
    override = entered.override if entered is not None and entered.override is not None else None
    credit_hold = None
    if order.hold_decision is not None:
        credit_hold = {
            "decision": order.hold_decision,
            "resolved_by": _username(order.hold_resolved_by),
            "resolved_at": order.hold_resolved_at,
            "note": order.hold_resolution_note,
        }
    return {
        **_base(order),
        "status": order.status,
        "channel": order.channel,
        "quote": None if order.quote_id is None else str(order.quote_id),
        "invoice": _related_id(order, "invoice"),
        "version": order.version,
        "updated_at": order.updated_at,
        "decision": None if decision is None else decision.as_json(),
        "override": override_json(override or _latest_override(order)),
        "credit_hold": credit_hold,
    }


def shipment_json(shipment: Shipment) -> dict[str, Any]:
    return {**_base(shipment), "order": {"id": str(shipment.order_id), "number": shipment.order.number}}


def _line_json(line: InvoiceLine) -> dict[str, Any]:
    return {
        "position": line.position,
        "product_code": line.product_code,
        "description": line.description,
        "quantity": f"{line.quantity:.3f}",
        "unit_price": _money(line.unit_price),
        "amount": _money(line.amount),
    }


def invoice_json(invoice: Invoice, entered: Entered[Any] | None = None) -> dict[str, Any]:
    decision = entered.decision if entered is not None else None
    override = entered.override if entered is not None else None
    return {
        **_base(invoice),
        "status": invoice.status,
        "due_date": invoice.due_date,
        "open_balance": _money(invoice.open_balance),
        "order": None if invoice.order_id is None else str(invoice.order_id),
        "posted_by": _username(invoice.posted_by),
        "posted_at": invoice.posted_at,
        "lines": [_line_json(line) for line in invoice.lines.all()],
        "version": invoice.version,
        "decision": None if decision is None else decision.as_json(),
        "override": override_json(override or _latest_override(invoice)),
    }


def _allocation_json(allocation: Allocation) -> dict[str, Any]:
    return {
        "id": str(allocation.pk),
        "invoice": str(allocation.invoice_id),
        "invoice_number": allocation.invoice.number,
        "amount": _money(allocation.amount),
        "created_by": _username(allocation.created_by),
        "created_at": allocation.created_at,
    }


def credit_note_json(note: CreditNote) -> dict[str, Any]:
    return {
        **_base(note),
        "unallocated": _money(note.unallocated),
        "allocations": [_allocation_json(a) for a in note.allocations.all()],
    }


def payment_json(payment: Payment) -> dict[str, Any]:
    return {**credit_note_json(payment), "method": payment.method}  # type: ignore[arg-type]


# --- loading -------------------------------------------------------------------------------------


def _overrides() -> "Prefetch[Any]":
    return Prefetch("credit_overrides", queryset=CreditOverride.objects.select_related("user"))


def _allocations() -> "Prefetch[Any]":
    return Prefetch("allocations", queryset=Allocation.objects.select_related("invoice", "created_by"))


def _for_output(model: type[M]) -> QuerySet[M]:
    """Everything a document's JSON needs, in a fixed number of queries whatever the page size."""
    queryset = model._default_manager.select_related("customer", "company", "created_by")
    if model is Quote:
        return queryset.select_related("order")
    if model is Order:
        return queryset.select_related("invoice", "hold_resolved_by").prefetch_related(_overrides())
    if model is Shipment:
        return queryset.select_related("order")
    if model is Invoice:
        return queryset.select_related("posted_by").prefetch_related("lines", _overrides())
    return queryset.prefetch_related(_allocations())


def _load(model: type[M], pk: Any) -> M:
    return _for_output(model).get(pk=pk)


def _visible(request: HttpRequest, model: type[M], document_id: str) -> M:
    """The document as the actor may see it (NotFound otherwise), with what its JSON needs."""
    require(_actor(request), Action.VIEW_CUSTOMERS)
    return _load(model, get_document(model, document_id, _actor(request)).pk)


# --- answering writes ----------------------------------------------------------------------------


def _answer(
    request: HttpRequest,
    response: HttpResponse,
    *,
    payload: Schema | None,
    key: str | None,
    operation: Callable[[], tuple[int, dict[str, Any]]],
    location: str | None = None,
) -> Status:
    """Run the operation once per Idempotency-Key and answer its (status, JSON)."""
    body = {} if payload is None else payload.model_dump(mode="json", exclude_unset=True)
    answer = run_once(
        user=_actor(request),
        key=key,
        scope=f"{request.method} {request.path}",
        body=body,
        operation=operation,
    )
    result = answer.body
    if answer.replayed:
        response["Idempotency-Replayed"] = "true"
    if isinstance(result, dict):
        if "version" in result:
            response["ETag"] = f'"{result["version"]}"'
        if location is not None and answer.status in (201, 202) and "id" in result:
            response["Location"] = f"/api/v1/{location}/{result['id']}"
    return Status(answer.status, result)


def _created(entered: Entered[Any]) -> int:
    return 202 if entered.on_credit_hold else 201


def _checked(entered: Entered[Any], default: int = 200) -> int:
    """202 when this request put the order on credit hold; else the default."""
    held_now = entered.on_credit_hold and entered.decision is not None and entered.decision.blocked
    return 202 if held_now else default


def _text(value: str | None) -> str:
    return value or ""


# --- list filters --------------------------------------------------------------------------------


class DocumentFilters(Schema):
    customer: str | None = Field(None, description="A customer id.")
    company: str | None = Field(None, description="A company code.")
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = None


class StatusFilters(DocumentFilters):
    status: str | None = Field(None, description="One of the kind's statuses.")


class InvoiceFilters(StatusFilters):
    open: bool | None = Field(None, description="true: with an open balance; false: fully paid or credited.")


class ShipmentFilters(DocumentFilters):
    order: str | None = Field(None, description="An order id.")


def _filtered(
    request: HttpRequest, model: type[M], filters: DocumentFilters, statuses: list[str] | None = None
) -> QuerySet[M]:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    queryset = _for_output(model).filter(company__in=actor.visible_companies())
    if filters.company:
        queryset = queryset.filter(company=resolve_company(filters.company, actor))
    if filters.customer:
        try:
            customer_id = int(filters.customer)
        except ValueError:
            customer_id = 0
        if not Customer.objects.filter(pk=customer_id).exists():
            raise ValidationError({"customer": f"No customer has the id {filters.customer}."})
        queryset = queryset.filter(customer_id=customer_id)
    status = getattr(filters, "status", None)
    if status and statuses is not None:
        if status not in statuses:
            raise ValidationError({"status": f"Unknown status {status}; use one of: {', '.join(statuses)}."})
        queryset = queryset.filter(status=status)
    return queryset


def _page(queryset: QuerySet[M], filters: DocumentFilters, serialise: Callable[[M], Any]) -> dict[str, Any]:
    page = paginate(queryset, sort="-id", limit=filters.limit, cursor=filters.cursor)
    return {"items": [serialise(item) for item in page.items], "next_cursor": page.next_cursor}


# --- quotes --------------------------------------------------------------------------------------


@router.get(
    "/quotes",
    response={200: QuotePage, **LIST_ERRORS},
    summary="List quotes",
    description="Quotes of the companies you belong to." + FILTERS_HELP,
)
def list_quotes(request: HttpRequest, filters: Query[StatusFilters]) -> dict[str, Any]:
    return _page(_filtered(request, Quote, filters, QuoteStatus.values), filters, quote_json)


@router.post(
    "/quotes",
    response={201: QuoteOut, **WRITE_ERRORS},
    summary="Enter a quote",
    description="Prospects and not-approved customers may have quotes; blocked and closed ones not."
    + REFUSED,
    openapi_extra=_with_etag(201),
)
def create_quote(
    request: HttpRequest,
    response: HttpResponse,
    payload: QuoteIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=IDEMPOTENCY_HELP),
) -> Status:
    def operation() -> tuple[int, dict[str, Any]]:
        entered = services.enter_quote(
            actor=_actor(request),
            customer=payload.customer,
            company=payload.company,
            amount=payload.amount,
            date=payload.date,
            currency=payload.currency,
            reference=_text(payload.reference),
        )
        return 201, quote_json(_load(Quote, entered.document.pk))

    return _answer(
        request, response, payload=payload, key=idempotency_key, operation=operation, location="quotes"
    )


@router.get(
    "/quotes/{quote_id}",
    response={200: QuoteOut, **READ_ERRORS},
    summary="Read a quote",
    openapi_extra=_with_etag(200),
)
def get_quote(request: HttpRequest, response: HttpResponse, quote_id: str) -> dict[str, Any]:
    quote = _visible(request, Quote, quote_id)
    response["ETag"] = f'"{quote.version}"'
    return quote_json(quote)


@router.post(
    "/quotes/{quote_id}/convert",
    response={201: OrderOut, 202: OrderOut, **WRITE_ERRORS},
    summary="Convert an open quote into an order",
    description="The order is entered through the same credit check as any order; the quote is marked "
    "converted." + CHECKED + " The body may be left out. Accepts an Idempotency-Key.",
    openapi_extra=_with_etag(201, _optional_body(ConvertIn)),
)
def convert_quote(
    request: HttpRequest,
    response: HttpResponse,
    quote_id: str,
    payload: ConvertIn = Body(None),  # noqa: B008
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=IDEMPOTENCY_HELP),
) -> Status:
    body = payload or ConvertIn.model_validate({})

    def operation() -> tuple[int, dict[str, Any]]:
        entered = services.convert_quote_to_order(
            actor=_actor(request),
            quote_id=quote_id,
            date=body.date,
            channel=body.channel,
            acknowledge_warnings=body.acknowledge_warnings,
            override_reason=body.override_reason,
        )
        return _created(entered), order_json(_load(Order, entered.document.pk), entered)

    return _answer(
        request, response, payload=payload, key=idempotency_key, operation=operation, location="orders"
    )


@router.post(
    "/quotes/{quote_id}/cancel",
    response={200: QuoteOut, **WRITE_ERRORS},
    summary="Cancel an open quote",
    description="Send the version read in If-Match (or as `version`) to refuse a stale change (409). "
    "The body may be left out.",
    openapi_extra=_with_etag(200, _optional_body(VersionIn)),
)
def cancel_quote(
    request: HttpRequest,
    response: HttpResponse,
    quote_id: str,
    payload: VersionIn = Body(None),  # noqa: B008
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> dict[str, Any]:
    version = expected_version(if_match, payload.version if payload else None)
    quote = services.cancel_quote(actor=_actor(request), quote_id=quote_id, expected_version=version)
    response["ETag"] = f'"{quote.version}"'
    return quote_json(_load(Quote, quote.pk))


# --- orders --------------------------------------------------------------------------------------


@router.get(
    "/orders",
    response={200: OrderPage, **LIST_ERRORS},
    summary="List orders",
    description="Orders of the companies you belong to." + FILTERS_HELP,
)
def list_orders(request: HttpRequest, filters: Query[StatusFilters]) -> dict[str, Any]:
    return _page(_filtered(request, Order, filters, OrderStatus.values), filters, order_json)


@router.post(
    "/orders",
    response={201: OrderOut, 202: OrderOut, **WRITE_ERRORS},
    summary="Enter an order",
    description="201: entered open, counted in the customer's open orders, with the `decision` that let it "
    "in." + CHECKED,
    openapi_extra=_with_etag(201),
)
def create_order(
    request: HttpRequest,
    response: HttpResponse,
    payload: OrderIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=IDEMPOTENCY_HELP),
) -> Status:
    def operation() -> tuple[int, dict[str, Any]]:
        entered = services.enter_order(
            actor=_actor(request),
            customer=payload.customer,
            company=payload.company,
            amount=payload.amount,
            date=payload.date,
            currency=payload.currency,
            channel=payload.channel,
            reference=_text(payload.reference),
            acknowledge_warnings=payload.acknowledge_warnings,
            override_reason=payload.override_reason,
        )
        return _created(entered), order_json(_load(Order, entered.document.pk), entered)

    return _answer(
        request, response, payload=payload, key=idempotency_key, operation=operation, location="orders"
    )


@router.get(
    "/orders/{order_id}",
    response={200: OrderOut, **READ_ERRORS},
    summary="Read an order",
    openapi_extra=_with_etag(200),
)
def get_order(request: HttpRequest, response: HttpResponse, order_id: str) -> dict[str, Any]:
    order = _visible(request, Order, order_id)
    response["ETag"] = f'"{order.version}"'
    return order_json(order)


@router.patch(
    "/orders/{order_id}",
    response={200: OrderOut, 202: OrderOut, **WRITE_ERRORS},
    summary="Change an order's amount",
    description="An open order or one on credit hold. Raising an open order's amount runs the credit check "
    "on the increase; lowering it does not." + CHECKED + " Send the version read in If-Match (or as "
    "`version`): a stale one answers 409 and changes nothing.",
    openapi_extra=_with_etag(200),
)
def change_order(
    request: HttpRequest,
    response: HttpResponse,
    order_id: str,
    payload: OrderAmountIn,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Status:
    entered = services.change_order_amount(
        actor=_actor(request),
        order_id=order_id,
        amount=payload.amount,
        expected_version=expected_version(if_match, payload.version),
        acknowledge_warnings=payload.acknowledge_warnings,
        override_reason=payload.override_reason,
    )
    response["ETag"] = f'"{entered.document.version}"'
    return Status(_checked(entered), order_json(_load(Order, entered.document.pk), entered))


@router.post(
    "/orders/{order_id}/cancel",
    response={200: OrderOut, **WRITE_ERRORS},
    summary="Cancel an order",
    description="An open order (it leaves the open orders) or one on credit hold; an invoiced order is "
    "credited instead (422). If-Match or `version` as for changes. The body may be left out.",
    openapi_extra=_with_etag(200, _optional_body(VersionIn)),
)
def cancel_order(
    request: HttpRequest,
    response: HttpResponse,
    order_id: str,
    payload: VersionIn = Body(None),  # noqa: B008
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> dict[str, Any]:
    version = expected_version(if_match, payload.version if payload else None)
    order = services.cancel_order(actor=_actor(request), order_id=order_id, expected_version=version)
    response["ETag"] = f'"{order.version}"'
    return order_json(_load(Order, order.pk))


@router.post(
    "/orders/{order_id}/reopen",
    response={200: OrderOut, 202: OrderOut, **WRITE_ERRORS},
    summary="Reopen a cancelled order",
    description="Through the credit check as a new order would be." + CHECKED + " The body may be left out.",
    openapi_extra=_with_etag(200, _optional_body(CheckedActionIn)),
)
def reopen_order(
    request: HttpRequest,
    response: HttpResponse,
    order_id: str,
    payload: CheckedActionIn = Body(None),  # noqa: B008
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Status:
    body = payload or CheckedActionIn.model_validate({})
    entered = services.reopen_order(
        actor=_actor(request),
        order_id=order_id,
        expected_version=expected_version(if_match, body.version),
        acknowledge_warnings=body.acknowledge_warnings,
        override_reason=body.override_reason,
    )
    response["ETag"] = f'"{entered.document.version}"'
    return Status(_checked(entered), order_json(_load(Order, entered.document.pk), entered))


@router.post(
    "/orders/{order_id}/release",
    response={200: OrderOut, **WRITE_ERRORS},
    summary="Release an order from credit hold (credit controllers)",
    description="The order becomes open and counts in the exposure; the release is recorded as a credit "
    "override (who, when, the `reason`, the decision now). An order not on hold answers 422.",
    openapi_extra=_with_etag(200),
)
def release_order(
    request: HttpRequest, response: HttpResponse, order_id: str, payload: HoldResolutionIn
) -> Any:
    order = services.release_order(actor=_actor(request), order_id=order_id, reason=payload.reason)
    response["ETag"] = f'"{order.version}"'
    return order_json(_load(Order, order.pk))


@router.post(
    "/orders/{order_id}/reject",
    response={200: OrderOut, **WRITE_ERRORS},
    summary="Reject an order on credit hold (credit controllers)",
    description="The order is kept, rejected, and never counts. An order not on hold answers 422.",
    openapi_extra=_with_etag(200),
)
def reject_order(
    request: HttpRequest, response: HttpResponse, order_id: str, payload: HoldResolutionIn
) -> Any:
    order = services.reject_order(actor=_actor(request), order_id=order_id, reason=payload.reason)
    response["ETag"] = f'"{order.version}"'
    return order_json(_load(Order, order.pk))


class QueueFilters(Schema):
    company: str | None = Field(None, description="A company code; default: every company you belong to.")
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = None


@router.get(
    "/credit-hold-queue",
    response={200: OrderPage, **LIST_ERRORS},
    summary="The orders waiting on credit hold",
    description="Oldest first, each with the decision that held it (`credit_hold.decision`). Release or "
    "reject them with POST /orders/{id}/release or /reject (credit controllers).",
)
def credit_hold_queue(request: HttpRequest, filters: Query[QueueFilters]) -> dict[str, Any]:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    queryset = _for_output(Order).filter(
        status=OrderStatus.ON_CREDIT_HOLD, company__in=actor.visible_companies()
    )
    if filters.company:
        queryset = queryset.filter(company=resolve_company(filters.company, actor))
    page = paginate(queryset, sort="id", limit=filters.limit, cursor=filters.cursor)
    return {"items": [order_json(order) for order in page.items], "next_cursor": page.next_cursor}


# --- shipments -----------------------------------------------------------------------------------


@router.get(
    "/shipments",
    response={200: ShipmentPage, **LIST_ERRORS},
    summary="List shipments",
    description="Shipments of the companies you belong to; ?order= narrows to one order." + FILTERS_HELP,
)
def list_shipments(request: HttpRequest, filters: Query[ShipmentFilters]) -> dict[str, Any]:
    queryset = _filtered(request, Shipment, filters)
    if filters.order:
        queryset = queryset.filter(order_id=filters.order if filters.order.isdigit() else 0)
    return _page(queryset, filters, shipment_json)


@router.post(
    "/shipments",
    response={201: ShipmentOut, **WRITE_ERRORS},
    summary="Ship (part of) an order",
    description="An open or invoiced order; the amount defaults to what is left to ship, and more than that "
    "is refused (422). Shipments do not change the exposure. Accepts an Idempotency-Key.",
)
def create_shipment(
    request: HttpRequest,
    response: HttpResponse,
    payload: ShipmentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=IDEMPOTENCY_HELP),
) -> Status:
    def operation() -> tuple[int, dict[str, Any]]:
        shipment = services.enter_shipment(
            actor=_actor(request),
            order_id=payload.order,
            amount=payload.amount,
            date=payload.date,
            reference=_text(payload.reference),
        )
        return 201, shipment_json(_load(Shipment, shipment.pk))

    return _answer(
        request, response, payload=payload, key=idempotency_key, operation=operation, location="shipments"
    )


@router.get("/shipments/{shipment_id}", response={200: ShipmentOut, **READ_ERRORS}, summary="Read a shipment")
def get_shipment(request: HttpRequest, shipment_id: str) -> dict[str, Any]:
    return shipment_json(_visible(request, Shipment, shipment_id))


# --- invoices ------------------------------------------------------------------------------------


@router.get(
    "/invoices",
    response={200: InvoicePage, **LIST_ERRORS},
    summary="List invoices",
    description="Invoices of the companies you belong to, with their lines; ?open=true: with an open "
    "balance." + FILTERS_HELP,
)
def list_invoices(request: HttpRequest, filters: Query[InvoiceFilters]) -> dict[str, Any]:
    queryset = _filtered(request, Invoice, filters, InvoiceStatus.values)
    if filters.open is not None:
        queryset = queryset.filter(open_balance__gt=0) if filters.open else queryset.filter(open_balance=0)
    return _page(queryset, filters, invoice_json)


@router.post(
    "/invoices",
    response={201: InvoiceOut, **WRITE_ERRORS},
    summary="Enter an invoice",
    description="Posted unless `post` is false. From an `order` (an open order of the same customer and "
    "company), the order becomes invoiced and its amount is the default. With `lines`, the amount is their "
    "sum. Runs the entry credit check: blocked answers 422 with the `decision`, warnings 409 until "
    "acknowledged (`acknowledge_warnings` and `override_reason`; the override is recorded). Invoices never "
    "go on credit hold. Entered posted, the `decision` also carries the posting check's warnings (the "
    "posting report's lines). Accepts an Idempotency-Key.",
    openapi_extra=_with_etag(201),
)
def create_invoice(
    request: HttpRequest,
    response: HttpResponse,
    payload: InvoiceIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=IDEMPOTENCY_HELP),
) -> Status:
    def operation() -> tuple[int, dict[str, Any]]:
        entered = services.enter_invoice(
            actor=_actor(request),
            customer=payload.customer,
            company=payload.company,
            amount=payload.amount,
            date=payload.date,
            lines=None
            if payload.lines is None
            else [line.model_dump(exclude_unset=True) for line in payload.lines],
            order=payload.order,
            post=payload.post,
            currency=payload.currency,
            reference=_text(payload.reference),
            acknowledge_warnings=payload.acknowledge_warnings,
            override_reason=payload.override_reason,
        )
        return 201, invoice_json(_load(Invoice, entered.document.pk), entered)

    return _answer(
        request, response, payload=payload, key=idempotency_key, operation=operation, location="invoices"
    )


@router.get(
    "/invoices/{invoice_id}",
    response={200: InvoiceOut, **READ_ERRORS},
    summary="Read an invoice, with its lines",
    openapi_extra=_with_etag(200),
)
def get_invoice(request: HttpRequest, response: HttpResponse, invoice_id: str) -> dict[str, Any]:
    invoice = _visible(request, Invoice, invoice_id)
    response["ETag"] = f'"{invoice.version}"'
    return invoice_json(invoice)


@router.post(
    "/invoices/{invoice_id}/post",
    response={200: InvoiceOut, **WRITE_ERRORS},
    summary="Post (transfer) a draft invoice",
    description="Runs the posting check: the customer's status or an invoicing hold refuse it (422 with the "
    "`decision`); the limit, when the company checks it at posting, gives warning lines in the answer's "
    "`decision` and the invoice is posted. A posted invoice answers 422 (invalid_state). If-Match or "
    "`version` as for changes; the body may be left out.",
    openapi_extra=_with_etag(200, _optional_body(VersionIn)),
)
def post_invoice(
    request: HttpRequest,
    response: HttpResponse,
    invoice_id: str,
    payload: VersionIn = Body(None),  # noqa: B008
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> dict[str, Any]:
    version = expected_version(if_match, payload.version if payload else None)
    entered = services.post_invoice(actor=_actor(request), invoice_id=invoice_id, expected_version=version)
    response["ETag"] = f'"{entered.document.version}"'
    return invoice_json(_load(Invoice, entered.document.pk), entered)


# --- credit notes and payments -------------------------------------------------------------------

ALLOCATION_HELP = (
    " `allocations` apply parts to posted invoices of the same customer and company; the rest stays on "
    "account. More than an invoice's open balance, more than the document holds, or to a draft answers 422 "
    "naming the allocation. Accepts an Idempotency-Key."
)


def _allocations_of(rows: list[Any]) -> list[dict[str, Any]]:
    return [row.model_dump() for row in rows]


@router.get(
    "/credit-notes",
    response={200: CreditNotePage, **LIST_ERRORS},
    summary="List credit notes",
    description="Credit notes of the companies you belong to, with their allocations." + FILTERS_HELP,
)
def list_credit_notes(request: HttpRequest, filters: Query[DocumentFilters]) -> dict[str, Any]:
    return _page(_filtered(request, CreditNote, filters), filters, credit_note_json)


@router.post(
    "/credit-notes",
    response={201: CreditNoteOut, **WRITE_ERRORS},
    summary="Enter a credit note",
    description="Blocked customers may have credit notes; prospects, not-approved and closed ones not."
    + REFUSED
    + ALLOCATION_HELP,
)
def create_credit_note(
    request: HttpRequest,
    response: HttpResponse,
    payload: CreditNoteIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=IDEMPOTENCY_HELP),
) -> Status:
    def operation() -> tuple[int, dict[str, Any]]:
        entered = services.enter_credit_note(
            actor=_actor(request),
            customer=payload.customer,
            company=payload.company,
            amount=payload.amount,
            date=payload.date,
            currency=payload.currency,
            reference=_text(payload.reference),
            allocations=_allocations_of(payload.allocations),
        )
        return 201, credit_note_json(_load(CreditNote, entered.document.pk))

    return _answer(
        request, response, payload=payload, key=idempotency_key, operation=operation, location="credit-notes"
    )


@router.get(
    "/credit-notes/{credit_note_id}",
    response={200: CreditNoteOut, **READ_ERRORS},
    summary="Read a credit note",
)
def get_credit_note(request: HttpRequest, credit_note_id: str) -> dict[str, Any]:
    return credit_note_json(_visible(request, CreditNote, credit_note_id))


@router.post(
    "/credit-notes/{credit_note_id}/allocations",
    response={201: CreditNoteOut, **WRITE_ERRORS},
    summary="Allocate what a credit note has on account",
    description="To posted invoices, within what is left on account; the exposure does not change."
    + ALLOCATION_HELP,
)
def allocate_credit_note(
    request: HttpRequest,
    response: HttpResponse,
    credit_note_id: str,
    payload: AllocationsIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=IDEMPOTENCY_HELP),
) -> Status:
    def operation() -> tuple[int, dict[str, Any]]:
        allocations = _allocations_of(payload.allocations)
        services.allocate(actor=_actor(request), credit_note_id=credit_note_id, allocations=allocations)
        found = get_document(CreditNote, credit_note_id, _actor(request))
        return 201, credit_note_json(_load(CreditNote, found.pk))

    return _answer(request, response, payload=payload, key=idempotency_key, operation=operation)


@router.get(
    "/payments",
    response={200: PaymentPage, **LIST_ERRORS},
    summary="List payments",
    description="Payments of the companies you belong to, with their allocations." + FILTERS_HELP,
)
def list_payments(request: HttpRequest, filters: Query[DocumentFilters]) -> dict[str, Any]:
    return _page(_filtered(request, Payment, filters), filters, payment_json)


@router.post(
    "/payments",
    response={201: PaymentOut, **WRITE_ERRORS},
    summary="Enter a payment received",
    description="Blocked customers may pay; prospects, not-approved and closed ones not."
    + REFUSED
    + ALLOCATION_HELP,
)
def create_payment(
    request: HttpRequest,
    response: HttpResponse,
    payload: PaymentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=IDEMPOTENCY_HELP),
) -> Status:
    def operation() -> tuple[int, dict[str, Any]]:
        entered = services.enter_payment(
            actor=_actor(request),
            customer=payload.customer,
            company=payload.company,
            amount=payload.amount,
            date=payload.date,
            currency=payload.currency,
            method=_text(payload.method),
            reference=_text(payload.reference),
            allocations=_allocations_of(payload.allocations),
        )
        return 201, payment_json(_load(Payment, entered.document.pk))

    return _answer(
        request, response, payload=payload, key=idempotency_key, operation=operation, location="payments"
    )


@router.get("/payments/{payment_id}", response={200: PaymentOut, **READ_ERRORS}, summary="Read a payment")
def get_payment(request: HttpRequest, payment_id: str) -> dict[str, Any]:
    return payment_json(_visible(request, Payment, payment_id))


@router.post(
    "/payments/{payment_id}/allocations",
    response={201: PaymentOut, **WRITE_ERRORS},
    summary="Allocate what a payment has on account",
    description="To posted invoices, within what is left on account; the exposure does not change."
    + ALLOCATION_HELP,
)
def allocate_payment(
    request: HttpRequest,
    response: HttpResponse,
    payment_id: str,
    payload: AllocationsIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=IDEMPOTENCY_HELP),
) -> Status:
    def operation() -> tuple[int, dict[str, Any]]:
        allocations = _allocations_of(payload.allocations)
        services.allocate(actor=_actor(request), payment_id=payment_id, allocations=allocations)
        found = get_document(Payment, payment_id, _actor(request))
        return 201, payment_json(_load(Payment, found.pk))

    return _answer(request, response, payload=payload, key=idempotency_key, operation=operation)
