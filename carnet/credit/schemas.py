"""The JSON shapes of the credit desk's API: the decision, credit checks, credit summaries, limits, holds,
activity and company settings.

Write bodies forbid unknown fields. Money travels as decimal strings with two places ("1500.00"): a JSON
number is refused (400) and a malformed string is refused by the service (422), both naming the field.
Answers are built as plain JSON by the handlers (carnet/credit/api.py), so these schemas carry no resolvers.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from carnet.customers.schemas import Id, Problem

Money = Annotated[
    str,
    Field(
        description='Money, as a decimal string with at most two places: "1500.00". Not a JSON number.',
        examples=["1500.00"],
    ),
]
MoneyOut = Annotated[
    str, Field(description="Money, as a decimal string with two places.", examples=["1500.00"])
]
DocumentKindName = Literal["quote", "order", "invoice", "credit_note", "payment"]
ChannelName = Literal["desk", "portal"]
HoldTypeName = Literal["sale_order", "invoicing", "dunning", "direct_debit", "refund", "purchase_order"]


# --- the decision --------------------------------------------------------------------------------


class ReasonOut(BaseModel):
    """One reason of a decision. The figures of the reason travel beside code and message, as money
    strings: `limit`, `exposure`, `amount` for credit_limit_exceeded (exposure + amount > limit);
    `amount`, `maximum` for max_order_amount_exceeded."""

    # A plain model, not a ninja Schema: the figures are extra members, and they must survive validation.

    model_config = ConfigDict(extra="allow")

    code: str = Field(
        description="status_prospect, status_not_approved, status_warning, status_blocked, status_closed, "
        "hold_sale_order, hold_invoicing, credit_limit_exceeded, portal_requires_approved, "
        "max_order_amount_exceeded, accounting_sync_required.",
        examples=["credit_limit_exceeded"],
    )
    message: str


class ExposureOut(Schema):
    limit: MoneyOut | None = Field(description="The credit limit; null: no limit.")
    exposure: MoneyOut = Field(description="The credit in use, before the document checked.")
    open_orders: MoneyOut = Field(description="Pending: open orders and draft invoices.")
    unpaid_invoices: MoneyOut = Field(description="Posted invoices' open balances less money on account.")
    available: MoneyOut | None = Field(description="limit - exposure; null when there is no limit.")


class DecisionOut(Schema):
    """The answer of a credit check (docs/credit.md): ok, warning or blocked, with every reason that applies
    (status, portal, holds, limit, maximum order amount, in that order), the memo and the exposure."""

    outcome: Literal["ok", "warning", "blocked"]
    reasons: list[ReasonOut]
    memo: list[str] = Field(description="The customer's pinned notes, newest first.")
    exposure: ExposureOut


class CreditProblem(Problem):
    """A 422: a field breaks a rule (`errors`), the document is in the wrong state, or the credit check
    refused it (`decision`, nothing saved)."""

    decision: DecisionOut | None = Field(None, description="Refused by the credit check: the decision.")


class CreditConflict(Problem):
    """A 409: a credit warning not acknowledged (`decision`; resend with acknowledge_warnings and an
    override_reason), a stale version (`current_version`), or an Idempotency-Key reused with another body."""

    decision: DecisionOut | None = Field(None, description="Warning not acknowledged: the decision.")
    current_version: int | None = Field(None, description="Stale version: the version now stored.")


class OverrideOut(Schema):
    """Someone went on past credit warnings, or released an order from credit hold."""

    id: Id
    user: str | None = Field(description="The username of who went on.")
    at: datetime
    reason: str = Field(description="Why.")
    decision: DecisionOut = Field(description="The decision as it was at that moment.")


# --- credit checks -------------------------------------------------------------------------------


class CreditCheckIn(Schema):
    model_config = ConfigDict(extra="forbid")

    customer: Id = Field(description="The customer's id.")
    company: str = Field(description="A company code.", examples=["MAIN"])
    kind: DocumentKindName = Field(description="The kind of document to check.")
    amount: Money
    channel: ChannelName = Field(
        "desk", description="portal: entered through the portal or the API on the customer's behalf."
    )
    stage: Literal["entry", "posting"] = Field(
        "entry", description="posting: the check an invoice meets when it is posted (transferred)."
    )


# --- credit summaries and limits -----------------------------------------------------------------


class AgingOut(Schema):
    current: MoneyOut = Field(description="Not yet due, or due today.")
    days_1_30: MoneyOut
    days_31_60: MoneyOut
    days_61_90: MoneyOut
    over_90: MoneyOut


class CompanyCreditOut(Schema):
    """A customer's credit in one company, as of today. Exposure and its parts are the kept balances the
    credit check reads; overdue and aging come from the posted invoices' open balances by due date."""

    company: str = Field(description="The company code.")
    version: int = Field(description="The credit account's version; send it in If-Match to change the limit.")
    as_of: date
    currency: str
    exposure_method: Literal["all_orders", "invoiced_only"]
    limit_enforcement: Literal["block_at_entry", "warn_at_entry", "check_at_posting", "off"]
    limit: MoneyOut | None = Field(description="null: no limit (no limit check). 0.00 is a limit: no credit.")
    limit_set_by: str | None = Field(description="Who set the limit last (username).")
    limit_set_at: datetime | None
    exposure: MoneyOut = Field(description="all_orders: unpaid invoices + open orders + draft invoices.")
    open_orders: MoneyOut
    draft_invoices: MoneyOut
    posted_invoices_open: MoneyOut = Field(description="Open balances of posted invoices.")
    unallocated_credit: MoneyOut = Field(description="Payments and credit notes on account.")
    unpaid_invoices: MoneyOut = Field(description="posted_invoices_open - unallocated_credit.")
    available: MoneyOut | None = Field(description="limit - exposure; null without a limit.")
    utilisation_percent: str | None = Field(
        description="exposure / limit, in percent with one decimal; null without a positive limit.",
        examples=["92.0"],
    )
    overdue: MoneyOut = Field(description="Open balances of posted invoices past their due date.")
    aging: AgingOut
    balance: MoneyOut = Field(description="What the customer owes on posted documents, unsigned.")
    balance_side: Literal["debit", "credit"] = Field(description="credit: the customer is in credit.")


