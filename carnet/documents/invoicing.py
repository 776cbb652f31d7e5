"""Invoices: entered (draft or posted, from an order or not, with or without lines) and posted.

Entering an invoice runs the entry check (status, invoicing hold, the limit when enforced at entry);
posting one runs the posting check (status, invoicing hold, the limit when checked at posting, as a
warning line: the invoice is posted). An invoice entered posted answers both.
"""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.credit import services as credit
from carnet.credit.balances import BalanceChange, apply, lock_account
from carnet.credit.vocabulary import DocumentKind, Stage
from carnet.customers.models import Customer
from carnet.errors import CreditRefused, InvalidState

from .choices import DocumentType, InvoiceStatus, OrderStatus
from .common import (
    CENT,
    Entered,
    actor_or_none,
    check_currency,
    check_text,
    check_unknown,
    check_version,
    get_document,
    get_referenced,
    parse_amount,
    parse_date,
    parse_quantity,
    resolve_company,
    resolve_customer,
    take_number,
)
from .models import Invoice, InvoiceLine, Order

LINE_FIELDS = {"product_code", "description", "quantity", "unit_price"}
MAX_LINES = 1000


def _lines(lines: Iterable[Mapping[str, Any]]) -> list[InvoiceLine]:
    """Invoice lines from mappings of product_code, description, quantity and unit_price; each line's amount
    is quantity x unit price, rounded to the cent (half up). Errors name the line: lines.2.quantity."""
    parsed: list[InvoiceLine] = []
    errors: dict[str, list[str]] = {}
    rows = list(lines)
    if len(rows) > MAX_LINES:
        raise ValidationError({"lines": _("At most %(n)d lines.") % {"n": MAX_LINES}})
    for index, row in enumerate(rows):
        where = f"lines.{index}"
        try:
            if not isinstance(row, Mapping):
                raise ValidationError({where: _("A line is an object with quantity and unit_price.")})
            check_unknown(row, LINE_FIELDS, where)
            quantity = parse_quantity(row.get("quantity"), f"{where}.quantity")
            unit_price = parse_amount(row.get("unit_price"), f"{where}.unit_price", positive=False)
            product_code = check_text(row.get("product_code"), f"{where}.product_code", 50)
            description = check_text(row.get("description"), f"{where}.description", 300)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
            continue
        amount = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        parsed.append(
            InvoiceLine(
                position=index + 1,
                product_code=product_code,
                description=description,
                quantity=quantity,
                unit_price=unit_price,
                amount=amount,
            )
        )
    if errors:
        raise ValidationError(errors)
    return parsed


def _amount_of(amount: Any, lines: list[InvoiceLine] | None, order: Order | None) -> Decimal:
    """The invoice's amount: the sum of its lines when it has lines (a given amount must agree), else the
    amount given, else the amount of the order it invoices."""
    if lines:
        total = sum((line.amount for line in lines), Decimal("0.00"))
        if amount is not None and amount != "":
            given = parse_amount(amount, "amount")
            if given != total:
                raise ValidationError(
                    {
                        "amount": _("The amount %(given)s differs from the sum of the lines, %(total)s.")
                        % {"given": given, "total": total}
                    }
                )
        if total <= 0:
            raise ValidationError(
                {
                    "lines": _("The lines add up to %(total)s; an invoice is more than zero.")
                    % {"total": total}
                }
            )
        if total > Decimal("999999999999.99"):
            raise ValidationError({"lines": _("The lines add up to too large an amount.")})
        return total
    if (amount is None or amount == "") and order is not None:
        return order.amount
    return parse_amount(amount, "amount")


