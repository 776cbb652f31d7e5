"""The customer book's API: customers, addresses, contacts, notes.

Handlers parse, call carnet.customers.services (which check permissions and every rule in one
transaction) and serialise. Reads check the view permission here, as there is no service for them.
"""

import re
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, PatchDict, Query, Router, Status
from ninja.errors import ValidationError as SchemaValidationError

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.errors import NotFound
from carnet.pagination import paginate

from . import services
from .models import Address, Contact, Customer, Note
from .queries import SORTS, CustomerFilters, filter_customers, with_main_address
from .schemas import (
    CONTACT_FLAG_FIELDS,
    AddressOut,
    AddressPage,
    AddressUpdate,
    AddressWrite,
    Conflict,
    ContactOut,
    ContactPage,
    ContactUpdate,
    ContactWrite,
    CustomerCreate,
    CustomerListQuery,
    CustomerOut,
    CustomerPage,
    CustomerUpdate,
    NoteOut,
    NotePage,
    NoteUpdate,
    NoteWrite,
    Outcome,
    Problem,
)
from .search import narrows_by_index

router = Router(tags=["customers"])

READ_ERRORS: dict[int, Any] = {401: Problem, 403: Problem, 404: Problem}
LIST_ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: Conflict,
    422: Problem,
}
ETAG_HEADER = {
    "ETag": {
        "description": 'The version of the record, quoted ("3"); send it back in If-Match to update.',
        "schema": {"type": "string"},
    }
}
DEACTIVATED_HELP = (
    'Unused: deleted (204). Used on documents: made inactive (200, `{"outcome": "deactivated"}`).'
)
IF_MATCH_HELP = 'The version read (3, "3" or W/"3"); a stale one answers 409 and changes nothing.'
_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')


def _with_etag(status: int) -> dict[str, Any]:
    return {"responses": {status: {"headers": ETAG_HEADER}}}


# --- helpers ---------------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _can_view(request: HttpRequest) -> None:
    require(_actor(request), Action.VIEW_CUSTOMERS)