class CustomerCreditOut(Schema):
    customer: Id
    companies: list[CompanyCreditOut] = Field(description="One entry per company you may see.")


class LimitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    company: str = Field(description="A company code.", examples=["MAIN"])
    limit: Money | None = Field(description="The credit limit; null: no limit. 0.00: no credit at all.")
    version: int | None = Field(
        None, description="The credit account's version read; a stale one is a 409 (same as If-Match)."
    )


# --- holds ---------------------------------------------------------------------------------------


class HoldIn(Schema):
    model_config = ConfigDict(extra="forbid")

    type: HoldTypeName = Field(
        description="sale_order stops orders, invoicing stops invoices (entered and posted); dunning, "
        "direct_debit, refund and purchase_order stop nothing at entry."
    )
    company: str | None = Field(
        description="A company code; null: every company (only for someone who works in every company)."
    )
    reason: str | None = Field(
        None, description="Why (the hold's comment). A reason or a reason_code is needed."
    )
    reason_code: str | None = Field(None, description="A code for statistics, at most 30 characters.")
    ends_on: date | None = Field(None, description="The last day it applies; null: until lifted.")


class HoldOut(Schema):
    id: Id
    customer: Id
    type: HoldTypeName
    company: str | None = Field(description="The company code; null: every company.")
    reason: str = Field(description="The comment.")
    reason_code: str
    ends_on: date | None
    active: bool = Field(description="Applies today: not lifted, not past its end date.")
    set_by: str | None = Field(description="Username.")
    set_at: datetime
    lifted_by: str | None = Field(description="Username; null while not lifted.")
    lifted_at: datetime | None


class HoldPage(Schema):
    items: list[HoldOut]
    next_cursor: str | None


class HoldLiftIn(Schema):
    """Nothing is needed to lift a hold; the body may be empty or {}."""

    model_config = ConfigDict(extra="forbid")


# --- activity ------------------------------------------------------------------------------------


class YearSalesOut(Schema):
    year: int
    invoiced: MoneyOut = Field(description="Posted invoices dated that year.")
    credited: MoneyOut = Field(description="Credit notes dated that year.")
    net: MoneyOut


class ProductSalesOut(Schema):
    product_code: str = Field(description="Empty for lines without a product code.")
    description: str
    quantity: str = Field(description="A decimal string with three places.", examples=["12.000"])
    amount: MoneyOut


