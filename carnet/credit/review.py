"""The credit review (validation du crédit): the run proposes which customers to block and which to release,
a person adjusts the selection, and applying changes the statuses in one transaction. See docs/credit.md.

The run is set-based: the database finds each customer's oldest unpaid posted invoice and sums the unpaid
part of those older than the criteria's days, grouped by customer, in one aggregate query per distinct
"overdue days" among the criteria sets in use (the company's, and each distinct value among customer
overrides), with a HAVING that keeps only customers near a criterion; plus one for the customers an
earlier review blocked (their release lines show figures too). Python then sees one row per customer (never
an invoice) and decides with Decimal arithmetic: exactly N days is not older, exactly P % or M is not above.

Who is "blocked by a review": a customer whose status, reason and status_changed_at are exactly those an
applied block line of this company left (`CreditReviewLine.applied_status_changed_at`). Any manual status
change sets a new status_changed_at (customers/services.py), so it clears the mark with nothing to keep in
step; a customer blocked by hand never carries it, so a run never releases it.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.audit.context import Source, activity
from carnet.customers.choices import Status
from carnet.customers.models import Customer
from carnet.documents.choices import InvoiceStatus
from carnet.documents.common import actor_or_none, parse_date, resolve_company
from carnet.errors import NotFound
from carnet.integrations import events

from .models import ZERO, CreditReview, CreditReviewCriteria, CreditReviewLine, Hold
from .review_criteria import Criteria, customer_overrides, get_company_criteria
from .vocabulary import HoldType

Line = CreditReviewLine
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
SUM_FIELD = DecimalField(max_digits=20, decimal_places=2)
# Statuses the run looks at. Prospects and closed customers are not reviewed; customers not approved are
# left out too: they take no sales, so blocking them means nothing, and releasing them would approve them.
REVIEWED_STATUSES = (Status.APPROVED, Status.WARNING, Status.BLOCKED)
CRITERION_GRACE = "grace_days"
CRITERION_PERCENT = "limit_percent"
CRITERION_MINIMUM = "limit_minimum"
CUSTOMER_FIELDS = ("pk", "code", "name", "status", "status_reason", "status_changed_at")
CHUNK = 5000
MAX_OR = 20

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Figures:
    """One customer's row as the aggregate answers it: who, its status, and its figures in the company."""

    customer_id: int
    code: str
    name: str
    status: str
    status_reason: str
    status_changed_at: Any
    oldest: date | None
    overdue: Decimal
    limit: Decimal | None


# --- the run -------------------------------------------------------------------------------------------


def _dunning_held(company: Company, as_of: date) -> Exists:
    """An active dunning hold (on the company or every company) on as_of: not lifted, not ended."""
    return Exists(
        Hold.objects.active(as_of)
        .for_company(company)
        .filter(type=HoldType.DUNNING.value, customer=OuterRef("pk"))
    )


def _marked(company: Company) -> Exists:
    """The customer's status is still exactly the one an applied block line of this company left."""
    return Exists(
        CreditReviewLine.objects.filter(
            customer=OuterRef("pk"),
            review__company=company,
            action=Line.BLOCK,
            result=Line.APPLIED,
            new_status=OuterRef("status"),
            reason=OuterRef("status_reason"),
            applied_status_changed_at=OuterRef("status_changed_at"),
        )
    )


def _aggregate(
    customers: QuerySet[Customer], company: Company, as_of: date, overdue_days: int | None, having: Q | None
) -> Iterator[Figures]:
    """Per customer of `customers` with unpaid posted invoices dated on or before as_of in the company: the
    oldest such invoice's date, the unpaid part of those older than overdue_days (date < as_of - days) and
    the credit limit. One GROUP BY query, streamed; `having` keeps only near-candidates."""
    if overdue_days is None:
        overdue_filter = Q(pk__in=[])
    else:
        overdue_filter = Q(invoices__date__lt=as_of - timedelta(days=overdue_days))
    rows = (
        customers.annotate(
            account=FilteredRelation("credit_accounts", condition=Q(credit_accounts__company=company)),
            credit_limit=F("account__limit"),
        )
        .filter(
            invoices__company=company,
            invoices__status=InvoiceStatus.POSTED,
            invoices__open_balance__gt=0,
            invoices__date__lte=as_of,
        )
        .values(*CUSTOMER_FIELDS, "credit_limit")
        .annotate(
            oldest=Min("invoices__date"),
            overdue=Coalesce(
                Sum("invoices__open_balance", filter=overdue_filter), Value(ZERO), output_field=SUM_FIELD
            ),
        )
        .order_by()
    )
    if having is not None:
        rows = rows.filter(having)
    for row in rows.iterator(chunk_size=CHUNK):
        yield Figures(
            customer_id=row["pk"],
            code=row["code"],
            name=row["name"],
            status=row["status"],
            status_reason=row["status_reason"],
            status_changed_at=row["status_changed_at"],
            oldest=row["oldest"],
            overdue=Decimal(row["overdue"]).quantize(CENT),
            limit=row["credit_limit"],
        )


