"""The reason codes of a credit decision: the one list a client (the API, a webhook receiver, a report) may
rely on. The values are public (api.md, "The decision"); never rename one, only add."""

from enum import StrEnum


class ReasonCode(StrEnum):
    STATUS_PROSPECT = "status_prospect"
    STATUS_NOT_APPROVED = "status_not_approved"
    STATUS_WARNING = "status_warning"
    STATUS_BLOCKED = "status_blocked"
    STATUS_CLOSED = "status_closed"
    HOLD_SALE_ORDER = "hold_sale_order"
    HOLD_INVOICING = "hold_invoicing"
    CREDIT_LIMIT_EXCEEDED = "credit_limit_exceeded"
    PORTAL_REQUIRES_APPROVED = "portal_requires_approved"
    MAX_ORDER_AMOUNT_EXCEEDED = "max_order_amount_exceeded"
    # The company requires a customer synced with accounting before an invoice is entered.
    ACCOUNTING_SYNC_REQUIRED = "accounting_sync_required"