def _pk(value: str, kind: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(_("No %(kind)s has the id %(id)s.") % {"kind": kind, "id": value}) from None


def _customer_exists(customer_id: str) -> int:
    pk = _pk(customer_id, "customer")
    if not Customer.objects.filter(pk=pk).exists():
        raise NotFound(_("No customer has the id %(id)s.") % {"id": customer_id})
    return pk


def _for_output(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """Everything a customer's JSON needs, in a fixed number of queries whatever the page size."""
    pinned = Note.objects.filter(pinned=True).order_by("-created_at", "-id")
    return with_main_address(queryset).prefetch_related(
        Prefetch("notes", queryset=pinned, to_attr="pinned_notes")
    )


def _set_etag(response: HttpResponse, record: Any) -> None:
    response["ETag"] = f'"{record.version}"'


def expected_version(if_match: str | None, body_version: int | None) -> int | None:
    """The version the client read, from If-Match or the body's `version` (both: they must agree)."""
    header_version = None
    if if_match is not None and if_match.strip() not in ("", "*"):
        match = _IF_MATCH.match(if_match)
        if match is None:
            raise SchemaValidationError(
                [{"loc": ("header", "If-Match"), "msg": _('Send the version you read: 3, "3" or W/"3".')}]
            )
        header_version = int(match.group(1))
    if header_version is not None and body_version is not None and header_version != body_version:
        raise SchemaValidationError(
            [
                {
                    "loc": ("body", "version"),
                    "msg": _("The version in the body differs from If-Match; send one."),
                }
            ]
        )
    return header_version if header_version is not None else body_version


def _model_data(model: type[models.Model], data: dict[str, Any]) -> dict[str, Any]:
    """Body values as model values: null text is empty text; null is refused where the model has no null."""
    errors: dict[str, str] = {}
    for name, value in list(data.items()):
        if value is not None:
            continue
        field = model._meta.get_field(name)
        if isinstance(field, models.CharField | models.TextField):
            data[name] = ""
        elif not field.null:
            errors[name] = _("This field cannot be null.")
    if errors:
        raise ValidationError(errors)
    return data


def _customer_data(data: dict[str, Any]) -> dict[str, Any]:
    """Turn ids and usernames into the records they name; an unknown one is an error on its field."""
    errors: dict[str, str] = {}
    for field in ("parent", "bill_to"):
        if data.get(field) is not None:
            found = Customer.objects.filter(pk=_int_or_zero(data[field])).first()
            if found is None:
                errors[field] = _("No customer has the id %(id)s.") % {"id": data[field]}
            data[field] = found
    for field in ("billing_address", "default_delivery_address"):
        if data.get(field) is not None:
            address = Address.objects.filter(pk=_int_or_zero(data[field])).first()
            if address is None:
                errors[field] = _("No address has the id %(id)s.") % {"id": data[field]}
            data[field] = address
    if data.get("assigned_to") is not None:
        user = User.objects.filter(username=data["assigned_to"]).first()
        if user is None:
            errors["assigned_to"] = _("No user is named %(name)s.") % {"name": data["assigned_to"]}
        data["assigned_to"] = user
    if errors:
        raise ValidationError(errors)
    categories = data.pop("categories", None)
    data = _model_data(Customer, data)
    if categories is not None:
        data["categories"] = [str(c) for c in categories]
    return data


def _int_or_zero(value: Any) -> int:
    # No record has id 0, so a malformed id reads as an unknown one.
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _company(actor: User, code: str | None) -> Company | None:
    if not code:
        return None
    company = actor.visible_companies().filter(code=code.strip().upper()).first()
    if company is None:
        raise ValidationError({"company": _("You have no company with the code %(code)s.") % {"code": code}})
    return company


def _customer_out(customer_id: int) -> Customer:
    customer = _for_output(Customer.objects.filter(pk=customer_id)).first()
    if customer is None:
        raise NotFound(_("No customer has the id %(id)s.") % {"id": customer_id})
    return customer


# --- customers -------------------------------------------------------------------------------------


@router.get(
    "/customers",
    response={200: CustomerPage, **{k: v for k, v in LIST_ERRORS.items() if k != 404}},
    summary="List and search customers",
    description="Active (not closed) customers by default, sorted by name, 50 a page; "
    "filters combine with AND. Unknown filter values answer problem+json naming the filter. "
    "Custom fields set as filters add cf_<key>=value (text: contains; others: equals) and, for numbers, "
    "decimals and dates, cf_<key>__gte and cf_<key>__lte.",
)
def list_customers(request: HttpRequest, filters: Query[CustomerListQuery]) -> dict[str, Any]:
    _can_view(request)
    statuses = [s.strip() for value in filters.status for s in value.split(",") if s.strip()]
    if filters.active is None:
        active: bool | None = None if statuses else True
    else:
        active = {"true": True, "false": False, "all": None}[filters.active]
    criteria = CustomerFilters(
        q=filters.q,
        statuses=statuses,
        category=filters.category,
        key_account=filters.key_account,
        assigned_to=filters.assigned_to,
        external_code=filters.external_code,
        code=filters.code,
        active=active,
        sort=filters.sort,
        # Custom fields filter by their own parameters, cf_<key>: the OpenAPI document lists them.
        custom={name: str(value) for name, value in request.GET.items() if name.startswith("cf_")},
    )
    queryset = _for_output(filter_customers(criteria))
    page = paginate(
        queryset,
        sort=SORTS[criteria.sort],
        limit=filters.limit,
        cursor=filters.cursor,
        sparse_filter=narrows_by_index(criteria.q),
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/customers",
    response={201: CustomerOut, **WRITE_ERRORS},
    summary="Create a customer",
    description="A blank code is generated. A taken code answers 409 with the `existing` customer; likely "
    "duplicates answer 409 with `duplicates` and save nothing unless `acknowledge_duplicates` is true.",
    openapi_extra=_with_etag(201),
)
def create_customer(request: HttpRequest, response: HttpResponse, payload: CustomerCreate) -> Status:
    actor = _actor(request)
    # Refuse before resolving the ids and usernames of the body, so a refused client learns nothing from it.
    require(actor, Action.CREATE_CUSTOMER)
    data = payload.model_dump(exclude_unset=True)
    acknowledge = bool(data.pop("acknowledge_duplicates", False))
    company = _company(actor, data.pop("company", None))
    if data.get("created_at", ...) is None:
        del data["created_at"]
    customer = services.create_customer(
        actor=actor, data=_customer_data(data), acknowledge_duplicates=acknowledge, company=company
    )
    _set_etag(response, customer)
    response["Location"] = f"{request.path.rstrip('/')}/{customer.pk}"
    return Status(201, _customer_out(customer.pk))


@router.get(
    "/customers/{customer_id}",
    response={200: CustomerOut, **READ_ERRORS},
    summary="Read a customer",
    openapi_extra=_with_etag(200),
)
def get_customer(request: HttpRequest, response: HttpResponse, customer_id: str) -> Customer:
    _can_view(request)
    customer = _customer_out(_pk(customer_id, "customer"))
    _set_etag(response, customer)
    return customer


@router.patch(
    "/customers/{customer_id}",
    response={200: CustomerOut, **WRITE_ERRORS},
    summary="Change a customer",
    description="Only the fields sent change. Send the version read in If-Match (or as `version`): a stale "
    "one answers 409 and changes nothing.",
    openapi_extra=_with_etag(200),
)
def update_customer(
    request: HttpRequest,
    response: HttpResponse,
    customer_id: str,
    payload: PatchDict[CustomerUpdate],
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Customer:
    require(_actor(request), Action.CHANGE_CUSTOMER)
    version = expected_version(if_match, payload.pop("version", None))
    customer = services.update_customer(
        actor=_actor(request),
        customer_id=_pk(customer_id, "customer"),
        changes=_customer_data(payload),
        expected_version=version,
    )
    _set_etag(response, customer)
    return _customer_out(customer.pk)


@router.delete(
    "/customers/{customer_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete an unused customer",
    description='A used customer answers 409 with the `reasons` and `"suggestion": "close"`.',
)
def delete_customer(request: HttpRequest, customer_id: str) -> Status:
    services.delete_customer(actor=_actor(request), customer_id=_pk(customer_id, "customer"))
    return Status(204, None)


# --- addresses -------------------------------------------------------------------------------------


@router.get(
    "/customers/{customer_id}/addresses",
    response={200: AddressPage, **LIST_ERRORS},
    summary="List a customer's addresses",
)
def list_addresses(
    request: HttpRequest,
    customer_id: str,
    active: bool | None = None,
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = None,
) -> dict[str, Any]:
    _can_view(request)
    queryset = Address.objects.filter(customer_id=_customer_exists(customer_id))
    if active is not None:
        queryset = queryset.filter(active=active)
    page = paginate(queryset, sort="id", limit=limit, cursor=cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/customers/{customer_id}/addresses",
    response={201: AddressOut, **WRITE_ERRORS},
    summary="Add an address",
    openapi_extra=_with_etag(201),
)
def add_address(
    request: HttpRequest, response: HttpResponse, customer_id: str, payload: AddressWrite
) -> Status:
    address = services.add_address(
        actor=_actor(request),
        customer_id=_pk(customer_id, "customer"),
        data=_model_data(Address, payload.model_dump(exclude_unset=True)),
    )
    _set_etag(response, address)
    return Status(201, address)


@router.get(
    "/addresses/{address_id}",
    response={200: AddressOut, **READ_ERRORS},
    summary="Read an address",
    openapi_extra=_with_etag(200),
)
def get_address(request: HttpRequest, response: HttpResponse, address_id: str) -> Address:
    _can_view(request)
    address = Address.objects.filter(pk=_pk(address_id, "address")).first()
    if address is None:
        raise NotFound(_("No address has the id %(id)s.") % {"id": address_id})
    _set_etag(response, address)
    return address


@router.patch(
    "/addresses/{address_id}",
    response={200: AddressOut, **WRITE_ERRORS},
    summary="Change an address",
    openapi_extra=_with_etag(200),
)
def update_address(
    request: HttpRequest,
    response: HttpResponse,
    address_id: str,
    payload: PatchDict[AddressUpdate],
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Address:
    version = expected_version(if_match, payload.pop("version", None))
    address = services.update_address(
        actor=_actor(request),
        address_id=_pk(address_id, "address"),
        changes=_model_data(Address, payload),
        expected_version=version,
    )
    _set_etag(response, address)
    return address


@router.delete(
    "/addresses/{address_id}",
    response={200: Outcome, 204: None, **WRITE_ERRORS},
    summary="Delete an address, or make it inactive when used",
    description=DEACTIVATED_HELP,
)
def delete_address(request: HttpRequest, address_id: str) -> Status:
    outcome = services.remove_address(actor=_actor(request), address_id=_pk(address_id, "address"))
    return Status(204, None) if outcome == "deleted" else Status(200, {"outcome": outcome})


# --- contacts --------------------------------------------------------------------------------------


def _contact_data(data: dict[str, Any]) -> dict[str, Any]:
    for json_name, field in CONTACT_FLAG_FIELDS.items():
        if json_name in data:
            data[field] = data.pop(json_name)
    return _model_data(Contact, data)


@router.get(
    "/customers/{customer_id}/contacts",
    response={200: ContactPage, **LIST_ERRORS},
    summary="List a customer's contacts",
)
def list_contacts(
    request: HttpRequest,
    customer_id: str,
    active: bool | None = None,
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = None,
) -> dict[str, Any]:
    _can_view(request)
    queryset = Contact.objects.filter(customer_id=_customer_exists(customer_id))
    if active is not None:
        queryset = queryset.filter(active=active)
    page = paginate(queryset, sort="id", limit=limit, cursor=cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/customers/{customer_id}/contacts",
    response={201: ContactOut, **WRITE_ERRORS},
    summary="Add a contact",
    openapi_extra=_with_etag(201),
)
def add_contact(
    request: HttpRequest, response: HttpResponse, customer_id: str, payload: ContactWrite
) -> Status:
    contact = services.add_contact(
        actor=_actor(request),
        customer_id=_pk(customer_id, "customer"),
        data=_contact_data(payload.model_dump(exclude_unset=True)),
    )
    _set_etag(response, contact)
    return Status(201, contact)


@router.get(
    "/contacts/{contact_id}",
    response={200: ContactOut, **READ_ERRORS},
    summary="Read a contact",
    openapi_extra=_with_etag(200),
)
def get_contact(request: HttpRequest, response: HttpResponse, contact_id: str) -> Contact:
    _can_view(request)
    contact = Contact.objects.filter(pk=_pk(contact_id, "contact")).first()
    if contact is None:
        raise NotFound(_("No contact has the id %(id)s.") % {"id": contact_id})
    _set_etag(response, contact)
    return contact


@router.patch(
    "/contacts/{contact_id}",
    response={200: ContactOut, **WRITE_ERRORS},
    summary="Change a contact",
    openapi_extra=_with_etag(200),
)
def update_contact(
    request: HttpRequest,
    response: HttpResponse,
    contact_id: str,
    payload: PatchDict[ContactUpdate],
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Contact:
    version = expected_version(if_match, payload.pop("version", None))
    contact = services.update_contact(
        actor=_actor(request),
        contact_id=_pk(contact_id, "contact"),
        changes=_contact_data(payload),
        expected_version=version,
    )
    _set_etag(response, contact)
    return contact


@router.delete(
    "/contacts/{contact_id}",
    response={200: Outcome, 204: None, **WRITE_ERRORS},
    summary="Delete a contact, or make it inactive when used",
    description=DEACTIVATED_HELP,
)
def delete_contact(request: HttpRequest, contact_id: str) -> Status:
    outcome = services.remove_contact(actor=_actor(request), contact_id=_pk(contact_id, "contact"))
    return Status(204, None) if outcome == "deleted" else Status(200, {"outcome": outcome})


# --- notes -----------------------------------------------------------------------------------------


@router.get(
    "/customers/{customer_id}/notes",
    response={200: NotePage, **LIST_ERRORS},
    summary="List a customer's notes, newest first",
)
def list_notes(
    request: HttpRequest,
    customer_id: str,
    pinned: bool | None = None,
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = None,
) -> dict[str, Any]:
    _can_view(request)
    queryset = Note.objects.filter(customer_id=_customer_exists(customer_id)).select_related(
        "category", "author"
    )
    if pinned is not None:
        queryset = queryset.filter(pinned=pinned)
    page = paginate(queryset, sort="-created_at", limit=limit, cursor=cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/customers/{customer_id}/notes",
    response={201: NoteOut, **WRITE_ERRORS},
    summary="Add a note (pinned notes form the memo)",
    openapi_extra=_with_etag(201),
)
def add_note(request: HttpRequest, response: HttpResponse, customer_id: str, payload: NoteWrite) -> Status:
    data = payload.model_dump(exclude_unset=True)
    note = services.add_note(
        actor=_actor(request), customer_id=_pk(customer_id, "customer"), data=_note_data(data)
    )
    _set_etag(response, note)
    return Status(201, note)


def _note_data(data: dict[str, Any]) -> dict[str, Any]:
    # The category is a code, resolved by the service; null means the general category.
    category = data.pop("category", ...)
    data = _model_data(Note, data)
    if category is not ...:
        data["category"] = category
    return data


@router.get(
    "/notes/{note_id}",
    response={200: NoteOut, **READ_ERRORS},
    summary="Read a note",
    openapi_extra=_with_etag(200),
)
def get_note(request: HttpRequest, response: HttpResponse, note_id: str) -> Note:
    _can_view(request)
    note = Note.objects.select_related("category", "author").filter(pk=_pk(note_id, "note")).first()
    if note is None:
        raise NotFound(_("No note has the id %(id)s.") % {"id": note_id})
    _set_etag(response, note)
    return note


@router.patch(
    "/notes/{note_id}",
    response={200: NoteOut, **WRITE_ERRORS},
    summary="Change a note",
    openapi_extra=_with_etag(200),
)
def update_note(
    request: HttpRequest,
    response: HttpResponse,
    note_id: str,
    payload: PatchDict[NoteUpdate],
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Note:
    version = expected_version(if_match, payload.pop("version", None))
    note = services.update_note(
        actor=_actor(request),
        note_id=_pk(note_id, "note"),
        changes=_note_data(payload),
        expected_version=version,
    )
    _set_etag(response, note)
    return note


@router.delete(
    "/notes/{note_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete a note",
)
def delete_note(request: HttpRequest, note_id: str) -> Status:
    services.delete_note(actor=_actor(request), note_id=_pk(note_id, "note"))
    return Status(204, None)
