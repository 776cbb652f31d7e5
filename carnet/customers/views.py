"""The customer book for people: list, create, detail with its tabs, and the actions on a customer.

Views parse the request, call carnet.customers.services (which check permissions and rules in one
transaction) and render. A service's field errors are put back beside the matching field.
"""

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from carnet.accounts.models import User
from carnet.accounts.permissions import can, require
from carnet.accounts.roles import Action
from carnet.audit import views as history_views
from carnet.credit import views as credit_views
from carnet.customfields import listing as custom_listing
from carnet.customfields.forms import GROUP_TITLE
from carnet.customfields.services import definitions as custom_definitions
from carnet.errors import CarnetError, CodeTaken, DuplicatesFound, InUse, StaleVersion
from carnet.events import views as events_views
from carnet.integrations import views as integration_views
from carnet.web.csv_export import csv_response

from . import queries, services
from .choices import Category, Status
from .forms import (
    BANK,
    BILLING,
    BUSINESS_NUMBERS,
    IDENTITY,
    TAX,
    AddressForm,
    CloseForm,
    ContactForm,
    CustomerForm,
    ListFilterForm,
    NoteForm,
    StatusForm,
)
from .models import Address, Contact, Customer, Note

PAGE_SIZE = 25
TABS = [
    ("overview", gettext_lazy("Overview")),
    (events_views.TAB, events_views.TAB_LABEL),
    ("credit", gettext_lazy("Credit")),
    ("holds", gettext_lazy("Holds")),
    ("activity", gettext_lazy("Activity")),
    ("sales", gettext_lazy("Sales")),
    ("addresses", gettext_lazy("Addresses")),
    ("contacts", gettext_lazy("Contacts")),
    ("notes", gettext_lazy("Notes")),
    ("billing", gettext_lazy("Billing & payment")),
    (integration_views.TAB, integration_views.TAB_LABEL),
    (history_views.TAB, history_views.TAB_LABEL),
]
SORTABLE_COLUMNS = ("code", "name", "status", "updated")


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _htmx(request: HttpRequest) -> Any:
    """The htmx details that django-htmx's middleware adds (falsy for a plain request)."""
    return getattr(request, "htmx", None)


def _put_errors(exc: ValidationError, *forms_in_order: forms.BaseForm) -> None:
    """Put each field error beside its field, on the first form that has that field; the rest on top."""
    for field, messages_ in (
        exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    ):
        target = next((f for f in forms_in_order if field in f.fields), None)
        if target is not None:
            for message in messages_:
                target.add_error(field, message)
        else:
            for message in messages_:
                forms_in_order[0].add_error(None, message)


# --- list and export -------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> tuple[ListFilterForm, queries.CustomerFilters]:
    form = ListFilterForm(request.GET)
    form.is_valid()  # invalid values are dropped from cleaned_data, the rest still filters
    data = form.cleaned_data
    key_account = {"yes": True, "no": False}.get(data.get("key_account") or "")
    statuses = data.get("status") or []
    sort = data.get("sort") or queries.DEFAULT_SORT
    filters = queries.CustomerFilters(
        q=data.get("q") or "",
        statuses=list(statuses),
        category=data.get("category") or "",
        key_account=key_account,
        assigned_to=request.user.get_username() if data.get("assigned") == "me" else "",
        external_code=data.get("external_code") or "",
        # Asking for closed customers by status means showing them.
        active=None if data.get("closed") or Status.CLOSED in statuses else True,
        sort=sort if sort in queries.SORTS else queries.DEFAULT_SORT,
    )
    filters.custom = custom_listing.valid_filter_params(request.GET, filters.custom_definitions)
    return form, filters


def _main_address(customer: Customer) -> Address | None:
    addresses = getattr(customer, "main_addresses", None) or []  # prefetched by with_main_address
    return addresses[0] if addresses else None


def _category_text(customer: Customer) -> str:
    labels = dict(Category.choices)
    return ", ".join(str(labels.get(c, c)) for c in customer.categories)


def _query_string(request: HttpRequest, **overrides: Any) -> str:
    params = request.GET.copy()
    for key in ("page", "go", *overrides):
        params.pop(key, None)
    for key, value in overrides.items():
        if value not in (None, ""):
            params[key] = value
    return params.urlencode()


