"""The JSON shapes of the documents' API: quotes, orders, shipments, invoices, credit notes and payments.

Write bodies forbid unknown fields. Ids are strings, companies their codes, money decimal strings with two
places ("1500.00"; a JSON number is refused, 400, naming the field), dates ISO 8601. Answers are built as
plain JSON by the handlers (carnet/documents/api.py), so that an Idempotency-Key retry answers exactly the
stored first answer; these schemas describe them and carry no resolvers.
"""

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field

from carnet.credit.schemas import ChannelName, DecisionOut, Money, MoneyOut, OverrideOut
from carnet.customers.schemas import Id

ACKNOWLEDGE_HELP = "true to go on past credit warnings (with an override_reason); the override is recorded."
OVERRIDE_HELP = "Why you go on past the credit warnings; required with acknowledge_warnings."
VERSION_HELP = "The version read; a stale one is a 409 (same as If-Match)."


# --- bodies --------------------------------------------------------------------------------------


class DocumentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    customer: Id = Field(description="The customer's id.")
    company: str = Field(description="A company code.", examples=["MAIN"])
    date: dt.date | None = Field(None, description="The document's date; today when omitted.")
    amount: Money
    currency: str | None = Field(None, description="The company's currency; another one is refused.")
    reference: str | None = Field(None, description="Free text, at most 100 characters.")


class QuoteIn(DocumentIn):
    pass


class OrderIn(DocumentIn):
    channel: ChannelName = Field(
        "desk",
        description="portal: entered through the portal or the API on the customer's behalf "
        "(needs an approved customer).",
    )
    acknowledge_warnings: bool = Field(False, description=ACKNOWLEDGE_HELP)
    override_reason: str | None = Field(None, description=OVERRIDE_HELP)


class LineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    product_code: str | None = None
    description: str | None = None
    quantity: str = Field(description="A decimal string, at most three places.", examples=["2.5"])
    unit_price: Money


class InvoiceIn(DocumentIn):
    amount: Money | None = Field(  # type: ignore[assignment]
        None,
        description='Money: "800.00". Optional with lines (their sum; a given amount must agree) or with an '
        "order (its amount).",
    )
    order: Id | None = Field(
        None, description="The open order it invoices, of the same customer and company."
    )
    post: bool = Field(True, description="Entered posted unless false (then a draft, posted later).")
    lines: list[LineIn] | None = Field(None, description="Each line's amount is quantity x unit_price.")
    acknowledge_warnings: bool = Field(False, description=ACKNOWLEDGE_HELP)
    override_reason: str | None = Field(None, description=OVERRIDE_HELP)


class AllocationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    invoice: Id = Field(description="A posted invoice of the same customer and company.")
    amount: Money


class CreditNoteIn(DocumentIn):
    allocations: list[AllocationIn] = Field(
        [], description="Parts applied to posted invoices; the rest stays on account."
    )


class PaymentIn(CreditNoteIn):
    method: str | None = Field(None, description="A payment method (cheque, transfer…).")


class AllocationsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    allocations: list[AllocationIn] = Field(description="Within what is left on account.")


class ShipmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    order: Id = Field(description="An open or invoiced order.")
    amount: Money | None = Field(None, description="Default: what is left to ship.")
    date: dt.date | None = Field(None, description="Today when omitted.")
    reference: str | None = None


class VersionIn(Schema):
    """An optional body: the version read (or send it in If-Match)."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(None, description=VERSION_HELP)


class CheckedActionIn(Schema):
    """An optional body for actions that run the credit check (reopening an order)."""

    model_config = ConfigDict(extra="forbid")

    acknowledge_warnings: bool = Field(False, description=ACKNOWLEDGE_HELP)
    override_reason: str | None = Field(None, description=OVERRIDE_HELP)
    version: int | None = Field(None, description=VERSION_HELP)


class ConvertIn(Schema):
    """An optional body: converting a quote runs the credit check as any order."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date | None = Field(None, description="The order's date; today when omitted.")
    channel: ChannelName = "desk"
    acknowledge_warnings: bool = Field(False, description=ACKNOWLEDGE_HELP)
    override_reason: str | None = Field(None, description=OVERRIDE_HELP)


