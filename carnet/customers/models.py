from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carnet.audit.history import recorded_history

from . import validators as v
from .choices import (
    Category,
    InvoiceDelivery,
    InvoiceState,
    Language,
    PaymentAdvice,
    PaymentMethod,
    ShipperIdentification,
    Status,
)
from .fields import EmailAddressField


class BookSettings(models.Model):
    """Settings of the customer book, shared by every company (a single row)."""

    code_prefix = models.CharField(_("code prefix"), max_length=10, default="C", blank=True)
    code_digits = models.PositiveSmallIntegerField(
        _("digits in generated codes"), default=5, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    next_code_number = models.PositiveBigIntegerField(_("next code number"), default=1)
    default_country = models.CharField(
        _("default country"), max_length=2, default="CA", validators=[v.validate_country]
    )
    default_province = models.CharField(_("default province"), max_length=3, default="QC", blank=True)

    class Meta:
        verbose_name = _("customer book settings")

    def __str__(self) -> str:
        return "Customer book settings"

    @classmethod
    def load(cls) -> "BookSettings":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class Customer(models.Model):
    # Identity
    code = models.CharField(_("code"), max_length=30, unique=True, validators=[v.validate_code])
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidiaries",
        db_index=False,  # a partial index in Meta: most customers have none
    )
    is_customer = models.BooleanField(_("customer"), default=True)
    is_prospect = models.BooleanField(_("prospect"), default=False)
    is_partner = models.BooleanField(_("partner"), default=False)
    is_subcontractor = models.BooleanField(_("subcontractor"), default=False)
    subcontractor_status = models.CharField(
        _("subcontractor status"), max_length=20, choices=Status.choices, blank=True
    )
    intercompany = models.BooleanField(_("inter-company"), default=False)
    key_account = models.BooleanField(_("key account"), default=False)
    nurturing = models.BooleanField(_("nurturing"), default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_customers",
        db_index=False,  # a partial index in Meta: most customers have none
    )
    team = models.CharField(_("team"), max_length=100, blank=True)
    external_code = models.CharField(_("external code"), max_length=30, blank=True, db_index=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    currency = models.CharField(_("currency"), max_length=3, default="CAD", validators=[v.validate_currency])
    website = models.URLField(_("website"), blank=True)
    email = EmailAddressField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[v.validate_phone])
    # Business numbers: checked by python-stdnum where a check digit exists, by format otherwise.
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True, validators=[v.validate_vat])
    gst_number = models.CharField(_("GST/HST number"), max_length=20, blank=True, validators=[v.validate_gst])
    qst_number = models.CharField(_("QST number"), max_length=20, blank=True, validators=[v.validate_qst])
    siren = models.CharField(_("SIREN"), max_length=11, blank=True, validators=[v.validate_siren])
    siret = models.CharField(_("SIRET"), max_length=17, blank=True, validators=[v.validate_siret])
    neq = models.CharField(_("NEQ"), max_length=10, blank=True, validators=[v.validate_neq])
    ein = models.CharField(_("EIN"), max_length=10, blank=True, validators=[v.validate_ein])

    # Status
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROSPECT)
    status_reason = models.CharField(_("status reason"), max_length=300, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)

    # Billing and payment
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (net days)"), default=30, validators=[MaxValueValidator(365)]
    )
    payment_method_in = models.CharField(
        _("incoming payment method"), max_length=20, choices=PaymentMethod.choices, blank=True
    )
    payment_method_out = models.CharField(
        _("outgoing payment method"), max_length=20, choices=PaymentMethod.choices, blank=True
    )
    invoice_delivery = models.CharField(
        _("invoice delivery"), max_length=10, choices=InvoiceDelivery.choices, default=InvoiceDelivery.EMAIL
    )
    invoice_copies = models.PositiveSmallIntegerField(
        _("number of invoice copies"), default=1, validators=[MaxValueValidator(20)]
    )
    payment_advice = models.CharField(
        _("payment advice"), max_length=10, choices=PaymentAdvice.choices, default=PaymentAdvice.EMAIL
    )
    no_statements = models.BooleanField(_("do not send statements"), default=False)
    bill_to = models.ForeignKey(
        "self",
        verbose_name=_("bill to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="billed_for",
        db_index=False,  # a partial index in Meta: most customers have none
    )
    billing_address = models.ForeignKey(
        "Address",
        verbose_name=_("billing address override"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a partial index in Meta: most customers have none
    )
    default_delivery_address = models.ForeignKey(
        "Address",
        verbose_name=_("default delivery address"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a partial index in Meta: most customers have none
    )
    bank_name = models.CharField(_("bank name"), max_length=120, blank=True)
    bank_address = models.CharField(_("bank address"), max_length=250, blank=True)
    bank_phone = models.CharField(_("bank phone"), max_length=40, blank=True, validators=[v.validate_phone])
    iban = models.CharField(_("IBAN"), max_length=42, blank=True, validators=[v.validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[v.validate_bic])
    bank_institution = models.CharField(
        _("institution number"), max_length=3, blank=True, validators=[v.validate_institution]
    )
    bank_transit = models.CharField(
        _("transit number"), max_length=5, blank=True, validators=[v.validate_transit]
    )
    bank_account = models.CharField(
        _("account number"), max_length=12, blank=True, validators=[v.validate_bank_account]
    )
    tax_code = models.CharField(_("tax code"), max_length=20, blank=True)
    exempt_state = models.BooleanField(_("exempt from state tax"), default=False)
    exempt_school = models.BooleanField(_("exempt from school tax"), default=False)
    exempt_county = models.BooleanField(_("exempt from county tax"), default=False)
    exempt_local = models.BooleanField(_("exempt from local tax"), default=False)
    exempt_parish = models.BooleanField(_("exempt from parish tax"), default=False)
    exempt_city = models.BooleanField(_("exempt from city tax"), default=False)
    default_gl_account = models.CharField(_("default GL account"), max_length=30, blank=True)
    default_invoice_state = models.CharField(
        _("default invoice state"), max_length=10, choices=InvoiceState.choices, default=InvoiceState.POSTED
    )
    show_holdback = models.BooleanField(_("show holdback on invoices"), default=False)
    shipper_identification = models.CharField(
        _("shipper identification on labels"),
        max_length=10,
        choices=ShipperIdentification.choices,
        default=ShipperIdentification.STANDARD,
    )
    order_label = models.CharField(_("label shown on orders"), max_length=100, blank=True)
    order_comment = models.TextField(_("comment shown on orders"), blank=True)
    edi_type = models.CharField(_("EDI interface type"), max_length=30, blank=True)
    edi_reference = models.CharField(_("EDI reference"), max_length=60, blank=True)
    max_order_amount = models.DecimalField(
        _("maximum amount per order"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    # Bookkeeping
    created_at = models.DateTimeField(_("created on"), default=timezone.now)
    updated_at = models.DateTimeField(_("modified on"), auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # Values of the fields each business adds ({key: value}), defined and validated by carnet.customfields.
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # Lower-cased text of the code, names, contacts, emails, phones, cities and business numbers;
    # kept by the services so that type-ahead search is one indexed LIKE.
    search_text = models.TextField(default="", editable=False)
    # The name without accents, punctuation and legal forms, for duplicate detection.
    # Searched by similarity only, through its trigram index (migration 0003): a B-tree index of it
    # served no query, and cost every write of a customer.
    name_key = models.CharField(max_length=200, default="", editable=False)

    # History is read by customer (id) and former code (code); the other columns simple_history would
    # index are never searched, and each index is written for every change.
    history = recorded_history(
        excluded_fields=["search_text", "name_key", "updated_at"],
        no_db_index=[
            "external_code",
            "parent",
            "assigned_to",
            "bill_to",
            "billing_address",
            "default_delivery_address",
        ],
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["status", "name"], name="customer_status_name"),
            models.Index(fields=["name", "id"], name="customer_name_id"),
            # The links most customers lack are indexed where set: a customer written without them (an
            # import rewrites a hundred thousand at once) adds nothing to these indexes.
            *(
                models.Index(fields=[link], name=name, condition=Q(**{f"{link}__isnull": False}))
                for link, name in (
                    ("parent", "customer_parent"),
                    ("assigned_to", "customer_assigned_to"),
                    ("bill_to", "customer_bill_to"),
                    ("billing_address", "customer_billing_address"),
                    ("default_delivery_address", "customer_delivery_address"),
                )
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["warning", "blocked", "closed"]) | ~Q(status_reason=""),
                name="customer_reason_required",
                violation_error_message=_("A reason is required for this status."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def categories(self) -> list[str]:
        flags = {
            Category.CUSTOMER: self.is_customer,
            Category.PROSPECT: self.is_prospect,
            Category.PARTNER: self.is_partner,
            Category.SUBCONTRACTOR: self.is_subcontractor,
        }
        return [str(c) for c, on in flags.items() if on]

    @property
    def is_active(self) -> bool:
        return self.status != Status.CLOSED

    def status_display_with_reason(self) -> str:
        label = str(self.get_status_display())  # type: ignore[attr-defined]
        return f"{label}: {self.status_reason}" if self.status_reason else label


class AddressQuerySet(models.QuerySet["Address"]):
    def active(self) -> "AddressQuerySet":
        return self.filter(active=True)


class Address(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(_("label"), max_length=100, blank=True)
    line1 = models.CharField(_("address line 1"), max_length=200)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    province = models.CharField(_("province or state"), max_length=3, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, validators=[v.validate_country])
    billing = models.BooleanField(_("billing"), default=True)
    delivery = models.BooleanField(_("delivery"), default=True)
    main = models.BooleanField(_("main address"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = AddressQuerySet.as_manager()
    history = recorded_history()

    class Meta:
        ordering = ["-main", "id"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(main=True),
                name="address_one_main_per_customer",
                violation_error_message=_("A customer has exactly one main address."),
            ),
            models.CheckConstraint(
                condition=Q(billing=True) | Q(delivery=True),
                name="address_billing_or_delivery",
                violation_error_message=_("An address is for billing, delivery, or both."),
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in [self.line1, self.city, self.province, self.country] if p)

    def one_line(self) -> str:
        parts = [
            self.line1,
            self.line2,
            self.city,
            f"{self.province} {self.postal_code}".strip(),
            self.country,
        ]
        return ", ".join(p for p in parts if p)

    def map_url(self) -> str:
        from urllib.parse import quote_plus

        return "https://www.openstreetmap.org/search?query=" + quote_plus(self.one_line())


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=100, blank=True)
    email = EmailAddressField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[v.validate_phone])
    mobile = models.CharField(_("mobile"), max_length=40, blank=True, validators=[v.validate_phone])
    is_default = models.BooleanField(_("default contact"), default=False)
    is_billing = models.BooleanField(_("billing contact"), default=False)
    invoice_copy = models.BooleanField(_("receives invoices in copy"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1)
    # Values of the contact fields each business adds ({key: value}), see carnet.customfields.
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)

    history = recorded_history()

    class Meta:
        ordering = ["-is_default", "name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_default=True),
                name="contact_one_default_per_customer",
                violation_error_message=_("A customer has at most one default contact."),
            ),
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_billing=True),
                name="contact_one_billing_per_customer",
                violation_error_message=_("A customer has at most one billing contact."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NoteCategory(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    label_en = models.CharField(_("label (English)"), max_length=60)
    label_fr = models.CharField(_("label (French)"), max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    # An inactive category is no longer offered for new notes; the notes that have it keep it.
    active = models.BooleanField(_("active"), default=True)

    GENERAL = "general"

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("note category")
        verbose_name_plural = _("note categories")

    def __str__(self) -> str:
        return self.label()

    def label(self) -> str:
        from django.utils.translation import get_language

        return self.label_fr if (get_language() or "").startswith("fr") else self.label_en


class Note(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    category = models.ForeignKey(NoteCategory, on_delete=models.PROTECT, related_name="notes")
    text = models.TextField(_("text"))
    pinned = models.BooleanField(_("pinned to the memo"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    history = recorded_history()

    class Meta:
        ordering = ["-pinned", "-created_at", "-id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        indexes = [models.Index(fields=["customer", "pinned"], name="note_customer_pinned")]

    def __str__(self) -> str:
        return self.text[:60]
