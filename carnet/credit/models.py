"""Credit data: each company's policy, each customer's credit account (limit and kept balances), holds and
recorded overrides. See credit/decision.py for what the balances mean and docs/credit.md for people."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carnet.accounts.models import Company
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

    def for_company(self, company: Company) -> "HoldQuerySet":
        """Holds on the company and holds on every company."""
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
