"""Background tasks of the credit desk, run by `carnet worker` (Django's tasks interface, database backend).

A task takes plain JSON arguments (ids) and reads everything else from the database when it runs.
"""

import logging

from django.utils import timezone
from django_tasks import task

from .models import ScheduledReview
from .review import apply_review, run_review
from .scheduling import APPLY

logger = logging.getLogger("carnet.worker")


@task()
def run_scheduled_review(scheduled_id: int) -> int | None:
    """Run a claimed daily review (credit/scheduling.py) as the installation: the review of its company as
    of its day, applied too when its mode is `apply`. Records the review made, or the error (and fails the
    task with it). Runs once: a second delivery of the same claim does nothing and answers its review."""
    started = timezone.now()
    taken = ScheduledReview.objects.filter(pk=scheduled_id, status=ScheduledReview.ENQUEUED).update(
        status=ScheduledReview.RUNNING, started_at=started
    )
    scheduled = ScheduledReview.objects.select_related("company").get(pk=scheduled_id)
    if not taken:
        return scheduled.review_id
    try:
        review = run_review(actor=None, company=scheduled.company, as_of=scheduled.day)
        scheduled.review = review
        if scheduled.mode == APPLY:
            review = apply_review(actor=None, review_id=review.pk)
    except Exception as exc:
        scheduled.status = ScheduledReview.FAILED
        scheduled.error = f"{type(exc).__name__}: {exc}"[:2000]
        scheduled.finished_at = timezone.now()
        scheduled.save(update_fields=["status", "error", "review", "finished_at"])
        logger.error(
            "The daily credit review of %s for %s failed: %s",
            scheduled.company.code,
            scheduled.day,
            scheduled.error,
        )
        raise
    scheduled.status = ScheduledReview.DONE
    scheduled.finished_at = timezone.now()
    scheduled.save(update_fields=["status", "review", "finished_at"])
    done = (
        f"applied: {review.applied_count} changed, {review.skipped_count} skipped"
        if scheduled.mode == APPLY
        else "waiting to be applied"
    )
    logger.info(
        "Credit review #%s of %s as of %s: %s to block, %s to release; %s.",
        review.pk,
        scheduled.company.code,
        scheduled.day,
        review.to_block_count,
        review.to_release_count,
        done,
    )
    return review.pk