def _near(criteria: Iterable[Criteria], as_of: date) -> Q:
    """A generous SQL pre-filter for the customers that may meet a criterion of one of the sets (a cent of
    slack: SQLite computes in floating point). Python decides exactly."""
    near = Q(pk__in=[])  # false
    for c in criteria:
        if c.grace_days is not None:
            near |= Q(oldest__lt=as_of - timedelta(days=c.grace_days))
        if c.limit_on and c.limit_percent is not None:
            threshold = ExpressionWrapper(
                F("credit_limit") * Value(c.limit_percent / HUNDRED) - Value(CENT), output_field=SUM_FIELD
            )
            near |= Q(overdue__gt=threshold)
        elif c.limit_on and c.limit_minimum is not None:
            near |= Q(overdue__gt=c.limit_minimum - CENT)
    return near


def _thresholds(criteria: Criteria) -> tuple[Any, ...]:
    return (criteria.grace_days, criteria.limit_days, criteria.limit_percent, criteria.limit_minimum)


def criteria_met(criteria: Criteria, figures: Figures, as_of: date) -> list[str]:
    """The criteria the customer meets (grace_days, limit_percent or limit_minimum). Strict: an invoice
    exactly N days old is not older than N days; exactly P % of the limit, or exactly M, is not above. The
    percentage wins over the minimum; with no limit the limit criterion does not apply."""
    met: list[str] = []
    grace = criteria.grace_days
    if grace is not None and figures.oldest is not None and figures.oldest < as_of - timedelta(days=grace):
        met.append(CRITERION_GRACE)
    if criteria.limit_on and figures.limit is not None:
        if criteria.limit_percent is not None:
            if figures.overdue * HUNDRED > figures.limit * criteria.limit_percent:
                met.append(CRITERION_PERCENT)
        elif criteria.limit_minimum is not None and figures.overdue > criteria.limit_minimum:
            met.append(CRITERION_MINIMUM)
    return met


def percent_of_limit(overdue: Decimal, limit: Decimal | None) -> Decimal | None:
    """overdue / limit * 100, to the hundredth; None with no limit (or a zero one)."""
    if limit is None or limit <= 0:
        return None
    return (overdue * HUNDRED / limit).quantize(CENT)


def _external_code(external_code: str | None) -> str:
    code = (external_code or "").strip().upper()
    if code and not Customer.objects.filter(external_code=code).exists():
        raise ValidationError(
            {"external_code": _("No customer has the external code %(code)s.") % {"code": code}}
        )
    return code


def _proposes_block(status: str, action: str) -> bool:
    """Approved → the action's status; warning → blocked when the action blocks. A blocked customer, or a
    warning one when the action only warns, already is where the review would put it."""
    return status == Status.APPROVED or (status == Status.WARNING and action == Status.BLOCKED)


def _line(row: Figures, action: str, new_status: str, reason: str, met: list[str], as_of: date) -> Line:
    line = CreditReviewLine(
        customer_id=row.customer_id,
        action=action,
        status_before=row.status,
        status_reason_before=row.status_reason,
        status_changed_at_before=row.status_changed_at,
        new_status=new_status,
        reason=reason,
        criteria=met,
        overdue_balance=row.overdue,
        oldest_days=None if row.oldest is None else (as_of - row.oldest).days,
        limit=row.limit,
        percent_of_limit=percent_of_limit(row.overdue, row.limit),
    )
    # Shown with the line without reading the customer again.
    line.customer = Customer(
        pk=row.customer_id,
        code=row.code,
        name=row.name,
        status=row.status,
        status_reason=row.status_reason,
        status_changed_at=row.status_changed_at,
    )
    return line


