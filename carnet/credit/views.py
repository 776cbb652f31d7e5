"""The credit desk for people: the customer page's Credit, Holds, Activity and Sales tabs, the actions on them
(set a limit, add or lift a hold), and the company credit settings for admins.

Every figure is per company, and only for the companies the signed-in user belongs to. Views parse, call
carnet.credit.services (which check permissions and rules in one transaction) and render; a service's field
errors are put back beside the matching field, and nothing is saved.

The tabs are rendered inside the customer page (carnet/customers/views.py, customer_detail): the tab bar and
the memo around them are the customer page's.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import can, require
from carnet.accounts.roles import Action
from carnet.customers.models import Customer
from carnet.documents.models import CreditNote, Invoice, Order, Payment, Quote, Shipment
from carnet.documents.queries import visible_documents
from carnet.errors import CarnetError, StaleVersion

from . import queries, services
from .forms import EXPOSURE_METHOD_HELP, LIMIT_ENFORCEMENT_HELP, HoldForm, LimitForm, PolicyForm
from .models import CreditAccount, CreditPolicy, CreditReviewCriteria, Hold
from .review_criteria import NO_CRITERIA, Criteria, criteria_of
from .review_forms import CriteriaForm

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

CREDIT_TABS = ("credit", "holds", "activity", "sales")
TAB_TEMPLATES = {tab: f"credit/tabs/{tab}.html" for tab in CREDIT_TABS}
ACTIVITY_PAGE_SIZE = 20
OVERRIDES_SHOWN = 10
PRODUCTS_SHOWN = 10
SALES_YEARS = 5


@dataclass(frozen=True)
class ActivityKind:
    """One kind of document on the Activity tab; `key` is the kind of the document pages' URLs."""

    key: str
    model: type[Model]
    label: "StrOrPromise"


ACTIVITY_KINDS = [
    ActivityKind("quotes", Quote, gettext_lazy("Quotes")),
    ActivityKind("orders", Order, gettext_lazy("Orders")),
    ActivityKind("shipments", Shipment, gettext_lazy("Shipments")),
    ActivityKind("invoices", Invoice, gettext_lazy("Invoices")),
    ActivityKind("credit-notes", CreditNote, gettext_lazy("Credit notes")),
    ActivityKind("payments", Payment, gettext_lazy("Payments")),
]
ACTIVITY_BY_KEY = {k.key: k for k in ACTIVITY_KINDS}
DEFAULT_ACTIVITY = "orders"

AGING_LABELS = {
    "current": gettext_lazy("Current"),
    "days_1_30": gettext_lazy("1–30 days"),  # noqa: RUF001
    "days_31_60": gettext_lazy("31–60 days"),  # noqa: RUF001
    "days_61_90": gettext_lazy("61–90 days"),  # noqa: RUF001
    "over_90": gettext_lazy("Over 90 days"),
}


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _htmx(request: HttpRequest) -> Any:
    return getattr(request, "htmx", None)


def _put_errors(exc: ValidationError, form: forms.BaseForm) -> None:
    """Each field error beside its field; the others above the form."""
    pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for field, field_messages in pairs:
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


def _money(value: Decimal) -> str:
    return number_format(value, 2, use_l10n=True, force_grouping=True)


# --- charts --------------------------------------------------------------------------------------

CHART_HEIGHT = 120  # the bars' area, in SVG units; labels sit above (values) and below (names)
CHART_SLOT = 72
CHART_BAR = 40
AGING_SLOT = 96  # room for "Plus de 90 jours"
CHART_TOP = 18
CHART_BOTTOM = 22


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    text: str  # the value as people read it, in their language
    width: str
    x: str  # geometry, as plain numbers for SVG attributes (never localised)
    y: str
    height: str
    label_x: str
    value_y: str
    tone: str = ""


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: str
    height: str
    baseline: str
    label_y: str
    empty: bool


