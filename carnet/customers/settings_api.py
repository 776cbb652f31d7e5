"""The customer book's settings in the API: code generation and address defaults, and note categories.

Changing them is for admins (admin.settings). The note categories are read by anyone who sees customers,
since notes name their category by its code. Handlers parse, call carnet.customers.services (which check
the permission and every rule in one transaction, under a lock) and serialise.
"""

from typing import Any, Literal, cast

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import PatchDict, Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from carnet.accounts.models import User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.errors import NotFound
from carnet.pagination import paginate

from . import services
from .models import BookSettings, NoteCategory
from .schemas import Problem

router = Router(tags=["settings"])


# --- schemas -------------------------------------------------------------------------------------


class BookSettingsOut(Schema):
    code_prefix: str = Field(description="Letters and digits put before the number of a generated code.")
    code_digits: int = Field(description="The number is padded with zeros to this many digits (3 to 12).")
    next_code_number: int = Field(description="The number the next generated code takes (or the next free).")
    next_code: str = Field(
        description="The code the next customer created with a blank code gets (taken codes are skipped).",
        examples=["C00124"],
    )
    default_country: str = Field(description="ISO 3166 alpha-2: the country of a new address given none.")
    default_province: str = Field(description="ISO 3166-2 subdivision code given with the default country.")

    @staticmethod
    def resolve_next_code(obj: BookSettings) -> str:
        return services.preview_customer_code(obj.code_prefix, obj.code_digits, obj.next_code_number)


class BookSettingsUpdate(Schema):
    """Only the settings sent change. A changed setting is checked with those it depends on."""

    model_config = ConfigDict(extra="forbid")

    code_prefix: str | None = Field(None, description="Letters and digits, at most 10; empty: no prefix.")
    code_digits: int | None = Field(None, description="3 to 12.")
    next_code_number: int | None = Field(
        None,
        description="1 or more, above the number of every existing code made of this prefix and digits "
        "(the error names the code), and within the digits.",
    )
    default_country: str | None = Field(None, description="ISO 3166 alpha-2 (CA, US, FR…).")
    default_province: str | None = Field(
        None,
        description="A subdivision of the default country (QC); required where addresses of that country "
        "need one. Send it with default_country when both change.",
    )


class NoteCategoryOut(Schema):
    code: str = Field(description="The category's key, as notes name it (credit).")
    label_en: str
    label_fr: str
    position: int = Field(description="Categories are listed by position, then code.")
    active: bool = Field(description="Inactive: no longer offered for new notes; its notes keep it.")
    default: bool = Field(description="The general category, given to notes without one; it stays active.")
    note_count: int = Field(description="How many notes have it; a category with notes cannot be deleted.")

    @staticmethod
    def resolve_default(obj: NoteCategory) -> bool:
        return obj.code == NoteCategory.GENERAL

    @staticmethod
    def resolve_note_count(obj: NoteCategory) -> int:
        count = getattr(obj, "note_count", None)
        return count if count is not None else obj.notes.count()


class NoteCategoryCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        description="Lower-case letters and digits, - or _ between words (after-sales); unique. It cannot "
        "change later.",
        examples=["quality"],
    )
    label_en: str | None = Field(None, description="The name in English; the French one when omitted.")
    label_fr: str | None = Field(None, description="The name in French; the English one when omitted.")
    position: int | None = Field(None, description="Default: after the last category.")
    active: bool = True


class NoteCategoryUpdate(Schema):
    """Rename, move, deactivate or reactivate. The code stays."""

    model_config = ConfigDict(extra="forbid")

    label_en: str | None = None
    label_fr: str | None = None
    position: int | None = None
    active: bool | None = Field(None, description="false: no longer offered for new notes (not 'general').")


class NoteCategoryPage(Schema):
    items: list[NoteCategoryOut]
    next_cursor: str | None


class NoteCategoryRef(Schema):
    code: str
    label_en: str
    label_fr: str


class CategoryConflict(Problem):
    """A 409: the code is taken, or the category is in use and cannot be deleted."""

    existing: NoteCategoryRef | None = Field(None, description="Code taken: the category that has it.")
    reasons: list[str] | None = Field(None, description="In use: why it cannot be deleted.")
    suggestion: Literal["deactivate"] | None = Field(None, description="In use: what to do instead.")


