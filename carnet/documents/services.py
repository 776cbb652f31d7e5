"""The document services, in one place for the API, the UI, imports and the command line to call.

Each is a plain function with keyword-only arguments running in one transaction. `actor` is the user
asking (None: the installation itself), whose permission (carnet/accounts/roles.py) and companies are
checked: another company's document is not found (NotFound). Bad values raise ValidationError naming
the field (amount, date, currency, customer, company, order, lines.0.quantity, allocations.1.amount…);
a document in the wrong state raises InvalidState; the credit check raises CreditRefused (422, with the
decision) or CreditWarningNotAcknowledged (409, with the decision). Refused, nothing is saved.

The services that run the credit check return `Entered(document, decision, override)`.
"""

from .common import Entered
from .invoicing import enter_invoice, post_invoice
from .orders import (
    cancel_order,
    cancel_quote,
    change_order_amount,
    convert_quote_to_order,
    enter_order,
    enter_quote,
    enter_shipment,
    reject_order,
    release_order,
    reopen_order,
)
from .receipts import allocate, enter_credit_note, enter_payment

__all__ = [
    "Entered",
    "allocate",
    "cancel_order",
    "cancel_quote",
    "change_order_amount",
    "convert_quote_to_order",
    "enter_credit_note",
    "enter_invoice",
    "enter_order",
    "enter_payment",
    "enter_quote",
    "enter_shipment",
    "post_invoice",
    "reject_order",
    "release_order",
    "reopen_order",
]
