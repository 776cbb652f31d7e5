"""The integrations for people: the webhooks and their delivery log (admins), the accounting setting of each
company (admins), and the Accounting tab of a customer with its "Send to accounting" button.

Views parse, call the services (which check the permission and the rules in one transaction) and render.
A webhook's secret is shown on the page that made it (added, rotated, or revealed by an admin), never in a
message or a redirect.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from carnet.accounts.models import User
from carnet.accounts.permissions import can, require
from carnet.accounts.roles import Action
from carnet.customers.choices import Status
from carnet.customers.models import Customer
from carnet.errors import CarnetError, NotFound, StaleVersion

from . import accounting, webhooks
from .forms import WebhookForm
from .models import Delivery, WebhookEndpoint

DELIVERIES_SHOWN = 50
TAB = "accounting"
TAB_LABEL = gettext_lazy("Accounting")


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _admin(request: HttpRequest) -> User:
    actor = _actor(request)
    require(actor, Action.MANAGE_WEBHOOKS)
    return actor


def _not_found_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An unknown webhook or delivery (NotFound from the services) answers the 404 page, not an error."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.detail) from None

    return wrapped


def _put_errors(exc: ValidationError, form: WebhookForm) -> None:
    pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for field, field_messages in pairs:
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


# --- webhooks --------------------------------------------------------------------------------------------


@login_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    """The webhooks, and the form to add one; the page of the new webhook shows its secret once."""
    actor = _admin(request)
    form = WebhookForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = webhooks.create_endpoint(actor=actor, data=form.service_data())
        except ValidationError as exc:
            _put_errors(exc, form)
        else:
            return _detail(request, endpoint, secret=secret, notice=_("Webhook added."))
    rows = [
        (endpoint, endpoint.deliveries.filter(status=Delivery.PENDING).count())
        for endpoint in webhooks.endpoints()
    ]
    return render(
        request,
        "integrations/webhooks.html",
        {"form": form, "rows": rows, "section": "webhooks"},
    )


def _detail(
    request: HttpRequest,
    endpoint: WebhookEndpoint,
    *,
    form: WebhookForm | None = None,
    secret: str | None = None,
    notice: str | None = None,
) -> HttpResponse:
    deliveries = list(
        Delivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .order_by("-created_at", "-id")[:DELIVERIES_SHOWN]
    )
    return render(
        request,
        "integrations/webhook.html",
        {
            "endpoint": endpoint,
            "form": form or WebhookForm(initial=WebhookForm.initial_for(endpoint)),
            "secret": secret,
            "notice": notice,
            "deliveries": deliveries,
            "pending": Delivery.objects.filter(endpoint=endpoint, status=Delivery.PENDING).count(),
            "section": "webhooks",
        },
    )


@login_required
@_not_found_page
def webhook_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """A webhook: change it, and its recent deliveries with "retry now"."""
    actor = _admin(request)
    endpoint = webhooks.get_endpoint(actor=actor, endpoint_id=endpoint_id)
    if request.method != "POST":
        return _detail(request, endpoint)
    form = WebhookForm(request.POST, initial=WebhookForm.initial_for(endpoint))
    if form.is_valid():
        try:
            endpoint = webhooks.update_endpoint(
                actor=actor,
                endpoint_id=endpoint.pk,
                changes=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersion as exc:
            form.add_error(None, exc.detail)
        except ValidationError as exc:
            _put_errors(exc, form)
        else:
            messages.success(request, _("Webhook saved."))
            return redirect("settings-webhook", endpoint.pk)
    return _detail(request, endpoint, form=form)


@login_required
@require_POST
@_not_found_page
def webhook_secret(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """Reveal the secret (action=reveal) or rotate it (action=rotate)."""
    actor = _admin(request)
    if request.POST.get("action") == "rotate":
        endpoint, secret = webhooks.rotate_secret(actor=actor, endpoint_id=endpoint_id)
        notice = _("New secret made: give it to the receiver; the old one no longer signs deliveries.")
    else:
        endpoint = webhooks.get_endpoint(actor=actor, endpoint_id=endpoint_id)
        secret, notice = webhooks.reveal_secret(actor=actor, endpoint_id=endpoint_id), None
    return _detail(request, endpoint, secret=secret, notice=notice)


@login_required
@require_POST
@_not_found_page
def webhook_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    webhooks.delete_endpoint(actor=_admin(request), endpoint_id=endpoint_id)
    messages.success(request, _("Webhook removed."))
    return redirect("settings-webhooks")


@login_required
@require_POST
@_not_found_page
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = webhooks.retry_now(actor=_admin(request), delivery_id=delivery_id)
    messages.success(request, _("The worker posts it again at its next round."))
    return redirect("settings-webhook", delivery.endpoint_id)


# --- the accounting setting ------------------------------------------------------------------------------


@login_required
def accounting_settings(request: HttpRequest) -> HttpResponse:
    """Per company: require a customer synced with accounting before an invoice is entered."""
    actor = _actor(request)
    require(actor, Action.MANAGE_SETTINGS)
    companies = list(actor.visible_companies().order_by("code"))
    if request.method == "POST":
        chosen = set(request.POST.getlist("required"))
        for company in companies:
            accounting.set_sync_before_invoicing(
                actor=actor, company=company, required=company.code in chosen
            )
        messages.success(request, _("Accounting settings saved."))
        return redirect("settings-accounting")
    rows = [(c, accounting.accounting_settings(c).sync_before_invoicing) for c in companies]
    return render(request, "integrations/accounting_settings.html", {"rows": rows, "section": "accounting"})


# --- a customer's Accounting tab -------------------------------------------------------------------------


def tab_context(request: HttpRequest, customer: Customer, **extra: Any) -> dict[str, Any]:
    actor = _actor(request)
    companies = list(actor.visible_companies().order_by("code"))
    return {
        "tab_template": "integrations/tabs/accounting.html",
        "sync_states": accounting.sync_states(customer, companies),
        "may_send": can(actor, Action.SYNC_ACCOUNTING),
        "is_prospect": customer.status == Status.PROSPECT,
        **extra,
    }


def customer_tab(request: HttpRequest, customer: Customer, **extra: Any) -> HttpResponse:
    """The Accounting tab inside the customer page (the panel alone for htmx)."""
    from carnet.customers.views import _panel  # the customer page is the frame; it imports this module

    return _panel(request, customer, TAB, **tab_context(request, customer, **extra))


@login_required
@require_POST
@_not_found_page  # a company the user does not belong to, as any other company's thing
def send_to_accounting(request: HttpRequest, pk: int) -> HttpResponse:
    from carnet.customers.views import _load

    customer = _load(pk)
    try:
        view = accounting.request_sync(
            actor=_actor(request), customer=customer, company=request.POST.get("company", "")
        )
    except NotFound:
        raise
    except CarnetError as exc:
        notice, level = exc.detail, "error"
    except ValidationError as exc:
        notice, level = " ".join(exc.messages), "error"
    else:
        notice = _("%(code)s was sent to the accounting of %(company)s; it is pending until it answers.") % {
            "code": customer.code,
            "company": view.company.code,
        }
        level = "success"
    if request.headers.get("HX-Request"):
        return customer_tab(request, _load(pk), notice=notice, notice_level=level)
    getattr(messages, level)(request, notice)
    return redirect(reverse("customer-detail", args=[pk]) + "?" + urlencode({"tab": TAB}))
