"""The credit review's criteria: a company's set, a customer's override (its whole set wins), reading and
checking them, and the set that applies to a customer.

A set (the API's `review` object, docs/api.md):

    {"action": "blocked | warning", "reason": "…",
     "grace_days": N | null,                    # by grace days: an unpaid invoice older than N days
     "limit_days": D | null,                    # by credit limit: the unpaid part of invoices older than D
     "limit_percent": "P" | null,               #   days above P % of the limit (P wins when set),
     "limit_minimum": "M" | null}               #   else above M

Functions take keyword-only arguments and run in one transaction; `actor` is the user asking (None is the
installation). Refusals raise ValidationError naming the field and save nothing.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.customers.models import Customer
from carnet.documents.common import actor_or_none, parse_amount, resolve_company, resolve_customer

from .models import CreditReviewCriteria

FIELDS = ("action", "reason", "grace_days", "limit_days", "limit_percent", "limit_minimum")
ACTIONS = ("blocked", "warning")
MAX_DAYS = 36500
MAX_PERCENT = Decimal("1000")
PERCENT_STEP = Decimal("0.01")


@dataclass(frozen=True)
class Criteria:
    """A criteria set as the review uses it. `source`: "company", "customer" (an override) or "none" (the
    company has no set yet: nothing is reviewed)."""

    action: str = "blocked"
    reason: str = ""
    grace_days: int | None = None
    limit_days: int | None = None
    limit_percent: Decimal | None = None
    limit_minimum: Decimal | None = None
    source: str = "none"

    @property
    def grace_on(self) -> bool:
        return self.grace_days is not None

    @property
    def limit_on(self) -> bool:
        return self.limit_days is not None and (
            self.limit_percent is not None or self.limit_minimum is not None
        )

    @property
    def active(self) -> bool:
        return self.grace_on or self.limit_on

    @property
    def overdue_days(self) -> int | None:
        """The days past which an invoice's unpaid part counts in the overdue balance: the limit criterion's,
        else the grace criterion's (the figure shown beside a grace-days proposal)."""
        return self.limit_days if self.limit_days is not None else self.grace_days

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "reason": self.reason,
            "grace_days": self.grace_days,
            "limit_days": self.limit_days,
            "limit_percent": None if self.limit_percent is None else f"{self.limit_percent:.2f}",
            "limit_minimum": None if self.limit_minimum is None else f"{self.limit_minimum:.2f}",
        }


NO_CRITERIA = Criteria()


def criteria_of(row: CreditReviewCriteria) -> Criteria:
    return Criteria(
        action=row.action,
        reason=row.reason,
        grace_days=row.grace_days,
        limit_days=row.limit_days,
        limit_percent=row.limit_percent,
        limit_minimum=row.limit_minimum,
        source="company" if row.customer_id is None else "customer",
    )


# --- reading and checking a set ------------------------------------------------------------------------


def _days(value: Any, field: str, errors: dict[str, str]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | float):
        errors[field] = _("A whole number of days, like 60 (empty: this criterion is off).")
        return None
    try:
        days = int(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        errors[field] = _("%(value)s is not a number of days; write it like 60.") % {"value": value}
        return None
    if isinstance(value, Decimal) and value != days:
        errors[field] = _("A whole number of days, like 60 (empty: this criterion is off).")
        return None
    if days < 0:
        errors[field] = _("A number of days cannot be negative.")
        return None
    if days > MAX_DAYS:
        errors[field] = _("At most %(max)s days.") % {"max": MAX_DAYS}
        return None
    return days


def _percent(value: Any, errors: dict[str, str]) -> Decimal | None:
    field = "limit_percent"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | float):
        errors[field] = _("Give the percentage as a decimal string, like 80 or 87.5.")
        return None
    try:
        percent = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = _("%(value)s is not a percentage; write it like 80 or 87.5.") % {"value": value}
        return None
    if not percent.is_finite() or percent < 0 or percent > MAX_PERCENT:
        errors[field] = _("A percentage of the limit is between 0 and 1000.")
        return None
    if percent != percent.quantize(PERCENT_STEP):
        errors[field] = _("A percentage has at most two decimals.")
        return None
    return percent.quantize(PERCENT_STEP)


def _minimum(value: Any, errors: dict[str, str]) -> Decimal | None:
    field = "limit_minimum"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = parse_amount(value, field, positive=False)
    except ValidationError as exc:
        errors[field] = exc.message_dict[field][0]
        return None
    if amount < 0:
        errors[field] = _("A minimum balance cannot be negative.")
        return None
    return amount