def _is_filtered(filters: queries.CustomerFilters) -> bool:
    return bool(
        filters.q.strip()
        or filters.statuses
        or filters.category
        or filters.key_account is not None
        or filters.assigned_to
        or filters.external_code
        or filters.custom
        or filters.active is not True
    )


@login_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Action.VIEW_CUSTOMERS)
    form, filters = _filters(request)
    # Enter in the search box (go=1, from the search button; the type-ahead never sends it) on an exact
    # code opens that customer. htmx may carry that submit itself, so it is told to navigate.
    if request.GET.get("go") and filters.q.strip():
        exact = Customer.objects.filter(code=filters.q.strip().upper()).values_list("pk", flat=True).first()
        if exact is not None:
            url = reverse("customer-detail", args=[exact])
            return HttpResponseClientRedirect(url) if _htmx(request) else redirect(url)
    queryset = queries.ordered(
        queries.with_main_address(queries.filter_customers(filters)), filters.sort, filters.q
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    sort_links = {}
    for column in SORTABLE_COLUMNS:
        current = filters.sort.lstrip("-") == column
        descending = filters.sort.startswith("-")
        next_sort = f"-{column}" if current and not descending else column
        sort_links[column] = {
            "url": "?" + _query_string(request, sort=next_sort),
            "arrow": ("▼" if descending else "▲") if current else "",
            "aria": ("descending" if descending else "ascending") if current else "none",
        }
    custom_fields = filters.custom_definitions
    context = {
        "form": form,
        "filters": filters,
        "custom_columns": custom_listing.list_columns(custom_fields),
        "custom_filters": custom_listing.filter_controls(request.GET, custom_fields),
        "page": page,
        "rows": [(c, _main_address(c), _category_text(c)) for c in page.object_list],
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "page_query": _query_string(request),
        "export_query": _query_string(request, go=None),
        "sort_links": sort_links,
        "filtered": _is_filtered(filters),
        "more_filters_open": bool(
            filters.statuses
            or filters.category
            or filters.key_account is not None
            or filters.assigned_to
            or filters.external_code
            or filters.custom
            or filters.active is None
        ),
    }
    if _htmx(request) and _htmx(request).target == "results":
        return render(request, "customers/_results.html", context)
    return render(request, "customers/list.html", context)


EXPORT_COLUMNS = [
    "code",
    "name",
    "legal_name",
    "status",
    "status_reason",
    "categories",
    "email",
    "phone",
    "line1",
    "city",
    "province",
    "postal_code",
    "country",
    "external_code",
    "key_account",
    "assigned_to",
    "payment_terms_days",
    "currency",
    "gst_number",
    "qst_number",
    "neq",
    "vat_number",
    "siren",
    "siret",
    "ein",
    "created_at",
    "updated_at",
]


def _export_rows(queryset: Any) -> Iterator[list[Any]]:
    for customer in queryset.iterator(chunk_size=500):
        address = _main_address(customer)
        yield [
            customer.code,
            customer.name,
            customer.legal_name,
            customer.status,
            customer.status_reason,
            " ".join(customer.categories),
            customer.email,
            customer.phone,
            address.line1 if address else "",
            address.city if address else "",
            address.province if address else "",
            address.postal_code if address else "",
            address.country if address else "",
            customer.external_code,
            "yes" if customer.key_account else "no",
            customer.assigned_to.username if customer.assigned_to else "",
            customer.payment_terms_days,
            customer.currency,
            customer.gst_number,
            customer.qst_number,
            customer.neq,
            customer.vat_number,
            customer.siren,
            customer.siret,
            customer.ein,
            customer.created_at.isoformat(),
            customer.updated_at.isoformat(),
        ]


@login_required
@require_GET
def customer_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV: the same filters and order as the screen, every page."""
    require(_actor(request), Action.EXPORT_CUSTOMERS)
    _form, filters = _filters(request)
    queryset = queries.ordered(
        queries.with_main_address(queries.filter_customers(filters)), filters.sort, filters.q
    )
    filename = f"customers-{timezone.localdate():%Y%m%d}.csv"
    return csv_response(filename, EXPORT_COLUMNS, _export_rows(queryset))


# --- create ----------------------------------------------------------------------------------------


def _already_exists(request: HttpRequest, customer_id: int | str, code: str) -> HttpResponse:
    messages.info(request, _("%(code)s already exists; here it is.") % {"code": code})
    return redirect("customer-detail", pk=customer_id)


@login_required
def customer_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CREATE_CUSTOMER)
    may_status = can(actor, Action.CHANGE_CUSTOMER_STATUS)
    twins: list[Any] = []
    if request.method == "POST":
        form = CustomerForm(request.POST, creating=True, may_change_status=may_status)
        address_form = AddressForm(request.POST, prefix="address", optional=True)
        contact_form = ContactForm(request.POST, prefix="contact", optional=True)
        if form.is_valid() and address_form.is_valid() and contact_form.is_valid():
            data = form.service_data()
            code = (data.get("code") or "").strip().upper()
            existing = (
                Customer.objects.filter(code=code).values_list("pk", flat=True).first() if code else None
            )
            if existing is not None:
                return _already_exists(request, existing, code)
            stage: forms.BaseForm = form
            try:
                # One transaction: the customer, its first address and first contact are saved together
                # or not at all.
                with transaction.atomic():
                    customer = services.create_customer(
                        actor=actor,
                        data=data,
                        acknowledge_duplicates=request.POST.get("acknowledge_duplicates") == "1",
                    )
                    if address_form.has_content():
                        stage = address_form
                        services.add_address(
                            actor=actor,
                            customer_id=customer.pk,
                            data={**address_form.service_data(), "main": True},
                        )
                    if contact_form.has_content():
                        stage = contact_form
                        services.add_contact(
                            actor=actor, customer_id=customer.pk, data=contact_form.service_data()
                        )
            except DuplicatesFound as exc:
                twins = exc.extra.get("duplicates", [])
            except CodeTaken as exc:
                return _already_exists(request, exc.extra["existing"]["id"], exc.extra["existing"]["code"])
            except ValidationError as exc:
                _put_errors(exc, stage)
            else:
                messages.success(request, _("Customer %(code)s created.") % {"code": customer.code})
                if back := _next_url(request):  # e.g. order entry, which picks the new customer
                    return redirect(
                        back + ("&" if "?" in back else "?") + urlencode({"customer": customer.pk})
                    )
                return redirect("customer-detail", pk=customer.pk)
    else:
        initial = {"name": request.GET.get("name", ""), "assigned_to": actor.pk}
        form = CustomerForm(initial=initial, creating=True, may_change_status=may_status)
        address_form = AddressForm(prefix="address", optional=True)
        contact_form = ContactForm(
            prefix="contact", optional=True, initial={"is_default": True, "active": True}
        )
    return render(
        request,
        "customers/create.html",
        {
            "form": form,
            "address_form": address_form,
            "contact_form": contact_form,
            "twins": twins,
            "next": _next_url(request),
        },
    )


def _next_url(request: HttpRequest) -> str:
    """Where to go once the customer is created (a page of this site only), from ?next= or the form."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    return back if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) else ""


# --- detail and its tabs ---------------------------------------------------------------------------


def _load(pk: int) -> Customer:
    try:
        return queries.customer_detail(pk)
    except Customer.DoesNotExist:
        raise Http404(_("No customer has this id.")) from None


def _display_value(customer: Customer, name: str) -> str:
    if name == "categories":
        return _category_text(customer)
    field = Customer._meta.get_field(name)
    value = getattr(customer, name)
    if getattr(field, "choices", None):
        return str(getattr(customer, f"get_{name}_display")()) if value else ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value is None:
        return ""
    if name in {"created_at", "updated_at"}:
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if name == "assigned_to":
        return value.get_full_name() or value.username
    return str(value)


def _display(customer: Customer, names: list[str]) -> list[tuple[str, str, str]]:
    rows = []
    for name in names:
        field = None if name == "categories" else Customer._meta.get_field(name)
        label = str(getattr(field, "verbose_name", _("Categories")))
        rows.append((name, label[:1].upper() + label[1:], _display_value(customer, name)))
    return rows


def _tab_context(customer: Customer, tab: str) -> dict[str, Any]:
    context: dict[str, Any] = {"customer": customer, "tab": tab}
    if tab == "overview":
        context["groups"] = [
            (
                _("Identity"),
                _display(
                    customer,
                    [
                        *(n for n in IDENTITY if n != "subcontractor_status" or customer.is_subcontractor),
                        "created_at",
                        "updated_at",
                    ],
                ),
            ),
            (_("Business numbers"), _display(customer, BUSINESS_NUMBERS)),
        ]
        custom_fields = custom_definitions("customer")
        if custom_fields:
            context["groups"].append(
                (GROUP_TITLE, custom_listing.detail_rows(custom_fields, customer.custom_fields))
            )
    elif tab == "billing":
        context["groups"] = [
            (_("Billing and payment"), _display(customer, BILLING)),
            (_("Bank"), _display(customer, BANK)),
            (_("Tax"), _display(customer, TAX)),
        ]
    elif tab == "notes":
        context.setdefault("note_form", NoteForm())
    elif tab == "contacts":
        context["contact_custom_fields"] = custom_definitions("contact")
    return context


def _detail_context(customer: Customer, tab: str) -> dict[str, Any]:
    return {
        **_tab_context(customer, tab),
        "tabs": TABS,
        "tab_template": f"customers/tabs/{tab}.html",
        "memo": [n for n in customer.notes.all() if n.pinned],
        "categories_text": _category_text(customer),
    }


def _panel(request: HttpRequest, customer: Customer, tab: str, **extra: Any) -> HttpResponse:
    """One tab: for htmx, the panel with the tab bar and memo refreshed out of band (their counts and pinned
    notes may have changed); otherwise the whole detail page."""
    context = {**_detail_context(customer, tab), **extra}
    if _htmx(request):
        return render(request, "customers/_panel_htmx.html", context)
    return render(request, "customers/detail.html", context)


def _done(
    request: HttpRequest, customer_id: int, tab: str, notice: str, level: str = "success"
) -> HttpResponse:
    """After an action on a part: the fresh tab for htmx, a redirect to it (with the message) otherwise."""
    if _htmx(request):
        return _panel(request, _load(customer_id), tab, notice=notice, notice_level=level)
    getattr(messages, level)(request, notice)
    return redirect(reverse("customer-detail", args=[customer_id]) + "?" + urlencode({"tab": tab}))


@login_required
@require_GET
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(_actor(request), Action.VIEW_CUSTOMERS)
    tab = request.GET.get("tab", "overview")
    if tab not in dict(TABS):
        tab = "overview"
    if tab in credit_views.CREDIT_TABS:  # the credit desk's tabs, rendered in this page's frame
        return credit_views.customer_tab(request, _load(pk), tab)
    if tab == events_views.TAB:  # the events' timeline, rendered in this page's frame
        return events_views.customer_tab(request, _load(pk))
    if tab == history_views.TAB:  # the change history, rendered in this page's frame
        return history_views.customer_tab(request, _load(pk))
    if tab == integration_views.TAB:  # the accounting sync, rendered in this page's frame
        return integration_views.customer_tab(request, _load(pk))
    return _panel(request, _load(pk), tab)


@login_required
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    customer = _load(pk)
    options: dict[str, Any] = {
        "creating": False,
        "customer": customer,
        "may_change_code": can(actor, Action.CHANGE_CUSTOMER_CODE),
    }
    stale = False
    if request.method == "POST":
        form = CustomerForm(request.POST, initial=CustomerForm.initial_for(customer), **options)
        if form.is_valid():
            try:
                services.update_customer(
                    actor=actor,
                    customer_id=pk,
                    changes=form.service_data(),
                    expected_version=form.cleaned_data["version"],
                )
            except StaleVersion:
                stale = True
            except CodeTaken as exc:
                form.add_error("code", exc.detail)
            except ValidationError as exc:
                _put_errors(exc, form)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("customer-detail", pk=pk)
    else:
        form = CustomerForm(initial=CustomerForm.initial_for(customer), **options)
    return render(request, "customers/edit.html", {"customer": customer, "form": form, "stale": stale})


@login_required
def customer_status(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER_STATUS)
    customer = _load(pk)
    if request.method == "POST":
        form = StatusForm(request.POST)
        if form.is_valid():
            try:
                services.set_status(
                    actor=actor,
                    customer_id=pk,
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except StaleVersion as exc:
                form.add_error(None, exc.detail)
            except ValidationError as exc:
                _put_errors(
                    ValidationError(
                        {("reason" if k == "status_reason" else k): v for k, v in exc.message_dict.items()}
                    ),
                    form,
                )
            else:
                messages.success(request, _("Status changed."))
                return redirect("customer-detail", pk=pk)
    else:
        form = StatusForm(
            initial={"status": customer.status, "reason": customer.status_reason, "version": customer.version}
        )
    return render(request, "customers/status.html", {"customer": customer, "form": form})


@login_required
def customer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.DELETE_CUSTOMER)
    customer = _load(pk)
    reasons: list[str] = []
    detail = ""
    if request.method == "POST":
        try:
            services.delete_customer(actor=actor, customer_id=pk)
        except InUse as exc:
            reasons, detail = exc.extra.get("reasons", []), exc.detail
        else:
            messages.success(request, _("Customer %(code)s deleted.") % {"code": customer.code})
            return redirect("customer-list")
    return render(
        request,
        "customers/delete.html",
        {
            "customer": customer,
            "reasons": reasons,
            "detail": detail,
            "close_form": CloseForm(),
            "may_close": can(actor, Action.CHANGE_CUSTOMER_STATUS),
        },
    )


@login_required
@require_POST
def customer_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a customer that cannot be deleted: it leaves the active list and takes no new documents."""
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER_STATUS)
    customer = _load(pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.set_status(
                actor=actor, customer_id=pk, status=Status.CLOSED, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _put_errors(ValidationError({"reason": exc.messages}), form)
        else:
            messages.success(request, _("Customer %(code)s closed.") % {"code": customer.code})
            return redirect("customer-detail", pk=pk)
    return render(
        request,
        "customers/delete.html",
        {
            "customer": customer,
            "reasons": [],
            "detail": "",
            "close_form": form,
            "may_close": True,
            "closing": True,
        },
    )


# --- addresses -------------------------------------------------------------------------------------


def _part_refused(request: HttpRequest, customer_id: int, tab: str, exc: CarnetError) -> HttpResponse:
    return _done(request, customer_id, tab, exc.detail, level="error")


@login_required
@require_GET
def province_field(request: HttpRequest) -> HttpResponse:
    """The province select for the chosen country (the address form's country select asks for it)."""
    prefix = request.GET.get("prefix") or None
    country = request.GET.get(f"{prefix}-country" if prefix else "country", "")
    form = AddressForm(prefix=prefix, initial={"country": country, "province": ""})
    return render(request, "web/field.html", {"field": form["province"]})


@login_required
def address_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    customer = _load(pk)
    if request.method == "POST":
        form = AddressForm(request.POST)
        if form.is_valid():
            try:
                services.add_address(actor=actor, customer_id=pk, data=form.service_data())
            except ValidationError as exc:
                _put_errors(exc, form)
            else:
                return _done(request, pk, "addresses", _("Address added."))
    else:
        form = AddressForm()
    return _panel(request, customer, "addresses", address_form=form, editing="new")


@login_required
def address_edit(request: HttpRequest, address_id: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    address = get_object_or_404(Address, pk=address_id)
    if request.method == "POST":
        form = AddressForm(request.POST, instance=Address.objects.get(pk=address_id))
        if form.is_valid():
            try:
                services.update_address(
                    actor=actor,
                    address_id=address_id,
                    changes=form.service_data(),
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                _put_errors(exc, form)
            except StaleVersion as exc:
                form.add_error(None, exc.detail)
            else:
                return _done(request, address.customer_id, "addresses", _("Address saved."))
    else:
        form = AddressForm(instance=address, initial={"version": address.version})
    return _panel(request, _load(address.customer_id), "addresses", address_form=form, editing=address.pk)


@login_required
@require_POST
def address_make_main(request: HttpRequest, address_id: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    address = get_object_or_404(Address, pk=address_id)
    try:
        services.update_address(actor=actor, address_id=address_id, changes={"main": True, "active": True})
    except ValidationError as exc:
        return _done(request, address.customer_id, "addresses", " ".join(exc.messages), level="error")
    except CarnetError as exc:
        return _part_refused(request, address.customer_id, "addresses", exc)
    return _done(request, address.customer_id, "addresses", _("This is now the main address."))


@login_required
@require_POST
def address_remove(request: HttpRequest, address_id: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    address = get_object_or_404(Address, pk=address_id)
    try:
        outcome = services.remove_address(actor=actor, address_id=address_id)
    except CarnetError as exc:
        return _part_refused(request, address.customer_id, "addresses", exc)
    if outcome == "deactivated":
        notice = _("The address is used on documents, so it was made inactive instead of deleted.")
    else:
        notice = _("Address deleted.")
    return _done(request, address.customer_id, "addresses", notice)


# --- contacts --------------------------------------------------------------------------------------


@login_required
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    customer = _load(pk)
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                services.add_contact(actor=actor, customer_id=pk, data=form.service_data())
            except ValidationError as exc:
                _put_errors(exc, form)
            else:
                return _done(request, pk, "contacts", _("Contact added."))
    else:
        form = ContactForm(initial={"active": True, "is_default": not customer.contacts.exists()})
    return _panel(request, customer, "contacts", contact_form=form, editing="new")


@login_required
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    contact = get_object_or_404(Contact, pk=contact_id)
    if request.method == "POST":
        form = ContactForm(request.POST, instance=Contact.objects.get(pk=contact_id))
        if form.is_valid():
            try:
                services.update_contact(
                    actor=actor,
                    contact_id=contact_id,
                    changes=form.service_data(),
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                _put_errors(exc, form)
            except StaleVersion as exc:
                form.add_error(None, exc.detail)
            else:
                return _done(request, contact.customer_id, "contacts", _("Contact saved."))
    else:
        form = ContactForm(instance=contact, initial={"version": contact.version})
    return _panel(request, _load(contact.customer_id), "contacts", contact_form=form, editing=contact.pk)


@login_required
@require_POST
def contact_toggle_active(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    contact = get_object_or_404(Contact, pk=contact_id)
    # An inactive contact cannot stay the default or billing one: deactivating gives those roles up.
    changes: dict[str, Any] = (
        {"active": True}
        if not contact.active
        else {"active": False, "is_default": False, "is_billing": False}
    )
    try:
        services.update_contact(actor=actor, contact_id=contact_id, changes=changes)
    except ValidationError as exc:
        return _done(request, contact.customer_id, "contacts", " ".join(exc.messages), level="error")
    notice = _("%(name)s is active again.") if changes["active"] else _("%(name)s is now inactive.")
    return _done(request, contact.customer_id, "contacts", notice % {"name": contact.name})


@login_required
@require_POST
def contact_remove(request: HttpRequest, contact_id: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    contact = get_object_or_404(Contact, pk=contact_id)
    try:
        outcome = services.remove_contact(actor=actor, contact_id=contact_id)
    except CarnetError as exc:
        return _part_refused(request, contact.customer_id, "contacts", exc)
    if outcome == "deactivated":
        notice = _("The contact is used on documents, so it was made inactive instead of deleted.")
    else:
        notice = _("Contact deleted.")
    return _done(request, contact.customer_id, "contacts", notice)


# --- notes -----------------------------------------------------------------------------------------


@login_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    customer = _load(pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(actor=actor, customer_id=pk, data=form.cleaned_data)
        except ValidationError as exc:
            _put_errors(exc, form)
        else:
            return _done(request, pk, "notes", _("Note added."))
    return _panel(request, customer, "notes", note_form=form)


@login_required
@require_POST
def note_pin(request: HttpRequest, note_id: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    note = get_object_or_404(Note, pk=note_id)
    try:
        services.update_note(actor=actor, note_id=note_id, changes={"pinned": not note.pinned})
    except CarnetError as exc:
        return _part_refused(request, note.customer_id, "notes", exc)
    notice = _("Note unpinned from the memo.") if note.pinned else _("Note pinned to the memo.")
    return _done(request, note.customer_id, "notes", notice)


@login_required
@require_POST
def note_delete(request: HttpRequest, note_id: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.CHANGE_CUSTOMER)
    note = get_object_or_404(Note, pk=note_id)
    services.delete_note(actor=actor, note_id=note_id)
    return _done(request, note.customer_id, "notes", _("Note deleted."))