def bar_chart(items: list[tuple[str, Decimal, str]], slot: int = CHART_SLOT) -> Chart:
    """The geometry of a small bar chart, one bar per (label, value, tone), scaled to the largest value.
    Negative values draw no bar; their figure is still written."""
    top = max((value for _label, value, _tone in items), default=Decimal(0))
    bars = []
    for index, (label, value, tone) in enumerate(items):
        share = float(value / top) if top > 0 and value > 0 else 0.0
        height = round(CHART_HEIGHT * share, 1)
        if value > 0 and height < 1.5:
            height = 1.5  # a small amount stays visible
        left = index * slot
        bars.append(
            Bar(
                label=label,
                value=value,
                text=_money(value),
                width=str(CHART_BAR),
                x=str(left + (slot - CHART_BAR) / 2),
                y=str(round(CHART_TOP + CHART_HEIGHT - height, 1)),
                height=str(height),
                label_x=str(left + slot / 2),
                value_y=str(round(CHART_TOP + CHART_HEIGHT - height - 4, 1)),
                tone=tone,
            )
        )
    return Chart(
        bars=bars,
        width=str(max(len(items), 1) * slot),
        height=str(CHART_TOP + CHART_HEIGHT + CHART_BOTTOM),
        baseline=str(CHART_TOP + CHART_HEIGHT),
        label_y=str(CHART_TOP + CHART_HEIGHT + 15),
        empty=top <= 0,
    )


# --- the tabs ------------------------------------------------------------------------------------


def _companies(actor: User) -> list[Company]:
    return list(actor.visible_companies().order_by("code"))


def _criteria_form(company: Company, data: Any = None, initial: Any = None) -> CriteriaForm:
    """A customer's own criteria form on the company's card (ids unique per card)."""
    return CriteriaForm(data, initial=initial, auto_id=f"id_criteria_{company.pk}_%s")


def _review_criteria(customer: Customer, companies: list[Company]) -> dict[int, Criteria]:
    """The criteria that apply to the customer, by company id: its own, else the company's (one query)."""
    own: dict[int, Criteria] = {}
    company_sets: dict[int, Criteria] = {}
    for row in CreditReviewCriteria.objects.filter(company__in=[c.pk for c in companies]).filter(
        Q(customer__isnull=True) | Q(customer=customer)
    ):
        (company_sets if row.customer_id is None else own)[row.company_id] = criteria_of(row)
    return {c.pk: own.get(c.pk) or company_sets.get(c.pk) or NO_CRITERIA for c in companies}


def _credit_context(
    request: HttpRequest,
    customer: Customer,
    companies: list[Company],
    limit_forms: dict[str, LimitForm],
    criteria_forms: dict[str, CriteriaForm] | None = None,
) -> dict[str, Any]:
    actor = _actor(request)
    may_set = can(actor, Action.SET_CREDIT_LIMIT)
    criteria_forms = criteria_forms or {}
    review_criteria = _review_criteria(customer, companies)
    accounts = {
        a.company_id: a
        for a in CreditAccount.objects.filter(
            customer=customer, company__in=[c.pk for c in companies]
        ).select_related("limit_set_by")
    }
    cards = []
    for company in companies:
        summary = queries.credit_summary(customer=customer, company=company)
        account = accounts.get(company.pk)
        form = limit_forms.get(company.code)
        if form is None and may_set:
            form = LimitForm(
                initial={
                    "company": company.code,
                    "limit": summary.limit,
                    "version": account.version if account else None,
                },
                auto_id=f"id_limit_{company.pk}_%s",
            )
        criteria = review_criteria[company.pk]
        criteria_form = criteria_forms.get(company.code)
        if criteria_form is None and may_set:
            criteria_form = _criteria_form(company, initial=CriteriaForm.initial_of(criteria))
        utilisation = summary.utilisation_percent
        aging = bar_chart(
            [
                (str(AGING_LABELS[name]), value, "current" if name == "current" else "late")
                for name, value in summary.aging.items()
            ],
            slot=AGING_SLOT,
        )
        cards.append(
            {
                "company": company,
                "summary": summary,
                "account": account,
                "counts_orders": summary.exposure_method == "all_orders",
                "utilisation_width": None if utilisation is None else str(min(float(utilisation), 100.0)),
                "utilisation_tone": None
                if utilisation is None
                else ("over" if utilisation > 100 else "high" if utilisation >= 80 else "ok"),
                "balance_abs": abs(summary.balance),
                "aging_chart": aging,
                "aging_rows": [(str(AGING_LABELS[name]), value) for name, value in summary.aging.items()],
                "limit_form": form,
                "criteria": criteria,
                "criteria_form": criteria_form,
            }
        )
    names = {c.pk: c for c in companies}
    overrides = []
    for override in queries.credit_overrides(customer=customer).filter(company_id__in=list(names))[
        :OVERRIDES_SHOWN
    ]:
        decision = override.decision or {}
        overrides.append(
            {
                "override": override,
                "company": names.get(override.company_id),
                "outcome": decision.get("outcome", ""),
                "reasons": [r.get("message", "") for r in decision.get("reasons", [])],
                "document": override.order or override.invoice,
                "document_kind": "orders" if override.order_id else "invoices",
            }
        )
    return {"credit_cards": cards, "overrides": overrides}


