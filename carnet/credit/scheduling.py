"""The daily credit review: each company's setting (off, prepare, apply; at what time), and the scheduler
`carnet worker` calls every few seconds to enqueue the reviews that are due (docs/credit.md).

Once per company per day, whatever the number of workers, their restarts and their clocks' ticks: the claim
is a ScheduledReview row unique on (company, day), inserted in the same transaction as the task row (the
database task backend writes it there too). Two schedulers racing for the same company and day both try the
insert; the database lets one commit and the other gets the unique violation (PostgreSQL makes the second
insert wait for the first transaction; SQLite's BEGIN IMMEDIATE makes the second transaction wait), so one
task is enqueued, never two, and never a claim without its task.

A worker started after the review time still runs that day's review (it is due until it has run); a day the
worker was not running at all is not made up for the next day: a review is about the book as it is.
"""

import logging
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.documents.common import resolve_company
from carnet.errors import StaleVersion

from .models import CreditPolicy, ScheduledReview
from .services import get_policy

logger = logging.getLogger("carnet.worker")

OFF, PREPARE, APPLY = "off", "prepare", "apply"
SCHEDULES = (OFF, PREPARE, APPLY)


# --- the company setting -------------------------------------------------------------------------------


def _parse_time(value: Any) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    text = value.strip() if isinstance(value, str) else None
    if text:
        parts = text.split(":")
        if len(parts) == 2 and all(p.isdigit() and len(p) == 2 for p in parts):
            hour, minute = int(parts[0]), int(parts[1])
            if hour < 24 and minute < 60:
                return time(hour, minute)
    raise ValidationError(
        {"review_time": _("%(value)s is not a time of day; write it like 06:00.") % {"value": value}}
    )


@transaction.atomic
def set_review_schedule(
    *,
    actor: User | None,
    company: Company | str,
    schedule: str | None = None,
    review_time: time | str | None = None,
    expected_version: int | None = None,
) -> CreditPolicy:
    """Set the company's daily credit review: `schedule` off (default), prepare (the proposal waits for a
    person to apply it) or apply; `review_time` the time of day, HH:MM in the installation's time zone
    (default 06:00). None leaves a setting as it is. Admins (a setting). Refusals name the field and save
    nothing."""
    if actor is not None:
        require(actor, Action.MANAGE_SETTINGS)
    company = resolve_company(company, actor)
    errors: dict[str, str] = {}
    if schedule is not None and schedule not in SCHEDULES:
        errors["review_schedule"] = _("Unknown value %(value)s; use one of: %(known)s.") % {
            "value": schedule,
            "known": ", ".join(SCHEDULES),
        }
    parsed_time = None
    if review_time is not None:
        try:
            parsed_time = _parse_time(review_time)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    get_policy(company)
    policy = CreditPolicy.objects.select_for_update().get(company=company)
    if expected_version is not None and policy.version != expected_version:
        raise StaleVersion(
            _(
                "Someone else changed these settings since you read them (version %(expected)s, "
                "now %(current)s)."
            )
            % {"expected": expected_version, "current": policy.version},
            current_version=policy.version,
        )
    if schedule is not None:
        policy.review_schedule = schedule
    if parsed_time is not None:
        policy.review_time = parsed_time
    policy.version += 1
    policy.save()
    return policy


# --- the scheduler -------------------------------------------------------------------------------------


def _local(now: datetime | None) -> datetime:
    return timezone.localtime(now or timezone.now())


def due_policies(now: datetime | None = None) -> list[CreditPolicy]:
    """The companies whose daily review is due at `now`: scheduled, their review time passed today (in the
    installation's time zone), and no review of theirs claimed for today yet."""
    local = _local(now)
    claimed = ScheduledReview.objects.filter(day=local.date()).values("company_id")
    return list(
        CreditPolicy.objects.select_related("company")
        .exclude(review_schedule=OFF)
        .filter(review_time__lte=local.time().replace(tzinfo=None))
        .exclude(company_id__in=claimed)
        .order_by("company__code")
    )


def _claim(policy: CreditPolicy, day: date) -> ScheduledReview | None:
    """Claim (company, day) and enqueue its task, in one transaction; None when another worker has it."""
    from .tasks import run_scheduled_review

    try:
        with transaction.atomic():
            scheduled = ScheduledReview.objects.create(
                company=policy.company, day=day, mode=policy.review_schedule
            )
            result = run_scheduled_review.enqueue(scheduled.pk)
            scheduled.task_id = str(result.id)
            scheduled.save(update_fields=["task_id"])
    except IntegrityError:
        return None  # the unique (company, day): someone else claimed it first
    return scheduled


def enqueue_due_reviews(now: datetime | None = None) -> list[ScheduledReview]:
    """Enqueue the daily review of every company whose review is due (see due_policies): one task per
    company per day, however often and from however many workers this is called. Answers the claims this
    call made."""
    day = _local(now).date()
    claimed: list[ScheduledReview] = []
    for policy in due_policies(now):
        scheduled = _claim(policy, day)
        if scheduled is not None:
            logger.info(
                "Enqueued the daily credit review of %s for %s (%s).",
                policy.company.code,
                day,
                scheduled.mode,
            )
            claimed.append(scheduled)
    return claimed


__all__ = ["SCHEDULES", "due_policies", "enqueue_due_reviews", "set_review_schedule"]