def run_review(
    *,
    actor: User | None,
    company: Company | str,
    as_of: date | str | None = None,
    external_code: str | None = None,
    save: bool = True,
    progress: Progress | None = None,
) -> CreditReview:
    """Compute the proposal as of the day given (today by default): the customers to block and those to
    release, each with why. Saved as a CreditReview with its lines, to be applied later (save=False: a dry
    computation, nothing written). The lines are in `review_lines(review)`. Refusals (unknown company or
    external code, a bad date) raise ValidationError naming the field and save nothing. `progress` is told
    each step, for a command line's progress display."""
    if actor is not None:
        require(actor, Action.RUN_REVIEW)
    company = resolve_company(company, actor)
    day = parse_date(as_of, "as_of")
    code = _external_code(external_code)
    say = progress or (lambda _message: None)

    scope = Customer.objects.filter(status__in=REVIEWED_STATUSES).exclude(_dunning_held(company, day))
    if code:
        scope = scope.filter(external_code=code)
    company_criteria = get_company_criteria(company)
    overrides = customer_overrides(company)
    has_override = Exists(CreditReviewCriteria.objects.filter(company=company, customer=OuterRef("pk")))
    marked_scope = scope.filter(status__in=(Status.WARNING, Status.BLOCKED)).filter(_marked(company))
    marked_ids = set(marked_scope.values_list("pk", flat=True))

    # Customers sharing the overdue days share one aggregate: the company's set, then each distinct value
    # among the overrides (an override is a whole set, so its customers leave the company's group).
    groups: list[tuple[Q, int | None, list[Criteria]]] = []
    if company_criteria.active:
        groups.append((~Q(has_override), company_criteria.overdue_days, [company_criteria]))
    by_days: dict[int | None, list[Criteria]] = {}
    for criteria in overrides.values():
        if criteria.active:
            by_days.setdefault(criteria.overdue_days, []).append(criteria)
    for days, sets in sorted(by_days.items(), key=lambda item: -1 if item[0] is None else item[0]):
        in_group = CreditReviewCriteria.objects.filter(company=company, customer__isnull=False).filter(
            Q(limit_days=days) | Q(limit_days__isnull=True, grace_days=days)
        )
        distinct = list({_thresholds(c): c for c in sets}.values())
        groups.append((Q(pk__in=in_group.values("customer_id")), days, distinct))

    # Blocked customers need looking at only when a review blocked them: the marked aggregate.
    blockable = scope.filter(status__in=(Status.APPROVED, Status.WARNING))
    figures: dict[int, Figures] = {}
    for number, (group, days, sets) in enumerate(groups, start=1):
        say(_("Adding up unpaid invoices (%(n)s of %(total)s)") % {"n": number, "total": len(groups)})
        # Many different override sets would make a long OR: then every customer with unpaid invoices.
        having = _near(sets, day) if len(sets) <= MAX_OR else None
        for row in _aggregate(blockable.filter(group), company, day, days, having):
            figures[row.customer_id] = row
        if marked_ids:
            # The customers a review blocked, whatever their figures: they may be released.
            for row in _aggregate(marked_scope.filter(group), company, day, days, None):
                figures.setdefault(row.customer_id, row)

    say(_("Comparing with the criteria"))
    lines: list[CreditReviewLine] = []
    for cid, row in figures.items():
        criteria = overrides.get(cid, company_criteria)
        met = criteria_met(criteria, row, day)
        if met and _proposes_block(row.status, criteria.action):
            lines.append(_line(row, Line.BLOCK, criteria.action, criteria.reason, met, day))
        elif not met and cid in marked_ids:
            lines.append(_line(row, Line.RELEASE, Status.APPROVED, "", [], day))
    unseen = marked_ids - set(figures)
    if unseen:
        # Marked customers with no unpaid invoice at all meet nothing: released.
        for customer in marked_scope.filter(pk__in=list(unseen)).values(*CUSTOMER_FIELDS):
            row = Figures(
                customer_id=customer["pk"],
                code=customer["code"],
                name=customer["name"],
                status=customer["status"],
                status_reason=customer["status_reason"],
                status_changed_at=customer["status_changed_at"],
                oldest=None,
                overdue=ZERO,
                limit=None,
            )
            lines.append(_line(row, Line.RELEASE, Status.APPROVED, "", [], day))
    lines.sort(key=lambda line: (line.action, line.customer.code))

    review = CreditReview(
        company=company,
        as_of=day,
        external_code=code,
        criteria=company_criteria.as_json(),
        created_by=actor_or_none(actor),
        to_block_count=sum(1 for line in lines if line.action == Line.BLOCK),
        to_release_count=sum(1 for line in lines if line.action == Line.RELEASE),
    )
    if save:
        say(_("Saving the proposal"))
        with transaction.atomic():
            review.save()
            for line in lines:
                line.review = review
            CreditReviewLine.objects.bulk_create(lines, batch_size=2000)
    review.computed_lines = lines  # type: ignore[attr-defined]
    return review


