"""Documents for people: order entry (and the other entry forms), lists, detail pages with their actions, and
the credit-hold queue.

Views parse the request, call carnet.documents.services (which check permissions, states and the credit
check in one transaction) and render. A service's field errors are put back beside the matching field; a
credit warning is shown with its reasons and the memo and asks for an acknowledgement with a reason; a
block is shown with its reasons, and nothing is saved (or the order is kept on credit hold, when the
company's policy says so).
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import can, require
from carnet.accounts.roles import Action
from carnet.credit import queries as credit_queries
from carnet.credit.decision import Decision
from carnet.credit.services import check_credit_dry_run, get_policy
from carnet.credit.vocabulary import DocumentKind, Outcome
from carnet.customers import queries as customer_queries
from carnet.customers.models import Customer, Note
from carnet.errors import CreditRefused, CreditWarningNotAcknowledged, InvalidState, NotFound, StaleVersion

from . import queries, services
from .choices import InvoiceStatus, OrderStatus, QuoteStatus
from .common import Entered
from .forms import (
    ChangeAmountForm,
    ConvertForm,
    CreditNoteForm,
    EntryForm,
    InvoiceForm,
    LineFormSet,
    ListFilterForm,
    OrderForm,
    PaymentForm,
    QuoteForm,
    ReasonForm,
    ShipmentForm,
    _normalise_amount,
)
from .models import CreditNote, Invoice, Order, Payment, Quote, Shipment

PAGE_SIZE = 25
PICKER_SIZE = 8


@dataclass(frozen=True)
class Kind:
    slug: str
    model: type[Model]
    title: Any  # lazy text: the list's title
    statuses: list[tuple[str, Any]] | None
    create: str | None  # URL name of the entry form
    credit_kind: str | None  # the credit check's kind of document


KINDS: dict[str, Kind] = {
    k.slug: k
    for k in (
        Kind(
            "quotes", Quote, gettext_lazy("Quotes"), QuoteStatus.choices, "quote-create", DocumentKind.QUOTE
        ),
        Kind(
            "orders", Order, gettext_lazy("Orders"), OrderStatus.choices, "order-create", DocumentKind.ORDER
        ),
        Kind("shipments", Shipment, gettext_lazy("Shipments"), None, None, None),
        Kind(
            "invoices",
            Invoice,
            gettext_lazy("Invoices"),
            InvoiceStatus.choices,
            "invoice-create",
            DocumentKind.INVOICE,
        ),
        Kind(
            "credit-notes",
            CreditNote,
            gettext_lazy("Credit notes"),
            None,
            "credit-note-create",
            DocumentKind.CREDIT_NOTE,
        ),
        Kind("payments", Payment, gettext_lazy("Payments"), None, "payment-create", DocumentKind.PAYMENT),
    )
}
KIND_OF_MODEL = {k.model: k for k in KINDS.values()}
FIGURE_LABELS = {
    "limit": gettext_lazy("Limit"),
    "exposure": gettext_lazy("Exposure"),
    "amount": gettext_lazy("Amount"),
    "maximum": gettext_lazy("Maximum per order"),
}


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _htmx(request: HttpRequest) -> Any:
    return getattr(request, "htmx", None)


def _detail_url(document: Model) -> str:
    return reverse("document-detail", args=[KIND_OF_MODEL[type(document)].slug, document.pk])


def _put_errors(exc: ValidationError, form: forms.BaseForm) -> dict[str, list[str]]:
    """Put each field error beside its field on the form; return those of fields the form does not have
    (lines.2.quantity, allocations.0.amount…) for the caller to place."""
    left: dict[str, list[str]] = {}
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [("__all__", exc.messages)]
    for field, messages_ in items:
        if field in form.fields:
            for message in messages_:
                form.add_error(field, message)
        elif field in ("__all__", None):
            for message in messages_:
                form.add_error(None, message)
        else:
            left[field] = list(messages_)
    return left


# --- the customer beside an entry form: status, memo, holds, credit figures, a live dry run ----------


def _customer(value: Any) -> Customer | None:
    try:
        return Customer.objects.get(pk=int(value))
    except (Customer.DoesNotExist, TypeError, ValueError):
        return None


def _company(actor: User, value: Any) -> Company | None:
    companies = actor.visible_companies()
    try:
        return companies.get(pk=int(value))
    except (Company.DoesNotExist, TypeError, ValueError):
        return companies.first()


def decision_view(decision: Decision | dict[str, Any] | None) -> dict[str, Any] | None:
    """A decision (or its JSON, as kept on an order or an override) for the templates: the outcome, each
    reason with its figures labelled, the memo and the exposure figures."""
    if decision is None:
        return None
    severities: list[str | None] = []
    if isinstance(decision, Decision):
        severities = [str(r.severity) for r in decision.reasons]
        decision = decision.as_json()
    reasons = []
    for index, reason in enumerate(decision.get("reasons", [])):
        figures = [
            (FIGURE_LABELS.get(name, name), value)
            for name, value in reason.items()
            if name not in ("code", "message")
        ]
        severity = severities[index] if index < len(severities) else None
        reasons.append({**reason, "figures": figures, "severity": severity})
    return {
        "outcome": decision.get("outcome"),
        "reasons": reasons,
        "memo": decision.get("memo", []),
        "exposure": decision.get("exposure", {}),
    }


def _dry_run(actor: User, customer: Customer, company: Company, kind: str, amount: str) -> Decision | None:
    try:
        return check_credit_dry_run(
            actor=actor, customer=customer, company=company, kind=kind, amount=_normalise_amount(amount)
        )
    except (ValidationError, NotFound):
        return None


def _open_invoices(customer: Customer, company: Company) -> QuerySet[Invoice]:
    return Invoice.objects.filter(
        customer=customer, company=company, status=InvoiceStatus.POSTED, open_balance__gt=0
    ).order_by("due_date", "id")


def _panel_context(
    actor: User, customer: Customer | None, company: Company | None, kind: str, amount: str
) -> dict[str, Any]:
    """What the right-hand panel of an entry form shows for the picked customer in the chosen company."""
    if customer is None or company is None:
        return {"picked": None}
    decision = _dry_run(actor, customer, company, kind, amount) if (amount or "").strip() else None
    policy = get_policy(company)
    return {
        "picked": customer,
        "panel_company": company,
        "memo": list(
            Note.objects.filter(customer=customer, pinned=True)
            .select_related("category")
            .order_by("-created_at", "-id")
        ),
        "holds": list(credit_queries.customer_holds(customer=customer, company=company)),
        "summary": credit_queries.credit_summary(customer=customer, company=company),
        "dry_run": decision_view(decision),
        "dry_run_kind": kind,
        "amount_typed": bool((amount or "").strip()),
        "queue_on": bool(policy.credit_hold_queue) and kind == DocumentKind.ORDER,
    }


@login_required
@require_GET
def entry_customer_search(request: HttpRequest) -> HttpResponse:
    """The type-ahead of an entry form's customer picker: the customer book's own search, a few rows."""
    require(_actor(request), Action.VIEW_CUSTOMERS)
    q = (request.GET.get("q") or "").strip()
    found: list[Customer] = []
    if q:
        filters = customer_queries.CustomerFilters(q=q)
        found = list(
            customer_queries.ordered(customer_queries.filter_customers(filters), "name", q)[:PICKER_SIZE]
        )
    return render(
        request,
        "documents/_picker_results.html",
        {"found": found, "q": q, "new_customer_url": _new_customer_url(request)},
    )


def _new_customer_url(request: HttpRequest) -> str:
    """The customer create page, which comes back to this entry form with the new customer picked."""
    back = request.GET.get("back") or request.path
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("order-create")
    return reverse("customer-create") + "?" + urlencode({"next": back})


@login_required
@require_GET
def entry_customer(request: HttpRequest) -> HttpResponse:
    """The panel beside an entry form for the picked customer (part=decision: only the dry run, as the
    amount is typed). Picking (pick=1) also swaps the picker to the chosen customer; clearing (clear=1)
    gives the search back."""
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    kind = request.GET.get("kind") or DocumentKind.ORDER
    if kind not in DocumentKind.__members__.values():
        kind = DocumentKind.ORDER
    customer = None if request.GET.get("clear") else _customer(request.GET.get("customer"))
    company = _company(actor, request.GET.get("company"))
    context = {
        **_panel_context(actor, customer, company, kind, request.GET.get("amount", "")),
        "kind": kind,
        "oob_picker": bool(request.GET.get("pick") or request.GET.get("clear")),
        "with_allocations": kind in (DocumentKind.PAYMENT, DocumentKind.CREDIT_NOTE),
        "new_customer_url": _new_customer_url(request),
    }
    if context["with_allocations"] and customer is not None and company is not None:
        context["open_invoices"] = _allocation_rows(customer, company, {}, {})
    if request.GET.get("part") == "decision":
        return render(request, "documents/_decision_live.html", context)
    return render(request, "documents/_panel_htmx.html", context)


# --- entry forms ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntrySpec:
    slug: str
    form: type[EntryForm]
    action: str
    credit_kind: str
    title: Any
    submit: Any
    acknowledge: bool = False
    lines: bool = False
    allocations: bool = False


ENTRIES = {
    "orders": EntrySpec(
        "orders",
        OrderForm,
        Action.ENTER_DOCUMENTS,
        DocumentKind.ORDER,
        gettext_lazy("New order"),
        gettext_lazy("Save the order"),
        acknowledge=True,
    ),
    "quotes": EntrySpec(
        "quotes",
        QuoteForm,
        Action.ENTER_DOCUMENTS,
        DocumentKind.QUOTE,
        gettext_lazy("New quote"),
        gettext_lazy("Save the quote"),
    ),
    "invoices": EntrySpec(
        "invoices",
        InvoiceForm,
        Action.ENTER_INVOICES,
        DocumentKind.INVOICE,
        gettext_lazy("New invoice"),
        gettext_lazy("Save the invoice"),
        acknowledge=True,
        lines=True,
    ),
    "credit-notes": EntrySpec(
        "credit-notes",
        CreditNoteForm,
        Action.ENTER_INVOICES,
        DocumentKind.CREDIT_NOTE,
        gettext_lazy("New credit note"),
        gettext_lazy("Save the credit note"),
        allocations=True,
    ),
    "payments": EntrySpec(
        "payments",
        PaymentForm,
        Action.ENTER_INVOICES,
        DocumentKind.PAYMENT,
        gettext_lazy("New payment"),
        gettext_lazy("Save the payment"),
        allocations=True,
    ),
}


def _allocation_rows(
    customer: Customer, company: Company, typed: dict[int, str], errors: dict[int, list[str]]
) -> list[dict[str, Any]]:
    return [
        {"invoice": invoice, "typed": typed.get(invoice.pk, ""), "errors": errors.get(invoice.pk, [])}
        for invoice in _open_invoices(customer, company)
    ]


def _typed_allocations(request: HttpRequest) -> dict[int, str]:
    typed: dict[int, str] = {}
    for key in request.POST:
        value = str(request.POST.get(key, "")).strip()
        if key.startswith("alloc-") and value:
            try:
                typed[int(key[len("alloc-") :])] = value
            except ValueError:
                continue
    return typed


def _saved_message(spec: EntrySpec, entered: Entered[Any]) -> tuple[str, str]:
    """The message after saving, and its level."""
    number = {"number": entered.document.number}
    if entered.on_credit_hold:
        return (
            _(
                "Order %(number)s is saved on credit hold: the credit check blocked it, and this company "
                "keeps such orders for a credit controller to release or reject. It does not count until "
                "released."
            )
            % number,
            "warning",
        )
    override = entered.override is not None
    document = entered.document
    if spec.slug == "orders":
        text = (
            _("Order %(number)s saved; your override of the credit warnings is recorded.")
            if override
            else _("Order %(number)s saved.")
        )
    elif spec.slug == "invoices":
        text = (
            _("Invoice %(number)s posted.")
            if document.status == InvoiceStatus.POSTED
            else _("Invoice %(number)s saved as a draft.")
        )
        if override:
            text += " " + _("Your override of the credit warnings is recorded.")
    elif spec.slug == "quotes":
        text = _("Quote %(number)s saved.")
    elif spec.slug == "payments":
        text = _("Payment %(number)s saved.")
    else:
        text = _("Credit note %(number)s saved.")
    return text % number, "success"


def _call_service(
    spec: EntrySpec,
    actor: User,
    data: dict[str, Any],
    *,
    acknowledge: bool,
    lines: list[dict[str, str]] | None,
    allocations: list[dict[str, Any]],
    order: Order | None,
) -> Entered[Any]:
    common: dict[str, Any] = {
        "actor": actor,
        "customer": data["customer"],
        "company": data["company"],
        "date": data["date"],
        "reference": data.get("reference") or "",
    }
    ack: dict[str, Any] = {
        "acknowledge_warnings": acknowledge,
        "override_reason": data.get("override_reason") or None,
    }
    if spec.slug == "orders":
        return services.enter_order(**common, amount=data["amount"], **ack)
    if spec.slug == "quotes":
        return services.enter_quote(**common, amount=data["amount"])
    if spec.slug == "invoices":
        return services.enter_invoice(
            **common,
            amount=data.get("amount") or None,
            lines=lines or None,
            order=order,
            post=bool(data.get("post")),
            **ack,
        )
    if spec.slug == "payments":
        return services.enter_payment(
            **common, amount=data["amount"], method=data.get("method") or "", allocations=allocations
        )
    return services.enter_credit_note(**common, amount=data["amount"], allocations=allocations)


def _entry(request: HttpRequest, spec: EntrySpec) -> HttpResponseBase:
    actor = _actor(request)
    require(actor, spec.action)
    companies = actor.visible_companies()
    order: Order | None = None
    order_id = request.POST.get("order") or request.GET.get("order") if spec.lines else None
    if order_id:
        try:
            order = queries.document(Order, order_id, actor=actor)
        except NotFound:
            raise Http404(_("No order has this id.")) from None
    initial: dict[str, Any] = {}
    if order is not None:
        initial.update(customer=order.customer_id, company=order.company_id)
    elif request.GET.get("customer"):
        initial["customer"] = request.GET.get("customer")
    if request.GET.get("company"):
        initial["company"] = request.GET.get("company")
    bound = request.method == "POST"
    form = spec.form(request.POST if bound else None, initial=initial, companies=companies)
    lines = LineFormSet(request.POST if bound else None, prefix="lines") if spec.lines else None
    warning: Decision | None = None
    refused: Decision | None = None
    ask_reason = False
    typed = _typed_allocations(request) if bound and spec.allocations else {}
    allocation_errors: dict[int, list[str]] = {}
    top_errors: list[str] = []
    if bound:
        acknowledge = request.POST.get("acknowledge_warnings") == "1" and spec.acknowledge
        valid = form.is_valid()
        if lines is not None:
            valid = lines.is_valid() and valid
        if valid:
            data = form.cleaned_data
            line_forms = [f for f in lines if f.has_content()] if lines is not None else []
            allocation_ids = list(typed)
            try:
                entered = _call_service(
                    spec,
                    actor,
                    data,
                    acknowledge=acknowledge,
                    lines=[f.service_data() for f in line_forms],
                    allocations=[
                        {"invoice": pk, "amount": _normalise_amount(typed[pk])} for pk in allocation_ids
                    ],
                    order=order,
                )
            except CreditWarningNotAcknowledged as exc:
                warning = exc.decision
            except CreditRefused as exc:
                refused = exc.decision
            except NotFound as exc:
                form.add_error(None, exc.detail)
            except ValidationError as exc:
                for field, errors in _put_errors(exc, form).items():
                    parts = field.split(".")
                    if parts[0] == "lines" and len(parts) == 3 and int(parts[1]) < len(line_forms):
                        for message in errors:
                            line_forms[int(parts[1])].add_error(parts[2], message)
                    elif parts[0] == "allocations" and len(parts) >= 2 and parts[1].isdigit():
                        allocation_errors.setdefault(allocation_ids[int(parts[1])], []).extend(errors)
                    else:
                        top_errors.extend(errors)
                ask_reason = acknowledge and "override_reason" in form.errors
            else:
                text, level = _saved_message(spec, entered)
                getattr(messages, level)(request, text)
                if spec.slug == "invoices" and entered.decision is not None and entered.override is None:
                    notes = [r.message for r in entered.decision.reasons]
                    if notes and not entered.decision.blocked:
                        messages.warning(request, _("Posting warnings: %(why)s") % {"why": " ".join(notes)})
                return redirect(_detail_url(entered.document))
    raw = form.data if bound else {}
    customer = _customer(raw.get("customer") if bound else form.initial.get("customer"))
    company = _company(actor, raw.get("company") if bound else form.initial.get("company"))
    amount = str(raw.get("amount", "")) if bound else ""
    panel = _panel_context(actor, customer, company, spec.credit_kind, amount)
    if (
        ask_reason
        and warning is None
        and panel.get("dry_run")
        and panel["dry_run"]["outcome"] == Outcome.WARNING
    ):
        warning_view = panel["dry_run"]
    else:
        warning_view = decision_view(warning)
    context = {
        **panel,
        "spec": spec,
        "kind": spec.credit_kind,
        "form": form,
        "lines": lines,
        "order": order,
        "warning": warning_view,
        "refused": decision_view(refused),
        "refused_queue": refused is not None and panel.get("queue_on"),
        "top_errors": top_errors,
        "with_allocations": spec.allocations,
        "open_invoices": _allocation_rows(customer, company, typed, allocation_errors)
        if spec.allocations and customer is not None and company is not None
        else [],
        "new_customer_url": _new_customer_url(request),
        "list_url": reverse("document-list", args=[spec.slug]),
    }
    status = 200
    if warning is not None:
        status = 409
    elif refused is not None:
        status = 422
    elif bound and (
        form.errors
        or top_errors
        or allocation_errors
        or (lines is not None and any(f.errors for f in lines))
        or (warning_view is not None)
    ):
        status = 400
    return render(request, "documents/entry.html", context, status=status)


@login_required
def order_create(request: HttpRequest) -> HttpResponseBase:
    return _entry(request, ENTRIES["orders"])


@login_required
def quote_create(request: HttpRequest) -> HttpResponseBase:
    return _entry(request, ENTRIES["quotes"])


@login_required
def invoice_create(request: HttpRequest) -> HttpResponseBase:
    return _entry(request, ENTRIES["invoices"])


@login_required
def credit_note_create(request: HttpRequest) -> HttpResponseBase:
    return _entry(request, ENTRIES["credit-notes"])


@login_required
def payment_create(request: HttpRequest) -> HttpResponseBase:
    return _entry(request, ENTRIES["payments"])


def _shipped(order: Order) -> Decimal:
    return order.shipments.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


@login_required
def shipment_create(request: HttpRequest) -> HttpResponseBase:
    """Ship (part of) an order: the amount defaults to what is left to ship."""
    actor = _actor(request)
    require(actor, Action.ENTER_DOCUMENTS)
    order_id = request.POST.get("order") or request.GET.get("order")
    if not order_id:
        messages.info(request, _("A shipment is entered from its order: open the order and choose Ship."))
        return redirect("document-list", kind="orders")
    try:
        order = queries.document(Order, order_id, actor=actor)
    except NotFound:
        raise Http404(_("No order has this id.")) from None
    left = order.amount - _shipped(order)
    if request.method == "POST":
        form = ShipmentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                shipment = services.enter_shipment(
                    actor=actor,
                    order_id=order.pk,
                    amount=data["amount"] or None,
                    date=data["date"],
                    reference=data["reference"],
                )
            except InvalidState as exc:
                form.add_error(None, exc.detail)
            except ValidationError as exc:
                for errors in _put_errors(exc, form).values():
                    for message in errors:
                        form.add_error(None, message)
            else:
                messages.success(request, _("Shipment %(number)s saved.") % {"number": shipment.number})
                return redirect(_detail_url(shipment))
    else:
        form = ShipmentForm(initial={"date": timezone.localdate(), "amount": left})
    return render(
        request,
        "documents/shipment_form.html",
        {"form": form, "order": order, "left": left},
        status=400 if form.errors else 200,
    )


# --- lists ------------------------------------------------------------------------------------------


def _kind(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise Http404(_("No such kind of document.")) from None


def _query_string(request: HttpRequest, **overrides: Any) -> str:
    params = request.GET.copy()
    for key in ("page", *overrides):
        params.pop(key, None)
    for key, value in overrides.items():
        if value not in (None, ""):
            params[key] = value
    return params.urlencode()


@login_required
@require_GET
def document_list(request: HttpRequest, kind: str) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    info = _kind(kind)
    companies = actor.visible_companies()
    form = ListFilterForm(request.GET, companies=companies, statuses=info.statuses or [])
    form.is_valid()
    data = form.cleaned_data
    documents = queries.visible_documents(info.model, actor=actor, company=data.get("company"))
    customer_filter = (data.get("customer") or "").strip()
    one_customer = _customer(request.GET.get("customer_id"))
    if one_customer is not None:
        documents = documents.filter(customer=one_customer)
    if customer_filter:
        documents = documents.filter(
            Q(customer__code__iexact=customer_filter) | Q(customer__name__icontains=customer_filter)
        )
    if info.statuses and data.get("status"):
        documents = documents.filter(status=data["status"])
    if info.model is Shipment:
        documents = documents.select_related("order")
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "info": info,
        "kinds": KINDS.values(),
        "form": form,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "page_query": _query_string(request),
        "one_customer": one_customer,
        "filtered": bool(customer_filter or data.get("company") or data.get("status") or one_customer),
        "may_create": info.create is not None
        and can(
            actor,
            Action.ENTER_INVOICES if info.model in (Invoice, CreditNote, Payment) else Action.ENTER_DOCUMENTS,
        ),
    }
    if _htmx(request) and _htmx(request).target == "results":
        return render(request, "documents/_list_results.html", context)
    return render(request, "documents/list.html", context)


# --- detail -----------------------------------------------------------------------------------------


def _load(info: Kind, pk: int, actor: User) -> Any:
    try:
        if info.model is Invoice:
            return queries.invoice_with_lines(pk, actor=actor)
        return queries.document(info.model, pk, actor=actor)
    except NotFound:
        raise Http404(_("No document has this id.")) from None


def _overrides(document: Any) -> list[dict[str, Any]]:
    return [
        {"override": o, "decision": decision_view(o.decision)}
        for o in document.credit_overrides.select_related("user").order_by("at", "id")
    ]


def _detail_context(actor: User, info: Kind, document: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"info": info, "document": document, "kinds": KINDS.values()}
    if isinstance(document, Order):
        shipped = _shipped(document)
        context.update(
            shipments=list(document.shipments.order_by("date", "id")),
            shipped=shipped,
            left_to_ship=document.amount - shipped,
            invoice=Invoice.objects.filter(order=document).first(),
            overrides=_overrides(document),
            hold_decision=decision_view(document.hold_decision),
            amount_form=ChangeAmountForm(initial={"amount": document.amount, "version": document.version}),
            reason_form=ReasonForm(),
            may_change=can(actor, Action.ENTER_DOCUMENTS)
            and document.status in (OrderStatus.OPEN, OrderStatus.ON_CREDIT_HOLD),
            may_reopen=can(actor, Action.ENTER_DOCUMENTS) and document.status == OrderStatus.CANCELLED,
            may_resolve=can(actor, Action.RELEASE_CREDIT_HOLD)
            and document.status == OrderStatus.ON_CREDIT_HOLD,
            may_invoice=can(actor, Action.ENTER_INVOICES) and document.status == OrderStatus.OPEN,
            may_ship=can(actor, Action.ENTER_DOCUMENTS)
            and document.status in (OrderStatus.OPEN, OrderStatus.INVOICED)
            and document.amount - shipped > 0,
        )
    elif isinstance(document, Quote):
        context.update(
            converted=Order.objects.filter(quote=document).first(),
            may_convert=can(actor, Action.ENTER_DOCUMENTS) and document.status == QuoteStatus.OPEN,
            convert_form=ConvertForm(),
        )
    elif isinstance(document, Invoice):
        context.update(
            lines=list(document.lines.all()),
            allocations=list(document.allocations.select_related("payment", "credit_note").order_by("id")),
            overrides=_overrides(document),
            may_post=can(actor, Action.ENTER_INVOICES) and document.status == InvoiceStatus.DRAFT,
        )
    elif isinstance(document, Payment | CreditNote):
        context.update(
            allocations=list(document.allocations.select_related("invoice").order_by("id")),
            may_allocate=can(actor, Action.ENTER_INVOICES) and document.unallocated > 0,
        )
        if context["may_allocate"]:
            context["open_invoices"] = _allocation_rows(document.customer, document.company, {}, {})
    return context


@login_required
@require_GET
def document_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    info = _kind(kind)
    document = _load(info, pk, actor)
    return render(request, "documents/detail.html", _detail_context(actor, info, document))


# --- actions on a document ----------------------------------------------------------------------------


def _back(document: Any) -> HttpResponse:
    return redirect(_detail_url(document))


def _confirm(
    request: HttpRequest,
    document: Any,
    *,
    title: str,
    action_url: str,
    form: forms.Form,
    decision: Decision | dict[str, Any] | None,
    hidden: dict[str, Any],
) -> HttpResponse:
    """The page that shows a credit check's warnings for an action on a document (converting a quote,
    reopening an order, raising its amount) and asks for the acknowledgement with a reason."""
    return render(
        request,
        "documents/confirm.html",
        {
            "document": document,
            "info": KIND_OF_MODEL[type(document)],
            "title": title,
            "action_url": action_url,
            "form": form,
            "warning": decision if isinstance(decision, dict) else decision_view(decision),
            "hidden": hidden,
        },
        status=409,
    )


def _after_entered(request: HttpRequest, entered: Entered[Order], text: str) -> HttpResponse:
    if entered.on_credit_hold:
        messages.warning(
            request,
            _(
                "Order %(number)s is on credit hold: the credit check blocked it. A credit controller will "
                "release or reject it."
            )
            % {"number": entered.document.number},
        )
    else:
        messages.success(request, text)
    return _back(entered.document)


def _refused(request: HttpRequest, document: Any, exc: CreditRefused) -> HttpResponse:
    messages.error(
        request,
        _("Refused by the credit check, nothing was changed: %(why)s")
        % {"why": " ".join(r.message for r in exc.decision.reasons)},
    )
    return _back(document)


def _acknowledged(request: HttpRequest) -> tuple[bool, str]:
    return request.POST.get("acknowledge_warnings") == "1", (
        request.POST.get("override_reason") or ""
    ).strip()


@login_required
@require_POST
def quote_convert(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.ENTER_DOCUMENTS)
    quote = _load(KINDS["quotes"], pk, actor)
    form = ConvertForm(request.POST)
    form.is_valid()
    acknowledge, reason = _acknowledged(request)
    url = reverse("quote-convert", args=[pk])
    title = _("Convert %(number)s to an order") % {"number": quote.number}
    try:
        entered = services.convert_quote_to_order(
            actor=actor,
            quote_id=pk,
            date=form.cleaned_data.get("date"),
            acknowledge_warnings=acknowledge,
            override_reason=reason or None,
        )
    except CreditWarningNotAcknowledged as exc:
        return _confirm(
            request, quote, title=title, action_url=url, form=form, decision=exc.decision, hidden={}
        )
    except CreditRefused as exc:
        return _refused(request, quote, exc)
    except InvalidState as exc:
        messages.error(request, exc.detail)
        return _back(quote)
    except ValidationError as exc:
        _put_errors(exc, form)
        decision = _dry_run(actor, quote.customer, quote.company, DocumentKind.ORDER, str(quote.amount))
        return _confirm(request, quote, title=title, action_url=url, form=form, decision=decision, hidden={})
    return _after_entered(
        request,
        entered,
        _("%(quote)s is now order %(number)s.") % {"quote": quote.number, "number": entered.document.number},
    )


@login_required
@require_POST
def quote_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.ENTER_DOCUMENTS)
    quote = _load(KINDS["quotes"], pk, actor)
    try:
        services.cancel_quote(actor=actor, quote_id=pk)
    except InvalidState as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Quote %(number)s cancelled.") % {"number": quote.number})
    return _back(quote)


@login_required
@require_POST
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.ENTER_DOCUMENTS)
    order = _load(KINDS["orders"], pk, actor)
    try:
        services.cancel_order(actor=actor, order_id=pk)
    except InvalidState as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Order %(number)s cancelled.") % {"number": order.number})
    return _back(order)


@login_required
@require_POST
def order_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.ENTER_DOCUMENTS)
    order = _load(KINDS["orders"], pk, actor)
    acknowledge, reason = _acknowledged(request)
    form = ConvertForm(request.POST)
    form.fields.pop("date")
    url = reverse("order-reopen", args=[pk])
    title = _("Reopen order %(number)s") % {"number": order.number}
    try:
        entered = services.reopen_order(
            actor=actor, order_id=pk, acknowledge_warnings=acknowledge, override_reason=reason or None
        )
    except CreditWarningNotAcknowledged as exc:
        return _confirm(
            request, order, title=title, action_url=url, form=form, decision=exc.decision, hidden={}
        )
    except CreditRefused as exc:
        return _refused(request, order, exc)
    except InvalidState as exc:
        messages.error(request, exc.detail)
        return _back(order)
    except ValidationError as exc:
        form.is_valid()
        _put_errors(exc, form)
        decision = _dry_run(actor, order.customer, order.company, DocumentKind.ORDER, str(order.amount))
        return _confirm(request, order, title=title, action_url=url, form=form, decision=decision, hidden={})
    return _after_entered(request, entered, _("Order %(number)s reopened.") % {"number": order.number})


@login_required
@require_POST
def order_amount(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.ENTER_DOCUMENTS)
    order = _load(KINDS["orders"], pk, actor)
    form = ChangeAmountForm(request.POST)
    url = reverse("order-amount", args=[pk])
    title = _("Change the amount of order %(number)s") % {"number": order.number}
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(order)
    acknowledge, reason = _acknowledged(request)
    hidden = {"amount": form.cleaned_data["amount"], "version": form.cleaned_data["version"]}
    try:
        entered = services.change_order_amount(
            actor=actor,
            order_id=pk,
            amount=form.cleaned_data["amount"],
            expected_version=form.cleaned_data["version"],
            acknowledge_warnings=acknowledge,
            override_reason=reason or None,
        )
    except CreditWarningNotAcknowledged as exc:
        return _confirm(
            request, order, title=title, action_url=url, form=form, decision=exc.decision, hidden=hidden
        )
    except CreditRefused as exc:
        return _refused(request, order, exc)
    except (InvalidState, StaleVersion) as exc:
        messages.error(request, exc.detail)
        return _back(order)
    except ValidationError as exc:
        left = _put_errors(exc, form)
        if "override_reason" in form.errors:
            decision = _dry_run(actor, order.customer, order.company, DocumentKind.ORDER, hidden["amount"])
            return _confirm(
                request, order, title=title, action_url=url, form=form, decision=decision, hidden=hidden
            )
        messages.error(
            request,
            " ".join(
                [
                    *(str(e) for e in form.errors.get("amount", [])),
                    *(m for texts in left.values() for m in texts),
                ]
            ),
        )
        return _back(order)
    return _after_entered(
        request,
        entered,
        _("The amount of order %(number)s is now %(amount)s.")
        % {"number": order.number, "amount": entered.document.amount},
    )


def _resolve(request: HttpRequest, pk: int, release: bool) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.RELEASE_CREDIT_HOLD)
    order = _load(KINDS["orders"], pk, actor)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    reason = (request.POST.get("reason") or "").strip()
    try:
        if release:
            services.release_order(actor=actor, order_id=pk, reason=reason)
        else:
            services.reject_order(actor=actor, order_id=pk, reason=reason)
    except InvalidState as exc:
        messages.error(request, exc.detail)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        text = _("Order %(number)s released.") if release else _("Order %(number)s rejected.")
        messages.success(request, text % {"number": order.number})
    return redirect(back) if back else _back(order)


@login_required
@require_POST
def order_release(request: HttpRequest, pk: int) -> HttpResponse:
    return _resolve(request, pk, release=True)


@login_required
@require_POST
def order_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _resolve(request, pk, release=False)


@login_required
@require_POST
def invoice_post(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.ENTER_INVOICES)
    invoice = _load(KINDS["invoices"], pk, actor)
    try:
        entered = services.post_invoice(actor=actor, invoice_id=pk)
    except CreditRefused as exc:
        return _refused(request, invoice, exc)
    except (InvalidState, StaleVersion) as exc:
        messages.error(request, exc.detail)
        return _back(invoice)
    messages.success(request, _("Invoice %(number)s posted.") % {"number": invoice.number})
    if entered.decision is not None and entered.decision.reasons:
        messages.warning(
            request,
            _("Posting warnings: %(why)s") % {"why": " ".join(r.message for r in entered.decision.reasons)},
        )
    return _back(invoice)


@login_required
@require_POST
def document_allocate(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Allocate what is left on account of a payment or a credit note to the customer's open invoices."""
    actor = _actor(request)
    require(actor, Action.ENTER_INVOICES)
    info = _kind(kind)
    if info.model not in (Payment, CreditNote):
        raise Http404(_("Only payments and credit notes are allocated."))
    document = _load(info, pk, actor)
    typed = _typed_allocations(request)
    ids = list(typed)
    rows = [{"invoice": i, "amount": _normalise_amount(typed[i])} for i in ids]
    source = {"payment_id": pk} if info.model is Payment else {"credit_note_id": pk}
    try:
        made = services.allocate(actor=actor, allocations=rows, **source)
    except ValidationError as exc:
        errors: dict[int, list[str]] = {}
        top: list[str] = []
        for field, texts in exc.message_dict.items():
            parts = field.split(".")
            if parts[0] == "allocations" and len(parts) >= 2 and parts[1].isdigit():
                errors.setdefault(ids[int(parts[1])], []).extend(texts)
            else:
                top.extend(texts)
        context = _detail_context(actor, info, document)
        context.update(
            open_invoices=_allocation_rows(document.customer, document.company, typed, errors), top_errors=top
        )
        return render(request, "documents/detail.html", context, status=400)
    if made:
        messages.success(
            request,
            _("%(total)s allocated.") % {"total": sum((a.amount for a in made), Decimal("0.00"))},
        )
    else:
        messages.info(request, _("Nothing to allocate: type an amount beside an invoice."))
    return _back(document)


# --- the credit-hold queue ------------------------------------------------------------------------------


@login_required
@require_GET
def credit_queue(request: HttpRequest) -> HttpResponse:
    """Orders on credit hold in the user's companies, oldest first, with the decision that held each."""
    actor = _actor(request)
    require(actor, Action.VIEW_CUSTOMERS)
    companies = actor.visible_companies()
    chosen = _company(actor, request.GET.get("company")) if request.GET.get("company") else None
    held: list[Order] = []
    for company in [chosen] if chosen is not None else companies:
        held.extend(credit_queries.credit_hold_queue(company=company).select_related("company", "created_by"))
    held.sort(key=lambda o: (o.created_at, o.pk))
    return render(
        request,
        "documents/credit_queue.html",
        {
            "rows": [(order, decision_view(order.hold_decision)) for order in held],
            "companies": companies,
            "chosen": chosen,
            "may_resolve": can(actor, Action.RELEASE_CREDIT_HOLD),
            "reason_form": ReasonForm(),
        },
    )
