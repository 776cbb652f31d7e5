"""The credit decision: may this document be entered (or this invoice posted) for this customer, and why not?

A pure function of values: no database, no clock, no settings. `credit/services.py` loads the inputs (the
customer's status, its active holds, the kept balances of its credit account, the company's policy, the
memo) under the account's row lock and hands them to `decide`; the answer is a `Decision`.

Exposure, from the kept balances of one customer's credit account in one company:

    unpaid_invoices = posted_invoices_open - unallocated_credit
        the open balances of posted invoices, less the payments and credit notes received and not yet
        allocated to an invoice (money on account); negative when the customer is in credit.
    pending         = open_orders + draft_invoices
        orders accepted and not yet invoiced, and invoices entered but not yet posted (an order invoiced
        by a draft invoice still counts, through the draft, until the invoice is posted).
    exposure        = unpaid_invoices + pending        with the exposure method all_orders
                    = unpaid_invoices                  with invoiced_only
    available       = limit - exposure                 (no limit: no available figure, no limit check)

The exposure dictionary of a decision reports `open_orders` as the pending figure (open orders and draft
invoices), the figures as they are before the document under check.

The limit check: the document raises the exposure by `exposure_increase` (the new document's amount; the
difference when an order's amount is raised; what an invoice adds beyond the order it invoices). It fails
when exposure + exposure_increase > limit; exactly the limit passes. At entry, a document that adds nothing
is not limit-checked; at posting, the posted invoice is checked whatever it adds (under all_orders a draft
already counts, and the question at posting is whether the customer is over its limit with it).

Reasons are listed in this order, all of them, not just the first: status, portal, holds, limit, maximum
order amount, accounting sync. The outcome is the worst of them: blocked, else warning, else ok.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .reason_codes import ReasonCode
from .vocabulary import Channel, DocumentKind, ExposureMethod, HoldType, LimitEnforcement, Outcome, Stage

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# What each status allows (product.md, "Statuses"). ALLOW: entered without a word; ACKNOWLEDGE: a warning
# the operator must acknowledge; REFUSE: blocked.
ALLOW, ACKNOWLEDGE, REFUSE = "allow", "acknowledge", "refuse"
_K = DocumentKind
STATUS_MATRIX: dict[str, dict[str, str]] = {
    "prospect": {
        _K.QUOTE: ALLOW,
        _K.ORDER: REFUSE,
        _K.INVOICE: REFUSE,
        _K.CREDIT_NOTE: REFUSE,
        _K.PAYMENT: REFUSE,
    },
    "not_approved": {
        _K.QUOTE: ALLOW,
        _K.ORDER: REFUSE,
        _K.INVOICE: REFUSE,
        _K.CREDIT_NOTE: REFUSE,
        _K.PAYMENT: REFUSE,
    },
    "approved": {
        _K.QUOTE: ALLOW,
        _K.ORDER: ALLOW,
        _K.INVOICE: ALLOW,
        _K.CREDIT_NOTE: ALLOW,
        _K.PAYMENT: ALLOW,
    },
    "warning": {
        _K.QUOTE: ALLOW,
        _K.ORDER: ACKNOWLEDGE,
        _K.INVOICE: ACKNOWLEDGE,
        _K.CREDIT_NOTE: ALLOW,
        _K.PAYMENT: ALLOW,
    },
    "blocked": {
        _K.QUOTE: REFUSE,
        _K.ORDER: REFUSE,
        _K.INVOICE: REFUSE,
        _K.CREDIT_NOTE: ALLOW,
        _K.PAYMENT: ALLOW,
    },
    "closed": {
        _K.QUOTE: REFUSE,
        _K.ORDER: REFUSE,
        _K.INVOICE: REFUSE,
        _K.CREDIT_NOTE: REFUSE,
        _K.PAYMENT: REFUSE,
    },
}
_STATUS_CODES = {
    "prospect": ReasonCode.STATUS_PROSPECT,
    "not_approved": ReasonCode.STATUS_NOT_APPROVED,
    "warning": ReasonCode.STATUS_WARNING,
    "blocked": ReasonCode.STATUS_BLOCKED,
    "closed": ReasonCode.STATUS_CLOSED,
}
# Which hold types stop which documents; the others (dunning, direct debit, refund, purchase order) concern
# reminders, the review and payments out, not the entry of sales.
HOLD_BLOCKS: dict[str, tuple[DocumentKind, ReasonCode]] = {
    HoldType.SALE_ORDER: (DocumentKind.ORDER, ReasonCode.HOLD_SALE_ORDER),
    HoldType.INVOICING: (DocumentKind.INVOICE, ReasonCode.HOLD_INVOICING),
}
# The documents that extend credit, and so are checked against the limit.
LIMIT_CHECKED = frozenset({DocumentKind.ORDER, DocumentKind.INVOICE})

_KIND_PLURAL = {
    DocumentKind.QUOTE: gettext_lazy("quotes"),
    DocumentKind.ORDER: gettext_lazy("orders"),
    DocumentKind.INVOICE: gettext_lazy("invoices"),
    DocumentKind.CREDIT_NOTE: gettext_lazy("credit notes"),
    DocumentKind.PAYMENT: gettext_lazy("payments"),
}


def money(value: Decimal) -> str:
    """A money figure as the API writes it: a string with two decimals ("1250.00", never "-0.00")."""
    value = value.quantize(CENT)
    return "0.00" if value == 0 else f"{value:.2f}"


@dataclass(frozen=True, kw_only=True)
class ActiveHold:
    """A hold that applies now to the customer in the company (lifted and expired ones are left out)."""

    type: str
    reason_code: str = ""
    comment: str = ""
    ends_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class CreditInputs:
    """Everything a decision depends on. Money in Decimal; the balances as kept, before the document."""

    status: str
    status_reason: str = ""
    kind: str
    amount: Decimal
    # How much the document raises the exposure; None: its amount (a new document).
    exposure_increase: Decimal | None = None
    channel: str = Channel.DESK
    stage: str = Stage.ENTRY
    holds: tuple[ActiveHold, ...] = ()
    limit: Decimal | None = None
    posted_invoices_open: Decimal = ZERO
    unallocated_credit: Decimal = ZERO
    open_orders: Decimal = ZERO
    draft_invoices: Decimal = ZERO
    exposure_method: str = ExposureMethod.ALL_ORDERS
    limit_enforcement: str = LimitEnforcement.WARN_AT_ENTRY
    max_order_amount: Decimal | None = None
    memo: tuple[str, ...] = ()
    currency: str = ""
    # The company requires a customer synced with accounting before an invoice, and this one is not: its
    # sync state (never, pending, failed). None: no such requirement, or the customer is synced.
    accounting_sync_state: str | None = None


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    severity: Outcome  # WARNING or BLOCKED; not in the public JSON, where the outcome says it
    message: str
    figures: Mapping[str, Decimal] = field(default_factory=dict)

    def as_json(self) -> dict[str, str]:
        return {"code": str(self.code), "message": self.message} | {
            name: money(value) for name, value in self.figures.items()
        }


@dataclass(frozen=True)
class Exposure:
    """The credit in use, as the decision saw it. `open_orders` is the pending part (open orders and draft
    invoices); `available` and `limit` are None when the customer has no limit."""

    limit: Decimal | None
    exposure: Decimal
    open_orders: Decimal
    unpaid_invoices: Decimal
    available: Decimal | None

    def as_json(self) -> dict[str, str | None]:
        return {
            "limit": None if self.limit is None else money(self.limit),
            "exposure": money(self.exposure),
            "open_orders": money(self.open_orders),
            "unpaid_invoices": money(self.unpaid_invoices),
            "available": None if self.available is None else money(self.available),
        }


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: tuple[Reason, ...]
    memo: tuple[str, ...]
    exposure: Exposure

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.OK

    @property
    def blocked(self) -> bool:
        return self.outcome == Outcome.BLOCKED

    @property
    def codes(self) -> list[str]:
        return [str(r.code) for r in self.reasons]

    def as_json(self) -> dict[str, Any]:
        """Exactly the JSON of api.md, "The decision"."""
        return {
            "outcome": str(self.outcome),
            "reasons": [r.as_json() for r in self.reasons],
            "memo": list(self.memo),
            "exposure": self.exposure.as_json(),
        }

    def merged_with(self, other: "Decision") -> "Decision":
        """This decision with the reasons of another (each code once): an invoice entered and posted at once
        answers the entry check and the posting check together. The exposure figures stay this one's."""
        seen = {r.code for r in self.reasons}
        reasons = self.reasons + tuple(r for r in other.reasons if r.code not in seen)
        return Decision(_outcome(reasons), reasons, self.memo, self.exposure)


