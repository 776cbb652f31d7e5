"""Business operations on the customer book. Every entry point (UI, API, command line, import) calls these.

Each function runs in one transaction, checks the actor's permission when an actor is given (None is the
installation itself: demo data, migrations), validates everything before writing anything, and raises
ValidationError (by field) or a CarnetError; nothing is half-saved.
"""

import contextlib
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, QuerySet
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carnet.accounts.models import MAIN_COMPANY_CODE, Company, User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.customfields.services import validate_values as validate_custom_values
from carnet.errors import CodeTaken, DuplicatesFound, InUse, NotFound, RuleViolation, StaleVersion
from carnet.integrations import events

from . import usage
from .choices import STATUSES_NEEDING_REASON, Category, Status
from .duplicates import BUSINESS_NUMBER_FIELDS, Twin, find_twins
from .models import Address, BookSettings, Contact, Customer, Note, NoteCategory
from .search import name_key, refresh_search_text
from .validators import (
    address_errors,
    canadian_bank_errors,
    normalise_phone,
    normalise_postal_code,
    normalise_website,
    validate_website,
)

CUSTOMER_FIELDS = frozenset(
    f.name
    for f in Customer._meta.get_fields()
    if getattr(f, "editable", False)
    and f.concrete
    and f.name not in {"id", "version", "updated_at", "search_text", "name_key", "status_changed_at"}
)
CATEGORY_FLAGS = {
    Category.CUSTOMER: "is_customer",
    Category.PROSPECT: "is_prospect",
    Category.PARTNER: "is_partner",
    Category.SUBCONTRACTOR: "is_subcontractor",
}
ADDRESS_FIELDS = frozenset(
    {
        "label",
        "line1",
        "line2",
        "city",
        "province",
        "postal_code",
        "country",
        "billing",
        "delivery",
        "main",
        "active",
    }
)
CONTACT_FIELDS = frozenset(
    {
        "name",
        "role",
        "email",
        "phone",
        "mobile",
        "is_default",
        "is_billing",
        "invoice_copy",
        "active",
        "custom_fields",
    }
)
NOTE_FIELDS = frozenset({"category", "text", "pinned"})
_UPPER_FIELDS = ("code", "currency", "vat_number", "gst_number", "qst_number", "iban", "bic", "external_code")
_COMPACT_FIELDS = ("vat_number", "gst_number", "siren", "siret", "neq", "ein", "iban", "bic")
# Statuses anyone who may create a customer may give it: they allow no sale, so they decide nothing.
_STATUSES_WITHOUT_SALES = frozenset({Status.PROSPECT, Status.NOT_APPROVED})


def _check_unknown(data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in unknown})


def _check_version(instance: Any, expected_version: int | None) -> None:
    if expected_version is not None and instance.version != expected_version:
        raise StaleVersion(
            _(
                "Someone else changed this record since you read it (version %(expected)s, now %(current)s). "
                "Reload it and apply your change again."
            )
            % {"expected": expected_version, "current": instance.version},
            current_version=instance.version,
        )


def _full_clean(instance: Any, exclude: Iterable[str] = ()) -> None:
    # Uniqueness of the code is answered as a conflict (with the existing customer), not a field error.
    instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)


# --- customers -----------------------------------------------------------------------------------


def next_customer_code() -> str:
    """Take the next free code from the configured prefix and sequence (inside the caller's transaction)."""
    book = BookSettings.objects.select_for_update().filter(pk=1).first()
    if book is None:
        # Made by a migration, so missing only on a damaged or flushed database; create it, then lock it
        # like any other time (reading the fresh row unlocked would hand two creates the same number).
        BookSettings.load()
        book = BookSettings.objects.select_for_update().get(pk=1)
    number = book.next_code_number
    while True:
        code = f"{book.code_prefix}{number:0{book.code_digits}d}".upper()
        number += 1
        if not Customer.objects.filter(code=code).exists():
            break
    BookSettings.objects.filter(pk=book.pk).update(next_code_number=number)
    return code


def _normalise_customer(customer: Customer) -> None:
    for field in _UPPER_FIELDS:
        setattr(customer, field, (getattr(customer, field) or "").strip().upper())
    for field in _COMPACT_FIELDS:
        setattr(customer, field, "".join(ch for ch in getattr(customer, field) if ch.isalnum()))
    customer.qst_number = customer.qst_number.replace(" ", "")
    customer.name = (customer.name or "").strip()
    customer.status_reason = (customer.status_reason or "").strip()
    customer.email = (customer.email or "").strip().lower()
    customer.website = normalise_website(customer.website)
    for field in ("phone", "bank_phone"):
        value = getattr(customer, field)
        if value:
            # An invalid phone stays as typed: the field's validator reports it with every other error.
            with contextlib.suppress(ValidationError):
                setattr(customer, field, normalise_phone(value))
    customer.name_key = name_key(customer.name)


def _apply_categories(customer: Customer, categories: Iterable[str]) -> None:
    categories = list(categories)
    unknown = [c for c in categories if c not in CATEGORY_FLAGS]
    if unknown:
        raise ValidationError(
            {
                "categories": _("Unknown category %(c)s; use customer, prospect, partner or subcontractor.")
                % {"c": ", ".join(unknown)}
            }
        )
    if not categories:
        raise ValidationError(
            {"categories": _("Choose at least one category: customer, prospect, partner or subcontractor.")}
        )
    for category, flag in CATEGORY_FLAGS.items():
        setattr(customer, flag, category in categories)


