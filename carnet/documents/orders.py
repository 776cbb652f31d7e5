"""Quotes, orders and shipments, and the credit-hold queue of orders.

Every path that creates an order or raises its amount runs the credit check: entering it, converting a
quote, reopening a cancelled order, raising an open order's amount. The customer's credit account is locked
first, so two orders entered at the same moment are checked one after the other.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.credit import services as credit
from carnet.credit.balances import BalanceChange, apply, lock_account
from carnet.credit.vocabulary import DocumentKind
from carnet.customers.models import Customer
from carnet.errors import CreditRefused, InvalidState
from carnet.integrations.events import order_refused, order_refused_at_entry

from .choices import Channel, DocumentType, OrderStatus, QuoteStatus
from .common import (
    Entered,
    actor_or_none,
    check_currency,
    check_text,
    check_version,
    get_document,
    next_number,
    parse_amount,
    parse_date,
    resolve_company,
    resolve_customer,
)
from .models import Order, Quote, Shipment

ZERO = Decimal("0.00")


def _channel(value: str | None) -> str:
    channel = value or Channel.DESK
    if channel not in Channel.values:
        raise ValidationError(
            {"channel": _("Unknown channel %(value)s; use desk or portal.") % {"value": channel}}
        )
    return channel


# --- quotes --------------------------------------------------------------------------------------


@transaction.atomic
def enter_quote(
    *,
    actor: User | None,
    customer: Customer | int | str,
    company: Company | str,
    amount: Decimal | str | int,
    date: date | str | None = None,
    currency: str | None = None,
    reference: str = "",
) -> Entered[Quote]:
    """Enter a quote. Prospects and not-approved customers may have quotes; blocked and closed ones not."""
    if actor is not None:
        require(actor, Action.ENTER_DOCUMENTS)
    company = resolve_company(company, actor)
    customer = resolve_customer(customer)
    value = parse_amount(amount, "amount")
    day = parse_date(date)
    currency = check_currency(currency, company)
    reference = check_text(reference, "reference", 100)
    decision = credit.check_credit(customer=customer, company=company, kind=DocumentKind.QUOTE, amount=value)
    credit.refuse_if_blocked(decision, DocumentKind.QUOTE)
    quote = Quote.objects.create(
        company=company,
        customer=customer,
        number=next_number(company, DocumentType.QUOTE),
        date=day,
        amount=value,
        currency=currency,
        reference=reference,
        created_by=actor_or_none(actor),
    )
    return Entered(quote, decision)


@transaction.atomic
def cancel_quote(*, actor: User | None, quote_id: int | str, expected_version: int | None = None) -> Quote:
    if actor is not None:
        require(actor, Action.ENTER_DOCUMENTS)
    quote = get_document(Quote, quote_id, actor, lock=True)
    check_version(quote, expected_version)
    if quote.status != QuoteStatus.OPEN:
        raise InvalidState(
            _("Only an open quote can be cancelled; %(number)s is %(status)s.")
            % {
                "number": quote.number,
                "status": quote.get_status_display(),
            }
        )
    quote.status = QuoteStatus.CANCELLED
    quote.version += 1
    quote.save(update_fields=["status", "version"])
    return quote


@transaction.atomic
def convert_quote_to_order(
    *,
    actor: User | None,
    quote_id: int | str,
    date: date | str | None = None,
    channel: str = Channel.DESK,
    acknowledge_warnings: bool = False,
    override_reason: str | None = None,
) -> Entered[Order]:
    """Make an order of an open quote, through the same credit check as any order. The quote is marked
    converted when the order is saved (also on credit hold); refused, nothing changes."""
    if actor is not None:
        require(actor, Action.ENTER_DOCUMENTS)
    found = get_document(Quote, quote_id, actor)
    customer = resolve_customer(found.customer_id)
    company = found.company
    account = lock_account(customer, company)
    quote = Quote.objects.select_for_update().get(pk=found.pk)
    if quote.status != QuoteStatus.OPEN:
        raise InvalidState(
            _("Only an open quote can become an order; %(number)s is %(status)s.")
            % {
                "number": quote.number,
                "status": quote.get_status_display(),
            }
        )
    entered = _place_order(
        actor=actor,
        customer=customer,
        company=company,
        account=account,
        amount=quote.amount,
        day=parse_date(date),
        currency=quote.currency,
        channel=_channel(channel),
        reference=quote.reference,
        quote=quote,
        acknowledge_warnings=acknowledge_warnings,
        override_reason=override_reason,
    )
    quote.status = QuoteStatus.CONVERTED
    quote.version += 1
    quote.save(update_fields=["status", "version"])
    return entered


# --- orders --------------------------------------------------------------------------------------


def _place_order(
    *,
    actor: User | None,
    customer: Customer,
    company: Company,
    account: Any,
    amount: Decimal,
    day: date,
    currency: str,
    channel: str,
    reference: str,
    quote: Quote | None,
    acknowledge_warnings: bool,
    override_reason: str | None,
) -> Entered[Order]:
    policy = credit.get_policy(company)
    change = BalanceChange(open_orders=amount)
    try:
        decision, verdict = credit.gate(
            actor=actor,
            customer=customer,
            company=company,
            account=account,
            policy=policy,
            kind=DocumentKind.ORDER,
            amount=amount,
            change=change,
            channel=channel,
            acknowledge_warnings=acknowledge_warnings,
            override_reason=override_reason,
            hold_allowed=policy.credit_hold_queue,
        )
    except CreditRefused as refused:
        order_refused_at_entry(
            customer=customer,
            company=company,
            amount=amount,
            day=day,
            currency=currency,
            reference=reference,
            decision=refused.decision,
        )
        raise
    held = verdict == credit.Verdict.HOLD
    order = Order.objects.create(
        company=company,
        customer=customer,
        number=next_number(company, DocumentType.ORDER),
        date=day,
        amount=amount,
        currency=currency,
        channel=channel,
        reference=reference,
        quote=quote,
        status=OrderStatus.ON_CREDIT_HOLD if held else OrderStatus.OPEN,
        hold_decision=decision.as_json() if held else None,
        created_by=actor_or_none(actor),
    )
    if held:
        order_refused(order, decision)
    else:
        apply(account, change)
    override = None
    if verdict == credit.Verdict.OVERRIDE:
        override = credit.record_override(
            actor=actor, decision=decision, reason=override_reason or "", order=order
        )
    return Entered(order, decision, override)


@transaction.atomic
def enter_order(
    *,
    actor: User | None,
    customer: Customer | int | str,
    company: Company | str,
    amount: Decimal | str | int,
    date: date | str | None = None,
    currency: str | None = None,
    channel: str = Channel.DESK,
    reference: str = "",
    acknowledge_warnings: bool = False,
    override_reason: str | None = None,
) -> Entered[Order]:
    """Enter an order, through the credit check (credit.services.gate): refused (CreditRefused), kept on
    credit hold (the company's queue), waiting for an acknowledgement (CreditWarningNotAcknowledged), or
    saved open and counted in the customer's open orders."""
    if actor is not None:
        require(actor, Action.ENTER_DOCUMENTS)
    company = resolve_company(company, actor)
    customer = resolve_customer(customer)
    value = parse_amount(amount, "amount")
    day = parse_date(date)
    currency = check_currency(currency, company)
    channel = _channel(channel)
    reference = check_text(reference, "reference", 100)
    account = lock_account(customer, company)
    return _place_order(
        actor=actor,
        customer=customer,
        company=company,
        account=account,
        amount=value,
        day=day,
        currency=currency,
        channel=channel,
        reference=reference,
        quote=None,
        acknowledge_warnings=acknowledge_warnings,
        override_reason=override_reason,
    )


def _lock_order(actor: User | None, order_id: int | str) -> tuple[Order, Any]:
    """The order and its customer's account, locked in the one order every service takes them."""
    found = get_document(Order, order_id, actor)
    account = lock_account(found.customer, found.company)
    order = Order.objects.select_for_update().select_related("customer", "company").get(pk=found.pk)
    return order, account


@transaction.atomic
def change_order_amount(
    *,
    actor: User | None,
    order_id: int | str,
    amount: Decimal | str | int,
    expected_version: int | None = None,
    acknowledge_warnings: bool = False,
    override_reason: str | None = None,
) -> Entered[Order]:
    """Change the amount of an open order (or of one on credit hold). Raising an open order's amount runs
    the credit check on the new amount; lowering it does not. Raised past a block with the queue on, the
    order goes on credit hold (and leaves the open orders until released)."""
    if actor is not None:
        require(actor, Action.ENTER_DOCUMENTS)
    order, account = _lock_order(actor, order_id)
    check_version(order, expected_version)
    value = parse_amount(amount, "amount")
    if order.status not in (OrderStatus.OPEN, OrderStatus.ON_CREDIT_HOLD):
        raise InvalidState(
            _("Only an open order's amount can change; %(number)s is %(status)s.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    if value == order.amount:
        return Entered(order)
    decision, override = None, None
    change = BalanceChange()
    if order.status == OrderStatus.OPEN:
        change = BalanceChange(open_orders=value - order.amount)
        if value > order.amount:
            customer = resolve_customer(order.customer_id)
            policy = credit.get_policy(order.company)
            decision, verdict = credit.gate(
                actor=actor,
                customer=customer,
                company=order.company,
                account=account,
                policy=policy,
                kind=DocumentKind.ORDER,
                amount=value,
                change=change,
                channel=order.channel,
                acknowledge_warnings=acknowledge_warnings,
                override_reason=override_reason,
                hold_allowed=policy.credit_hold_queue,
            )
            if verdict == credit.Verdict.HOLD:
                order.status = OrderStatus.ON_CREDIT_HOLD
                order.hold_decision = decision.as_json()
                change = BalanceChange(open_orders=-order.amount)
            elif verdict == credit.Verdict.OVERRIDE:
                override = (decision, override_reason or "")
    order.amount = value
    order.version += 1
    order.save(update_fields=["amount", "status", "hold_decision", "version", "updated_at"])
    apply(account, change)
    if decision is not None and order.status == OrderStatus.ON_CREDIT_HOLD:
        order_refused(order, decision)
    recorded = None
    if override is not None:
        recorded = credit.record_override(actor=actor, decision=override[0], reason=override[1], order=order)
    return Entered(order, decision, recorded)


@transaction.atomic
def cancel_order(*, actor: User | None, order_id: int | str, expected_version: int | None = None) -> Order:
    """Cancel an open order (it leaves the open orders) or one on credit hold. An invoiced order is not
    cancelled: its invoice is credited with a credit note."""
    if actor is not None:
        require(actor, Action.ENTER_DOCUMENTS)
    order, account = _lock_order(actor, order_id)
    check_version(order, expected_version)
    if order.status not in (OrderStatus.OPEN, OrderStatus.ON_CREDIT_HOLD):
        raise InvalidState(
            _("Only an open order or one on credit hold can be cancelled; %(number)s is %(status)s.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    if order.status == OrderStatus.OPEN:
        apply(account, BalanceChange(open_orders=-order.amount))
    order.status = OrderStatus.CANCELLED
    order.version += 1
    order.save(update_fields=["status", "version", "updated_at"])
    return order


@transaction.atomic
def reopen_order(
    *,
    actor: User | None,
    order_id: int | str,
    expected_version: int | None = None,
    acknowledge_warnings: bool = False,
    override_reason: str | None = None,
) -> Entered[Order]:
    """Reopen a cancelled order, through the credit check as a new order would be."""
    if actor is not None:
        require(actor, Action.ENTER_DOCUMENTS)
    order, account = _lock_order(actor, order_id)
    check_version(order, expected_version)
    if order.status != OrderStatus.CANCELLED:
        raise InvalidState(
            _("Only a cancelled order can be reopened; %(number)s is %(status)s.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    customer = resolve_customer(order.customer_id)
    policy = credit.get_policy(order.company)
    change = BalanceChange(open_orders=order.amount)
    decision, verdict = credit.gate(
        actor=actor,
        customer=customer,
        company=order.company,
        account=account,
        policy=policy,
        kind=DocumentKind.ORDER,
        amount=order.amount,
        change=change,
        channel=order.channel,
        acknowledge_warnings=acknowledge_warnings,
        override_reason=override_reason,
        hold_allowed=policy.credit_hold_queue,
    )
    if verdict == credit.Verdict.HOLD:
        order.status = OrderStatus.ON_CREDIT_HOLD
        order.hold_decision = decision.as_json()
    else:
        order.status = OrderStatus.OPEN
        apply(account, change)
    order.version += 1
    order.save(update_fields=["status", "hold_decision", "version", "updated_at"])
    if verdict == credit.Verdict.HOLD:
        order_refused(order, decision)
    override = None
    if verdict == credit.Verdict.OVERRIDE:
        override = credit.record_override(
            actor=actor, decision=decision, reason=override_reason or "", order=order
        )
    return Entered(order, decision, override)


# --- the credit-hold queue -----------------------------------------------------------------------


def _resolve_hold(actor: User | None, order_id: int | str, reason: str, verb: str) -> tuple[Order, Any, str]:
    if actor is not None:
        require(actor, Action.RELEASE_CREDIT_HOLD)
    reason = (reason or "").strip()
    order, account = _lock_order(actor, order_id)
    if order.status != OrderStatus.ON_CREDIT_HOLD:
        raise InvalidState(
            _("%(number)s is not on credit hold (it is %(status)s).")
            % {"number": order.number, "status": order.get_status_display()}
        )
    if not reason:
        raise ValidationError({"reason": _("Say why the order is %(verb)s.") % {"verb": verb}})
    return order, account, reason


@transaction.atomic
def release_order(*, actor: User | None, order_id: int | str, reason: str) -> Order:
    """Release an order from credit hold: it becomes open and counts in the open orders. The release is
    recorded as a credit override (who, when, why, and the decision as it stands now)."""
    order, account, reason = _resolve_hold(actor, order_id, reason, _("released"))
    customer = resolve_customer(order.customer_id)
    change = BalanceChange(open_orders=order.amount)
    decision = credit.check_credit(
        customer=customer,
        company=order.company,
        kind=DocumentKind.ORDER,
        amount=order.amount,
        channel=order.channel,
        change=change,
        account=account,
    )
    order.status = OrderStatus.OPEN
    order.hold_resolved_by = actor_or_none(actor)
    order.hold_resolved_at = timezone.now()
    order.hold_resolution_note = reason
    order.version += 1
    order.save()
    apply(account, change)
    credit.record_override(actor=actor, decision=decision, reason=reason, order=order)
    return order


@transaction.atomic
def reject_order(*, actor: User | None, order_id: int | str, reason: str) -> Order:
    """Reject an order on credit hold: it is kept, rejected, and never counts."""
    order, _account, reason = _resolve_hold(actor, order_id, reason, _("rejected"))
    order.status = OrderStatus.REJECTED
    order.hold_resolved_by = actor_or_none(actor)
    order.hold_resolved_at = timezone.now()
    order.hold_resolution_note = reason
    order.version += 1
    order.save()
    order_refused(order, order.hold_decision or {}, rejected_reason=reason)
    return order


# --- shipments -----------------------------------------------------------------------------------


@transaction.atomic
def enter_shipment(
    *,
    actor: User | None,
    order_id: int | str,
    amount: Decimal | str | int | None = None,
    date: date | str | None = None,
    reference: str = "",
) -> Shipment:
    """Ship (part of) an open or invoiced order; the amount defaults to what is left to ship. Shipments
    do not change the exposure: the order counts until it is invoiced."""
    if actor is not None:
        require(actor, Action.ENTER_DOCUMENTS)
    order, _account = _lock_order(actor, order_id)
    if order.status not in (OrderStatus.OPEN, OrderStatus.INVOICED):
        raise InvalidState(
            _("Only an open or invoiced order can be shipped; %(number)s is %(status)s.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    shipped = order.shipments.aggregate(total=Sum("amount"))["total"] or ZERO
    left = order.amount - shipped
    value = left if amount is None else parse_amount(amount, "amount")
    if value <= 0:
        raise InvalidState(_("%(number)s is already shipped in full.") % {"number": order.number})
    if value > left:
        raise ValidationError(
            {
                "amount": _("Only %(left)s of %(number)s is left to ship.")
                % {"left": left, "number": order.number}
            }
        )
    return Shipment.objects.create(
        company=order.company,
        customer=order.customer,
        order=order,
        number=next_number(order.company, DocumentType.SHIPMENT),
        date=parse_date(date),
        amount=value,
        currency=order.currency,
        reference=check_text(reference, "reference", 100),
        created_by=actor_or_none(actor),
    )
