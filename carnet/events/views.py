"""Events for people: the customer's Timeline tab, the event form inside it, and My tasks.

The Timeline is a tab of the customer page (carnet/customers/views.py is the frame). Views parse, call
carnet.events.services and render; a service's field errors go back beside the matching field.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from carnet.accounts.models import User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.customers.models import Customer
from carnet.errors import CarnetError, StaleVersion

from . import queries, services
from .choices import EventStatus
from .forms import EventForm
from .models import Event
from .timeline import KIND_KEYS, KINDS, timeline

TAB = "timeline"
TAB_LABEL = gettext_lazy("Timeline")
TAB_TEMPLATE = "events/timeline.html"


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _htmx(request: HttpRequest) -> Any:
    return getattr(request, "htmx", None)


def _load(pk: int) -> Customer:
    from carnet.customers.views import _load as load_customer  # the customer page imports this module

    return load_customer(pk)


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind", "all")
    return kind if kind in KIND_KEYS else "all"


def timeline_context(request: HttpRequest, customer: Customer, **extra: Any) -> dict[str, Any]:
    kind = _kind(request)
    page = timeline(customer, actor=_actor(request), kind=kind, cursor=request.GET.get("cursor") or None)
    return {
        "tab_template": TAB_TEMPLATE,
        "timeline_kinds": KINDS,
        "timeline_kind": kind,
        "entries": page.entries,
        "next_cursor": page.next_cursor,
        "today": timezone.localdate(),
        **extra,
    }


def customer_tab(request: HttpRequest, customer: Customer, **extra: Any) -> HttpResponse:
    """The Timeline tab inside the customer page (the panel alone for htmx, with the tab bar and memo)."""
    from carnet.customers.views import _panel

    return _panel(request, customer, TAB, **timeline_context(request, customer, **extra))


def _back(request: HttpRequest, customer_id: int, notice: str) -> HttpResponse:
    """After an action: the fresh tab for htmx, a redirect to it (with the message) otherwise; or back to
    the page named by `next` (My tasks)."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        messages.success(request, notice)
        return redirect(back)
    if _htmx(request):
        return customer_tab(request, _load(customer_id), notice=notice)
    messages.success(request, notice)
    return redirect(reverse("customer-detail", args=[customer_id]) + "?" + urlencode({"tab": TAB}))


@login_required
@require_GET
def timeline_entries(request: HttpRequest, pk: int) -> HttpResponse:
    """The entries of one kind, or the next page of them ('Load more'), for htmx."""
    require(_actor(request), Action.VIEW_CUSTOMERS)
    customer = get_object_or_404(Customer, pk=pk)
    context = {"customer": customer, **timeline_context(request, customer)}
    template = "events/_timeline_more.html" if request.GET.get("cursor") else "events/_timeline_list.html"
    return render(request, template, context)


@login_required
def event_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    customer = _load(pk)
    if request.method == "POST":
        form = EventForm(request.POST, customer=customer)
        if form.is_valid():
            try:
                services.create_event(actor=actor, customer_id=pk, data=form.service_data())
            except ValidationError as exc:
                _put_errors(exc, form)
            else:
                return _back(request, pk, _("Event added."))
    else:
        form = EventForm(
            customer=customer,
            initial={"assigned_to": actor.username, "type": request.GET.get("type") or "call"},
        )
    return customer_tab(request, customer, event_form=form, editing="new")


@login_required
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    event = get_object_or_404(Event.objects.select_related("assigned_to"), pk=event_id)
    customer = _load(event.customer_id)
    if request.method == "POST":
        form = EventForm(request.POST, customer=customer, event=event)
        if form.is_valid():
            try:
                services.update_event(
                    actor=actor,
                    event_id=event_id,
                    changes=form.service_data(),
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                _put_errors(exc, form)
            except StaleVersion as exc:
                form.add_error(None, exc.detail)
            else:
                return _back(request, event.customer_id, _("Event saved."))
    else:
        form = EventForm(customer=customer, event=event, initial=EventForm.initial_for(event))
    return customer_tab(request, customer, event_form=form, editing=event.pk)


@login_required
@require_POST
def event_done(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    event = get_object_or_404(Event, pk=event_id)
    try:
        services.set_status(actor=actor, event_id=event_id, status=EventStatus.DONE)
    except (ValidationError, CarnetError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(reverse("customer-detail", args=[event.customer_id]) + "?" + urlencode({"tab": TAB}))
    return _back(request, event.customer_id, _("Marked done: %(subject)s") % {"subject": event.subject})


@login_required
@require_POST
def event_delete(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    event = get_object_or_404(Event, pk=event_id)
    services.delete_event(actor=actor, event_id=event_id)
    return _back(request, event.customer_id, _("Event deleted."))


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    today = timezone.localdate()
    tasks = list(queries.open_tasks(actor))
    overdue = [t for t in tasks if t.is_overdue(today)]
    return render(
        request,
        "events/my_tasks.html",
        {"overdue": overdue, "upcoming": [t for t in tasks if not t.is_overdue(today)], "today": today},
    )


def _put_errors(exc: ValidationError, form: EventForm) -> None:
    """Each field error beside its field; the others above the form."""
    pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for field, field_messages in pairs:
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)