def exposure_of(
    *,
    limit: Decimal | None,
    posted_invoices_open: Decimal,
    unallocated_credit: Decimal,
    open_orders: Decimal,
    draft_invoices: Decimal,
    exposure_method: str,
) -> Exposure:
    """The exposure figures from the kept balances (see the module docstring for the definitions)."""
    unpaid = posted_invoices_open - unallocated_credit
    pending = open_orders + draft_invoices
    exposure = unpaid + pending if exposure_method == ExposureMethod.ALL_ORDERS else unpaid
    available = None if limit is None else limit - exposure
    return Exposure(
        limit=limit, exposure=exposure, open_orders=pending, unpaid_invoices=unpaid, available=available
    )


def exposure_increase(
    *,
    exposure_method: str,
    open_orders: Decimal = ZERO,
    draft_invoices: Decimal = ZERO,
    posted_invoices_open: Decimal = ZERO,
    unallocated_credit: Decimal = ZERO,
) -> Decimal:
    """How much the given changes to the kept balances raise the exposure under the method."""
    unpaid = posted_invoices_open - unallocated_credit
    if exposure_method == ExposureMethod.ALL_ORDERS:
        return unpaid + open_orders + draft_invoices
    return unpaid


def _outcome(reasons: tuple[Reason, ...]) -> Outcome:
    if any(r.severity == Outcome.BLOCKED for r in reasons):
        return Outcome.BLOCKED
    if reasons:
        return Outcome.WARNING
    return Outcome.OK


