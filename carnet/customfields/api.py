"""Custom field definitions in the API: /api/v1/custom-fields.

Anyone who sees customers reads them (a client needs them to send values); admins (admin.settings) add,
change and delete them. Handlers parse, call carnet.customfields.services (which check the permission and
every rule in one transaction) and serialise. A field is named by its key and `applies_to` (customer by
default), since a customer field and a contact field may share a key.
"""

from datetime import datetime
from typing import Any, Literal, cast

from django.http import HttpRequest, HttpResponse
from ninja import Header, PatchDict, Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from carnet.accounts.models import User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.customers.api import IF_MATCH_HELP, expected_version
from carnet.customers.schemas import Problem
from carnet.pagination import paginate

from . import services
from .models import CustomField

router = Router(tags=["custom fields"])

AppliesTo = Literal["customer", "contact"]
TypeName = Literal["text", "number", "decimal", "date", "boolean", "choice", "link"]
# JSON names → model fields, where they differ.
RENAMED = {
    "applies_to": "target",
    "choices": "options",
    "list_column": "show_in_list",
    "filter": "filterable",
}
# The query parameter naming a field's target (a customer field and a contact field may share a key).
APPLIES_TO = Query("customer", description="customer (the default) or contact.")
EITHER_TARGET = Query(None, description="customer or contact; both when omitted.")


class Option(Schema):
    value: str = Field(description="What is stored and sent (segment=PME).")
    label_fr: str | None = Field(None, description="Shown to French readers; the value when omitted.")
    label_en: str | None = Field(None, description="Shown to English readers; the value when omitted.")


class OptionOut(Schema):
    value: str
    label_fr: str
    label_en: str


class CustomFieldOut(Schema):
    applies_to: AppliesTo
    key: str = Field(description="The name of the value in `custom_fields` and of the list filter cf_<key>.")
    label_fr: str
    label_en: str
    type: TypeName
    choices: list[OptionOut] = Field(description="The options of a choice field, in order.")
    required: bool
    default: Any = Field(description="Given to new records that receive no value; null: none.")
    help_fr: str
    help_en: str
    list_column: bool = Field(description="Shown as a column of the customer list.")
    filter: bool = Field(description="Offered as a filter of the customer list (cf_<key>=…).")
    position: int
    active: bool = Field(description="Inactive: hidden and takes no new values; records keep theirs.")
    values_held: int = Field(description="How many records hold a value; a field held cannot change type.")
    version: int
    created_at: datetime

    @staticmethod
    def resolve_applies_to(obj: CustomField) -> str:
        return obj.target

    @staticmethod
    def resolve_choices(obj: CustomField) -> list[dict[str, str]]:
        return list(obj.options or [])

    @staticmethod
    def resolve_list_column(obj: CustomField) -> bool:
        return obj.show_in_list

    @staticmethod
    def resolve_filter(obj: CustomField) -> bool:
        return obj.filterable

    @staticmethod
    def resolve_values_held(obj: CustomField) -> int:
        return services.holders(obj)


class CustomFieldCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    applies_to: AppliesTo = "customer"
    key: str = Field(
        description="Lower-case letters and digits, words joined by one _ (segment, sales_region); "
        "unique per applies_to; it cannot change later.",
        examples=["segment"],
    )
    label_fr: str | None = Field(None, description="The French label; the English one when omitted.")
    label_en: str | None = Field(None, description="The English label; the French one when omitted.")
    type: TypeName
    choices: list[str | Option] | None = Field(
        None, description='A choice field\'s options: values ("PME") or objects with labels.'
    )
    required: bool = False
    default: Any = Field(None, description="A value of the field's type, given to new records.")
    help_fr: str | None = None
    help_en: str | None = None
    list_column: bool = False
    filter: bool = False
    position: int | None = Field(None, description="Default: after the last field.")
    active: bool = True


class CustomFieldUpdate(Schema):
    """Only the settings sent change. The key and applies_to stay. The type changes, and options go, only
    while no record holds a value that would be lost (409 in_use, saying how many hold one)."""

    model_config = ConfigDict(extra="forbid")

    label_fr: str | None = None
    label_en: str | None = None
    type: TypeName | None = None
    choices: list[str | Option] | None = None
    required: bool | None = None
    default: Any = None
    help_fr: str | None = None
    help_en: str | None = None
    list_column: bool | None = None
    filter: bool | None = None
    position: int | None = None
    active: bool | None = Field(None, description="false: hidden, takes no new values; records keep theirs.")
    version: int | None = Field(
        None, description="The version read; a stale one is a 409 (same as If-Match)."
    )


