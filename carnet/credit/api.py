"""The credit desk's API: credit checks (dry runs), customers' credit and limits, holds, activity, and the
companies' credit settings.

Handlers parse, call carnet.credit.services (which check the permission, the company and every rule in one
transaction) or carnet.credit.queries, and serialise. Credit data is per company: a user sees the
companies they belong to (an admin every company); another company answers 404.
"""

from datetime import date
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Body, Header, Query, Router, Schema, Status
from pydantic import Field

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.customers.api import expected_version
from carnet.customers.models import Customer
from carnet.customers.schemas import Problem
from carnet.documents.common import resolve_company
from carnet.errors import NotFound
from carnet.integrations.accounting import accounting_settings, set_sync_before_invoicing
from carnet.pagination import paginate

from . import queries, services
from .models import CreditAccount, CreditPolicy, Hold
from .review_criteria import get_company_criteria, parse_criteria, set_company_criteria
from .scheduling import set_review_schedule
from .schemas import (
    CompanySettingsIn,
    CompanySettingsOut,
    CreditCheckIn,
    CreditConflict,
    CreditProblem,
    CustomerActivityOut,
    CustomerCreditOut,
    DecisionOut,
    HoldIn,
    HoldLiftIn,
    HoldOut,
    HoldPage,
    LimitIn,
)

router = Router(tags=["credit"])

READ_ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: CreditConflict,
    422: CreditProblem,
}
IF_MATCH_HELP = 'The version read (3, "3" or W/"3"); a stale one answers 409 and changes nothing.'
ETAG = {
    "ETag": {
        "description": 'The version, quoted ("3"); send it back in If-Match to change it.',
        "schema": {"type": "string"},
    }
}


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _customer(customer_id: str) -> Customer:
    """The customer of the path; an unknown id is not found (404)."""
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        pk = 0
    customer = Customer.objects.filter(pk=pk).first()
    if customer is None:
        raise NotFound(f"No customer has the id {customer_id}.")
    return customer


def _companies(actor: User, code: str | None) -> list[Company]:
    """The companies the actor sees, or the one named (422 unknown code, 404 not one of theirs)."""
    if code:
        return [resolve_company(code, actor)]
    return list(actor.visible_companies().order_by("code"))


def _username(user: Any) -> str | None:
    return user.username if user is not None else None


# --- credit checks -------------------------------------------------------------------------------


@router.post(
    "/credit-checks",
    response={200: DecisionOut, **WRITE_ERRORS},
    summary="Dry run of the credit check",
    description="The decision a document of this kind and amount would get now for the customer in the "
    "company: ok, warning or blocked, every reason, the memo and the exposure. Saves nothing. An unknown "
    "customer or malformed amount answers 422 naming the field; a company you do not belong to 404.",
)
def credit_check(request: HttpRequest, payload: CreditCheckIn) -> dict[str, Any]:
    decision = services.check_credit_dry_run(
        actor=_actor(request),
        customer=payload.customer,
        company=payload.company,
        kind=payload.kind,
        amount=payload.amount,
        channel=payload.channel,
        stage=payload.stage,
    )
    return decision.as_json()


# --- customers' credit and limits ----------------------------------------------------------------


def _company_credit(customer: Customer, company: Company) -> dict[str, Any]:
    account = (
        CreditAccount.objects.select_related("limit_set_by")
        .filter(customer=customer, company=company)
        .first()
    )
    summary = queries.credit_summary(customer=customer, company=company).as_json()
    return {
        "company": company.code,
        "version": account.version if account is not None else 1,
        "limit_set_by": _username(account.limit_set_by) if account is not None else None,
        "limit_set_at": account.limit_set_at if account is not None else None,
        **summary,
    }


@router.get(
    "/customers/{customer_id}/credit",
    response={200: CustomerCreditOut, **READ_ERRORS},
    summary="A customer's credit, per company",
    description="For each company you may see (or the one of ?company=): the limit, the exposure and its "
    "parts, available, utilisation, overdue, aging buckets and balance, as of today.",
)
def get_credit(request: HttpRequest, customer_id: str, company: str | None = None) -> dict[str, Any]:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    customer = _customer(customer_id)
    return {
        "customer": str(customer.pk),
        "companies": [_company_credit(customer, c) for c in _companies(actor, company)],
    }