def _amount(value: Decimal, currency: str) -> str:
    return f"{money(value)} {currency}".strip()


def _status_reasons(inputs: CreditInputs) -> list[Reason]:
    try:
        rule = STATUS_MATRIX[inputs.status][inputs.kind]
    except KeyError:
        raise ValueError(f"Unknown status {inputs.status!r} or document kind {inputs.kind!r}.") from None
    if rule == ALLOW:
        return []
    code = _STATUS_CODES[inputs.status]
    kinds = str(_KIND_PLURAL[DocumentKind(inputs.kind)])
    because = inputs.status_reason.strip() or _("no reason given")
    messages = {
        ReasonCode.STATUS_PROSPECT: _("The customer is a prospect: no %(kinds)s until it is approved."),
        ReasonCode.STATUS_NOT_APPROVED: _("The customer is not approved: no %(kinds)s until it is."),
        ReasonCode.STATUS_WARNING: _("Warning: %(because)s. Acknowledge it to enter %(kinds)s."),
        ReasonCode.STATUS_BLOCKED: _("Blocked: %(because)s. No %(kinds)s may be entered."),
        ReasonCode.STATUS_CLOSED: _("Closed: %(because)s. No %(kinds)s may be entered."),
    }
    severity = Outcome.WARNING if rule == ACKNOWLEDGE else Outcome.BLOCKED
    return [Reason(code, severity, messages[code] % {"kinds": kinds, "because": because})]


def _portal_reasons(inputs: CreditInputs) -> list[Reason]:
    if inputs.channel != Channel.PORTAL or inputs.status == "approved":
        return []
    message = _(
        "Documents entered through the portal or the API on the customer's behalf need an approved "
        "customer; this one is %(status)s."
    ) % {"status": inputs.status.replace("_", " ")}
    return [Reason(ReasonCode.PORTAL_REQUIRES_APPROVED, Outcome.BLOCKED, message)]


def _hold_reasons(inputs: CreditInputs) -> list[Reason]:
    reasons = []
    for hold_type, (kind, code) in HOLD_BLOCKS.items():
        if inputs.kind != kind:
            continue
        holds = [h for h in inputs.holds if h.type == hold_type]
        if not holds:
            continue
        details = "; ".join(
            (h.comment or h.reason_code or _("no reason given"))
            + (_(" (until %(date)s)") % {"date": h.ends_on.isoformat()} if h.ends_on else "")
            for h in holds
        )
        if hold_type == HoldType.SALE_ORDER:
            message = _("On sale-order hold: %(details)s. No orders may be entered.") % {"details": details}
        else:
            message = _("On invoicing hold: %(details)s. No invoices may be entered.") % {"details": details}
        reasons.append(Reason(code, Outcome.BLOCKED, message))
    return reasons