def _hold_state(hold: Hold, today: date) -> str:
    if hold.lifted_at is not None:
        return "lifted"
    if hold.ends_on is not None and hold.ends_on < today:
        return "expired"
    return "active"


def _holds_context(
    request: HttpRequest, customer: Customer, companies: list[Company], hold_form: HoldForm | None
) -> dict[str, Any]:
    actor = _actor(request)
    today = timezone.localdate()
    holds = queries.customer_holds(customer=customer, include_ended=True).filter(
        Q(company_id__in=[c.pk for c in companies]) | Q(company__isnull=True)
    )
    rows = [{"hold": h, "state": _hold_state(h, today)} for h in holds]
    every_company = False
    if can(actor, Action.MANAGE_HOLDS):
        every_company = len(companies) >= Company.objects.count()
        if hold_form is None:
            hold_form = HoldForm(
                companies=companies,
                every_company=every_company,
                initial={"company": companies[0].code if len(companies) == 1 else ""},
            )
    return {
        "active_holds": [r for r in rows if r["state"] == "active"],
        "past_holds": [r for r in rows if r["state"] != "active"],
        "hold_form": hold_form,
        "may_hold_every_company": every_company,
    }


def _activity_page(request: HttpRequest, customer: Customer, kind: ActivityKind) -> dict[str, Any]:
    documents = visible_documents(kind.model, actor=_actor(request), customer=customer)
    if kind.model is Shipment:
        documents = documents.select_related("order")
    page = Paginator(documents, ACTIVITY_PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "kinds": ACTIVITY_KINDS,
        "kind": kind,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "today": timezone.localdate(),
    }


def _sales_context(customer: Customer, companies: list[Company]) -> dict[str, Any]:
    today = timezone.localdate()
    since = date(today.year - SALES_YEARS + 1, 1, 1)
    blocks = []
    for company in companies:
        years = queries.sales_per_year(customer=customer, company=company, years=SALES_YEARS, as_of=today)
        products = queries.sales_per_product(customer=customer, company=company, since=since)
        blocks.append(
            {
                "company": company,
                "years": years,
                "chart": bar_chart([(str(y.year), y.net, "net") for y in years]),
                "total": sum((y.net for y in years), Decimal("0.00")),
                "products": products[:PRODUCTS_SHOWN],
                "more_products": max(len(products) - PRODUCTS_SHOWN, 0),
            }
        )
    return {"sales_blocks": blocks, "sales_since": since}