@router.put(
    "/customers/{customer_id}/credit",
    response={200: CustomerCreditOut, **WRITE_ERRORS},
    summary="Set a customer's credit limit in a company (credit controllers)",
    description='`limit` null: no limit (no limit check); "0.00": no credit at all. If-Match (or `version`) '
    "is optional: with it, a limit changed since you read it answers 409. The answer is the customer's "
    "credit in that company.",
    openapi_extra={"responses": {200: {"headers": ETAG}}},
)
def set_credit(
    request: HttpRequest,
    response: HttpResponse,
    customer_id: str,
    payload: LimitIn,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> dict[str, Any]:
    actor = _actor(request)
    require(actor, Action.SET_CREDIT_LIMIT)
    customer = _customer(customer_id)
    account = services.set_limit(
        actor=actor,
        customer=customer,
        company=payload.company,
        limit=payload.limit,
        expected_version=expected_version(if_match, payload.version),
    )
    response["ETag"] = f'"{account.version}"'
    return {"customer": str(customer.pk), "companies": [_company_credit(customer, account.company)]}


# --- holds ---------------------------------------------------------------------------------------


def hold_json(hold: Hold, today: date | None = None) -> dict[str, Any]:
    return {
        "id": str(hold.pk),
        "customer": str(hold.customer_id),
        "type": hold.type,
        "company": hold.company.code if hold.company is not None else None,
        "reason": hold.comment,
        "reason_code": hold.reason_code,
        "ends_on": hold.ends_on,
        "active": hold.applies_on(today or timezone.localdate()),
        "set_by": _username(hold.set_by),
        "set_at": hold.set_at,
        "lifted_by": _username(hold.lifted_by),
        "lifted_at": hold.lifted_at,
    }


def _holds(actor: User, customer: Customer) -> QuerySet[Hold]:
    """The customer's holds on the actor's companies and on every company."""
    return Hold.objects.filter(customer=customer).filter(
        Q(company__isnull=True) | Q(company__in=actor.visible_companies())
    )


class HoldFilters(Schema):
    company: str | None = Field(None, description="A company code: the holds on it and on every company.")
    active: bool | None = Field(None, description="true: those that apply today; false: lifted or ended.")
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = None


@router.get(
    "/customers/{customer_id}/holds",
    response={200: HoldPage, **READ_ERRORS},
    summary="A customer's holds, active and past",
    description="Newest first, with who set them and when, and who lifted them and when. Holds on your "
    "companies and on every company.",
)
def list_holds(request: HttpRequest, customer_id: str, filters: Query[HoldFilters]) -> dict[str, Any]:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    customer = _customer(customer_id)
    holds = _holds(actor, customer).select_related("company", "set_by", "lifted_by")
    if filters.company:
        scope = resolve_company(filters.company, actor)
        holds = holds.filter(Q(company=scope) | Q(company__isnull=True))
    if filters.active is not None:
        active_ids = Hold.objects.active().values("pk")
        holds = holds.filter(pk__in=active_ids) if filters.active else holds.exclude(pk__in=active_ids)
    page = paginate(holds, sort="-id", limit=filters.limit, cursor=filters.cursor)
    today = timezone.localdate()
    return {"items": [hold_json(h, today) for h in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/customers/{customer_id}/holds",
    response={201: HoldOut, **WRITE_ERRORS},
    summary="Put a customer on hold (credit controllers)",
    description="On one company, or on every company with `company: null` (only for someone who works in "
    "every company, 403 otherwise). `reason` is the comment; a reason or a reason_code is required. "
    "`ends_on`: the last day it applies (not in the past).",
)
def add_hold(request: HttpRequest, response: HttpResponse, customer_id: str, payload: HoldIn) -> Status:
    actor = _actor(request)
    require(actor, Action.MANAGE_HOLDS)
    customer = _customer(customer_id)
    hold = services.add_hold(
        actor=actor,
        customer=customer,
        company=payload.company,
        type=payload.type,
        reason_code=payload.reason_code or "",
        comment=payload.reason or "",
        ends_on=payload.ends_on,
    )
    response["Location"] = f"/api/v1/holds/{hold.pk}"
    return Status(
        201, hold_json(Hold.objects.select_related("company", "set_by", "lifted_by").get(pk=hold.pk))
    )


@router.post(
    "/holds/{hold_id}/lift",
    response={200: HoldOut, **WRITE_ERRORS},
    summary="Lift a hold (credit controllers)",
    description="It stops applying at once and stays on record, with who lifted it and when. A lifted hold "
    "answers 422 (invalid_state); a hold on every company needs access to every company. The body may be "
    "left out. (Holds are lifted, never deleted: there is no DELETE.)",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HoldLiftIn"}}},
            "required": False,
        }
    },
)
def lift_hold(request: HttpRequest, hold_id: str, payload: HoldLiftIn = Body(None)) -> dict[str, Any]:  # noqa: B008
    hold = services.lift_hold(actor=_actor(request), hold_id=hold_id)
    return hold_json(Hold.objects.select_related("company", "set_by", "lifted_by").get(pk=hold.pk))


# --- activity ------------------------------------------------------------------------------------


