"""Documents: quotes, orders, shipments, invoices (with lines), credit notes, payments and allocations.

Every document belongs to one company and one customer, and every per-customer table carries the customer
id, so the tables can be distributed by customer later. Documents are written by the services
(`documents/services.py`), which keep the customer's credit account (credit/models.py) in step in the same
transaction; nothing else should save them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carnet.accounts.models import Company
from carnet.customers.choices import PaymentMethod
from carnet.customers.models import Customer

from .choices import Channel, DocumentType, InvoiceStatus, OrderStatus, QuoteStatus


class Document(models.Model):
    """What every document has. `number` is unique in its company and kind (ORD-000123)."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+"
    )
    # quotes, orders, shipments, invoices, payments (credit notes: credit_notes)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="%(class)ss"
    )
    number = models.CharField(_("number"), max_length=20)
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number


def _document_constraints(name: str) -> list[models.BaseConstraint]:
    return [
        models.UniqueConstraint(fields=["company", "number"], name=f"{name}_number_unique_per_company"),
        models.CheckConstraint(condition=Q(amount__gt=0), name=f"{name}_amount_positive"),
    ]


class Quote(Document):
    status = models.CharField(
        _("status"), max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.OPEN
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = _document_constraints("quote")
        indexes = [models.Index(fields=["customer", "company", "status"], name="quote_customer_status")]


class Order(Document):
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.DESK)
    quote = models.OneToOneField(
        Quote, verbose_name=_("quote"), null=True, blank=True, on_delete=models.PROTECT, related_name="order"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("modified at"), auto_now=True)
    # The credit-hold queue: the decision that kept the order, and how a credit controller settled it.
    hold_decision = models.JSONField(_("decision that held it"), null=True, blank=True)
    hold_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released or rejected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hold_resolved_at = models.DateTimeField(_("released or rejected at"), null=True, blank=True)
    hold_resolution_note = models.TextField(_("why released or rejected"), blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = _document_constraints("order")
        indexes = [
            models.Index(fields=["customer", "company", "status"], name="order_customer_status"),
            models.Index(fields=["company", "status", "created_at"], name="order_company_status"),
        ]


class Shipment(Document):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="shipments"
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = _document_constraints("shipment")


class Invoice(Document):
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    due_date = models.DateField(_("due date"))
    order = models.OneToOneField(
        Order,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice",
    )
    # Kept by the services: the amount less what payments and credit notes allocated to it.
    open_balance = models.DecimalField(_("open balance"), max_digits=14, decimal_places=2)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            *_document_constraints("invoice"),
            models.CheckConstraint(
                condition=Q(open_balance__gte=0) & Q(open_balance__lte=models.F("amount")),
                name="invoice_open_balance_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "company", "status", "due_date"], name="invoice_customer_due"),
        ]


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"))
    product_code = models.CharField(_("product code"), max_length=50, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["invoice", "position"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        indexes = [models.Index(fields=["customer", "product_code"], name="invoiceline_customer_product")]

    def __str__(self) -> str:
        return f"{self.product_code or '-'} x {self.quantity}"


class CreditNote(Document):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="credit_notes"
    )
    # Kept by the services: the amount less what was allocated to invoices (money on account).
    unallocated = models.DecimalField(_("unallocated"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        constraints = [
            *_document_constraints("creditnote"),
            models.CheckConstraint(
                condition=Q(unallocated__gte=0) & Q(unallocated__lte=models.F("amount")),
                name="creditnote_unallocated_within_amount",
            ),
        ]


class Payment(Document):
    method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices, blank=True)
    # Kept by the services: the amount less what was allocated to invoices (money on account).
    unallocated = models.DecimalField(_("unallocated"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            *_document_constraints("payment"),
            models.CheckConstraint(
                condition=Q(unallocated__gte=0) & Q(unallocated__lte=models.F("amount")),
                name="payment_unallocated_within_amount",
            ),
        ]


class Allocation(models.Model):
    """Part of a payment or of a credit note applied to a posted invoice of the same customer and company."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    credit_note = models.ForeignKey(
        CreditNote, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("allocated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("allocated at"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(
                condition=(Q(payment__isnull=False) & Q(credit_note__isnull=True))
                | (Q(payment__isnull=True) & Q(credit_note__isnull=False)),
                name="allocation_one_source",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} → {self.invoice_id}"


class DocumentSequence(models.Model):
    """The next number of one kind of document in one company; the row is locked while a number is taken."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    document_type = models.CharField(max_length=20, choices=DocumentType.choices)
    next_number = models.PositiveBigIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "document_type"], name="sequence_one_per_company_type")
        ]

    def __str__(self) -> str:
        return f"{self.company_id}/{self.document_type}: {self.next_number}"


class IdempotencyKey(models.Model):
    """The answer given to one user's request under an Idempotency-Key, to give it again to a retry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=200, blank=True)
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