class CompanyActivityOut(Schema):
    company: str
    currency: str
    years: list[YearSalesOut] = Field(description="Oldest first, every year present (zero when none).")
    products: list[ProductSalesOut] = Field(description="Posted invoice lines by product, biggest first.")


class CustomerActivityOut(Schema):
    customer: Id
    companies: list[CompanyActivityOut]


# --- review criteria -----------------------------------------------------------------------------

ReviewActionName = Literal["blocked", "warning"]
ReviewScheduleName = Literal["off", "prepare", "apply"]
DAYS_HELP = "A whole number of days, 0 or more; null: this criterion is off."
PERCENT_HELP = 'P, 0 to 1000 with at most two decimals ("80", "87.5"): above P % of the credit limit.'
MINIMUM_HELP = "M, money: an overdue balance above M (used only when no percentage is set)."


class ReviewCriteriaOut(Schema):
    """A credit review criteria set (docs/credit.md): what blocking means, the reason given, and the two
    criteria, by grace days and by credit limit."""

    action: ReviewActionName = Field(description="What blocking means: status blocked or warning.")
    reason: str = Field(description="The status reason given to the customers the review blocks.")
    grace_days: int | None = Field(
        description="By grace days: an unpaid posted invoice older than N days; null: off."
    )
    limit_days: int | None = Field(
        description="By credit limit: the overdue balance is the unpaid part of the invoices older than D "
        "days; null: off."
    )
    limit_percent: str | None = Field(description=PERCENT_HELP, examples=["80.00"])
    limit_minimum: MoneyOut | None = Field(description=MINIMUM_HELP)


class ReviewCriteriaPatch(Schema):
    """Review criteria keys to change; the others keep their current values."""

    model_config = ConfigDict(extra="forbid")

    action: ReviewActionName | None = Field(None, description="blocked (default) or warning.")
    reason: str | None = None
    grace_days: int | None = Field(None, description=DAYS_HELP)
    limit_days: int | None = Field(None, description=DAYS_HELP)
    limit_percent: str | int | None = Field(None, description=PERCENT_HELP)
    limit_minimum: Money | None = Field(None, description=MINIMUM_HELP)


# --- company settings ----------------------------------------------------------------------------


class CompanySettingsOut(Schema):
    company: str
    name: str
    currency: str
    exposure_method: Literal["all_orders", "invoiced_only"]
    limit_enforcement: Literal["block_at_entry", "warn_at_entry", "check_at_posting", "off"]
    credit_hold_queue: bool = Field(description="Orders the check blocks are kept on credit hold (202).")
    new_customer_status: Literal["prospect", "approved"]
    review: ReviewCriteriaOut = Field(
        description="The credit review's criteria for the company (every criterion off until set)."
    )
    review_schedule: ReviewScheduleName = Field(
        description="The daily credit review run by `carnet worker`: off, prepare (the proposal waits for a "
        "person to apply it) or apply (applied at once)."
    )
    review_time: str = Field(
        description="When the daily review runs, HH:MM in the installation's time zone.", examples=["06:00"]
    )
    accounting_sync_before_invoicing: bool = Field(
        False,
        description="An invoice is entered only for a customer synced with accounting (reason "
        "accounting_sync_required otherwise).",
    )
    version: int = Field(description="Send it in If-Match to change the settings.")


class CompanySettingsIn(Schema):
    """Only the settings sent change. In `review`, only the keys sent change: they are merged into the
    company's current criteria, and the whole set must then be valid."""

    model_config = ConfigDict(extra="forbid")

    exposure_method: Literal["all_orders", "invoiced_only"] | None = None
    limit_enforcement: Literal["block_at_entry", "warn_at_entry", "check_at_posting", "off"] | None = None
    credit_hold_queue: bool | None = None
    new_customer_status: Literal["prospect", "approved"] | None = None
    review: ReviewCriteriaPatch | None = Field(
        None, description="The review criteria keys to change (null or left out: unchanged)."
    )
    review_schedule: ReviewScheduleName | None = None
    review_time: str | None = Field(None, description="HH:MM, like 06:00.", examples=["06:00"])
    accounting_sync_before_invoicing: bool | None = None
    version: int | None = Field(
        None, description="The version read; a stale one is a 409 (same as If-Match)."
    )
