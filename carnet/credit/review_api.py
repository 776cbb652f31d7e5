"""The credit review's API (docs/credit.md, "The credit review"): run a review (the proposal), list and read
the reviews kept, download a review's report as CSV, apply a review (every line or the `selected` customers),
and a customer's own review criteria in a company.

Handlers parse, call carnet.credit.review and carnet.credit.review_criteria (which check the permission, the
company and every rule, and save nothing on a refusal) and serialise. A review of a company the user does not
belong to is not found (404), like any other company's object.
"""

from datetime import date, datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Body, Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.customers.models import Customer
from carnet.customers.schemas import Id, Problem
from carnet.documents.common import resolve_company
from carnet.errors import NotFound
from carnet.pagination import paginate
from carnet.web.csv_export import csv_lines

from .models import CreditReview
from .review import REPORT_HEADER, apply_review, get_review, review_as_json, review_report_rows, run_review
from .review_criteria import clear_customer_criteria, get_effective_criteria, set_customer_criteria
from .schemas import (
    DAYS_HELP,
    MINIMUM_HELP,
    PERCENT_HELP,
    Money,
    MoneyOut,
    ReviewActionName,
    ReviewCriteriaOut,
)

router = Router(tags=["credit review"])

READ_ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: Problem,
}


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _username(user: Any) -> str | None:
    return user.username if user is not None else None


# --- shapes --------------------------------------------------------------------------------------


class ReviewRunIn(Schema):
    model_config = ConfigDict(extra="forbid")

    company: str = Field(description="A company code.", examples=["MAIN"])
    as_of: str | None = Field(
        None,
        description="The review's day, ISO 8601 (2026-11-22); null: today. Another day is a what-if.",
        examples=["2026-11-22"],
    )
    external_code: str | None = Field(
        None, description="Only the customers with this external code; null: every customer."
    )


class ReviewApplyIn(Schema):
    """Apply every line (`selected` left out or null), or only the lines of the selected customers."""

    model_config = ConfigDict(extra="forbid")

    selected: list[Id] | None = Field(
        None, description="Customer ids of the review to apply; the other lines are not applied."
    )


class ReviewLineOut(Schema):
    customer: Id = Field(description="The customer's id.")
    code: str = Field(description="The customer's code.")
    name: str
    status: str = Field(description="The customer's status when the review ran.")
    new_status: str = Field(description="The status applying gives: blocked or warning; approved (release).")
    reason: str = Field(description="The status reason applying gives (empty for a release).")
    criteria: list[str] = Field(description="The criteria met: grace_days, limit_percent, limit_minimum.")
    overdue_balance: MoneyOut = Field(description="The unpaid part of the invoices past the criteria's days.")
    oldest_days: int | None = Field(description="The age in days of the oldest unpaid posted invoice.")
    limit: MoneyOut | None = Field(description="The credit limit; null: no limit.")
    percent_of_limit: str | None = Field(
        description="The overdue balance as a percentage of the limit, two places; null without a limit.",
        examples=["85.00"],
    )
    selected: bool = Field(description="Applied or to apply (false: left out when the review was applied).")
    result: str | None = Field(description="Once applied: applied, not_selected or skipped; null before.")
    note: str = Field(description="Why a line was skipped.")


class ReviewSummaryOut(Schema):
    id: Id
    company: str
    as_of: date
    external_code: str | None
    created_at: datetime
    created_by: str | None = Field(description="Who ran it (username); null: the daily run.")
    applied_at: datetime | None = Field(description="null: not applied yet.")
    applied_by: str | None = Field(description="Who applied it (username).")
    to_block_count: int
    to_release_count: int
    applied: int = Field(description="Lines applied.")
    skipped: int = Field(description="Lines skipped: the customer's status changed since the run.")


class ReviewOut(ReviewSummaryOut):
    """A credit review: its proposal (to_block, to_release) and, once applied, what was done."""

    criteria: ReviewCriteriaOut = Field(description="The company's criteria when it ran.")
    to_block: list[ReviewLineOut]
    to_release: list[ReviewLineOut] = Field(description="Customers an earlier review blocked, now clear.")


class ReviewPage(Schema):
    items: list[ReviewSummaryOut]
    next_cursor: str | None


class ReviewFilters(Schema):
    company: str | None = Field(None, description="A company code; left out: every company of yours.")
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = None


