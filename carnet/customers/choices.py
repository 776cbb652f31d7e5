"""The customer book's vocabularies (see the glossary of the product brief)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    NOT_APPROVED = "not_approved", _("Not approved")
    APPROVED = "approved", _("Approved")
    WARNING = "warning", _("Warning")
    BLOCKED = "blocked", _("Blocked")
    CLOSED = "closed", _("Closed")


# A reason is required for these, so that it can be shown wherever the customer is selected.
STATUSES_NEEDING_REASON = frozenset({Status.WARNING, Status.BLOCKED, Status.CLOSED})


class Category(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    PROSPECT = "prospect", _("Prospect")
    PARTNER = "partner", _("Partner")
    SUBCONTRACTOR = "subcontractor", _("Subcontractor")


class PaymentMethod(models.TextChoices):
    CHEQUE = "cheque", _("Cheque")
    TRANSFER = "transfer", _("Bank transfer")
    DIRECT_DEBIT = "direct_debit", _("Direct debit")
    CARD = "card", _("Card")
    CASH = "cash", _("Cash")


class InvoiceDelivery(models.TextChoices):
    EMAIL = "email", _("Email")
    PAPER = "paper", _("Paper")
    BOTH = "both", _("Email and paper")


class PaymentAdvice(models.TextChoices):
    EMAIL = "email", _("Email")
    NONE = "none", _("None")


class ShipperIdentification(models.TextChoices):
    STANDARD = "standard", _("Standard")
    CUSTOMER = "customer", _("Customer")
    NONE = "none", _("None")


class InvoiceState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


TAX_EXEMPTIONS = ("state", "school", "county", "local", "parish", "city")