class OrderAmountIn(Schema):
    model_config = ConfigDict(extra="forbid")

    amount: Money
    acknowledge_warnings: bool = Field(False, description=ACKNOWLEDGE_HELP)
    override_reason: str | None = Field(None, description=OVERRIDE_HELP)
    version: int | None = Field(None, description=VERSION_HELP)


class HoldResolutionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description="Why the order is released or rejected.")


# --- answers -------------------------------------------------------------------------------------


class DocumentOut(Schema):
    id: Id
    number: str = Field(examples=["ORD-000123"])
    customer: Id
    customer_code: str
    customer_name: str
    company: str = Field(description="The company code.")
    date: dt.date
    amount: MoneyOut
    currency: str
    reference: str
    created_by: str | None = Field(description="Who entered it (username).")
    created_at: dt.datetime


class QuoteOut(DocumentOut):
    status: str = Field(description="open, converted or cancelled.")
    order: Id | None = Field(description="The order it became.")
    version: int


class CreditHoldOut(Schema):
    decision: DecisionOut = Field(description="The decision that held the order.")
    resolved_by: str | None = Field(description="Who released or rejected it.")
    resolved_at: dt.datetime | None
    note: str = Field(description="Why it was released or rejected.")


class OrderOut(DocumentOut):
    status: str = Field(description="open, invoiced, cancelled, on_credit_hold or rejected.")
    channel: ChannelName
    quote: Id | None
    invoice: Id | None = Field(description="The invoice of the order, once invoiced.")
    version: int
    updated_at: dt.datetime
    decision: DecisionOut | None = Field(
        None, description="The decision of the credit check this request ran; null on reads."
    )
    override: OverrideOut | None = Field(description="The latest override recorded for the order.")
    credit_hold: CreditHoldOut | None = Field(description="Orders that went through the credit-hold queue.")


class OrderRef(Schema):
    id: Id
    number: str


class ShipmentOut(DocumentOut):
    order: OrderRef


class LineOut(Schema):
    position: int
    product_code: str
    description: str
    quantity: str = Field(description="A decimal string with three places.")
    unit_price: MoneyOut
    amount: MoneyOut


class InvoiceOut(DocumentOut):
    status: str = Field(description="draft or posted.")
    due_date: dt.date
    open_balance: MoneyOut = Field(description="The amount less what payments and credit notes allocated.")
    order: Id | None
    posted_by: str | None
    posted_at: dt.datetime | None
    lines: list[LineOut]
    version: int
    decision: DecisionOut | None = Field(
        None,
        description="The decision of the checks this request ran (entry and, when posted, posting: its "
        "warnings are the posting report's lines); null on reads.",
    )
    override: OverrideOut | None = Field(description="The latest override recorded for the invoice.")


class AllocationOut(Schema):
    id: Id
    invoice: Id
    invoice_number: str
    amount: MoneyOut
    created_by: str | None
    created_at: dt.datetime


class CreditNoteOut(DocumentOut):
    unallocated: MoneyOut = Field(description="What is left on account.")
    allocations: list[AllocationOut]


class PaymentOut(CreditNoteOut):
    method: str


class QuotePage(Schema):
    items: list[QuoteOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None


class ShipmentPage(Schema):
    items: list[ShipmentOut]
    next_cursor: str | None


class InvoicePage(Schema):
    items: list[InvoiceOut]
    next_cursor: str | None


class CreditNotePage(Schema):
    items: list[CreditNoteOut]
    next_cursor: str | None


class PaymentPage(Schema):
    items: list[PaymentOut]
    next_cursor: str | None