def _limit_severity(enforcement: str, stage: str) -> Outcome | None:
    if stage == Stage.ENTRY:
        return {
            LimitEnforcement.BLOCK_AT_ENTRY: Outcome.BLOCKED,
            LimitEnforcement.WARN_AT_ENTRY: Outcome.WARNING,
        }.get(LimitEnforcement(enforcement))
    if enforcement == LimitEnforcement.CHECK_AT_POSTING:
        return Outcome.WARNING
    return None


def _limit_reasons(inputs: CreditInputs, exposure: Exposure) -> list[Reason]:
    if inputs.kind not in LIMIT_CHECKED or inputs.limit is None:
        return []
    severity = _limit_severity(inputs.limit_enforcement, inputs.stage)
    if severity is None:
        return []
    increase = inputs.amount if inputs.exposure_increase is None else inputs.exposure_increase
    if inputs.stage == Stage.ENTRY and increase <= 0:
        return []
    total = exposure.exposure + increase
    if total <= inputs.limit:
        return []
    # The figures add up for the reader: the exposure of everything else, plus this document, over the limit.
    others = total - inputs.amount
    message = _(
        "Over the credit limit of %(limit)s: the exposure of %(exposure)s and this %(amount)s make "
        "%(total)s, %(over)s over."
    ) % {
        "limit": _amount(inputs.limit, inputs.currency),
        "exposure": _amount(others, inputs.currency),
        "amount": _amount(inputs.amount, inputs.currency),
        "total": _amount(total, inputs.currency),
        "over": _amount(total - inputs.limit, inputs.currency),
    }
    figures = {"limit": inputs.limit, "exposure": others, "amount": inputs.amount}
    return [Reason(ReasonCode.CREDIT_LIMIT_EXCEEDED, severity, message, figures)]


def _max_order_reasons(inputs: CreditInputs) -> list[Reason]:
    maximum = inputs.max_order_amount
    if inputs.kind != DocumentKind.ORDER or inputs.stage != Stage.ENTRY or maximum is None:
        return []
    if inputs.amount <= maximum:
        return []
    message = _("This order of %(amount)s is above the customer's maximum per order, %(maximum)s.") % {
        "amount": _amount(inputs.amount, inputs.currency),
        "maximum": _amount(maximum, inputs.currency),
    }
    figures = {"amount": inputs.amount, "maximum": maximum}
    return [Reason(ReasonCode.MAX_ORDER_AMOUNT_EXCEEDED, Outcome.WARNING, message, figures)]


def _accounting_sync_reasons(inputs: CreditInputs) -> list[Reason]:
    state = inputs.accounting_sync_state
    if inputs.kind != DocumentKind.INVOICE or inputs.stage != Stage.ENTRY or state is None:
        return []
    messages = {
        "never": _(
            "The customer was never sent to accounting; send it, and enter the invoice once it is synced."
        ),
        "pending": _(
            "The customer was sent to accounting and is not synced yet; enter the invoice once it is."
        ),
        "failed": _(
            "The accounting system refused the customer; correct it and send it again before invoicing."
        ),
    }
    message = messages.get(state, messages["never"])
    return [Reason(ReasonCode.ACCOUNTING_SYNC_REQUIRED, Outcome.BLOCKED, message)]


def decide(inputs: CreditInputs) -> Decision:
    """The decision for one document: every reason that applies, the memo and the exposure figures."""
    exposure = exposure_of(
        limit=inputs.limit,
        posted_invoices_open=inputs.posted_invoices_open,
        unallocated_credit=inputs.unallocated_credit,
        open_orders=inputs.open_orders,
        draft_invoices=inputs.draft_invoices,
        exposure_method=inputs.exposure_method,
    )
    reasons = tuple(
        _status_reasons(inputs)
        + _portal_reasons(inputs)
        + _hold_reasons(inputs)
        + _limit_reasons(inputs, exposure)
        + _max_order_reasons(inputs)
        + _accounting_sync_reasons(inputs)
    )
    return Decision(_outcome(reasons), reasons, tuple(inputs.memo), exposure)
