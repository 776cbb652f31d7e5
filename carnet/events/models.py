"""Events on a customer: calls, meetings, notes and tasks, planned, done or cancelled.

Events belong to the customer, not to a company: like the customer book itself, every company sees them.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carnet.audit.history import recorded_history
from carnet.customers.models import Contact, Customer

from .choices import EventStatus, EventType


class Event(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="events"
    )
    type = models.CharField(_("type"), max_length=10, choices=EventType.choices)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.PLANNED
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_events",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created on"), default=timezone.now)
    updated_at = models.DateTimeField(_("modified on"), auto_now=True)
    done_at = models.DateTimeField(_("done on"), null=True, blank=True)
    # Where the event sits in the customer's timeline, kept by the services: the start, else the due date
    # (midnight), else the creation. One indexed column makes the list and its cursor simple.
    occurs_at = models.DateTimeField(editable=False)
    version = models.PositiveIntegerField(default=1)

    history = recorded_history(excluded_fields=["updated_at", "occurs_at"])

    class Meta:
        ordering = ["-occurs_at", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["customer", "occurs_at"], name="event_customer_occurs"),
            models.Index(fields=["assigned_to", "status", "type", "due_on"], name="event_open_tasks"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=False, ends_at__gte=F("starts_at")),
                name="event_ends_after_start",
                violation_error_message=_("An event cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(type=EventType.TASK),
                name="event_due_date_for_tasks",
                violation_error_message=_("Only tasks have a due date."),
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def is_overdue(self, today: date | None = None) -> bool:
        """A planned task whose due date has passed."""
        day = today or timezone.localdate()
        return (
            self.type == EventType.TASK
            and self.status == EventStatus.PLANNED
            and self.due_on is not None
            and self.due_on < day
        )