class CustomerCriteriaIn(Schema):
    """The customer's own criteria set in the company: it replaces the company's set as a whole (a
    criterion left out or null is off for this customer)."""

    model_config = ConfigDict(extra="forbid")

    company: str = Field(description="A company code.", examples=["MAIN"])
    action: ReviewActionName | None = Field(None, description="blocked (default) or warning.")
    reason: str | None = Field(None, description="The status reason; required when a criterion is on.")
    grace_days: int | None = Field(None, description=DAYS_HELP)
    limit_days: int | None = Field(None, description=DAYS_HELP)
    limit_percent: str | int | None = Field(None, description=PERCENT_HELP)
    limit_minimum: Money | None = Field(None, description=MINIMUM_HELP)


class CustomerCriteriaOut(ReviewCriteriaOut):
    customer: Id
    company: str
    own: bool = Field(description="true: the customer's own set; false: the company's applies.")


# --- serialising ---------------------------------------------------------------------------------


def _summary(review: CreditReview) -> dict[str, Any]:
    return {
        "id": str(review.pk),
        "company": review.company.code,
        "as_of": review.as_of,
        "external_code": review.external_code or None,
        "created_at": review.created_at,
        "created_by": _username(review.created_by),
        "applied_at": review.applied_at,
        "applied_by": _username(review.applied_by),
        "to_block_count": review.to_block_count,
        "to_release_count": review.to_release_count,
        "applied": review.applied_count,
        "skipped": review.skipped_count,
    }


def _review_json(review: CreditReview) -> dict[str, Any]:
    return {**review_as_json(review), **_summary(review)}


def _reload(review: CreditReview) -> CreditReview:
    return CreditReview.objects.select_related("company", "created_by", "applied_by").get(pk=review.pk)


# --- reviews -------------------------------------------------------------------------------------


@router.post(
    "/credit-reviews",
    response={201: ReviewOut, **WRITE_ERRORS},
    summary="Run a credit review: the proposal (admins, credit controllers, accountants)",
    description="Computes, as of `as_of` (today when null), which customers of the company to block and "
    "which to release (only those a review blocked earlier), each with why: the criteria met, the overdue "
    "balance, the age of the oldest unpaid invoice and the percentage of the limit. The review is kept, to "
    "be applied later (POST /credit-reviews/{id}/apply) and as its report. A date not written like "
    "2026-11-22 (as_of), an unknown external code (external_code) or company (company) answers 422 naming "
    "the field; a company you do not belong to 404. Nothing is saved on an error.",
)
def run(request: HttpRequest, response: HttpResponse, payload: ReviewRunIn) -> Status:
    review = run_review(
        actor=_actor(request),
        company=payload.company,
        as_of=payload.as_of,
        external_code=payload.external_code,
    )
    response["Location"] = f"/api/v1/credit-reviews/{review.pk}"
    return Status(201, _review_json(review))