def review_lines(review: CreditReview) -> list[CreditReviewLine]:
    """The review's lines, blocks then releases, by customer code, with their customers."""
    computed = getattr(review, "computed_lines", None)
    if computed is not None:
        return list(computed)
    return list(review.lines.select_related("customer").order_by("action", "customer__code", "id"))


def get_review(*, actor: User | None, review_id: int | str) -> CreditReview:
    """A saved review as the actor may see it (its company's); others are not found."""
    try:
        review = CreditReview.objects.select_related("company").get(pk=int(review_id))
    except (CreditReview.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("No credit review has the id %(id)s.") % {"id": review_id}) from None
    if actor is not None and not actor.visible_companies().filter(pk=review.company_id).exists():
        raise NotFound(_("No credit review has the id %(id)s.") % {"id": review_id})
    return review


# --- applying ------------------------------------------------------------------------------------------


def _selected_ids(review: CreditReview, selected: Sequence[int | str] | None) -> set[int] | None:
    if selected is None:
        return None
    if isinstance(selected, str | bytes) or not isinstance(selected, Sequence | set | frozenset):
        raise ValidationError({"selected": _("Give a list of customer ids.")})
    ids: set[int] = set()
    bad: list[str] = []
    for value in selected:
        try:
            if isinstance(value, bool | float):
                raise ValueError
            ids.add(int(value))
        except (TypeError, ValueError):
            bad.append(str(value))
    if bad:
        raise ValidationError({"selected": _("Not customer ids: %(ids)s.") % {"ids": ", ".join(bad)}})
    known = set(review.lines.values_list("customer_id", flat=True))
    unknown = sorted(ids - known)
    if unknown:
        raise ValidationError(
            {
                "selected": _("These customers are not in review #%(review)s: %(ids)s.")
                % {"review": review.pk, "ids": ", ".join(str(i) for i in unknown)}
            }
        )
    return ids


def apply_review(
    *, actor: User | None, review_id: int | str, selected: Sequence[int | str] | None = None
) -> CreditReview:
    """Apply the review: every line (selected None) or the lines of the `selected` customer ids. In one
    transaction, with the customers locked: a block line gives the customer the criteria's status and
    reason, a release line makes it approved with no reason; the customer's history says "credit review
    #id", with the review as its source and one request id for the whole application (the request's or
    command's when there is one). A customer whose status changed since the run is skipped with a note.
    Each line records what was done. A review is applied once: applying it again changes nothing and
    answers the same result."""
    with activity(Source.REVIEW), transaction.atomic():
        return _apply_review(actor=actor, review_id=review_id, selected=selected)


def _apply_review(
    *, actor: User | None, review_id: int | str, selected: Sequence[int | str] | None
) -> CreditReview:
    if actor is not None:
        require(actor, Action.APPLY_REVIEW)
    found = get_review(actor=actor, review_id=review_id)
    # The review row lock makes a concurrent apply of the same review wait, then see it applied.
    review = CreditReview.objects.select_for_update().select_related("company").get(pk=found.pk)
    if review.applied_at is not None:
        return review
    chosen = _selected_ids(review, selected)
    lines = list(review.lines.order_by("customer_id"))
    wanted = [line for line in lines if chosen is None or line.customer_id in chosen]
    # Lock the customers being changed (in id order, so two appliers cannot deadlock): a concurrent manual
    # change either lands first (and the line is skipped) or waits for this transaction.
    locked: dict[int, Customer] = {}
    ids = [line.customer_id for line in wanted]
    for start in range(0, len(ids), CHUNK):
        for row in (
            Customer.objects.select_for_update().filter(pk__in=ids[start : start + CHUNK]).order_by("pk")
        ):
            locked[row.pk] = row
    now = timezone.now()
    history_reason = f"credit review #{review.pk}"  # the same words in every language, like a reference
    changed: list[events.Event] = []
    for line in lines:
        if chosen is not None and line.customer_id not in chosen:
            line.selected = False
            line.result = Line.NOT_SELECTED
            continue
        line.selected = True
        customer = locked[line.customer_id]  # lines protect their customers from deletion
        if (
            customer.status != line.status_before
            or customer.status_reason != line.status_reason_before
            or customer.status_changed_at != line.status_changed_at_before
        ):
            line.result = Line.SKIPPED
            line.note = _("Status changed since the run (now %(status)s); left as it is.") % {
                "status": customer.status
            }
            continue
        customer.status = line.new_status
        customer.status_reason = line.reason
        customer.status_changed_at = now
        customer.version += 1
        customer._history_user = actor_or_none(actor)  # type: ignore[attr-defined]
        customer._change_reason = history_reason  # type: ignore[attr-defined]
        customer.save(update_fields=["status", "status_reason", "status_changed_at", "version", "updated_at"])
        changed.append(events.status_changed(customer, line.status_before, review.company))
        line.result = Line.APPLIED
        line.applied_status_changed_at = now
    CreditReviewLine.objects.bulk_update(
        lines, ["selected", "result", "note", "applied_status_changed_at"], batch_size=2000
    )
    review.applied_at = now
    review.applied_by = actor_or_none(actor)
    review.applied_count = sum(1 for line in lines if line.result == Line.APPLIED)
    review.skipped_count = sum(1 for line in lines if line.result == Line.SKIPPED)
    review.save(update_fields=["applied_at", "applied_by", "applied_count", "skipped_count"])
    events.emit_many([*changed, events.review_applied(review)])
    return review


