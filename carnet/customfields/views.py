"""The custom-field settings for admins: the fields of customers and contacts, added, changed, deactivated
and deleted.

Every view requires admin.settings. Views parse, call carnet.customfields.services (which check the rules
in one transaction, under a lock) and render; field errors go back beside their field, refusals (a type
change or a deletion while records hold values) are shown with how many hold one, and nothing is saved.
"""

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
from carnet.errors import CarnetError, CodeTaken, StaleVersion

from . import services
from .forms import CustomFieldForm
from .models import CustomField, Target


def _admin(request: HttpRequest) -> User:
    actor: User = request.user  # type: ignore[assignment]
    require(actor, Action.MANAGE_SETTINGS)
    return actor


def _put_errors(exc: ValidationError, form: forms.BaseForm) -> None:
    pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for field, field_messages in pairs:
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


@login_required
@require_GET
def field_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    sections = []
    for target, title in Target.choices:
        fields = services.all_definitions(target)
        sections.append(
            {"target": target, "title": title, "rows": [(f, services.holders(f)) for f in fields]}
        )
    return render(
        request, "customfields/settings_list.html", {"section": "custom_fields", "sections": sections}
    )


def _form_page(request: HttpRequest, form: CustomFieldForm, editing: object = None) -> HttpResponse:
    return render(
        request,
        "customfields/settings_form.html",
        {"section": "custom_fields", "form": form, "editing": editing},
    )


@login_required
def field_add(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    if request.method == "POST":
        form = CustomFieldForm(request.POST, creating=True)
        if form.is_valid():
            try:
                field = services.create_field(actor=actor, data=form.service_data())
            except CodeTaken as exc:
                form.add_error("key", exc.detail)
            except ValidationError as exc:
                _put_errors(exc, form)
            else:
                messages.success(request, _("Field %(label)s added.") % {"label": field.label()})
                return redirect("settings-custom-fields")
    else:
        target = request.GET.get("target")
        form = CustomFieldForm(
            creating=True,
            initial={"target": target if target in Target.values else Target.CUSTOMER, "active": True},
        )
    return _form_page(request, form)


@login_required
def field_edit(request: HttpRequest, target: str, key: str) -> HttpResponse:
    actor = _admin(request)
    field = get_object_or_404(CustomField, target=target, key=key)
    initial = CustomFieldForm.initial_for(field)
    if request.method == "POST":
        form = CustomFieldForm(request.POST, creating=False, initial=initial)
        if form.is_valid():
            try:
                field = services.update_field(
                    actor=actor,
                    target=target,
                    key=key,
                    changes=form.service_data(),
                    expected_version=form.cleaned_data.get("version"),
                )
            except ValidationError as exc:
                _put_errors(exc, form)
            except CarnetError as exc:  # in use (values would be lost), or stale
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("Field %(label)s saved.") % {"label": field.label()})
                return redirect("settings-custom-fields")
    else:
        form = CustomFieldForm(creating=False, initial=initial)
    return _form_page(request, form, editing=field)


@login_required
@require_POST
def field_active(request: HttpRequest, target: str, key: str) -> HttpResponse:
    actor = _admin(request)
    get_object_or_404(CustomField, target=target, key=key)
    active = request.POST.get("active") == "1"
    try:
        field = services.set_active(actor=actor, target=target, key=key, active=active)
    except (ValidationError, StaleVersion) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        notice = (
            _("Field %(label)s is active again.")
            if active
            else _("Field %(label)s deactivated: it is hidden, and the values are kept.")
        )
        messages.success(request, notice % {"label": field.label()})
    return redirect("settings-custom-fields")


@login_required
@require_POST
def field_delete(request: HttpRequest, target: str, key: str) -> HttpResponse:
    actor = _admin(request)
    field = get_object_or_404(CustomField, target=target, key=key)
    try:
        services.delete_field(actor=actor, target=target, key=key)
    except CarnetError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Field %(label)s deleted.") % {"label": field.label()})
    return redirect("settings-custom-fields")
