"""The credit review (validation du crédit) for people: the runs of the user's companies and a form to run a
new one (/credit/reviews/), one run's proposal with tick boxes to adjust and apply it, and its report as CSV.

Views parse, call carnet.credit.review (which checks permissions and rules) and render; a service's field
errors are put back beside the matching field, and nothing is saved. Viewers and operators see the runs of
their companies but cannot run or apply one.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from carnet.accounts.models import User
from carnet.accounts.permissions import can, require
from carnet.accounts.roles import Action
from carnet.customers.choices import Status
from carnet.errors import NotFound
from carnet.web.csv_export import csv_response

from .models import CreditReview, CreditReviewLine
from .review import REPORT_HEADER, apply_review, get_review, review_lines, review_report_rows, run_review
from .review_forms import RunReviewForm
from .views import _put_errors

RUNS_PER_PAGE = 25
STATUS_LABELS = dict(Status.choices)


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def criterion_labels() -> dict[str, str]:
    return {
        "grace_days": _("Grace days"),
        "limit_percent": _("Percentage of the limit"),
        "limit_minimum": _("Minimum overdue balance"),
    }


def _load(actor: User, review_id: int) -> CreditReview:
    try:
        return get_review(actor=actor, review_id=review_id)
    except NotFound as exc:
        raise Http404(exc.detail) from None


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    companies = list(actor.visible_companies().order_by("code"))
    may_run = can(actor, Action.RUN_REVIEW)
    form = None
    if may_run:
        if request.method == "POST":
            form = RunReviewForm(request.POST, companies=companies)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    review = run_review(
                        actor=actor,
                        company=data["company"],
                        as_of=data["as_of"].strip() or None,
                        external_code=data["external_code"],
                    )
                except ValidationError as exc:
                    _put_errors(exc, form)
                else:
                    messages.success(
                        request,
                        _("Review #%(id)s: %(block)s to block, %(release)s to release.")
                        % {
                            "id": review.pk,
                            "block": review.to_block_count,
                            "release": review.to_release_count,
                        },
                    )
                    return redirect("credit-review-detail", review.pk)
        else:
            form = RunReviewForm(
                companies=companies,
                initial={"company": companies[0].code if companies else "", "as_of": timezone.localdate()},
            )
    elif request.method == "POST":
        require(actor, Action.RUN_REVIEW)
    runs = CreditReview.objects.filter(company__in=companies).select_related(
        "company", "created_by", "applied_by"
    )
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "credit/review/list.html",
        {"form": form, "page": page, "may_run": may_run, "companies": companies},
    )


def _rows(review: CreditReview) -> dict[str, list[dict[str, Any]]]:
    labels = criterion_labels()
    groups: dict[str, list[dict[str, Any]]] = {CreditReviewLine.BLOCK: [], CreditReviewLine.RELEASE: []}
    for line in review_lines(review):
        groups[line.action].append(
            {
                "line": line,
                "status_label": STATUS_LABELS.get(line.status_before, line.status_before),
                "new_status_label": STATUS_LABELS.get(line.new_status, line.new_status),
                "criteria": [labels.get(c, c) for c in line.criteria],
                "search": f"{line.customer.code} {line.customer.name}".lower(),
                "external_code": line.customer.external_code or "",
            }
        )
    return groups


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    review = _load(actor, pk)
    groups = _rows(review)
    external_codes = sorted(
        {row["external_code"] for rows in groups.values() for row in rows if row["external_code"]}
    )
    return render(
        request,
        "credit/review/detail.html",
        {
            "review": review,
            "to_block": groups[CreditReviewLine.BLOCK],
            "to_release": groups[CreditReviewLine.RELEASE],
            "external_codes": external_codes,
            "may_apply": can(actor, Action.APPLY_REVIEW) and review.applied_at is None,
            "may_run": can(actor, Action.RUN_REVIEW),
        },
    )


@login_required
@require_POST
def review_apply(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.APPLY_REVIEW)
    review = _load(actor, pk)
    if review.applied_at is not None:
        messages.error(
            request,
            _(
                "Review #%(id)s was already applied; it cannot be applied again and nothing was changed. "
                "To act on what was left, run a new review."
            )
            % {"id": review.pk},
        )
        return redirect("credit-review-detail", review.pk)
    try:
        applied = apply_review(actor=actor, review_id=review.pk, selected=request.POST.getlist("selected"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("credit-review-detail", review.pk)
    notice = _("Review #%(id)s applied: %(applied)s status changes, %(skipped)s skipped.") % {
        "id": applied.pk,
        "applied": applied.applied_count,
        "skipped": applied.skipped_count,
    }
    (messages.warning if applied.skipped_count else messages.success)(request, notice)
    return redirect(reverse("credit-review-detail", args=[applied.pk]) + "#results")


@login_required
@require_GET
def review_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    review = _load(actor, pk)
    filename = f"credit-review-{review.pk}-{review.company.code}-{review.as_of.isoformat()}.csv"
    return csv_response(filename, REPORT_HEADER, review_report_rows(review))