def _check_relations(customer: Customer) -> dict[str, str]:
    errors: dict[str, str] = {}
    if customer.parent_id is not None:
        if customer.pk is not None and customer.parent_id == customer.pk:
            errors["parent"] = _("A customer cannot be its own parent company.")
        else:
            seen = {customer.pk}
            ancestor_id: int | None = customer.parent_id
            while ancestor_id is not None:
                if ancestor_id in seen:
                    errors["parent"] = _(
                        "This parent company would make a cycle: it is already below this customer."
                    )
                    break
                seen.add(ancestor_id)
                ancestor_id = (
                    Customer.objects.filter(pk=ancestor_id).values_list("parent_id", flat=True).first()
                )
    if customer.bill_to_id is not None:
        # One level only: invoices go to the bill-to customer itself, so a chain (or a loop) of bill-tos
        # would leave it unclear who pays.
        if customer.pk is not None and customer.bill_to_id == customer.pk:
            errors["bill_to"] = _("Leave bill-to empty to bill the customer itself.")
        else:
            payer = Customer.objects.filter(pk=customer.bill_to_id).values("code", "bill_to__code").first()
            billed_for = (
                list(Customer.objects.filter(bill_to_id=customer.pk).values_list("code", flat=True)[:5])
                if customer.pk is not None
                else []
            )
            if payer and payer["bill_to__code"]:
                errors["bill_to"] = _(
                    "%(code)s is itself billed to %(payer)s; bill to %(payer)s directly."
                ) % {
                    "code": payer["code"],
                    "payer": payer["bill_to__code"],
                }
            elif billed_for:
                errors["bill_to"] = _(
                    "This customer pays the invoices of %(codes)s, so it cannot be billed to another one."
                ) % {"codes": ", ".join(billed_for)}
    for field, kind in (("billing_address", "billing"), ("default_delivery_address", "delivery")):
        address: Address | None = getattr(customer, field)
        if address is not None:
            if address.customer_id != customer.pk:
                errors[field] = _("This address belongs to another customer.")
            elif not getattr(address, kind) or not address.active:
                errors[field] = _("Choose an active %(kind)s address.") % {"kind": kind}
    return errors


def _check_status(customer: Customer) -> dict[str, str]:
    if customer.status in STATUSES_NEEDING_REASON and not customer.status_reason.strip():
        return {
            "status_reason": _(
                "A reason is required when the status is %(status)s; it is shown wherever "
                "the customer is selected."
            )
            % {"status": customer.get_status_display()}
        }
    return {}


def _check_fields(customer: Customer) -> dict[str, str]:
    """Rules between fields of one customer, which no single field validator can see."""
    errors = canadian_bank_errors(
        institution=customer.bank_institution, transit=customer.bank_transit, account=customer.bank_account
    )
    try:
        validate_website(customer.website)
    except ValidationError as exc:
        errors["website"] = exc.messages[0]
    if customer.subcontractor_status and not customer.is_subcontractor:
        errors["subcontractor_status"] = _("Only a subcontractor has a subcontractor status.")
    return errors


def _custom_values(
    record: Customer | Contact, target: str, values: Any, existing: dict[str, Any] | None
) -> dict[str, list[str]]:
    """Check the custom values given and set the record's (see carnet.customfields); their errors, which
    the caller reports with the record's others."""
    try:
        record.custom_fields = validate_custom_values(target, values or {}, existing=existing)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def _validate_customer(
    customer: Customer, custom_errors: dict[str, list[str]] | None = None, exclude: Iterable[str] = ()
) -> None:
    errors: dict[str, list[str]] = dict(custom_errors or {})
    try:
        _full_clean(customer, exclude)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    rules = {**_check_fields(customer), **_check_relations(customer), **_check_status(customer)}
    for field, message in rules.items():
        if message not in errors.get(field, []):
            errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)


def _ensure_code_free(code: str, exclude_id: int | None = None) -> None:
    others = Customer.objects.exclude(pk=exclude_id) if exclude_id is not None else Customer.objects.all()
    existing = others.filter(code=code).only("id", "code", "name").first()
    if existing is not None:
        raise CodeTaken(
            _("The code %(code)s belongs to %(name)s.") % {"code": code, "name": existing.name},
            existing={"id": str(existing.pk), "code": existing.code, "name": existing.name},
        )


def customer_twins(customer: Customer, contacts: Iterable[Mapping[str, Any]] = ()) -> list[Twin]:
    contacts = list(contacts)
    return find_twins(
        name=customer.name,
        email=customer.email,
        phone=customer.phone,
        business_numbers={f: getattr(customer, f) for f in BUSINESS_NUMBER_FIELDS},
        contact_emails=[c.get("email", "") for c in contacts],
        contact_phones=[c.get("phone", "") for c in contacts],
        exclude_id=customer.pk,
    )


def _default_company(actor: User | None, company: Company | None) -> Company | None:
    if company is not None:
        return company
    if actor is not None and actor.pk is not None:
        first = actor.visible_companies().first()
        if first is not None:
            return first
    return Company.objects.filter(code=MAIN_COMPANY_CODE).first()