@router.get(
    "/credit-reviews",
    response={200: ReviewPage, **READ_ERRORS},
    summary="The credit reviews kept, newest first",
    description="Of your companies, or of ?company= (an unknown code answers 422, a company you do not "
    "belong to 404). Each item is a summary; GET /credit-reviews/{id} has the lines.",
)
def list_reviews(request: HttpRequest, filters: Query[ReviewFilters]) -> dict[str, Any]:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    reviews: QuerySet[CreditReview] = CreditReview.objects.select_related(
        "company", "created_by", "applied_by"
    )
    if filters.company:
        reviews = reviews.filter(company=resolve_company(filters.company, actor))
    else:
        reviews = reviews.filter(company__in=actor.visible_companies())
    page = paginate(reviews, sort="-id", limit=filters.limit, cursor=filters.cursor)
    return {"items": [_summary(r) for r in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/credit-reviews/{review_id}",
    response={200: ReviewOut, **READ_ERRORS},
    summary="A credit review: its proposal and what was applied",
    description="Another company's review answers 404.",
)
def read_review(request: HttpRequest, review_id: str) -> dict[str, Any]:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    return _review_json(_reload(get_review(actor=actor, review_id=review_id)))


@router.get(
    "/credit-reviews/{review_id}/report.csv",
    response=READ_ERRORS,
    summary="A credit review's report, as CSV",
    description="UTF-8 (with a byte order mark, for spreadsheets), a header row, then one row per line: "
    "customer code, name, action, status, new status, criteria met, overdue balance, oldest days, "
    "percentage of the limit, selected, result and note. A cell that a spreadsheet would run as a formula "
    "(starting with = + - @) starts with a quote.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The report.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def review_report(request: HttpRequest, review_id: str) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    review = get_review(actor=actor, review_id=review_id)
    response = HttpResponse(
        "".join(csv_lines(REPORT_HEADER, review_report_rows(review))), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="credit-review-{review.pk}.csv"'
    return response


@router.post(
    "/credit-reviews/{review_id}/apply",
    response={200: ReviewOut, **WRITE_ERRORS},
    summary="Apply a credit review (admins, credit controllers)",
    description="Every line, or those of the `selected` customer ids (the body may be left out: every "
    "line). In one transaction: a block gives the criteria's status and reason, a release makes the "
    "customer approved; each customer's history says `credit review #id`. A customer whose status changed "
    "since the run is skipped. Ids not in the review answer 422 naming `selected`. A review is applied "
    "once: applying it again changes nothing and answers the same result.",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReviewApplyIn"}}},
            "required": False,
        }
    },
)
def apply(
    request: HttpRequest,
    review_id: str,
    payload: ReviewApplyIn = Body(None),  # noqa: B008
) -> dict[str, Any]:
    selected = payload.selected if payload is not None else None
    review = apply_review(actor=_actor(request), review_id=review_id, selected=selected)
    return _review_json(_reload(review))


# --- a customer's own criteria -------------------------------------------------------------------


def _customer(customer_id: str) -> Customer:
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        pk = 0
    customer = Customer.objects.filter(pk=pk).first()
    if customer is None:
        raise NotFound(f"No customer has the id {customer_id}.")
    return customer


def _company(actor: User, code: str | None) -> Company:
    """The company named, or the actor's only company when none is."""
    if code:
        return resolve_company(code, actor)
    companies = list(actor.visible_companies()[:2])
    if len(companies) != 1:
        raise ValidationError({"company": "Name the company by its code, like MAIN."})
    return companies[0]


def _criteria_json(customer: Customer, company: Company) -> dict[str, Any]:
    criteria = get_effective_criteria(customer=customer, company=company)
    return {
        "customer": str(customer.pk),
        "company": company.code,
        "own": criteria.source == "customer",
        **criteria.as_json(),
    }


@router.get(
    "/customers/{customer_id}/review-criteria",
    response={200: CustomerCriteriaOut, **READ_ERRORS},
    summary="The review criteria that apply to a customer in a company",
    description="The customer's own set when it has one (`own`: true), else the company's. ?company= names "
    "the company (it may be left out when you belong to one company only).",
)
def read_customer_criteria(
    request: HttpRequest, customer_id: str, company: str | None = None
) -> dict[str, Any]:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    customer = _customer(customer_id)
    return _criteria_json(customer, _company(actor, company))


@router.put(
    "/customers/{customer_id}/review-criteria",
    response={200: CustomerCriteriaOut, **WRITE_ERRORS},
    summary="Give a customer its own review criteria in a company (credit controllers)",
    description="The same object as the company's `review` settings, with `company`: it replaces the "
    "company's set as a whole for this customer (a criterion left out is off). Errors name the field: "
    "negative days, a percentage outside 0-1000, limit_days without a percentage or minimum, a criterion "
    "on without a reason. Nothing is saved on an error.",
)
def set_customer_review_criteria(
    request: HttpRequest, customer_id: str, payload: CustomerCriteriaIn
) -> dict[str, Any]:
    actor = _actor(request)
    require(actor, Action.SET_CREDIT_LIMIT)
    customer = _customer(customer_id)
    company = resolve_company(payload.company, actor)
    set_customer_criteria(
        actor=actor, customer=customer, company=company, data=payload.model_dump(exclude={"company"})
    )
    return _criteria_json(customer, company)


@router.delete(
    "/customers/{customer_id}/review-criteria",
    response={204: None, **WRITE_ERRORS},
    summary="Back to the company's review criteria for a customer (credit controllers)",
    description="Removes the customer's own set in ?company= (it may be left out when you belong to one "
    "company only). Answers 204, also when the customer had no set of its own.",
)
def clear_customer_review_criteria(
    request: HttpRequest, customer_id: str, company: str | None = None
) -> Status:
    actor = _actor(request)
    require(actor, Action.SET_CREDIT_LIMIT)
    customer = _customer(customer_id)
    clear_customer_criteria(actor=actor, customer=customer, company=_company(actor, company))
    return Status(204, None)
