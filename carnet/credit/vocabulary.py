"""The words of the credit desk, as plain enumerations (no Django), shared by the pure decision, the models
and the services. The values are public: they appear in the API and in company settings."""

from enum import StrEnum


class DocumentKind(StrEnum):
    QUOTE = "quote"
    ORDER = "order"
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    PAYMENT = "payment"


class Channel(StrEnum):
    """Who enters an order: the order desk, or the customer itself (portal, external API on its behalf)."""

    DESK = "desk"
    PORTAL = "portal"


class Stage(StrEnum):
    """When the check runs: when the document is entered, or when an invoice is posted (transferred)."""

    ENTRY = "entry"
    POSTING = "posting"


class ExposureMethod(StrEnum):
    ALL_ORDERS = "all_orders"
    INVOICED_ONLY = "invoiced_only"


class LimitEnforcement(StrEnum):
    BLOCK_AT_ENTRY = "block_at_entry"
    WARN_AT_ENTRY = "warn_at_entry"
    CHECK_AT_POSTING = "check_at_posting"
    OFF = "off"


class HoldType(StrEnum):
    SALE_ORDER = "sale_order"
    INVOICING = "invoicing"
    DUNNING = "dunning"
    DIRECT_DEBIT = "direct_debit"
    REFUND = "refund"
    PURCHASE_ORDER = "purchase_order"


class Outcome(StrEnum):
    OK = "ok"
    WARNING = "warning"
    BLOCKED = "blocked"