def review_mark(customer: Customer, company: Company) -> CreditReviewLine | None:
    """The applied review line whose block the customer is still under in the company (None: its status
    did not come from a review of this company, or was changed by hand since)."""
    return (
        CreditReviewLine.objects.select_related("review")
        .filter(
            customer=customer,
            review__company=company,
            action=Line.BLOCK,
            result=Line.APPLIED,
            new_status=customer.status,
            reason=customer.status_reason,
            applied_status_changed_at=customer.status_changed_at,
        )
        .order_by("-id")
        .first()
    )


# --- answers and report --------------------------------------------------------------------------------


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def line_as_json(line: CreditReviewLine) -> dict[str, Any]:
    return {
        "customer": str(line.customer_id),
        "code": line.customer.code,
        "name": line.customer.name,
        "status": line.status_before,
        "new_status": line.new_status,
        "reason": line.reason,
        "criteria": list(line.criteria),
        "overdue_balance": _money(line.overdue_balance),
        "oldest_days": line.oldest_days,
        "limit": _money(line.limit),
        "percent_of_limit": _money(line.percent_of_limit),
        "selected": line.selected,
        "result": line.result or None,
        "note": line.note,
    }


def review_as_json(review: CreditReview) -> dict[str, Any]:
    """The review as the API answers it (docs/api.md): its proposal and, once applied, what was done."""
    lines = review_lines(review)
    return {
        "id": None if review.pk is None else str(review.pk),
        "company": review.company.code,
        "as_of": review.as_of.isoformat(),
        "external_code": review.external_code or None,
        "criteria": review.criteria,
        "created_at": review.created_at.isoformat(),
        "applied_at": None if review.applied_at is None else review.applied_at.isoformat(),
        "applied": review.applied_count,
        "skipped": review.skipped_count,
        "to_block": [line_as_json(line) for line in lines if line.action == Line.BLOCK],
        "to_release": [line_as_json(line) for line in lines if line.action == Line.RELEASE],
    }


REPORT_HEADER = (
    "customer",
    "name",
    "action",
    "status",
    "new_status",
    "criteria",
    "overdue_balance",
    "oldest_days",
    "percent_of_limit",
    "selected",
    "applied",
    "note",
)


def review_report_rows(review: CreditReview) -> Iterator[tuple[str, ...]]:
    """The report's rows (REPORT_HEADER's columns) for a CSV download (carnet/web/csv_export.py)."""
    for line in review_lines(review):
        yield (
            line.customer.code,
            line.customer.name,
            line.action,
            line.status_before,
            line.new_status,
            " ".join(line.criteria),
            _money(line.overdue_balance) or "",
            "" if line.oldest_days is None else str(line.oldest_days),
            _money(line.percent_of_limit) or "",
            "yes" if line.selected else "no",
            line.result,
            line.note,
        )


__all__ = [
    "REPORT_HEADER",
    "apply_review",
    "criteria_met",
    "get_review",
    "line_as_json",
    "review_as_json",
    "review_lines",
    "review_mark",
    "review_report_rows",
    "run_review",
]
