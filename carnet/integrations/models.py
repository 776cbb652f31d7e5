"""The integrations' tables: the outbox of events, the webhook endpoints and their deliveries, and the
customers' accounting sync.

Events and deliveries name their customer by id, not by a foreign key: they are a record of what happened,
kept (and still delivered) after the customer is deleted.
"""

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carnet.accounts.models import Company


class EventType(models.TextChoices):
    """The events Carnet emits; the values are public (webhook bodies and subscriptions): never rename one."""

    CUSTOMER_CREATED = "customer.created", _("Customer created")
    CUSTOMER_CHANGED = "customer.changed", _("Customer changed")
    CUSTOMER_STATUS_CHANGED = "customer.status_changed", _("Customer status changed")
    CUSTOMER_DELETED = "customer.deleted", _("Customer deleted")
    CUSTOMER_SYNC_REQUESTED = "customer.sync_requested", _("Customer sent to accounting")
    HOLD_ADDED = "hold.added", _("Hold added")
    HOLD_LIFTED = "hold.lifted", _("Hold lifted")
    ORDER_REFUSED = "order.refused", _("Order refused by the credit check")
    ORDER_OVERRIDDEN = "order.overridden", _("Order entered past credit warnings")
    INVOICE_OVERRIDDEN = "invoice.overridden", _("Invoice entered past credit warnings")
    REVIEW_APPLIED = "review.applied", _("Credit review applied")


class EventSequence(models.Model):
    """The last sequence number given to an event of a customer. Its row is locked by the transaction that
    takes the next number until that transaction ends, so a customer's events are numbered in the order
    their changes commit."""

    customer_id = models.BigIntegerField(primary_key=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.last}"


class OutboxEvent(models.Model):
    """One event, written in the transaction of the change it tells (a rolled-back change leaves none)."""

    event_id = models.UUIDField(_("event id"), unique=True, default=uuid.uuid4, editable=False)
    type = models.CharField(_("type"), max_length=60, choices=EventType.choices, db_index=True)
    company = models.ForeignKey(
        Company, verbose_name=_("company"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer_id = models.BigIntegerField(_("customer"), null=True, blank=True)
    # The customer's events in order: 1, 2, 3… (None for events of no customer, such as review.applied).
    sequence = models.PositiveBigIntegerField(_("sequence"), null=True, blank=True)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder, default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("event")
        constraints = [
            models.UniqueConstraint(fields=["customer_id", "sequence"], name="outbox_event_customer_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class WebhookEndpoint(models.Model):
    """Where events are posted: a URL, the event types it subscribes to, the company it follows (None: every
    company) and the secret that signs each delivery."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    event_types = models.JSONField(_("event types"), default=list)
    active = models.BooleanField(_("active"), default=True)
    secret = models.CharField(_("secret"), max_length=100)
    secret_set_at = models.DateTimeField(_("secret set at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("webhook endpoint")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str, company_id: int | None) -> bool:
        """True when this endpoint is to receive an event of this type about this company (None: an event
        of the whole book, such as a new customer, which every endpoint may follow). A paused (inactive)
        endpoint receives them too: they wait until it is active again."""
        if event_type not in self.event_types:
            return False
        return self.company_id is None or company_id is None or self.company_id == company_id


class Delivery(models.Model):
    """One event to one endpoint: its attempts until the endpoint answers 2xx.

    A worker claims a delivery for a lease (claimed_until) before posting it; a worker that dies mid-post
    leaves the lease to run out, and the delivery is claimed and posted again (at least once)."""

    PENDING, DELIVERED = "pending", "delivered"
    STATUSES = [(PENDING, _("pending")), (DELIVERED, _("delivered"))]

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    # Copied from the event: the order check compares them within one endpoint's deliveries.
    customer_id = models.BigIntegerField(null=True, blank=True)
    sequence = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=STATUSES, default=PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="delivery_event_endpoint"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["endpoint", "customer_id", "sequence"], name="delivery_customer_order"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id}"


class SyncState(models.TextChoices):
    NEVER = "never", _("never sent")
    PENDING = "pending", _("pending")
    SYNCED = "synced", _("synced")
    FAILED = "failed", _("failed")


class AccountingSync(models.Model):
    """A customer's state in a company's accounting system (no row: never sent)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="accounting_syncs"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=SyncState.choices, default=SyncState.NEVER)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    requested_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    request_event_id = models.UUIDField(null=True, blank=True)
    reported_at = models.DateTimeField(_("last answer"), null=True, blank=True)
    synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("accounting sync")
        constraints = [
            models.UniqueConstraint(fields=["customer", "company"], name="accounting_sync_customer_company")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}@{self.company_id}: {self.state}"


class AccountingSettings(models.Model):
    """A company's accounting settings."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="accounting_settings")
    # interOP: a customer must be synchronised with accounting before it is invoiced.
    sync_before_invoicing = models.BooleanField(
        _("require a synced customer before an invoice"), default=False
    )

    class Meta:
        verbose_name = _("accounting settings")

    def __str__(self) -> str:
        return f"Accounting settings of {self.company_id}"