class CustomFieldPage(Schema):
    items: list[CustomFieldOut]
    next_cursor: str | None


class FieldRef(Schema):
    key: str
    label_en: str
    label_fr: str


class FieldConflict(Problem):
    """A 409: the key is taken, the version is stale, or records hold values that the change would lose."""

    existing: FieldRef | None = Field(None, description="Key taken: the field that has it.")
    current_version: int | None = Field(None, description="Stale version: the version now stored.")
    reasons: list[str] | None = Field(None, description="In use: how many records hold values.")
    suggestion: str | None = Field(None, description="In use: what to do instead (deactivate).")


READ_ERRORS: dict[int, Any] = {401: Problem, 403: Problem, 404: Problem}
WRITE_ERRORS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: FieldConflict,
    422: Problem,
}


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _service_data(data: dict[str, Any]) -> dict[str, Any]:
    result = {RENAMED.get(name, name): value for name, value in data.items()}
    for name in ("label_fr", "label_en", "help_fr", "help_en"):
        if name in result and result[name] is None:
            result[name] = ""
    for name in ("required", "show_in_list", "filterable", "active", "type", "position"):
        if name in result and result[name] is None:
            del result[name]  # null on a setting that has no "none": leave it as it is
    return result


@router.get(
    "/custom-fields",
    response={200: CustomFieldPage, 400: Problem, 401: Problem, 403: Problem, 422: Problem},
    summary="List custom field definitions",
    description="Ordered by position. The values travel in each customer's (or contact's) `custom_fields`.",
)
def list_fields(
    request: HttpRequest,
    applies_to: AppliesTo | None = EITHER_TARGET,
    active: bool | None = None,
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = None,
) -> dict[str, Any]:
    require(_actor(request), Action.VIEW_CUSTOMERS)
    queryset = CustomField.objects.all()
    if applies_to:
        queryset = queryset.filter(target=applies_to)
    if active is not None:
        queryset = queryset.filter(active=active)
    page = paginate(queryset, sort="position", limit=limit, cursor=cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/custom-fields",
    response={201: CustomFieldOut, **WRITE_ERRORS},
    summary="Define a custom field (admins)",
)
def create_field(request: HttpRequest, response: HttpResponse, payload: CustomFieldCreate) -> Status:
    field = services.create_field(
        actor=_actor(request), data=_service_data(payload.model_dump(exclude_unset=True))
    )
    response["ETag"] = f'"{field.version}"'
    return Status(201, field)


@router.get(
    "/custom-fields/{key}",
    response={200: CustomFieldOut, **READ_ERRORS},
    summary="Read a custom field definition",
)
def get_field(
    request: HttpRequest,
    response: HttpResponse,
    key: str,
    applies_to: AppliesTo = APPLIES_TO,
) -> CustomField:
    require(_actor(request), Action.VIEW_CUSTOMERS)
    field = services.definition(applies_to, key)
    response["ETag"] = f'"{field.version}"'
    return field


@router.patch(
    "/custom-fields/{key}",
    response={200: CustomFieldOut, **WRITE_ERRORS},
    summary="Change a custom field definition (admins)",
)
def update_field(
    request: HttpRequest,
    response: HttpResponse,
    key: str,
    payload: PatchDict[CustomFieldUpdate],
    applies_to: AppliesTo = APPLIES_TO,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> CustomField:
    require(_actor(request), Action.MANAGE_SETTINGS)
    version = expected_version(if_match, payload.pop("version", None))
    field = services.update_field(
        actor=_actor(request),
        target=applies_to,
        key=key,
        changes=_service_data(dict(payload)),
        expected_version=version,
    )
    response["ETag"] = f'"{field.version}"'
    return field


@router.delete(
    "/custom-fields/{key}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete a custom field no record holds a value of (admins)",
    description='Held values answer 409 `in_use`, saying how many records hold one, with `"suggestion": '
    '"deactivate"` (PATCH {"active": false}: hidden, values kept).',
)
def delete_field(
    request: HttpRequest,
    key: str,
    applies_to: AppliesTo = APPLIES_TO,
) -> Status:
    services.delete_field(actor=_actor(request), target=applies_to, key=key)
    return Status(204, None)
