"""Credit data: each company's policy, each customer's credit account (limit and kept balances), holds and
recorded overrides. See credit/decision.py for what the balances mean and docs/credit.md for people."""

from datetime import date, time
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carnet.accounts.models import Company
from carnet.audit.history import HistoryOfFields, recorded_history
from carnet.customers.models import Customer

from .vocabulary import ExposureMethod, HoldType, LimitEnforcement

ZERO = Decimal("0.00")

EXPOSURE_METHOD_CHOICES = [
    (ExposureMethod.ALL_ORDERS.value, _("Unpaid invoices and open orders")),
    (ExposureMethod.INVOICED_ONLY.value, _("Unpaid invoices only")),
]
LIMIT_ENFORCEMENT_CHOICES = [
    (LimitEnforcement.BLOCK_AT_ENTRY.value, _("Block at entry")),
    (LimitEnforcement.WARN_AT_ENTRY.value, _("Warn at entry")),
    (LimitEnforcement.CHECK_AT_POSTING.value, _("Check at posting")),
    (LimitEnforcement.OFF.value, _("Off")),
]
HOLD_TYPE_CHOICES = [
    (HoldType.SALE_ORDER.value, _("Sale order")),
    (HoldType.INVOICING.value, _("Invoicing")),
    (HoldType.DUNNING.value, _("Dunning")),
    (HoldType.DIRECT_DEBIT.value, _("Direct debit")),
    (HoldType.REFUND.value, _("Refund")),
    (HoldType.PURCHASE_ORDER.value, _("Purchase order")),
]

REVIEW_SCHEDULE_CHOICES = [
    ("off", _("Off")),
    ("prepare", _("Prepare the proposal for a person to apply")),
    ("apply", _("Apply the proposal")),
]