def tab_context(request: HttpRequest, customer: Customer, tab: str, **extra: Any) -> dict[str, Any]:
    """What one of the credit tabs shows (extra: forms with their errors, to show again)."""
    companies = _companies(_actor(request))
    context: dict[str, Any] = {"tab_template": TAB_TEMPLATES[tab], "credit_companies": companies}
    if tab == "credit":
        context.update(
            _credit_context(
                request,
                customer,
                companies,
                extra.pop("limit_forms", {}),
                extra.pop("criteria_forms", None),
            )
        )
    elif tab == "holds":
        context.update(_holds_context(request, customer, companies, extra.pop("hold_form", None)))
    elif tab == "activity":
        kind = ACTIVITY_BY_KEY.get(request.GET.get("kind", ""), ACTIVITY_BY_KEY[DEFAULT_ACTIVITY])
        context.update(_activity_page(request, customer, kind))
    elif tab == "sales":
        context.update(_sales_context(customer, companies))
    return {**context, **extra}


def customer_tab(request: HttpRequest, customer: Customer, tab: str, **extra: Any) -> HttpResponse:
    """One credit tab inside the customer page (the panel alone for htmx, with the tab bar and memo)."""
    from carnet.customers.views import _panel  # the customer page is the frame; it imports this module

    return _panel(request, customer, tab, **tab_context(request, customer, tab, **extra))


def _load(pk: int) -> Customer:
    from carnet.customers.views import _load as load_customer

    return load_customer(pk)


def _done(
    request: HttpRequest, customer: Customer, tab: str, notice: str, level: str = "success"
) -> HttpResponse:
    """After an action: the fresh tab for htmx, a redirect to it (with the message) otherwise."""
    if _htmx(request):
        return customer_tab(request, _load(customer.pk), tab, notice=notice, notice_level=level)
    getattr(messages, level)(request, notice)
    return redirect(reverse("customer-detail", args=[customer.pk]) + "?" + urlencode({"tab": tab}))


# --- actions -------------------------------------------------------------------------------------


