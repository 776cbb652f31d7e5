"""Credit notes and payments, and their allocations to posted invoices.

Money received or credited lowers what the customer owes at once: allocated, it lowers the invoices' open
balances; not allocated, it stays on account (unallocated credit) and lowers the unpaid invoices until it
is allocated. Allocating more than an invoice's open balance, or more than the payment or credit note
holds, is refused.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.credit import services as credit
from carnet.credit.balances import BalanceChange, apply, lock_account
from carnet.credit.vocabulary import DocumentKind
from carnet.customers.choices import PaymentMethod
from carnet.customers.models import Customer

from .choices import DocumentType, InvoiceStatus
from .common import (
    Entered,
    actor_or_none,
    check_currency,
    check_text,
    check_unknown,
    get_document,
    get_referenced,
    next_number,
    parse_amount,
    parse_date,
    resolve_company,
    resolve_customer,
    take_number,
)
from .models import Allocation, CreditNote, Invoice, Payment

ZERO = Decimal("0.00")
ALLOCATION_FIELDS = {"invoice", "amount"}


def _allocations(
    rows: Iterable[Mapping[str, Any]],
    *,
    customer: Customer,
    company: Company,
    available: Decimal,
    source: str,
) -> list[tuple[Invoice, Decimal]]:
    """The allocations asked for, checked: posted invoices of the customer in the company (locked), each
    within its open balance (several allocations to one invoice count together), all within `available`."""
    pairs: list[tuple[Invoice, Decimal]] = []
    errors: dict[str, list[str]] = {}
    taken: dict[int, Decimal] = {}
    for index, row in enumerate(rows):
        where = f"allocations.{index}"
        try:
            if not isinstance(row, Mapping):
                raise ValidationError({where: _("An allocation is an object with invoice and amount.")})
            check_unknown(row, ALLOCATION_FIELDS, where)
            amount = parse_amount(row.get("amount"), f"{where}.amount")
            invoice = get_referenced(
                Invoice, row.get("invoice"), f"{where}.invoice", customer=customer, company=company, lock=True
            )
            if invoice.status != InvoiceStatus.POSTED:
                raise ValidationError(
                    {
                        f"{where}.invoice": _("%(number)s is a draft: post it before allocating to it.")
                        % {"number": invoice.number}
                    }
                )
            already = taken.get(invoice.pk, ZERO)
            if already + amount > invoice.open_balance:
                raise ValidationError(
                    {
                        f"{where}.amount": _(
                            "%(number)s has %(open)s open; allocating %(amount)s to it is too much."
                        )
                        % {"number": invoice.number, "open": invoice.open_balance - already, "amount": amount}
                    }
                )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
            continue
        taken[invoice.pk] = already + amount
        pairs.append((invoice, amount))
    if errors:
        raise ValidationError(errors)
    total = sum((amount for _invoice, amount in pairs), ZERO)
    if total > available:
        raise ValidationError(
            {
                "allocations": _(
                    "The allocations add up to %(total)s, more than the %(available)s of the %(source)s."
                )
                % {"total": total, "available": available, "source": source}
            }
        )
    return pairs


def _allocate(
    pairs: list[tuple[Invoice, Decimal]],
    *,
    actor: User | None,
    payment: Payment | None = None,
    credit_note: CreditNote | None = None,
) -> list[Allocation]:
    source = payment if payment is not None else credit_note
    assert source is not None
    made = []
    for invoice, amount in pairs:
        made.append(
            Allocation(
                company_id=source.company_id,
                customer_id=source.customer_id,
                invoice=invoice,
                payment=payment,
                credit_note=credit_note,
                amount=amount,
                created_by=actor_or_none(actor),
            )
        )
        invoice.open_balance -= amount
        invoice.save(update_fields=["open_balance"])
    return Allocation.objects.bulk_create(made)


def _method(value: str | None) -> str:
    method = (value or "").strip()
    if method and method not in PaymentMethod.values:
        raise ValidationError(
            {
                "method": _("Unknown payment method %(value)s; use one of: %(known)s.")
                % {"value": method, "known": ", ".join(PaymentMethod.values)}
            }
        )
    return method


@transaction.atomic
def enter_payment(
    *,
    actor: User | None,
    customer: Customer | int | str,
    company: Company | str,
    amount: Decimal | str | int,
    date: date | str | None = None,
    currency: str | None = None,
    method: str = "",
    reference: str = "",
    allocations: Iterable[Mapping[str, Any]] = (),
    number: str | None = None,
) -> Entered[Payment]:
    """Enter a payment received, allocated to posted invoices as given ({"invoice", "amount"} each); what is
    not allocated stays on account. `number` keeps a number from elsewhere (imports)."""
    if actor is not None:
        require(actor, Action.ENTER_INVOICES)
    company = resolve_company(company, actor)
    customer = resolve_customer(customer)
    value = parse_amount(amount, "amount")
    day = parse_date(date)
    currency = check_currency(currency, company)
    method = _method(method)
    reference = check_text(reference, "reference", 100)
    account = lock_account(customer, company)
    decision = credit.check_credit(
        customer=customer, company=company, kind=DocumentKind.PAYMENT, amount=value, account=account
    )
    credit.refuse_if_blocked(decision, DocumentKind.PAYMENT)
    pairs = _allocations(
        allocations, customer=customer, company=company, available=value, source=_("payment")
    )
    allocated = sum((amount for _invoice, amount in pairs), ZERO)
    payment = Payment.objects.create(
        company=company,
        customer=customer,
        number=take_number(company, DocumentType.PAYMENT, Payment, number),
        date=day,
        amount=value,
        unallocated=value - allocated,
        currency=currency,
        method=method,
        reference=reference,
        created_by=actor_or_none(actor),
    )
    _allocate(pairs, actor=actor, payment=payment)
    apply(account, BalanceChange(posted_invoices_open=-allocated, unallocated_credit=value - allocated))
    return Entered(payment, decision)


@transaction.atomic
def enter_credit_note(
    *,
    actor: User | None,
    customer: Customer | int | str,
    company: Company | str,
    amount: Decimal | str | int,
    date: date | str | None = None,
    currency: str | None = None,
    reference: str = "",
    allocations: Iterable[Mapping[str, Any]] = (),
) -> Entered[CreditNote]:
    """Enter a credit note, allocated to posted invoices as given; what is not allocated stays on account."""
    if actor is not None:
        require(actor, Action.ENTER_INVOICES)
    company = resolve_company(company, actor)
    customer = resolve_customer(customer)
    value = parse_amount(amount, "amount")
    day = parse_date(date)
    currency = check_currency(currency, company)
    reference = check_text(reference, "reference", 100)
    account = lock_account(customer, company)
    decision = credit.check_credit(
        customer=customer, company=company, kind=DocumentKind.CREDIT_NOTE, amount=value, account=account
    )
    credit.refuse_if_blocked(decision, DocumentKind.CREDIT_NOTE)
    pairs = _allocations(
        allocations, customer=customer, company=company, available=value, source=_("credit note")
    )
    allocated = sum((amount for _invoice, amount in pairs), ZERO)
    note = CreditNote.objects.create(
        company=company,
        customer=customer,
        number=next_number(company, DocumentType.CREDIT_NOTE),
        date=day,
        amount=value,
        unallocated=value - allocated,
        currency=currency,
        reference=reference,
        created_by=actor_or_none(actor),
    )
    _allocate(pairs, actor=actor, credit_note=note)
    apply(account, BalanceChange(posted_invoices_open=-allocated, unallocated_credit=value - allocated))
    return Entered(note, decision)


@transaction.atomic
def allocate(
    *,
    actor: User | None,
    allocations: Iterable[Mapping[str, Any]],
    payment_id: int | str | None = None,
    credit_note_id: int | str | None = None,
) -> list[Allocation]:
    """Allocate what is left on account of a payment or of a credit note (name one) to posted invoices.
    The exposure does not change: the money already lowered the unpaid invoices."""
    if actor is not None:
        require(actor, Action.ENTER_INVOICES)
    if (payment_id is None) == (credit_note_id is None):
        raise ValidationError({"payment": _("Name either a payment or a credit note to allocate from.")})
    model: type[Payment] | type[CreditNote] = Payment if payment_id is not None else CreditNote
    found = get_document(model, payment_id if payment_id is not None else credit_note_id, actor)
    account = lock_account(found.customer, found.company)
    source = model._default_manager.select_for_update().get(pk=found.pk)
    pairs = _allocations(
        allocations,
        customer=found.customer,
        company=found.company,
        available=source.unallocated,
        source=str(model._meta.verbose_name),
    )
    allocated = sum((amount for _invoice, amount in pairs), ZERO)
    if not pairs:
        return []
    source.unallocated -= allocated
    source.save(update_fields=["unallocated"])
    made = _allocate(
        pairs,
        actor=actor,
        payment=source if isinstance(source, Payment) else None,
        credit_note=source if isinstance(source, CreditNote) else None,
    )
    apply(account, BalanceChange(posted_invoices_open=-allocated, unallocated_credit=-allocated))
    return made