@router.get(
    "/customers/{customer_id}/activity",
    response={200: CustomerActivityOut, **READ_ERRORS},
    summary="A customer's sales per year and per product",
    description="Per company you may see (or ?company=): posted invoices and credit notes per calendar year "
    "for the last `years` years (5 by default), and posted invoice lines per product code, optionally "
    "between `since` and `until` (invoice dates, included).",
)
def get_activity(
    request: HttpRequest,
    customer_id: str,
    company: str | None = None,
    years: int = Query(5, ge=1, le=20),  # type: ignore[type-arg]
    since: date | None = None,
    until: date | None = None,
) -> dict[str, Any]:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    customer = _customer(customer_id)
    companies = []
    for each in _companies(actor, company):
        per_year = queries.sales_per_year(customer=customer, company=each, years=years)
        per_product = queries.sales_per_product(customer=customer, company=each, since=since, until=until)
        companies.append(
            {
                "company": each.code,
                "currency": each.currency,
                "years": [
                    {
                        "year": y.year,
                        "invoiced": f"{y.invoiced:.2f}",
                        "credited": f"{y.credited:.2f}",
                        "net": f"{y.net:.2f}",
                    }
                    for y in per_year
                ],
                "products": [
                    {
                        "product_code": p.product_code,
                        "description": p.description,
                        "quantity": f"{p.quantity:.3f}",
                        "amount": f"{p.amount:.2f}",
                    }
                    for p in per_product
                ],
            }
        )
    return {"customer": str(customer.pk), "companies": companies}


# --- company settings ----------------------------------------------------------------------------


def _visible_company(actor: User, code: str) -> Company:
    company = actor.visible_companies().filter(code=code.strip().upper()).first()
    if company is None:
        raise NotFound(f"No company has the code {code}.")
    return company


def settings_json(company: Company) -> dict[str, Any]:
    policy = services.get_policy(company)
    return {
        "company": company.code,
        "name": company.name,
        "currency": company.currency,
        "exposure_method": policy.exposure_method,
        "limit_enforcement": policy.limit_enforcement,
        "credit_hold_queue": policy.credit_hold_queue,
        "new_customer_status": company.new_customer_status,
        "review": get_company_criteria(company).as_json(),
        "review_schedule": policy.review_schedule,
        "review_time": policy.review_time.strftime("%H:%M"),
        "accounting_sync_before_invoicing": accounting_settings(company).sync_before_invoicing,
        "version": policy.version,
    }


@router.get(
    "/companies/{code}/settings",
    response={200: CompanySettingsOut, **READ_ERRORS},
    summary="A company's credit settings",
    description="Exposure method, limit enforcement, the credit-hold queue, the status of new customers, "
    "the credit review's criteria (`review`) and its daily run (`review_schedule`, `review_time`). A "
    "company you do not belong to answers 404.",
    openapi_extra={"responses": {200: {"headers": ETAG}}},
)
def get_settings(request: HttpRequest, response: HttpResponse, code: str) -> dict[str, Any]:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    answer = settings_json(_visible_company(actor, code))
    response["ETag"] = f'"{answer["version"]}"'
    return answer


@router.patch(
    "/companies/{code}/settings",
    response={200: CompanySettingsOut, **WRITE_ERRORS},
    summary="Change a company's credit settings (admins)",
    description="Only the settings sent change; they take effect at the next credit check or review "
    "(nothing is recomputed). In `review`, only the keys sent change: they are merged into the current "
    "criteria, and the whole set must be valid (errors name the field with its path, like "
    "review.limit_percent). `review_schedule`: off, prepare or apply; `review_time`: HH:MM. Send the "
    "version read in If-Match (or as `version`): a stale one answers 409. Nothing is saved on any error.",
    openapi_extra={"responses": {200: {"headers": ETAG}}},
)
def update_settings(
    request: HttpRequest,
    response: HttpResponse,
    code: str,
    payload: CompanySettingsIn,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> dict[str, Any]:
    actor = _actor(request)
    require(actor, Action.MANAGE_SETTINGS)
    company = _visible_company(actor, code)
    with transaction.atomic():
        policy = services.set_policy(
            actor=actor,
            company=company,
            exposure_method=payload.exposure_method,
            limit_enforcement=payload.limit_enforcement,
            credit_hold_queue=payload.credit_hold_queue,
            expected_version=expected_version(if_match, payload.version),
        )
        errors: dict[str, list[str]] = {}
        review = None
        if payload.review is not None:
            # A PATCH: the keys sent are merged into the current set, which the service replaces whole.
            review = {
                **get_company_criteria(company).as_json(),
                **payload.review.model_dump(exclude_unset=True),
            }
            try:
                parse_criteria(review)
            except ValidationError as exc:
                errors.update({f"review.{field}": messages for field, messages in exc.message_dict.items()})
        if payload.review_schedule is not None or payload.review_time is not None:
            try:
                set_review_schedule(
                    actor=actor,
                    company=company,
                    schedule=payload.review_schedule,
                    review_time=payload.review_time,
                )
            except ValidationError as exc:
                errors.update(exc.message_dict)
            # One change of the settings, one version (set_review_schedule counted one more).
            CreditPolicy.objects.filter(pk=policy.pk).update(version=policy.version)
        if errors:
            raise ValidationError(errors)  # the transaction rolls back: nothing is saved
        if review is not None:
            set_company_criteria(actor=actor, company=company, data=review)
        if payload.new_customer_status is not None:
            company.new_customer_status = payload.new_customer_status
            company.save(update_fields=["new_customer_status"])
        if payload.accounting_sync_before_invoicing is not None:
            set_sync_before_invoicing(
                actor=actor, company=company, required=payload.accounting_sync_before_invoicing
            )
    answer = settings_json(company)
    response["ETag"] = f'"{answer["version"]}"'
    return answer