READ_ERRORS: dict[int, Any] = {401: Problem, 403: Problem, 404: Problem}
LIST_ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 422: Problem}
WRITE_ERRORS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: CategoryConflict,
    422: Problem,
}


# --- helpers -------------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _may_manage(request: HttpRequest) -> None:
    require(_actor(request), Action.MANAGE_SETTINGS)


def _category_out(code: str) -> NoteCategory:
    category = NoteCategory.objects.annotate(note_count=Count("notes")).filter(code=code).first()
    if category is None:
        raise NotFound(_("No note category has the code %(code)s.") % {"code": code})
    return category


# --- book settings -------------------------------------------------------------------------------


@router.get(
    "/book-settings",
    response={200: BookSettingsOut, **READ_ERRORS},
    summary="Read the customer book's settings (admins)",
)
def get_book_settings(request: HttpRequest) -> BookSettings:
    _may_manage(request)
    return BookSettings.load()


@router.patch(
    "/book-settings",
    response={200: BookSettingsOut, **WRITE_ERRORS},
    summary="Change the customer book's settings (admins)",
    description="Only the settings sent change; any error answers 422 naming the field and changes nothing. "
    "The next number cannot be set at or below the number of an existing code made of the same prefix and "
    "digits (the message names that code).",
)
def update_book_settings(request: HttpRequest, payload: PatchDict[BookSettingsUpdate]) -> BookSettings:
    _may_manage(request)
    return services.update_book_settings(actor=_actor(request), changes=payload)


# --- note categories -----------------------------------------------------------------------------


@router.get(
    "/note-categories",
    response={200: NoteCategoryPage, **LIST_ERRORS},
    summary="List the note categories",
    description="In their order (position, then code), with how many notes have each. Anyone who may see "
    "customers may read them.",
)
def list_note_categories(
    request: HttpRequest,
    active: bool | None = None,
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = None,
) -> dict[str, Any]:
    require(_actor(request), Action.VIEW_CUSTOMERS)
    queryset = NoteCategory.objects.annotate(note_count=Count("notes"))
    if active is not None:
        queryset = queryset.filter(active=active)
    page = paginate(queryset, sort="position", limit=limit, cursor=cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/note-categories",
    response={201: NoteCategoryOut, **WRITE_ERRORS},
    summary="Add a note category (admins)",
    description="A taken code answers 409 with the `existing` category.",
)
def create_note_category(request: HttpRequest, response: HttpResponse, payload: NoteCategoryCreate) -> Status:
    _may_manage(request)
    category = services.create_note_category(
        actor=_actor(request), data=payload.model_dump(exclude_unset=True)
    )
    response["Location"] = f"{request.path.rstrip('/')}/{category.code}"
    return Status(201, _category_out(category.code))


@router.get(
    "/note-categories/{code}",
    response={200: NoteCategoryOut, **READ_ERRORS},
    summary="Read a note category",
)
def get_note_category(request: HttpRequest, code: str) -> NoteCategory:
    require(_actor(request), Action.VIEW_CUSTOMERS)
    return _category_out(code)


@router.patch(
    "/note-categories/{code}",
    response={200: NoteCategoryOut, **WRITE_ERRORS},
    summary="Rename, move, deactivate or reactivate a note category (admins)",
    description="Only the fields sent change. The general category stays active.",
)
def update_note_category(
    request: HttpRequest, code: str, payload: PatchDict[NoteCategoryUpdate]
) -> NoteCategory:
    _may_manage(request)
    category = services.update_note_category(actor=_actor(request), code=code, changes=payload)
    return _category_out(category.code)


@router.delete(
    "/note-categories/{code}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete an unused note category (admins)",
    description='A category that notes have answers 409 with the `reasons` and `"suggestion": "deactivate"`; '
    "the general category answers 422.",
)
def delete_note_category(request: HttpRequest, code: str) -> Status:
    _may_manage(request)
    services.delete_note_category(actor=_actor(request), code=code)
    return Status(204, None)