class CreditPolicy(models.Model):
    """How a company counts and enforces credit. One per company, made with the defaults on first use.
    The credit review's criteria will join it."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="credit_policy")
    exposure_method = models.CharField(
        _("exposure method"),
        max_length=20,
        choices=EXPOSURE_METHOD_CHOICES,
        default=ExposureMethod.ALL_ORDERS.value,
    )
    limit_enforcement = models.CharField(
        _("limit enforcement"),
        max_length=20,
        choices=LIMIT_ENFORCEMENT_CHOICES,
        default=LimitEnforcement.WARN_AT_ENTRY.value,
    )
    credit_hold_queue = models.BooleanField(
        _("keep refused orders on credit hold"),
        default=False,
        help_text=_("A refused order is saved on credit hold for a credit controller to release or reject."),
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("modified at"), auto_now=True)
    # The daily credit review run by `carnet worker` (credit/scheduling.py): off, prepare the proposal for
    # a person to apply, or apply it; at review_time in the installation's time zone (TIME_ZONE).
    review_schedule = models.CharField(
        _("daily credit review"), max_length=10, choices=REVIEW_SCHEDULE_CHOICES, default="off"
    )
    review_time = models.TimeField(_("daily credit review at"), default=time(6, 0))

    class Meta:
        verbose_name = _("credit policy")
        verbose_name_plural = _("credit policies")

    def __str__(self) -> str:
        return f"{self.company_id}: {self.exposure_method}, {self.limit_enforcement}"


class CreditAccount(models.Model):
    """One customer's credit in one company: the limit and the kept balances the check reads.

    The document services change the balances in the transaction that writes the document, with this row
    locked, so a check reads one row whatever the number of documents. `carnet verify` recomputes them.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="credit_accounts")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    limit = models.DecimalField(
        _("credit limit"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: no limit."),
    )
    posted_invoices_open = models.DecimalField(
        _("open balance of posted invoices"), max_digits=14, decimal_places=2, default=ZERO
    )
    draft_invoices = models.DecimalField(_("draft invoices"), max_digits=14, decimal_places=2, default=ZERO)
    open_orders = models.DecimalField(_("open orders"), max_digits=14, decimal_places=2, default=ZERO)
    unallocated_credit = models.DecimalField(
        _("unallocated payments and credit notes"), max_digits=14, decimal_places=2, default=ZERO
    )
    limit_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    limit_set_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    # The kept balances, in the order of BalanceChange's fields (credit/balances.py).
    BALANCES_ORDER = ("open_orders", "draft_invoices", "posted_invoices_open", "unallocated_credit")

    # The history of the limit: the balances change with every document and are not kept in it.
    history = HistoryOfFields(fields=["limit"], excluded_fields=[*BALANCES_ORDER, "updated_at"])

    class Meta:
        verbose_name = _("credit account")
        verbose_name_plural = _("credit accounts")
        constraints = [
            models.UniqueConstraint(fields=["customer", "company"], name="credit_account_one_per_company"),
            models.CheckConstraint(
                condition=Q(limit__isnull=True) | Q(limit__gte=0), name="credit_account_limit_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.company_id}"


class HoldQuerySet(models.QuerySet["Hold"]):
    def active(self, on: date | None = None) -> "HoldQuerySet":
        """Holds not lifted whose end date, if any, is not before the given day (today by default)."""
        on = on or timezone.localdate()
        return self.filter(lifted_at__isnull=True).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))

    def for_company(self, company: Company | OuterRef) -> "HoldQuerySet":
        """Holds on the company and holds on every company (`company` may be an OuterRef to a company id)."""
        return self.filter(Q(company=company) | Q(company__isnull=True))


class Hold(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="holds")
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: every company."),
    )
    type = models.CharField(_("type"), max_length=20, choices=HOLD_TYPE_CHOICES)
    reason_code = models.CharField(_("reason code"), max_length=30, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("The last day it applies; empty: until lifted.")
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    objects = HoldQuerySet.as_manager()
    history = recorded_history()

    class Meta:
        ordering = ["-set_at", "-id"]
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        indexes = [models.Index(fields=["customer", "lifted_at"], name="hold_customer_lifted")]

    def __str__(self) -> str:
        return f"{self.type} ({self.customer_id})"

    def applies_on(self, day: date) -> bool:
        return self.lifted_at is None and (self.ends_on is None or self.ends_on >= day)


class CreditOverride(models.Model):
    """Someone went on past a credit warning (or released an order from credit hold): who, when, why, and
    the decision they saw."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="credit_overrides")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        "documents.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_overrides"
    )
    invoice = models.ForeignKey(
        "documents.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_overrides"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("why"))
    decision = models.JSONField(_("decision at that moment"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("credit override")
        verbose_name_plural = _("credit overrides")
        constraints = [
            models.CheckConstraint(
                condition=Q(order__isnull=False) | Q(invoice__isnull=False),
                name="credit_override_has_document",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="credit_override_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.at:%Y-%m-%d %H:%M}"


# --- the credit review (credit/review_criteria.py, credit/review.py) ----------------------------------

REVIEW_ACTION_CHOICES = [
    ("blocked", _("Block the customer")),
    ("warning", _("Put the customer on warning")),
]


class CreditReviewCriteria(models.Model):
    """What the credit review proposes to block, for a company (customer empty) or, overriding the company's
    whole set, for one customer in that company.

    By grace days: an unpaid posted invoice older than `grace_days` (from its date). By credit limit: the
    unpaid part of posted invoices older than `limit_days` above `limit_percent` % of the limit, or, with no
    percentage, above `limit_minimum`; a customer with no limit is not reviewed by it. Empty days: off."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="credit_review_criteria"
    )
    action = models.CharField(
        _("blocking means"), max_length=10, choices=REVIEW_ACTION_CHOICES, default="blocked"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    grace_days = models.PositiveIntegerField(_("grace days"), null=True, blank=True)
    limit_days = models.PositiveIntegerField(_("grace days (credit limit)"), null=True, blank=True)
    limit_percent = models.DecimalField(
        _("percentage of the limit"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    limit_minimum = models.DecimalField(
        _("minimum overdue balance"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    history = recorded_history(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("credit review criteria")
        verbose_name_plural = _("credit review criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=Q(customer__isnull=True), name="review_criteria_one_per_company"
            ),
            models.UniqueConstraint(
                fields=["company", "customer"],
                condition=Q(customer__isnull=False),
                name="review_criteria_one_per_customer",
            ),
            models.CheckConstraint(
                condition=Q(limit_percent__isnull=True)
                | (Q(limit_percent__gte=0) & Q(limit_percent__lte=1000)),
                name="review_criteria_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(limit_minimum__isnull=True) | Q(limit_minimum__gte=0),
                name="review_criteria_minimum_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}/{self.customer_id or '*'}"


class CreditReview(models.Model):
    """One run of the credit review: what it proposed (its lines) and, once applied, what it changed."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField(_("as of"))
    external_code = models.CharField(_("external code"), max_length=30, blank=True)
    criteria = models.JSONField(_("company criteria at the run"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("run at"), default=timezone.now)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    to_block_count = models.PositiveIntegerField(default=0)
    to_release_count = models.PositiveIntegerField(default=0)
    applied_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("credit review")
        verbose_name_plural = _("credit reviews")
        indexes = [models.Index(fields=["company", "created_at"], name="credit_review_company")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.company_id} {self.as_of}"


class CreditReviewLine(models.Model):
    """One proposal of a review: block (or warn) a customer, or release one an earlier review blocked; why;
    the customer's status when the review ran; and, once applied, what was done."""

    BLOCK = "block"
    RELEASE = "release"
    ACTION_CHOICES = [(BLOCK, _("Block")), (RELEASE, _("Release"))]

    PENDING = ""
    APPLIED = "applied"
    SKIPPED = "skipped"
    NOT_SELECTED = "not_selected"
    RESULT_CHOICES = [
        (PENDING, _("Not applied yet")),
        (APPLIED, _("Applied")),
        (SKIPPED, _("Skipped")),
        (NOT_SELECTED, _("Not selected")),
    ]

    review = models.ForeignKey(CreditReview, on_delete=models.CASCADE, related_name="lines")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="credit_review_lines")
    action = models.CharField(_("action"), max_length=10, choices=ACTION_CHOICES)
    # The customer's status when the review ran: applying skips a customer changed since.
    status_before = models.CharField(max_length=20)
    status_reason_before = models.CharField(max_length=300, blank=True)
    status_changed_at_before = models.DateTimeField(null=True, blank=True)
    # What applying does: the new status and its reason (release: approved, no reason).
    new_status = models.CharField(max_length=20)
    reason = models.CharField(max_length=300, blank=True)
    criteria = models.JSONField(_("criteria met"), default=list)
    overdue_balance = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    oldest_days = models.IntegerField(null=True, blank=True)
    limit = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    percent_of_limit = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    selected = models.BooleanField(_("selected"), default=True)
    result = models.CharField(max_length=15, choices=RESULT_CHOICES, default=PENDING, blank=True)
    note = models.CharField(max_length=300, blank=True)
    # Set when applied: with new_status and reason, the customer's status as this line left it. While the
    # customer still has exactly that status (any manual change sets a new status_changed_at), it is "blocked
    # by the review" and a later review of the same company may release it.
    applied_status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "action", "id"]
        verbose_name = _("credit review line")
        verbose_name_plural = _("credit review lines")
        constraints = [
            models.UniqueConstraint(fields=["review", "customer"], name="credit_review_line_one_per_customer")
        ]
        indexes = [models.Index(fields=["customer", "result"], name="credit_review_line_customer")]

    def __str__(self) -> str:
        return f"{self.review_id}: {self.action} {self.customer_id}"


class ScheduledReview(models.Model):
    """One day's scheduled credit review of a company (credit/scheduling.py): claimed once per company and
    day (the unique constraint), whatever the number of workers and restarts, then run by a task. Keeps the
    outcome: the review made, or the error."""

    ENQUEUED = "enqueued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    STATUS_CHOICES = [
        (ENQUEUED, _("Waiting for the worker")),
        (RUNNING, _("Running")),
        (DONE, _("Done")),
        (FAILED, _("Failed")),
    ]

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    mode = models.CharField(_("mode"), max_length=10, choices=REVIEW_SCHEDULE_CHOICES)
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES, default=ENQUEUED)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    review = models.ForeignKey(
        CreditReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(_("error"), blank=True)
    enqueued_at = models.DateTimeField(_("enqueued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-day", "company"]
        verbose_name = _("scheduled credit review")
        verbose_name_plural = _("scheduled credit reviews")
        constraints = [
            models.UniqueConstraint(fields=["company", "day"], name="scheduled_review_one_per_company_day")
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.day} {self.mode}: {self.status}"
