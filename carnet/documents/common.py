"""What every document service shares: reading arguments (amounts, dates, currency) into clean values with
errors that name the field, finding the customer, the company and documents as the actor may see them,
and taking the next number of a kind of document."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.customers.models import Customer
from carnet.errors import NotFound, StaleVersion

from .choices import NUMBER_DIGITS, NUMBER_PREFIXES, DocumentType
from .models import DocumentSequence

CENT = Decimal("0.01")
# max_digits=14, decimal_places=2: twelve digits before the point.
MAX_AMOUNT = Decimal("999999999999.99")

M = TypeVar("M", bound=models.Model)
D = TypeVar("D")

if TYPE_CHECKING:
    from carnet.credit.decision import Decision
    from carnet.credit.models import CreditOverride


@dataclass(frozen=True)
class Entered(Generic[D]):
    """A document a service saved, with the credit decision that let it in (None when none ran) and the
    override recorded when warnings were acknowledged. `on_credit_hold`: saved on hold (the API answers
    202)."""

    document: D
    decision: "Decision | None" = None
    override: "CreditOverride | None" = None

    @property
    def on_credit_hold(self) -> bool:
        return getattr(self.document, "status", None) == "on_credit_hold"


def parse_amount(value: Any, field: str, *, positive: bool = True, required: bool = True) -> Decimal:
    """A money amount from a Decimal, an int or a decimal string, with at most two decimals; floats are
    refused (their binary rounding is not money). Raises ValidationError naming the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError({field: _("An amount is required.")})
        return Decimal("0.00")
    if isinstance(value, bool | float):
        raise ValidationError({field: _("Give the amount as a decimal string, like 1250.00.")})
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(
            {field: _("%(value)s is not an amount; write it like 1250.00.") % {"value": value}}
        ) from None
    if not amount.is_finite():
        raise ValidationError(
            {field: _("%(value)s is not an amount; write it like 1250.00.") % {"value": value}}
        )
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("An amount has at most two decimals (cents).")})
    if abs(amount) > MAX_AMOUNT:
        raise ValidationError({field: _("This amount is too large.")})
    if positive and amount <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    return amount.quantize(CENT)


def parse_quantity(value: Any, field: str) -> Decimal:
    if value is None or isinstance(value, bool | float):
        raise ValidationError({field: _("Give the quantity as a decimal string, like 2.5.")})
    try:
        quantity = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("%(value)s is not a quantity.") % {"value": value}}) from None
    if not quantity.is_finite() or quantity != quantity.quantize(Decimal("0.001")):
        raise ValidationError({field: _("A quantity has at most three decimals.")})
    if quantity <= 0:
        raise ValidationError({field: _("The quantity must be more than zero.")})
    if quantity >= Decimal("100000000000"):
        raise ValidationError({field: _("This quantity is too large.")})
    return quantity.quantize(Decimal("0.001"))


def parse_date(value: Any, field: str = "date") -> date:
    """A date, an ISO 8601 string, or None for today (in the installation's time zone)."""
    if value is None or value == "":
        return timezone.localdate()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(
            {field: _("%(value)s is not a date; write it like 2026-11-22.") % {"value": value}}
        ) from None


def check_currency(value: str | None, company: Company) -> str:
    """The company's currency; another one is refused (documents are in the company's currency)."""
    if value is None or not str(value).strip():
        return company.currency
    currency = str(value).strip().upper()
    if currency != company.currency:
        raise ValidationError(
            {
                "currency": _("Documents of %(company)s are in %(expected)s; %(given)s is refused.")
                % {"company": company.code, "expected": company.currency, "given": currency}
            }
        )
    return currency


def check_text(value: Any, field: str, max_length: int) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > max_length:
        raise ValidationError(
            {field: _("At most %(n)d characters (it has %(m)d).") % {"n": max_length, "m": len(text)}}
        )
    return text


def resolve_company(company: Company | str | None, actor: User | None) -> Company:
    """The company named by its code (or given); unknown codes name the field, and a company the actor does
    not belong to is not found, as any other company's object."""
    if isinstance(company, Company):
        found: Company | None = company
    else:
        code = (company or "").strip().upper()
        if not code:
            raise ValidationError({"company": _("Name the company by its code, like MAIN.")})
        found = Company.objects.filter(code=code).first()
        if found is None:
            raise ValidationError({"company": _("No company has the code %(code)s.") % {"code": code}})
    assert found is not None
    if actor is not None and not actor.visible_companies().filter(pk=found.pk).exists():
        raise NotFound(_("No company has the code %(code)s.") % {"code": found.code})
    return found


def resolve_customer(customer: Customer | int | str | None) -> Customer:
    """The customer (read again, so its status is the current one); an unknown id names the field."""
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    try:
        return Customer.objects.get(pk=int(customer_id))  # type: ignore[arg-type]
    except (Customer.DoesNotExist, TypeError, ValueError):
        raise ValidationError(
            {"customer": _("No customer has the id %(id)s.") % {"id": customer_id}}
        ) from None