def parse_criteria(data: Mapping[str, Any]) -> Criteria:
    """A criteria set from the `review` object; missing keys are empty (a criterion left out is off, the
    action is blocked). Every error names its field: ValidationError({field: message, …})."""
    if not isinstance(data, Mapping):
        raise ValidationError({"review": _("Give the criteria as an object.")})
    errors: dict[str, str] = {}
    for key in sorted(set(data) - set(FIELDS)):
        errors[key] = _("Unknown field; use one of: %(known)s.") % {"known": ", ".join(FIELDS)}
    action = data.get("action") or "blocked"
    if action not in ACTIONS:
        errors["action"] = _("Unknown value %(value)s; use one of: %(known)s.") % {
            "value": action,
            "known": ", ".join(ACTIONS),
        }
    reason_value = data.get("reason")
    if reason_value is not None and not isinstance(reason_value, str):
        errors["reason"] = _("The reason is text.")
        reason_value = ""
    reason = (reason_value or "").strip()
    if len(reason) > 300:
        errors["reason"] = _("At most 300 characters.")
    grace_days = _days(data.get("grace_days"), "grace_days", errors)
    limit_days = _days(data.get("limit_days"), "limit_days", errors)
    limit_percent = _percent(data.get("limit_percent"), errors)
    limit_minimum = _minimum(data.get("limit_minimum"), errors)
    if "limit_days" not in errors:
        if limit_days is not None and limit_percent is None and limit_minimum is None:
            if "limit_percent" not in errors and "limit_minimum" not in errors:
                errors["limit_percent"] = _(
                    "The credit-limit criterion needs a percentage of the limit (limit_percent) or a minimum "
                    "overdue balance (limit_minimum)."
                )
        elif limit_days is None and (limit_percent is not None or limit_minimum is not None):
            errors["limit_days"] = _(
                "Give the grace days of the credit-limit criterion (limit_days), or leave the percentage "
                "and the minimum empty."
            )
    on = grace_days is not None or limit_days is not None
    if on and not reason and "reason" not in errors:
        errors["reason"] = _("Say what the customer is told when the review blocks it (the status reason).")
    if errors:
        raise ValidationError(errors)
    return Criteria(
        action=action,
        reason=reason,
        grace_days=grace_days,
        limit_days=limit_days,
        limit_percent=limit_percent,
        limit_minimum=limit_minimum,
    )


# --- services ------------------------------------------------------------------------------------------


def _save(
    company: Company, customer: Customer | None, criteria: Criteria, actor: User | None
) -> CreditReviewCriteria:
    row = CreditReviewCriteria.objects.select_for_update().filter(company=company, customer=customer).first()
    if row is None:
        row = CreditReviewCriteria(company=company, customer=customer, version=0)
    row.action = criteria.action
    row.reason = criteria.reason
    row.grace_days = criteria.grace_days
    row.limit_days = criteria.limit_days
    row.limit_percent = criteria.limit_percent
    row.limit_minimum = criteria.limit_minimum
    row.updated_by = actor_or_none(actor)
    row.version += 1
    row._history_user = actor_or_none(actor)  # type: ignore[attr-defined]
    row.save()
    return row


@transaction.atomic
def set_company_criteria(
    *, actor: User | None, company: Company | str, data: Mapping[str, Any]
) -> CreditReviewCriteria:
    """Replace the company's criteria with `data` (the whole `review` object). Admins (settings)."""
    if actor is not None:
        require(actor, Action.MANAGE_SETTINGS)
    company = resolve_company(company, actor)
    return _save(company, None, parse_criteria(data), actor)


@transaction.atomic
def set_customer_criteria(
    *,
    actor: User | None,
    customer: Customer | int | str,
    company: Company | str,
    data: Mapping[str, Any],
) -> CreditReviewCriteria:
    """Give the customer its own criteria in the company: this whole set replaces the company's for it.
    Credit controllers and admins (the people who set the customer's limit)."""
    if actor is not None:
        require(actor, Action.SET_CREDIT_LIMIT)
    company = resolve_company(company, actor)
    customer = resolve_customer(customer)
    return _save(company, customer, parse_criteria(data), actor)


@transaction.atomic
def clear_customer_criteria(
    *, actor: User | None, customer: Customer | int | str, company: Company | str
) -> bool:
    """Back to the company's criteria for this customer. True when an override was removed."""
    if actor is not None:
        require(actor, Action.SET_CREDIT_LIMIT)
    company = resolve_company(company, actor)
    customer = resolve_customer(customer)
    rows = list(CreditReviewCriteria.objects.filter(company=company, customer=customer))
    for row in rows:  # one by one, so that the history says who removed it
        row._history_user = actor_or_none(actor)  # type: ignore[attr-defined]
        row.delete()
    return bool(rows)


def get_company_criteria(company: Company) -> Criteria:
    """The company's set, or NO_CRITERIA (every criterion off) when none was saved."""
    row = CreditReviewCriteria.objects.filter(company=company, customer__isnull=True).first()
    return NO_CRITERIA if row is None else criteria_of(row)


def get_effective_criteria(*, customer: Customer | int | str, company: Company | str) -> Criteria:
    """The set the review uses for the customer in the company: its own when it has one, else the
    company's (`source` says which)."""
    company = resolve_company(company, None)
    customer = resolve_customer(customer)
    row = CreditReviewCriteria.objects.filter(company=company, customer=customer).first()
    return criteria_of(row) if row is not None else get_company_criteria(company)


def customer_overrides(company: Company) -> dict[int, Criteria]:
    """Every customer override in the company, by customer id (one query)."""
    rows = CreditReviewCriteria.objects.filter(company=company, customer__isnull=False)
    return {row.customer_id: criteria_of(row) for row in rows if row.customer_id is not None}