@login_required
@require_POST
def set_limit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.SET_CREDIT_LIMIT)
    customer = _load(pk)
    form = LimitForm(request.POST)
    code = request.POST.get("company", "")
    company = next((c for c in _companies(actor) if c.code == code), None)
    if company is None:
        raise Http404(_("No company has the code %(code)s.") % {"code": code})
    form.auto_id = f"id_limit_{company.pk}_%s"
    if form.is_valid():
        try:
            account = services.set_limit(
                actor=actor,
                customer=customer,
                company=company,
                limit=form.cleaned_data["limit"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as exc:
            form.add_error(None, exc.detail)
        except ValidationError as exc:
            _put_errors(exc, form)
        else:
            if account.limit is None:
                notice = _("%(company)s: the credit limit was removed (no limit).") % {
                    "company": company.code
                }
            else:
                notice = _("%(company)s: the credit limit is now %(limit)s %(currency)s.") % {
                    "company": company.code,
                    "limit": _money(account.limit),
                    "currency": company.currency,
                }
            return _done(request, customer, "credit", notice)
    return customer_tab(request, customer, "credit", limit_forms={company.code: form})


def _posted_company(request: HttpRequest, actor: User) -> Company:
    code = request.POST.get("company", "")
    company = next((c for c in _companies(actor) if c.code == code), None)
    if company is None:
        raise Http404(_("No company has the code %(code)s.") % {"code": code})
    return company


@login_required
@require_POST
def set_customer_criteria(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's own credit review criteria in a company (they replace the company's as a whole)."""
    from .review_criteria import set_customer_criteria as save_criteria

    actor = _actor(request)
    require(actor, Action.SET_CREDIT_LIMIT)
    customer = _load(pk)
    company = _posted_company(request, actor)
    form = _criteria_form(company, request.POST)
    if form.is_valid():
        try:
            save_criteria(actor=actor, customer=customer, company=company, data=form.service_data())
        except ValidationError as exc:
            _put_errors(exc, form)
        else:
            notice = _("%(company)s: this customer's own credit review criteria were saved.") % {
                "company": company.code
            }
            return _done(request, customer, "credit", notice)
    return customer_tab(request, customer, "credit", criteria_forms={company.code: form})


@login_required
@require_POST
def clear_customer_criteria(request: HttpRequest, pk: int) -> HttpResponse:
    """Back to the company's credit review criteria for the customer."""
    from .review_criteria import clear_customer_criteria as clear_criteria

    actor = _actor(request)
    require(actor, Action.SET_CREDIT_LIMIT)
    customer = _load(pk)
    company = _posted_company(request, actor)
    if clear_criteria(actor=actor, customer=customer, company=company):
        notice = _("%(company)s: this customer now follows the company's credit review criteria.")
    else:
        notice = _("%(company)s: this customer already followed the company's credit review criteria.")
    return _done(request, customer, "credit", notice % {"company": company.code})


@login_required
@require_POST
def add_hold(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.MANAGE_HOLDS)
    customer = _load(pk)
    companies = _companies(actor)
    posted = request.POST.get("company", "")
    if posted and Company.objects.filter(code=posted).exclude(pk__in=[c.pk for c in companies]).exists():
        # Another company's code is not found, as everywhere; an unknown code or "every company" is the
        # form's to refuse, beside the field.
        raise Http404(_("No company has the code %(code)s.") % {"code": posted})
    form = HoldForm(
        request.POST, companies=companies, every_company=len(companies) >= Company.objects.count()
    )
    if form.is_valid():
        try:
            hold = services.add_hold(actor=actor, customer=customer, **form.service_data())
        except ValidationError as exc:
            _put_errors(exc, form)
        except (CarnetError, PermissionDenied) as exc:
            form.add_error(None, getattr(exc, "detail", None) or str(exc))
        else:
            notice = _("%(type)s hold added.") % {"type": hold.get_type_display()}
            return _done(request, customer, "holds", notice)
    return customer_tab(request, customer, "holds", hold_form=form, adding_hold=True)


@login_required
@require_POST
def lift_hold(request: HttpRequest, hold_id: int) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.MANAGE_HOLDS)
    hold = get_object_or_404(Hold, pk=hold_id)
    customer = _load(hold.customer_id)
    try:
        lifted = services.lift_hold(actor=actor, hold_id=hold_id)
    except CarnetError as exc:
        if exc.status == 404:
            raise Http404(exc.detail) from None
        return _done(request, customer, "holds", exc.detail, level="error")
    except PermissionDenied as exc:
        return _done(request, customer, "holds", str(exc), level="error")
    notice = _("%(type)s hold lifted.") % {"type": lifted.get_type_display()}
    return _done(request, customer, "holds", notice)


@login_required
@require_GET
def activity(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """One kind of document of the customer, a page at a time (the Activity tab loads it with htmx)."""
    require(_actor(request), Action.VIEW_CUSTOMERS)
    if kind not in ACTIVITY_BY_KEY:
        raise Http404(_("No such kind of document."))
    if not _htmx(request):
        query = {"tab": "activity", "kind": kind, "page": request.GET.get("page", "")}
        return redirect(
            reverse("customer-detail", args=[pk]) + "?" + urlencode({k: v for k, v in query.items() if v})
        )
    customer = get_object_or_404(Customer, pk=pk)
    context = {"customer": customer, **_activity_page(request, customer, ACTIVITY_BY_KEY[kind])}
    return render(request, "credit/_activity_list.html", context)


# --- company credit settings ---------------------------------------------------------------------


def _choices_with_help(field: forms.BoundField, help_texts: dict[str, Any]) -> list[tuple[Any, Any]]:
    return [(radio, help_texts.get(str(radio.data["value"]), "")) for radio in field]


def _review_settings_forms(
    company: Company, policy: CreditPolicy, criteria_form: Any = None, schedule_form: Any = None
) -> dict[str, Any]:
    """The company's review criteria and daily schedule forms (fresh, or the ones posted with errors)."""
    from .review_criteria import get_company_criteria
    from .review_forms import CriteriaForm, ScheduleForm

    if criteria_form is None:
        criteria_form = CriteriaForm(
            initial=CriteriaForm.initial_of(get_company_criteria(company)), prefix="review"
        )
    if schedule_form is None:
        schedule_form = ScheduleForm(
            initial={
                "review_schedule": policy.review_schedule,
                "review_time": policy.review_time.strftime("%H:%M"),
                "version": policy.version,
            },
            prefix="schedule",
        )
    return {"criteria_form": criteria_form, "schedule_form": schedule_form}


def _save_review_part(
    request: HttpRequest, actor: User, company: Company, part: str
) -> tuple[bool, dict[str, Any]]:
    """Save the posted criteria or schedule: (saved, the forms to show again when not)."""
    from .review_criteria import set_company_criteria
    from .review_forms import CriteriaForm, ScheduleForm
    from .scheduling import set_review_schedule

    if part == "criteria":
        criteria_form = CriteriaForm(request.POST, prefix="review")
        if criteria_form.is_valid():
            try:
                set_company_criteria(actor=actor, company=company, data=criteria_form.service_data())
            except ValidationError as exc:
                _put_errors(exc, criteria_form)
            else:
                messages.success(
                    request, _("Credit review criteria of %(company)s saved.") % {"company": company.code}
                )
                return True, {}
        return False, {"criteria_form": criteria_form}
    schedule_form = ScheduleForm(request.POST, prefix="schedule")
    if schedule_form.is_valid():
        data = schedule_form.cleaned_data
        try:
            set_review_schedule(
                actor=actor,
                company=company,
                schedule=data["review_schedule"],
                review_time=data["review_time"],
                expected_version=data["version"],
            )
        except StaleVersion as exc:
            schedule_form.add_error(None, exc.detail)
        except ValidationError as exc:
            _put_errors(exc, schedule_form)
        else:
            messages.success(
                request, _("Daily credit review of %(company)s saved.") % {"company": company.code}
            )
            return True, {}
    return False, {"schedule_form": schedule_form}


@login_required
def credit_settings(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Action.MANAGE_SETTINGS)
    companies = _companies(actor)
    if not companies:
        raise Http404(_("You belong to no company."))
    code = request.POST.get("company") if request.method == "POST" else request.GET.get("company")
    company = next((c for c in companies if c.code == code), companies[0])
    policy: CreditPolicy = services.get_policy(company)
    initial = {
        "exposure_method": policy.exposure_method,
        "limit_enforcement": policy.limit_enforcement,
        "credit_hold_queue": policy.credit_hold_queue,
        "version": policy.version,
    }
    settings_url = reverse("settings-credit") + "?" + urlencode({"company": company.code})
    part = request.POST.get("part", "policy") if request.method == "POST" else ""
    review_forms: dict[str, Any] = {}
    form = PolicyForm(initial=initial)
    if part in ("criteria", "schedule"):
        saved, review_forms = _save_review_part(request, actor, company, part)
        if saved:
            return redirect(
                settings_url + "#" + ("review-criteria" if part == "criteria" else "review-schedule")
            )
    elif request.method == "POST":
        form = PolicyForm(request.POST, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.set_policy(
                    actor=actor,
                    company=company,
                    exposure_method=data["exposure_method"],
                    limit_enforcement=data["limit_enforcement"],
                    credit_hold_queue=data["credit_hold_queue"],
                    expected_version=data["version"],
                )
            except StaleVersion as exc:
                form.add_error(None, exc.detail)
            except ValidationError as exc:
                _put_errors(exc, form)
            else:
                messages.success(
                    request, _("Credit settings of %(company)s saved.") % {"company": company.code}
                )
                return redirect(settings_url)
    return render(
        request,
        "credit/settings.html",
        {
            "section": "credit",
            "form": form,
            "company": company,
            "companies": companies,
            "policy": policy,
            "exposure_choices": _choices_with_help(form["exposure_method"], EXPOSURE_METHOD_HELP),
            "enforcement_choices": _choices_with_help(form["limit_enforcement"], LIMIT_ENFORCEMENT_HELP),
            **_review_settings_forms(company, policy, **review_forms),
        },
    )
