"""The JSON shapes of the customer book's API: what clients send and what they get back.

Write bodies forbid unknown fields, so that a misspelt field is refused instead of silently ignored.
Ids travel as strings, money as decimal strings with two places, times with their time zone.
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import Model
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field

from .choices import (
    Category,
    InvoiceDelivery,
    InvoiceState,
    Language,
    PaymentAdvice,
    PaymentMethod,
    ShipperIdentification,
    Status,
)
from .models import Address, Contact, Customer, Note

CENT = Decimal("0.01")


def _id_as_text(value: Any) -> Any:
    # Ids are strings in answers; clients that send them back as numbers are understood all the same.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Id = Annotated[str, BeforeValidator(_id_as_text), Field(description="An id, as a string.", examples=["42"])]


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(CENT))


def _id(value: Model | int | None) -> str | None:
    if value is None:
        return None
    return str(value.pk if isinstance(value, Model) else value)


# --- errors --------------------------------------------------------------------------------------


class FieldError(Schema):
    field: str = Field(description="The field at fault ('' when the error is about the whole request).")
    message: str


class Problem(Schema):
    """An application/problem+json answer (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


class CustomerRef(Schema):
    id: Id
    code: str
    name: str


class Twin(CustomerRef):
    why: str = Field(
        description="Why it looks like the new customer: similar name, same email, phone, number."
    )


class Conflict(Problem):
    """A 409: a stale version, a taken code, likely duplicates, or a record in use."""

    current_version: int | None = Field(None, description="Stale version: the version now stored.")
    existing: CustomerRef | None = Field(None, description="Code taken: the customer that has it.")
    duplicates: list[Twin] | None = Field(
        None, description="Likely twins; resend with acknowledge_duplicates."
    )
    reasons: list[str] | None = Field(None, description="In use: why the record cannot be deleted.")
    suggestion: Literal["close"] | None = Field(None, description="In use: what to do instead.")


# --- addresses -----------------------------------------------------------------------------------


class AddressWrite(Schema):
    model_config = ConfigDict(extra="forbid")

    label: str | None = None
    line1: str
    line2: str | None = None
    city: str
    province: str | None = Field(
        None,
        description="ISO 3166-2 subdivision code (QC, ON, CA…); required "
        "where the country uses them in addresses.",
    )
    postal_code: str | None = None
    country: str | None = Field(
        None, description="ISO 3166 alpha-2; the book's default country when omitted."
    )
    billing: bool = True
    delivery: bool = True
    main: bool = Field(False, description="The customer's first address is the main one whatever this says.")
    active: bool = True


class AddressUpdate(AddressWrite):
    version: int | None = Field(
        None, description="The version read; a stale one is a 409 (same as If-Match)."
    )


class AddressOut(Schema):
    id: Id
    customer: Id
    label: str
    line1: str
    line2: str
    city: str
    province: str
    postal_code: str
    country: str
    billing: bool
    delivery: bool
    main: bool
    active: bool
    map_url: str
    version: int
    created_at: datetime

    @staticmethod
    def resolve_id(obj: Address) -> str:
        return str(obj.pk)

    @staticmethod
    def resolve_customer(obj: Address) -> str:
        return str(obj.customer_id)

    @staticmethod
    def resolve_map_url(obj: Address) -> str:
        return obj.map_url()


# --- contacts ------------------------------------------------------------------------------------

# JSON names of contact flags → model fields.
CONTACT_FLAG_FIELDS = {"default": "is_default", "billing": "is_billing"}


class ContactWrite(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    default: bool = Field(False, description="The default contact; taking it unsets the previous one.")
    billing: bool = Field(False, description="The billing contact; taking it unsets the previous one.")
    invoice_copy: bool = Field(False, description="Receives invoices by email in copy.")
    active: bool = True
    custom_fields: dict[str, Any] | None = Field(
        None,
        description="Values of the custom fields, by key (see /api/v1/custom-fields); on a change only "
        "the keys sent change, null clears one. Checked by the field's type; an unknown key is a 422.",
    )


class ContactUpdate(ContactWrite):
    version: int | None = Field(
        None, description="The version read; a stale one is a 409 (same as If-Match)."
    )


class ContactOut(Schema):
    id: Id
    customer: Id
    name: str
    role: str
    email: str
    phone: str
    mobile: str
    default: bool
    billing: bool
    invoice_copy: bool
    active: bool
    custom_fields: dict[str, Any] = Field(
        description="Values of the custom fields, by key (see /api/v1/custom-fields); a field without "
        "a value is absent."
    )
    version: int
    created_at: datetime

    @staticmethod
    def resolve_id(obj: Contact) -> str:
        return str(obj.pk)

    @staticmethod
    def resolve_customer(obj: Contact) -> str:
        return str(obj.customer_id)

    @staticmethod
    def resolve_default(obj: Contact) -> bool:
        return obj.is_default

    @staticmethod
    def resolve_billing(obj: Contact) -> bool:
        return obj.is_billing


# --- notes ---------------------------------------------------------------------------------------


class NoteWrite(Schema):
    model_config = ConfigDict(extra="forbid")

    category: str | None = Field(None, description="A note category code; 'general' when omitted.")
    text: str
    pinned: bool = Field(False, description="Pinned notes form the customer's memo.")


class NoteUpdate(NoteWrite):
    version: int | None = Field(
        None, description="The version read; a stale one is a 409 (same as If-Match)."
    )


class NoteOut(Schema):
    id: Id
    customer: Id
    category: str
    text: str
    pinned: bool
    author: str | None = Field(description="The author's username.")
    version: int
    created_at: datetime

    @staticmethod
    def resolve_id(obj: Note) -> str:
        return str(obj.pk)

    @staticmethod
    def resolve_customer(obj: Note) -> str:
        return str(obj.customer_id)

    @staticmethod
    def resolve_category(obj: Note) -> str:
        return obj.category.code

    @staticmethod
    def resolve_author(obj: Note) -> str | None:
        return obj.author.username if obj.author is not None else None


# --- customers -----------------------------------------------------------------------------------


class CustomerWrite(Schema):
    """Every field a client may set on a customer. Omitted fields keep their default (create) or value."""

    model_config = ConfigDict(extra="forbid")

    # Identity
    code: str | None = Field(
        None, description="Unique; generated from the book's prefix and sequence when blank."
    )
    name: str
    legal_name: str | None = None
    parent: Id | None = Field(None, description="The parent company's customer id.")
    categories: list[Category] | None = Field(None, description='Default: ["customer"].')
    subcontractor_status: Status | Literal[""] | None = None
    intercompany: bool = False
    key_account: bool = False
    nurturing: bool = False
    assigned_to: str | None = Field(None, description="A username; the creating user when omitted.")
    team: str | None = None
    external_code: str | None = None
    language: Language = Language.FRENCH
    currency: str = Field("CAD", description="ISO 4217.")
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    vat_number: str | None = Field(None, description="EU VAT number, check digits verified.")
    gst_number: str | None = Field(None, description="GST/HST: business number 123456782 RT0001.")
    qst_number: str | None = Field(None, description="QST: 1234567890 TQ0001.")
    siren: str | None = None
    siret: str | None = None
    neq: str | None = None
    ein: str | None = None
    # Status
    status: Status | None = Field(None, description="Default: the company's setting for new customers.")
    status_reason: str | None = Field(None, description="Required for warning, blocked and closed.")
    # Billing and payment
    payment_terms_days: int = Field(30, description="Net days, 0 to 365.")
    payment_method_in: PaymentMethod | Literal[""] | None = None
    payment_method_out: PaymentMethod | Literal[""] | None = None
    invoice_delivery: InvoiceDelivery = InvoiceDelivery.EMAIL
    invoice_copies: int = 1
    payment_advice: PaymentAdvice = PaymentAdvice.EMAIL
    no_statements: bool = False
    bill_to: Id | None = Field(None, description="The customer id billed instead of this one.")
    billing_address: Id | None = Field(None, description="An address id of this customer (billing override).")
    default_delivery_address: Id | None = Field(None, description="An address id of this customer.")
    bank_name: str | None = None
    bank_address: str | None = None
    bank_phone: str | None = None
    iban: str | None = None
    bic: str | None = None
    bank_institution: str | None = Field(None, description="Canadian institution number, 3 digits.")
    bank_transit: str | None = Field(None, description="Canadian transit number, 5 digits.")
    bank_account: str | None = Field(None, description="Canadian account number, 7 to 12 digits.")
    tax_code: str | None = None
    exempt_state: bool = False
    exempt_school: bool = False
    exempt_county: bool = False
    exempt_local: bool = False
    exempt_parish: bool = False
    exempt_city: bool = False
    default_gl_account: str | None = None
    default_invoice_state: InvoiceState = InvoiceState.POSTED
    show_holdback: bool = False
    shipper_identification: ShipperIdentification = ShipperIdentification.STANDARD
    order_label: str | None = None
    order_comment: str | None = None
    edi_type: str | None = None
    edi_reference: str | None = None
    max_order_amount: Decimal | None = Field(None, description='Money, as a decimal string: "5000.00".')
    # Bookkeeping
    created_at: datetime | None = Field(None, description="Set automatically when omitted; editable.")
    custom_fields: dict[str, Any] | None = Field(
        None,
        description="Values of the custom fields, by key (see /api/v1/custom-fields); on a change only "
        "the keys sent change, null clears one. Checked by the field's type; an unknown key is a 422.",
    )


class CustomerCreate(CustomerWrite):
    acknowledge_duplicates: bool = Field(
        False, description="Create it even though it looks like existing customers (answered 409 otherwise)."
    )
    company: str | None = Field(
        None, description="A company code; its setting gives the status when none is sent. Default: yours."
    )


class CustomerUpdate(CustomerWrite):
    version: int | None = Field(
        None, description="The version read; a stale one is a 409 (same as If-Match)."
    )


class CustomerOut(Schema):
    id: Id
    code: str
    name: str
    legal_name: str
    parent: Id | None
    categories: list[Category]
    subcontractor_status: str
    intercompany: bool
    key_account: bool
    nurturing: bool
    assigned_to: str | None = Field(description="A username.")
    team: str
    external_code: str
    language: Language
    currency: str
    website: str
    email: str
    phone: str
    vat_number: str
    gst_number: str
    qst_number: str
    siren: str
    siret: str
    neq: str
    ein: str
    status: Status
    status_reason: str
    status_changed_at: datetime | None
    active: bool = Field(description="Not closed.")
    payment_terms_days: int
    payment_method_in: str
    payment_method_out: str
    invoice_delivery: InvoiceDelivery
    invoice_copies: int
    payment_advice: PaymentAdvice
    no_statements: bool
    bill_to: Id | None
    billing_address: Id | None
    default_delivery_address: Id | None
    bank_name: str
    bank_address: str
    bank_phone: str
    iban: str
    bic: str
    bank_institution: str
    bank_transit: str
    bank_account: str
    tax_code: str
    exempt_state: bool
    exempt_school: bool
    exempt_county: bool
    exempt_local: bool
    exempt_parish: bool
    exempt_city: bool
    default_gl_account: str
    default_invoice_state: InvoiceState
    show_holdback: bool
    shipper_identification: ShipperIdentification
    order_label: str
    order_comment: str
    edi_type: str
    edi_reference: str
    max_order_amount: str | None = Field(description="Money, as a decimal string with two places.")
    memo: list[str] = Field(description="The pinned notes, newest first.")
    custom_fields: dict[str, Any] = Field(
        description="Values of the custom fields, by key (see /api/v1/custom-fields); a field without "
        "a value is absent."
    )
    main_address: AddressOut | None
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_id(obj: Customer) -> str:
        return str(obj.pk)

    @staticmethod
    def resolve_parent(obj: Customer) -> str | None:
        return _id(obj.parent_id)

    @staticmethod
    def resolve_bill_to(obj: Customer) -> str | None:
        return _id(obj.bill_to_id)

    @staticmethod
    def resolve_billing_address(obj: Customer) -> str | None:
        return _id(obj.billing_address_id)

    @staticmethod
    def resolve_default_delivery_address(obj: Customer) -> str | None:
        return _id(obj.default_delivery_address_id)

    @staticmethod
    def resolve_assigned_to(obj: Customer) -> str | None:
        return obj.assigned_to.username if obj.assigned_to_id is not None and obj.assigned_to else None

    @staticmethod
    def resolve_active(obj: Customer) -> bool:
        return obj.is_active

    @staticmethod
    def resolve_max_order_amount(obj: Customer) -> str | None:
        return money(obj.max_order_amount)

    @staticmethod
    def resolve_memo(obj: Customer) -> list[str]:
        pinned = getattr(obj, "pinned_notes", None)
        if pinned is None:
            pinned = obj.notes.filter(pinned=True).order_by("-created_at", "-id")
        return [note.text for note in pinned]

    @staticmethod
    def resolve_main_address(obj: Customer) -> Address | None:
        prefetched = getattr(obj, "main_addresses", None)
        if prefetched is not None:
            return prefetched[0] if prefetched else None
        return obj.addresses.filter(main=True).first()


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class AddressPage(Schema):
    items: list[AddressOut]
    next_cursor: str | None


class ContactPage(Schema):
    items: list[ContactOut]
    next_cursor: str | None


class NotePage(Schema):
    items: list[NoteOut]
    next_cursor: str | None


class Outcome(Schema):
    outcome: Literal["deactivated"] = Field(
        description="Used on documents: made inactive instead of deleted."
    )


class CustomerListQuery(Schema):
    q: str = Field(
        "",
        description="Type-ahead search: code, name, contacts, email, phone digits, city, "
        "business numbers. Every word must match.",
    )
    status: list[str] = Field([], description="Repeat it or separate with commas: status=warning,blocked.")
    category: str = Field("", description="customer, prospect, partner or subcontractor.")
    external_code: str = ""
    code: str = ""
    active: Literal["true", "false", "all"] | None = Field(
        None,
        description="true: not closed (the default when no status is given); false: closed only; all: both. "
        "When status is given and active is not, the status alone decides.",
    )
    key_account: bool | None = None
    assigned_to: str = Field("", description="A username.")
    sort: str = Field(
        "name", description="name, code, created, updated, status; '-' in front for descending."
    )
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = None