def get_document(model: type[M], document_id: Any, actor: User | None, *, lock: bool = False) -> M:
    """A document by id, as the actor may see it: unknown ids and other companies' documents are not found."""
    label = model._meta.verbose_name
    try:
        pk = int(document_id.pk if isinstance(document_id, model) else document_id)
    except (TypeError, ValueError):
        raise NotFound(_("No %(kind)s has the id %(id)s.") % {"kind": label, "id": document_id}) from None
    queryset = model._default_manager.select_related("customer", "company")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    document = queryset.filter(pk=pk).first()
    if document is None or (
        actor is not None and not actor.visible_companies().filter(pk=document.company_id).exists()  # type: ignore[attr-defined]
    ):
        raise NotFound(_("No %(kind)s has the id %(id)s.") % {"kind": label, "id": document_id})
    return document


def get_referenced(
    model: type[M], document_id: Any, field: str, *, customer: Customer, company: Company, lock: bool = False
) -> M:
    """A document named in a request body (the order of an invoice, the invoice of an allocation): it must
    be the same customer's, in the same company; otherwise the field is at fault."""
    label = model._meta.verbose_name
    try:
        pk = int(document_id.pk if isinstance(document_id, model) else document_id)
    except (TypeError, ValueError):
        pk = None
    queryset = model._default_manager.all()
    if lock:
        queryset = queryset.select_for_update()
    document = (
        queryset.filter(pk=pk, customer_id=customer.pk, company_id=company.pk).first()
        if pk is not None
        else None
    )
    if document is None:
        raise ValidationError(
            {
                field: _("No %(kind)s %(id)s of this customer in %(company)s.")
                % {"kind": label, "id": document_id, "company": company.code}
            }
        )
    return document


def check_unknown(data: Mapping[str, Any], allowed: set[str], field: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({f"{field}.{name}": _("Unknown field.") for name in unknown})


def actor_or_none(actor: User | None) -> User | None:
    """The user to record as author: None for the installation (and for an unsaved user)."""
    return actor if actor is not None and actor.pk else None


def check_version(document: Any, expected_version: int | None) -> None:
    """StaleVersion when the caller read another version of the document than the current one."""
    if expected_version is not None and document.version != expected_version:
        raise StaleVersion(
            _(
                "Someone else changed this %(kind)s since you read it (version %(expected)s, now "
                "%(current)s). Reload it and try again."
            )
            % {
                "kind": document._meta.verbose_name,
                "expected": expected_version,
                "current": document.version,
            },
            current_version=document.version,
        )


def _locked_sequence(company: Company, document_type: DocumentType) -> DocumentSequence:
    sequence = (
        DocumentSequence.objects.select_for_update()
        .filter(company=company, document_type=document_type)
        .first()
    )
    if sequence is None:
        # Another transaction may be making it too: ON CONFLICT DO NOTHING, then lock whichever row won.
        DocumentSequence.objects.bulk_create(
            [DocumentSequence(company=company, document_type=document_type)], ignore_conflicts=True
        )
        sequence = DocumentSequence.objects.select_for_update().get(
            company=company, document_type=document_type
        )
    return sequence


def take_number(
    company: Company, document_type: DocumentType, model: type[models.Model], given: Any = None
) -> str:
    """The next number of the sequence, or the number given (an import keeps the numbers of its file). A
    given number must be free in the company; one the sequence makes (INV-000120) moves the sequence past
    it, so that the next document entered does not take it again."""
    number = check_text(given, "number", 20).upper()
    if not number:
        return next_number(company, document_type)
    if model._default_manager.filter(company=company, number=number).exists():
        raise ValidationError(
            {
                "number": _("%(number)s is already taken in %(company)s.")
                % {"number": number, "company": company.code}
            }
        )
    prefix, _dash, digits = number.partition("-")
    if prefix == NUMBER_PREFIXES[document_type] and digits.isdigit():
        sequence = _locked_sequence(company, document_type)
        if int(digits) >= sequence.next_number:
            DocumentSequence.objects.filter(pk=sequence.pk).update(next_number=int(digits) + 1)
    return number


def next_number(company: Company, document_type: DocumentType) -> str:
    """Take the next number of this kind of document in the company (ORD-000123). The sequence row stays
    locked until the caller's transaction ends, so two documents never get the same number; a refused
    document rolls back and leaves no gap."""
    sequence = _locked_sequence(company, document_type)
    number = sequence.next_number
    DocumentSequence.objects.filter(pk=sequence.pk).update(next_number=number + 1)
    return f"{NUMBER_PREFIXES[document_type]}-{number:0{NUMBER_DIGITS}d}"
