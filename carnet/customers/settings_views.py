"""The customer book's settings for admins: code generation and address defaults, and note categories.

Every view requires admin.settings (others get 403, and the navigation hides the link). Views parse, call
carnet.customers.services (which check the rules in one transaction, under a lock) and render; a service's
field errors are put back beside the matching field, and nothing is saved.
"""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from carnet.accounts.models import User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.errors import CarnetError, CodeTaken

from . import services
from .models import BookSettings, NoteCategory
from .settings_forms import BookSettingsForm, NoteCategoryForm, NoteCategoryRenameForm


def _admin(request: HttpRequest) -> User:
    actor: User = request.user  # type: ignore[assignment]
    require(actor, Action.MANAGE_SETTINGS)
    return actor


def _put_errors(exc: ValidationError, form: forms.BaseForm) -> None:
    """Each field error beside its field; the others above the form."""
    pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for field, field_messages in pairs:
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


@login_required
@require_GET
def settings_home(request: HttpRequest) -> HttpResponse:
    _admin(request)
    return redirect("settings-book")


# --- code generation and address defaults --------------------------------------------------------


def _whole(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _code_preview(values: Mapping[str, Any], book: BookSettings) -> dict[str, Any]:
    """The next code these (typed, maybe unsaved) values would give, or why they would be refused."""
    prefix = str(values.get("code_prefix", book.code_prefix) or "").strip().upper()
    digits = _whole(values.get("code_digits", book.code_digits))
    number = _whole(values.get("next_code_number", book.next_code_number))
    if (prefix, digits, number) != (book.code_prefix, book.code_digits, book.next_code_number):
        errors = services.code_settings_errors(prefix, digits, number)
        if errors:
            return {"preview_error": next(iter(errors.values()))}
    assert digits is not None and number is not None
    return {"preview_code": services.preview_customer_code(prefix, digits, number)}


@login_required
def book_settings(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    book = BookSettings.load()
    initial = BookSettingsForm.initial_for(book)
    if request.method == "POST":
        form = BookSettingsForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                book = services.update_book_settings(actor=actor, changes=form.service_data())
            except ValidationError as exc:
                _put_errors(exc, form)
            else:
                code = services.preview_customer_code(
                    book.code_prefix, book.code_digits, book.next_code_number
                )
                messages.success(
                    request, _("Settings saved. The next customer code is %(code)s.") % {"code": code}
                )
                return redirect("settings-book")
        preview = {}  # the errors beside the fields say what is wrong; the preview shows a dash
    else:
        form = BookSettingsForm(initial=initial)
        preview = _code_preview({}, book)
    return render(request, "customers/settings/book.html", {"form": form, "section": "book", **preview})


@login_required
@require_GET
def code_preview(request: HttpRequest) -> HttpResponse:
    """The live preview of the next code, as the code fields are typed in."""
    _admin(request)
    return render(
        request, "customers/settings/_code_preview.html", _code_preview(request.GET, BookSettings.load())
    )


@login_required
@require_GET
def province_field(request: HttpRequest) -> HttpResponse:
    """The default province select for the chosen default country."""
    _admin(request)
    country = request.GET.get("default_country", "")
    form = BookSettingsForm(initial={"default_country": country, "default_province": ""})
    return render(request, "web/field.html", {"field": form["default_province"]})


# --- note categories -----------------------------------------------------------------------------


def _categories_page(
    request: HttpRequest,
    *,
    add_form: NoteCategoryForm | None = None,
    editing: NoteCategory | None = None,
    rename_form: NoteCategoryRenameForm | None = None,
) -> HttpResponse:
    if rename_form is not None:
        # The inputs sit in the cells of the row; the form element, in the last cell, owns them.
        for field in rename_form.fields.values():
            field.widget.attrs.update({"form": "rename-form", "aria-label": str(field.label)})
    context = {
        "section": "note_categories",
        "categories": services.note_categories_with_usage(),
        "add_form": add_form or NoteCategoryForm(),
        "editing": editing.code if editing else None,
        "rename_form": rename_form,
        "general": NoteCategory.GENERAL,
    }
    return render(request, "customers/settings/note_categories.html", context)


@login_required
@require_GET
def note_categories(request: HttpRequest) -> HttpResponse:
    _admin(request)
    return _categories_page(request)


@login_required
@require_POST
def note_category_add(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = NoteCategoryForm(request.POST)
    if form.is_valid():
        try:
            category = services.create_note_category(actor=actor, data=form.cleaned_data)
        except CodeTaken as exc:
            form.add_error("code", exc.detail)
        except ValidationError as exc:
            _put_errors(exc, form)
        else:
            messages.success(request, _("Category %(name)s added.") % {"name": category.label()})
            return redirect("settings-note-categories")
    return _categories_page(request, add_form=form)


@login_required
def note_category_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Rename a category: its row of the list becomes a form."""
    actor = _admin(request)
    category = get_object_or_404(NoteCategory, code=code)
    if request.method == "POST":
        form = NoteCategoryRenameForm(request.POST)
        if form.is_valid():
            try:
                category = services.update_note_category(actor=actor, code=code, changes=form.cleaned_data)
            except ValidationError as exc:
                _put_errors(exc, form)
            else:
                messages.success(request, _("Category %(code)s renamed.") % {"code": category.code})
                return redirect("settings-note-categories")
    else:
        form = NoteCategoryRenameForm(initial={"label_en": category.label_en, "label_fr": category.label_fr})
    return _categories_page(request, editing=category, rename_form=form)


@login_required
@require_POST
def note_category_active(request: HttpRequest, code: str) -> HttpResponse:
    """Deactivate a category (no longer offered for new notes) or reactivate it."""
    actor = _admin(request)
    category = get_object_or_404(NoteCategory, code=code)
    active = request.POST.get("active") == "1"
    try:
        services.set_note_category_active(actor=actor, code=code, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        notice = (
            _("Category %(name)s is active again.")
            if active
            else _("Category %(name)s deactivated: it is no longer offered for new notes.")
        )
        messages.success(request, notice % {"name": category.label()})
    return redirect("settings-note-categories")


@login_required
@require_POST
def note_category_delete(request: HttpRequest, code: str) -> HttpResponse:
    actor = _admin(request)
    category = get_object_or_404(NoteCategory, code=code)
    try:
        services.delete_note_category(actor=actor, code=code)
    except CarnetError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Category %(name)s deleted.") % {"name": category.label()})
    return redirect("settings-note-categories")