@transaction.atomic
def create_customer(
    *,
    actor: User | None,
    data: Mapping[str, Any],
    acknowledge_duplicates: bool = False,
    company: Company | None = None,
) -> Customer:
    """Create a customer. A blank code is generated; a taken code is a CodeTaken conflict; likely twins
    raise DuplicatesFound unless acknowledged. The status defaults to the company's setting."""
    if actor is not None:
        require(actor, Action.CREATE_CUSTOMER)
    data = dict(data)
    categories = data.pop("categories", None)
    _check_unknown(data, CUSTOMER_FIELDS)
    customer = Customer(**data)
    custom_errors = _custom_values(customer, "customer", data.get("custom_fields"), existing=None)
    company = _default_company(actor, company)
    default_status = company.new_customer_status if company else Status.PROSPECT
    if not data.get("status"):
        customer.status = default_status
    # Giving a new customer a status that allows sales (other than the company's default) is a credit
    # decision: it needs the status permission, as changing the status later would.
    if (
        actor is not None
        and customer.status != default_status
        and customer.status not in _STATUSES_WITHOUT_SALES
    ):
        require(actor, Action.CHANGE_CUSTOMER_STATUS)
    _apply_categories(customer, categories if categories is not None else [Category.CUSTOMER])
    if (
        customer.assigned_to_id is None
        and actor is not None
        and actor.pk is not None
        and "assigned_to" not in data
    ):
        customer.assigned_to = actor
    customer.code = (customer.code or "").strip().upper()
    generate_code = not customer.code
    if generate_code:
        customer.code = "PENDING"  # a placeholder that passes the format check; replaced below
    _normalise_customer(customer)
    _validate_customer(customer, custom_errors)
    if not generate_code:
        _ensure_code_free(customer.code)
    if not acknowledge_duplicates:
        twins = customer_twins(customer)
        if twins:
            raise DuplicatesFound(
                _("This customer looks like %(n)d existing customer(s). Check them, or save anyway.")
                % {"n": len(twins)},
                duplicates=twins,
            )
    if generate_code:
        # Last, so that the sequence row stays locked (other creates wait) for as short a time as possible.
        customer.code = next_customer_code()
    customer.status_changed_at = timezone.now()
    customer._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        # Another request took the same code between our check and our insert.
        _ensure_code_free(customer.code)
        raise
    refresh_search_text(customer)
    events.emit(events.EventType.CUSTOMER_CREATED, customer=customer, data=events.customer_data(customer))
    return customer


def get_customer_for_update(customer_id: int | str) -> Customer:
    try:
        return Customer.objects.select_for_update().get(pk=int(customer_id))
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No customer has the id %(id)s.") % {"id": customer_id}) from None


