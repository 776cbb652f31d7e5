"""The states and vocabularies of documents."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuoteStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONVERTED = "converted", _("Converted to an order")
    CANCELLED = "cancelled", _("Cancelled")


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVOICED = "invoiced", _("Invoiced")
    CANCELLED = "cancelled", _("Cancelled")
    ON_CREDIT_HOLD = "on_credit_hold", _("On credit hold")
    REJECTED = "rejected", _("Rejected")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")


class Channel(models.TextChoices):
    DESK = "desk", _("Order desk")
    PORTAL = "portal", _("Portal or API on the customer's behalf")


class DocumentType(models.TextChoices):
    """The kinds of numbered documents, with the prefix of their numbers."""

    QUOTE = "quote", _("Quote")
    ORDER = "order", _("Order")
    SHIPMENT = "shipment", _("Shipment")
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")
    PAYMENT = "payment", _("Payment")


NUMBER_PREFIXES = {
    DocumentType.QUOTE: "QUO",
    DocumentType.ORDER: "ORD",
    DocumentType.SHIPMENT: "SHP",
    DocumentType.INVOICE: "INV",
    DocumentType.CREDIT_NOTE: "CRN",
    DocumentType.PAYMENT: "PAY",
}
NUMBER_DIGITS = 6