@transaction.atomic
def enter_invoice(
    *,
    actor: User | None,
    customer: Customer | int | str,
    company: Company | str,
    amount: Decimal | str | int | None = None,
    date: date | str | None = None,
    lines: Iterable[Mapping[str, Any]] | None = None,
    order: Order | int | str | None = None,
    post: bool = True,
    currency: str | None = None,
    reference: str = "",
    acknowledge_warnings: bool = False,
    override_reason: str | None = None,
    number: str | None = None,
) -> Entered[Invoice]:
    """Enter an invoice, posted unless post=False. `number` keeps a number from elsewhere (imports); the
    sequence gives one otherwise. From an order (an open order of the same customer and
    company), the order is marked invoiced and leaves the open orders; the invoice's amount defaults to
    the order's. The due date is the date plus the customer's payment terms. The entry check applies as
    for orders (refused, or a warning to acknowledge; invoices never go on credit hold); an invoice
    entered posted also answers the posting check, whose warnings do not stop it."""
    if actor is not None:
        require(actor, Action.ENTER_INVOICES)
    company = resolve_company(company, actor)
    customer = resolve_customer(customer)
    day = parse_date(date)
    currency = check_currency(currency, company)
    reference = check_text(reference, "reference", 100)
    if not isinstance(post, bool):
        raise ValidationError({"post": _("true or false.")})
    parsed_lines = _lines(lines) if lines is not None else None
    account = lock_account(customer, company)
    invoiced_order = None
    if order is not None and order != "":
        invoiced_order = get_referenced(Order, order, "order", customer=customer, company=company, lock=True)
        if invoiced_order.status != OrderStatus.OPEN:
            raise ValidationError(
                {
                    "order": _("Only an open order can be invoiced; %(number)s is %(status)s.")
                    % {"number": invoiced_order.number, "status": invoiced_order.get_status_display()}
                }
            )
    value = _amount_of(amount, parsed_lines, invoiced_order)
    policy = credit.get_policy(company)
    change = BalanceChange(
        open_orders=-invoiced_order.amount if invoiced_order else Decimal("0.00"),
        draft_invoices=Decimal("0.00") if post else value,
        posted_invoices_open=value if post else Decimal("0.00"),
    )
    decision, verdict = credit.gate(
        actor=actor,
        customer=customer,
        company=company,
        account=account,
        policy=policy,
        kind=DocumentKind.INVOICE,
        amount=value,
        change=change,
        acknowledge_warnings=acknowledge_warnings,
        override_reason=override_reason,
    )
    entry_decision = decision
    if post:
        posting = credit.check_credit(
            customer=customer,
            company=company,
            kind=DocumentKind.INVOICE,
            amount=value,
            stage=Stage.POSTING,
            change=change,
            account=account,
            policy=policy,
        )
        decision = decision.merged_with(posting)
    now = timezone.now()
    invoice = Invoice.objects.create(
        company=company,
        customer=customer,
        number=take_number(company, DocumentType.INVOICE, Invoice, number),
        date=day,
        due_date=day + timedelta(days=customer.payment_terms_days),
        amount=value,
        open_balance=value,
        currency=currency,
        reference=reference,
        order=invoiced_order,
        status=InvoiceStatus.POSTED if post else InvoiceStatus.DRAFT,
        posted_by=actor_or_none(actor) if post else None,
        posted_at=now if post else None,
        created_by=actor_or_none(actor),
    )
    if parsed_lines:
        for line in parsed_lines:
            line.invoice = invoice
            line.customer = customer
        InvoiceLine.objects.bulk_create(parsed_lines)
    if invoiced_order is not None:
        invoiced_order.status = OrderStatus.INVOICED
        invoiced_order.version += 1
        invoiced_order.save(update_fields=["status", "version", "updated_at"])
    apply(account, change)
    override = None
    if verdict == credit.Verdict.OVERRIDE:
        override = credit.record_override(
            actor=actor, decision=entry_decision, reason=override_reason or "", invoice=invoice
        )
    return Entered(invoice, decision, override)


@transaction.atomic
def post_invoice(
    *, actor: User | None, invoice_id: int | str, expected_version: int | None = None
) -> Entered[Invoice]:
    """Post (transfer) a draft invoice: it joins the posted open balances. The posting check refuses it
    when the customer's status or an invoicing hold blocks invoices now; its warnings (the limit, checked
    at posting) are the lines of the posting report, and the invoice is posted. A posted invoice is not
    posted again (InvalidState)."""
    if actor is not None:
        require(actor, Action.ENTER_INVOICES)
    found = get_document(Invoice, invoice_id, actor)
    account = lock_account(found.customer, found.company)
    invoice = Invoice.objects.select_for_update().select_related("company").get(pk=found.pk)
    check_version(invoice, expected_version)
    if invoice.status == InvoiceStatus.POSTED:
        raise InvalidState(_("%(number)s is already posted.") % {"number": invoice.number})
    customer = resolve_customer(invoice.customer_id)
    change = BalanceChange(draft_invoices=-invoice.amount, posted_invoices_open=invoice.amount)
    decision = credit.check_credit(
        customer=customer,
        company=invoice.company,
        kind=DocumentKind.INVOICE,
        amount=invoice.amount,
        stage=Stage.POSTING,
        change=change,
        account=account,
    )
    if decision.blocked:
        raise CreditRefused(
            _("The credit check refused to post %(number)s: %(why)s")
            % {"number": invoice.number, "why": credit.refusal_message(decision)},
            decision=decision,
        )
    invoice.status = InvoiceStatus.POSTED
    invoice.posted_by = actor_or_none(actor)
    invoice.posted_at = timezone.now()
    invoice.version += 1
    invoice.save(update_fields=["status", "posted_by", "posted_at", "version"])
    apply(account, change)
    return Entered(invoice, decision)