@transaction.atomic
def update_customer(
    *,
    actor: User | None,
    customer_id: int | str,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> Customer:
    """Change a customer. A stale expected_version is a StaleVersion conflict and changes nothing."""
    if actor is not None:
        require(actor, Action.CHANGE_CUSTOMER)
    customer = get_customer_for_update(customer_id)
    _check_version(customer, expected_version)
    changes = dict(changes)
    categories = changes.pop("categories", None)
    _check_unknown(changes, CUSTOMER_FIELDS)
    before = {f: getattr(customer, f) for f in ("code", "status", "status_reason", "is_customer")}
    before["status_reason"] = (before["status_reason"] or "").strip()
    custom_before = dict(customer.custom_fields or {})
    for field, value in changes.items():
        setattr(customer, field, value)
    custom_errors = (
        _custom_values(customer, "customer", changes["custom_fields"], existing=custom_before)
        if "custom_fields" in changes
        else {}
    )
    if categories is not None:
        _apply_categories(customer, categories)
    _normalise_customer(customer)
    if customer.code != before["code"]:
        if actor is not None:
            require(actor, Action.CHANGE_CUSTOMER_CODE)
        if not customer.code:
            raise ValidationError({"code": _("A customer keeps a code; type a new one.")})
    if customer.status != before["status"]:
        if "status_reason" not in changes:
            # The reason explained the old status ("3 invoices over 60 days"); shown beside a new status
            # it would mislead, so a new status starts without one (and asks for one where required).
            customer.status_reason = ""
        customer.status_changed_at = timezone.now()
    if actor is not None and (
        customer.status != before["status"] or customer.status_reason != before["status_reason"]
    ):
        require(actor, Action.CHANGE_CUSTOMER_STATUS)
    if before["is_customer"] and not customer.is_customer and usage.has_sales(customer):
        raise ValidationError(
            {
                "categories": _(
                    "This customer has orders or invoices, so the Customer category cannot be removed."
                )
            }
        )
    _validate_customer(customer, custom_errors)
    if customer.code != before["code"]:
        _ensure_code_free(customer.code, exclude_id=customer.pk)
    customer.version += 1
    customer._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        # Another request took the new code between our check and our write.
        _ensure_code_free(customer.code, exclude_id=customer.pk)
        raise
    refresh_search_text(customer)
    events.customer_changed(
        customer,
        [*changes, *(["categories"] if categories is not None else [])],
        before_status=before["status"],
    )
    return customer


@transaction.atomic
def set_status(
    *,
    actor: User | None,
    customer_id: int | str,
    status: str,
    reason: str,
    expected_version: int | None = None,
) -> Customer:
    return update_customer(
        actor=actor,
        customer_id=customer_id,
        changes={"status": status, "status_reason": reason},
        expected_version=expected_version,
    )


@transaction.atomic
def delete_customer(*, actor: User | None, customer_id: int | str) -> None:
    """Delete an unused customer. A used one raises InUse with the reasons and the offer to close it."""
    if actor is not None:
        require(actor, Action.DELETE_CUSTOMER)
    customer = get_customer_for_update(customer_id)
    reasons = usage.customer_usage(customer)
    if reasons:
        raise InUse(
            _(
                "%(code)s is in use, so it cannot be deleted. Close it instead: it then leaves the active "
                "list and takes no new documents."
            )
            % {"code": customer.code},
            reasons=reasons,
            suggestion="close",
        )
    customer._history_user = actor  # type: ignore[attr-defined]
    Customer.objects.filter(pk=customer.pk).update(billing_address=None, default_delivery_address=None)
    deleted = events.customer_data(customer)
    customer_pk = customer.pk
    customer.delete()
    events.emit(events.EventType.CUSTOMER_DELETED, customer=customer_pk, data=deleted)


def memo(customer: Customer) -> list[str]:
    """The customer's memo: its pinned notes, newest first."""
    return list(
        customer.notes.filter(pinned=True).order_by("-created_at", "-id").values_list("text", flat=True)
    )


# --- addresses -----------------------------------------------------------------------------------


def _validate_address(address: Address, exclude: Callable[[Address], Iterable[str]] | None = None) -> None:
    address.country = (address.country or "").strip().upper()
    address.province = (address.province or "").strip().upper()
    address.postal_code = normalise_postal_code(address.country, address.postal_code)
    errors: dict[str, list[str]] = {}
    try:
        _full_clean(address, exclude=["customer", *(exclude(address) if exclude else ())])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for field, message in address_errors(
        country=address.country, province=address.province, postal_code=address.postal_code
    ).items():
        errors.setdefault(field, []).append(message)
    if not (address.billing or address.delivery):
        errors.setdefault("billing", []).append(_("An address is for billing, delivery, or both."))
    if address.main and not address.active:
        errors.setdefault("active", []).append(
            _("The main address stays active; make another address the main one first.")
        )
    if errors:
        raise ValidationError(errors)


def _check_address_overrides(customer: Customer, address: Address) -> None:
    """The customer's billing override and default delivery address must stay usable for their purpose."""
    errors: dict[str, str] = {}
    if customer.billing_address_id == address.pk and not (address.active and address.billing):
        errors["billing" if address.active else "active"] = _(
            "This is the customer's billing address; choose another billing address for the customer first."
        )
    if customer.default_delivery_address_id == address.pk and not (address.active and address.delivery):
        errors["delivery" if address.active else "active"] = _(
            "This is the customer's default delivery address; choose another one for the customer first."
        )
    if errors:
        raise ValidationError(errors)


def _save_each(rows: Any, actor: User | None, **values: Any) -> None:
    """Set the values on each row and save it, so that its history records the change and who made it
    (a queryset update writes no history). Used for the flags one part takes from the others: few rows."""
    for row in rows:
        for field, value in values.items():
            setattr(row, field, value)
        row.version += 1
        row._history_user = actor
        row.save(update_fields=[*values, "version"])


def _touch(customer: Customer) -> None:
    """A change to a part of the customer is a change of the customer: new version, fresh search text."""
    Customer.objects.filter(pk=customer.pk).update(version=customer.version + 1, updated_at=timezone.now())
    customer.version += 1
    refresh_search_text(customer)
    events.customer_changed(customer, [])


def _lock_customer(customer_id: int | str) -> Customer:
    return get_customer_for_update(customer_id)


@transaction.atomic
def add_address(*, actor: User | None, customer_id: int | str, data: Mapping[str, Any]) -> Address:
    """Add an address. The first one is the main address; a new main one takes over from the old."""
    if actor is not None:
        require(actor, Action.CHANGE_CUSTOMER)
    customer = _lock_customer(customer_id)
    _check_unknown(data, ADDRESS_FIELDS)
    data = dict(data)
    book = BookSettings.load()
    if not data.get("country"):
        data["country"] = book.default_country
        if "province" not in data and book.default_country == data["country"]:
            data["province"] = book.default_province
    address = Address(customer=customer, **data)
    has_main = customer.addresses.filter(main=True).exists()
    if not has_main:
        address.main = True
    _validate_address(address)
    if address.main and has_main:
        _save_each(customer.addresses.filter(main=True), actor, main=False)
    address._history_user = actor  # type: ignore[attr-defined]
    address.save()
    _touch(customer)
    return address


def _get_part(model: Any, part_id: int | str) -> Any:
    try:
        return model.objects.select_related("customer").get(pk=int(part_id))
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotFound(
            _("No %(kind)s has the id %(id)s.") % {"kind": model._meta.verbose_name, "id": part_id}
        ) from None


@transaction.atomic
def update_address(
    *,
    actor: User | None,
    address_id: int | str,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> Address:
    if actor is not None:
        require(actor, Action.CHANGE_CUSTOMER)
    address = _get_part(Address, address_id)
    customer = _lock_customer(address.customer_id)
    address = Address.objects.select_for_update().get(pk=address.pk)
    _check_version(address, expected_version)
    _check_unknown(changes, ADDRESS_FIELDS)
    was_main = address.main
    for field, value in changes.items():
        setattr(address, field, value)
    if was_main and not address.main:
        raise ValidationError(
            {"main": _("A customer has exactly one main address: make another address the main one instead.")}
        )
    if address.active and not address.main and not customer.addresses.filter(main=True).exists():
        # A customer whose addresses were all inactive has no main one: the first to come back takes it.
        address.main = True
    _validate_address(address)
    _check_address_overrides(customer, address)
    if address.main and not was_main:
        _save_each(customer.addresses.filter(main=True).exclude(pk=address.pk), actor, main=False)
    address.version += 1
    address._history_user = actor  # type: ignore[attr-defined]
    address.save()
    _touch(customer)
    return address


@transaction.atomic
def remove_address(*, actor: User | None, address_id: int | str) -> str:
    """Delete an unused address, or make a used one inactive. Answers "deleted" or "deactivated"."""
    if actor is not None:
        require(actor, Action.CHANGE_CUSTOMER)
    address = _get_part(Address, address_id)
    customer = _lock_customer(address.customer_id)
    reasons = usage.address_usage(address)
    others = customer.addresses.active().exclude(pk=address.pk).order_by("id")
    successor = others.first() if address.main else None
    if address.main and successor is None and reasons:
        raise RuleViolation(
            _("This is the only active address and it is used on documents: add another address first.")
        )
    address._history_user = actor  # type: ignore[attr-defined]
    if reasons:
        address.active = False
        address.main = False
        address.version += 1
        address.save()
        # An inactive address takes no new documents, so it no longer serves as the customer's default.
        cleared = [
            field
            for field in ("billing_address", "default_delivery_address")
            if getattr(customer, f"{field}_id") == address.pk
        ]
        if cleared:
            for field in cleared:
                setattr(customer, field, None)
            customer._history_user = actor  # type: ignore[attr-defined]
            customer.save(update_fields=cleared)
        outcome = "deactivated"
    else:
        address.delete()
        outcome = "deleted"
    if successor is not None:  # the main address went: the oldest active one takes its place
        _save_each([successor], actor, main=True)
    _touch(customer)
    return outcome


# --- contacts ------------------------------------------------------------------------------------


def _validate_contact(
    contact: Contact,
    custom_errors: dict[str, list[str]] | None = None,
    exclude: Callable[[Contact], Iterable[str]] | None = None,
) -> None:
    contact.email = (contact.email or "").strip().lower()
    errors: dict[str, list[str]] = dict(custom_errors or {})
    for field in ("phone", "mobile"):
        value = getattr(contact, field)
        if value:
            try:
                setattr(contact, field, normalise_phone(value))
            except ValidationError as exc:
                errors[field] = exc.messages
    try:
        _full_clean(contact, exclude=["customer", *errors, *(exclude(contact) if exclude else ())])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if not contact.active and (contact.is_default or contact.is_billing):
        errors.setdefault("active", []).append(
            _("An inactive contact cannot be the default or billing contact.")
        )
    if contact.invoice_copy and not contact.email and "email" not in errors:
        # Copies of invoices go out by email: a copy contact without one would silently get nothing.
        errors["email"] = [_("A contact who receives invoices in copy needs an email address.")]
    if errors:
        raise ValidationError(errors)


def _take_over_flags(contact: Contact, actor: User | None) -> None:
    """At most one default and one billing contact: the contact that takes a flag takes it from the other."""
    others = Contact.objects.filter(customer_id=contact.customer_id).exclude(pk=contact.pk)
    if contact.is_default:
        _save_each(others.filter(is_default=True), actor, is_default=False)
    if contact.is_billing:
        _save_each(others.filter(is_billing=True), actor, is_billing=False)


@transaction.atomic
def add_contact(*, actor: User | None, customer_id: int | str, data: Mapping[str, Any]) -> Contact:
    if actor is not None:
        require(actor, Action.CHANGE_CUSTOMER)
    customer = _lock_customer(customer_id)
    _check_unknown(data, CONTACT_FIELDS)
    contact = Contact(customer=customer, **data)
    custom_errors = _custom_values(contact, "contact", data.get("custom_fields"), existing=None)
    _validate_contact(contact, custom_errors)
    _take_over_flags(contact, actor)
    contact._history_user = actor  # type: ignore[attr-defined]
    contact.save()
    _touch(customer)
    return contact


@transaction.atomic
def update_contact(
    *,
    actor: User | None,
    contact_id: int | str,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> Contact:
    if actor is not None:
        require(actor, Action.CHANGE_CUSTOMER)
    contact = _get_part(Contact, contact_id)
    customer = _lock_customer(contact.customer_id)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    _check_version(contact, expected_version)
    _check_unknown(changes, CONTACT_FIELDS)
    custom_before = dict(contact.custom_fields or {})
    for field, value in changes.items():
        setattr(contact, field, value)
    custom_errors = (
        _custom_values(contact, "contact", changes["custom_fields"], existing=custom_before)
        if "custom_fields" in changes
        else {}
    )
    _validate_contact(contact, custom_errors)
    _take_over_flags(contact, actor)
    contact.version += 1
    contact._history_user = actor  # type: ignore[attr-defined]
    contact.save()
    _touch(customer)
    return contact


@transaction.atomic
def remove_contact(*, actor: User | None, contact_id: int | str) -> str:
    """Delete an unused contact, or make a used one inactive. Answers "deleted" or "deactivated"."""
    if actor is not None:
        require(actor, Action.CHANGE_CUSTOMER)
    contact = _get_part(Contact, contact_id)
    customer = _lock_customer(contact.customer_id)
    contact._history_user = actor  # type: ignore[attr-defined]
    if usage.contact_usage(contact):
        contact.active = False
        contact.is_default = False
        contact.is_billing = False
        contact.version += 1
        contact.save()
        outcome = "deactivated"
    else:
        contact.delete()
        outcome = "deleted"
    _touch(customer)
    return outcome


# --- notes ---------------------------------------------------------------------------------------


def note_category(code: str | None, keep: NoteCategory | None = None) -> NoteCategory:
    """The category of a note by its code; an inactive one is refused unless it is `keep`, the note's own."""
    code = code or NoteCategory.GENERAL
    category = NoteCategory.objects.filter(code=code).first()
    if category is None:
        if code == NoteCategory.GENERAL:
            return NoteCategory.objects.create(code=code, label_en="General", label_fr="Général")
        known = ", ".join(NoteCategory.objects.filter(active=True).values_list("code", flat=True))
        raise ValidationError(
            {"category": _("Unknown note category; use one of: %(known)s.") % {"known": known}}
        )
    if not category.active and category != keep:
        known = ", ".join(NoteCategory.objects.filter(active=True).values_list("code", flat=True))
        raise ValidationError(
            {
                "category": _("The note category %(code)s is no longer in use; use one of: %(known)s.")
                % {"code": code, "known": known}
            }
        )
    return category


def _validate_note(note: Note) -> None:
    note.text = (note.text or "").strip()
    try:
        _full_clean(note, exclude=["customer", "category", "author"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


@transaction.atomic
def add_note(*, actor: User | None, customer_id: int | str, data: Mapping[str, Any]) -> Note:
    if actor is not None:
        require(actor, Action.CHANGE_CUSTOMER)
    customer = _lock_customer(customer_id)
    _check_unknown(data, NOTE_FIELDS)
    data = dict(data)
    category = data.pop("category", None)
    note = Note(customer=customer, author=actor if actor and actor.pk else None, **data)
    note.category = category if isinstance(category, NoteCategory) else note_category(category)
    _validate_note(note)
    note._history_user = actor  # type: ignore[attr-defined]
    note.save()
    _touch(customer)
    return note


@transaction.atomic
def update_note(
    *, actor: User | None, note_id: int | str, changes: Mapping[str, Any], expected_version: int | None = None
) -> Note:
    if actor is not None:
        require(actor, Action.CHANGE_CUSTOMER)
    note = _get_part(Note, note_id)
    customer = _lock_customer(note.customer_id)
    note = Note.objects.select_for_update().get(pk=note.pk)
    _check_version(note, expected_version)
    _check_unknown(changes, NOTE_FIELDS)
    changes = dict(changes)
    if "category" in changes:
        category = changes.pop("category")
        note.category = (
            category if isinstance(category, NoteCategory) else note_category(category, keep=note.category)
        )
    for field, value in changes.items():
        setattr(note, field, value)
    _validate_note(note)
    note.version += 1
    note._history_user = actor  # type: ignore[attr-defined]
    note.save()
    _touch(customer)
    return note


@transaction.atomic
def delete_note(*, actor: User | None, note_id: int | str) -> None:
    if actor is not None:
        require(actor, Action.CHANGE_CUSTOMER)
    note = _get_part(Note, note_id)
    customer = _lock_customer(note.customer_id)
    note._history_user = actor  # type: ignore[attr-defined]
    note.delete()
    _touch(customer)


# --- book settings -------------------------------------------------------------------------------

BOOK_SETTINGS_FIELDS = frozenset(
    {"code_prefix", "code_digits", "next_code_number", "default_country", "default_province"}
)
CODE_SETTINGS = frozenset({"code_prefix", "code_digits", "next_code_number"})
ADDRESS_DEFAULTS = frozenset({"default_country", "default_province"})
CODE_DIGITS_MIN = 3
CODE_DIGITS_MAX = 12
CODE_PREFIX_MAX = 10
_CODE_PREFIX_RE = re.compile(r"^[A-Z0-9]*$")
_TEXT_SETTINGS = ("code_prefix", "default_country", "default_province")


def format_customer_code(prefix: str, digits: int, number: int) -> str:
    """The code the generator makes of a prefix, a number of digits and a number: C, 5, 124 → C00124."""
    return f"{prefix}{number:0{digits}d}".upper()


def highest_generated_code(prefix: str, digits: int) -> tuple[str, int] | None:
    """The existing customer code with the highest number the generator could have made from this prefix
    and number of digits (C00123 for C and 5; C100000 too, once the numbers outgrew their digits)."""
    prefix = prefix.upper()
    pattern = rf"^{re.escape(prefix)}([0-9]{{{digits}}}|[1-9][0-9]{{{digits},}})$"
    code = (
        Customer.objects.filter(code__regex=pattern)
        .annotate(code_length=Length("code"))
        .order_by("-code_length", "-code")
        .values_list("code", flat=True)
        .first()
    )
    return None if code is None else (code, int(code[len(prefix) :]))


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def code_settings_errors(prefix: str, digits: Any, number: Any) -> dict[str, str]:
    """What is wrong with a code prefix, number of digits and next number taken together, by field."""
    errors: dict[str, str] = {}
    if len(prefix) > CODE_PREFIX_MAX:
        errors["code_prefix"] = _("A prefix has at most %(n)d characters.") % {"n": CODE_PREFIX_MAX}
    elif not _CODE_PREFIX_RE.match(prefix.upper()):
        errors["code_prefix"] = _("A prefix holds only letters and digits (C, CL, 26), or nothing.")
    if not _is_whole(digits) or not CODE_DIGITS_MIN <= digits <= CODE_DIGITS_MAX:
        errors["code_digits"] = _("Choose between %(min)d and %(max)d digits.") % {
            "min": CODE_DIGITS_MIN,
            "max": CODE_DIGITS_MAX,
        }
    if not _is_whole(number) or number < 1:
        errors["next_code_number"] = _("The next number is a whole number, 1 or more.")
    if errors:
        return errors
    if number >= 10**digits:
        errors["next_code_number"] = _(
            "With %(digits)d digits, numbers go up to %(max)s: add digits or choose a smaller number."
        ) % {"digits": digits, "max": 10**digits - 1}
        return errors
    used = highest_generated_code(prefix, digits)
    if used is not None and number <= used[1]:
        errors["next_code_number"] = _(
            "The code %(code)s is already used: the next number must be %(min)d or more."
        ) % {"code": used[0], "min": used[1] + 1}
    return errors


def default_address_errors(country: str, province: str) -> dict[str, str]:
    """The default country and province follow the rules of an address's (province required only where
    the country's addresses need one, and one of its subdivisions)."""
    errors = address_errors(country=country, province=province, postal_code="")
    return {
        f"default_{field}": message for field, message in errors.items() if field in {"country", "province"}
    }


def preview_customer_code(prefix: str, digits: int, number: int) -> str:
    """The code the next customer created with a blank code would get: taken codes are skipped, as the
    generator skips them. Reads only; the generator's lock decides for real."""
    while True:
        batch = [format_customer_code(prefix, digits, n) for n in range(number, number + 50)]
        taken = set(Customer.objects.filter(code__in=batch).values_list("code", flat=True))
        free = next((code for code in batch if code not in taken), None)
        if free is not None:
            return free
        number += len(batch)


def book_settings_for_update() -> BookSettings:
    """The settings row, locked until the end of the transaction (as next_customer_code locks it)."""
    book = BookSettings.objects.select_for_update().filter(pk=1).first()
    if book is None:
        BookSettings.load()
        book = BookSettings.objects.select_for_update().get(pk=1)
    return book


@transaction.atomic
def update_book_settings(*, actor: User | None, changes: Mapping[str, Any]) -> BookSettings:
    """Change the settings of the customer book. Only the settings given change; a changed setting is
    checked with those it depends on (the code prefix, digits and next number together; the default
    country and province together). Any error changes nothing. The row is locked as the code generator
    locks it, so no customer takes a number while the sequence moves."""
    if actor is not None:
        require(actor, Action.MANAGE_SETTINGS)
    _check_unknown(changes, BOOK_SETTINGS_FIELDS)
    book = book_settings_for_update()
    values: dict[str, Any] = {field: getattr(book, field) for field in BOOK_SETTINGS_FIELDS}
    for field, value in changes.items():
        values[field] = str(value or "").strip().upper() if field in _TEXT_SETTINGS else value
    changed = {field for field in BOOK_SETTINGS_FIELDS if values[field] != getattr(book, field)}
    errors: dict[str, str] = {}
    # A setting left as it is is not judged again: a code typed by hand may sit above the sequence.
    if changed & CODE_SETTINGS:
        errors.update(
            code_settings_errors(values["code_prefix"], values["code_digits"], values["next_code_number"])
        )
    if changed & ADDRESS_DEFAULTS:
        errors.update(default_address_errors(values["default_country"], values["default_province"]))
    if errors:
        raise ValidationError(errors)
    for field in changed:
        setattr(book, field, values[field])
    if changed:
        book.save(update_fields=sorted(changed))
    return book


# --- note categories -----------------------------------------------------------------------------

NOTE_CATEGORY_FIELDS = frozenset({"code", "label_en", "label_fr", "position", "active"})
_NOTE_CATEGORY_CODE_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


def note_categories_with_usage() -> QuerySet[NoteCategory]:
    """Every note category, in order, with `note_count`: how many notes have it."""
    return NoteCategory.objects.annotate(note_count=Count("notes")).order_by("position", "code")


def _note_category_for_update(code: str) -> NoteCategory:
    category = NoteCategory.objects.select_for_update().filter(code=str(code or "").strip().lower()).first()
    if category is None:
        raise NotFound(_("No note category has the code %(code)s.") % {"code": code})
    return category


def _validate_note_category(category: NoteCategory) -> None:
    errors: dict[str, list[str]] = {}
    if not category.code:
        errors["code"] = [_("Give the category a code, such as quality.")]
    elif not _NOTE_CATEGORY_CODE_RE.match(category.code):
        errors["code"] = [
            _("A code holds lower-case letters and digits, with - or _ between words (quality, after-sales).")
        ]
    names = {
        "label_en": _("Give the category a name in English."),
        "label_fr": _("Give it a name in French."),
    }
    for field, message in names.items():
        label = getattr(category, field)
        if not label:
            errors[field] = [message]
            continue
        twin = (
            NoteCategory.objects.filter(**{f"{field}__iexact": label}).exclude(pk=category.pk).first()
            if category.pk is not None
            else NoteCategory.objects.filter(**{f"{field}__iexact": label}).first()
        )
        if twin is not None:
            errors[field] = [
                _("The category %(code)s already has this name; choose another.") % {"code": twin.code}
            ]
    if category.code == NoteCategory.GENERAL and not category.active:
        errors["active"] = [_("The general category takes every note given no category: it stays active.")]
    try:
        category.full_clean(exclude=list(errors), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _ensure_note_category_code_free(code: str) -> None:
    existing = NoteCategory.objects.filter(code=code).first()
    if existing is not None:
        raise CodeTaken(
            _("The code %(code)s belongs to the category %(name)s.")
            % {"code": code, "name": existing.label()},
            existing={"code": existing.code, "label_en": existing.label_en, "label_fr": existing.label_fr},
        )


@transaction.atomic
def create_note_category(*, actor: User | None, data: Mapping[str, Any]) -> NoteCategory:
    """Add a note category. Its code is a slug, unique (a taken one is a CodeTaken conflict); one name is
    enough, the other language shows it until someone translates it. It goes last unless given a position."""
    if actor is not None:
        require(actor, Action.MANAGE_SETTINGS)
    _check_unknown(data, NOTE_CATEGORY_FIELDS)
    label_en = str(data.get("label_en") or "").strip()
    label_fr = str(data.get("label_fr") or "").strip()
    position = data.get("position")
    if position is None:
        position = (NoteCategory.objects.aggregate(last=Max("position"))["last"] or 0) + 1
    category = NoteCategory(
        code=str(data.get("code") or "").strip().lower(),
        label_en=label_en or label_fr,
        label_fr=label_fr or label_en,
        position=position,
        active=data.get("active", True),
    )
    _validate_note_category(category)
    _ensure_note_category_code_free(category.code)
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        # Another request took the same code between our check and our insert.
        _ensure_note_category_code_free(category.code)
        raise
    return category


@transaction.atomic
def update_note_category(*, actor: User | None, code: str, changes: Mapping[str, Any]) -> NoteCategory:
    """Rename a category, move it, or (de)activate it. Its code stays: notes and clients name it by it."""
    if actor is not None:
        require(actor, Action.MANAGE_SETTINGS)
    _check_unknown(changes, NOTE_CATEGORY_FIELDS)
    category = _note_category_for_update(code)
    changes = dict(changes)
    if "code" in changes and str(changes.pop("code") or "").strip().lower() != category.code:
        raise ValidationError(
            {
                "code": _(
                    "A category keeps its code, by which notes and clients name it; add a new one instead."
                )
            }
        )
    for field, value in changes.items():
        setattr(category, field, str(value or "").strip() if field in {"label_en", "label_fr"} else value)
    _validate_note_category(category)
    category.save()
    return category


def set_note_category_active(*, actor: User | None, code: str, active: bool) -> NoteCategory:
    """Deactivate a category (no longer offered for new notes; its notes keep it), or reactivate it."""
    return update_note_category(actor=actor, code=code, changes={"active": active})


@transaction.atomic
def delete_note_category(*, actor: User | None, code: str) -> None:
    """Delete an unused category. The general one always stays; a used one raises InUse: deactivate it."""
    if actor is not None:
        require(actor, Action.MANAGE_SETTINGS)
    category = _note_category_for_update(code)
    if category.code == NoteCategory.GENERAL:
        raise RuleViolation(_("The general category cannot be deleted: notes given no category go to it."))
    count = category.notes.count()
    if count:
        raise InUse(
            _(
                "The category %(code)s is in use, so it cannot be deleted. Deactivate it instead: it is "
                "then no longer offered for new notes, and its notes keep it."
            )
            % {"code": category.code},
            reasons=[ngettext("%(n)d note has it.", "%(n)d notes have it.", count) % {"n": count}],
            suggestion="deactivate",
        )
    category.delete()


# --- checks for imports --------------------------------------------------------------------------
# An import validates every row the way the services above do, then writes the rows in batches. These
# are the services' own normalisation and rules, without the saving.


def apply_categories(customer: Customer, categories: Iterable[str]) -> None:
    """Set the category flags from category names, as create and update do (ValidationError otherwise)."""
    _apply_categories(customer, categories)


def check_customer(customer: Customer, checked: Callable[[Customer], Iterable[str]] | None = None) -> None:
    """Normalise a customer and raise ValidationError (by field) for every rule it breaks, as create and
    update do before saving; uniqueness of the code is the caller's to check. `checked(customer)`, asked
    once the values are normalised, names fields whose values already passed their field's checks (an
    import checking thousands of rows with the same language or currency): those are not checked again."""
    _normalise_customer(customer)
    _validate_customer(customer, exclude=checked(customer) if checked else ())


def relation_errors(customer: Customer) -> dict[str, str]:
    """What is wrong with the customer's parent company, bill-to customer and default addresses (these
    read the saved customers, so an import checks them once the rows they name are written)."""
    return _check_relations(customer)


def check_address(address: Address, checked: Callable[[Address], Iterable[str]] | None = None) -> None:
    """Normalise an address and raise ValidationError (by field) for every rule it breaks (`checked`: as
    for check_customer)."""
    _validate_address(address, checked)


def check_contact(contact: Contact, checked: Callable[[Contact], Iterable[str]] | None = None) -> None:
    """Normalise a contact and raise ValidationError (by field) for every rule it breaks (`checked`: as
    for check_customer)."""
    _validate_contact(contact, exclude=checked)
