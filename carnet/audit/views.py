"""The History tab of the customer page: the changes grouped by action (request id), filtered by field,
user and period, a page at a time."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import Field
from django.http import HttpRequest, HttpResponse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carnet.accounts.models import User
from carnet.customers.models import Customer

from .context import Source
from .forms import HistoryFilterForm
from .parts import PARTS_BY_NAME
from .queries import Entry, customer_history, history_filters, with_readable_references

TAB = "history"
TAB_LABEL = gettext_lazy("History")
TAB_TEMPLATE = "audit/tabs/history.html"
PAGE_SIZE = 50


@dataclass(frozen=True)
class Line:
    """One entry as the tab shows it."""

    object: str
    object_label: str
    field: str
    old: str
    new: str
    change: str


@dataclass
class Group:
    """The entries of one action (one request id) that sit together on the page."""

    request_id: str
    at: datetime
    user: str | None
    source: str
    lines: list[Line]


def _shown(entry: Entry, value: Any) -> str:
    """The value as people read it: labels for choices, Yes/No, dates in the reader's format."""
    if value is None or value == "":
        return "—"
    part = PARTS_BY_NAME[entry.object]
    name = entry.field.partition(".")[0]
    model_field = cast(Field, part.model._meta.get_field(name))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if model_field.choices and "." not in entry.field:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, str) and model_field.get_internal_type() == "DateTimeField":
        moment = parse_datetime(value)
        if moment is not None:
            return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    if isinstance(value, str) and model_field.get_internal_type() == "DateField":
        return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    return str(value)


def _line(entry: Entry) -> Line:
    part = PARTS_BY_NAME[entry.object]
    return Line(
        object=str(part.label),
        object_label=entry.object_label,
        field=part.verbose_name(entry.field),
        old=_shown(entry, entry.old),
        new=_shown(entry, entry.new),
        change=entry.change,
    )


def _groups(entries: list[Entry]) -> list[Group]:
    groups: list[Group] = []
    for entry in entries:
        if not groups or groups[-1].request_id != entry.request_id or not entry.request_id:
            groups.append(Group(entry.request_id, entry.at, entry.user, str(Source(entry.source).label), []))
        groups[-1].lines.append(_line(entry))
    return groups


def _field_choices(entries: list[Entry]) -> list[tuple[str, str]]:
    labels: dict[str, str] = {}
    for entry in entries:
        labels.setdefault(entry.field, PARTS_BY_NAME[entry.object].verbose_name(entry.field))
    return sorted(labels.items(), key=lambda item: item[1].lower())


def tab_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    """What the History tab shows. The choices of field and user come from the whole history."""
    everything = customer_history(customer, reader=cast(User, request.user))
    users = sorted({e.user for e in everything if e.user})
    form = HistoryFilterForm(request.GET or None, fields=_field_choices(everything), users=users)
    entries = everything
    if form.is_valid():
        data = form.cleaned_data
        filters = history_filters(
            field=data["field"],
            user=data["user"],
            since=data["since"].isoformat() if data["since"] else None,
            until=data["until"].isoformat() if data["until"] else None,
        )
        entries = [e for e in everything if filters.keeps(e)]
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query["tab"] = TAB
    return {
        "tab_template": TAB_TEMPLATE,
        "history_form": form,
        "history_groups": _groups(with_readable_references(list(page.object_list))),
        "history_page": page,
        "history_page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "history_query": query.urlencode(),
        "history_filtered": form.is_bound,
        "history_empty": not everything,
    }


def customer_tab(request: HttpRequest, customer: Customer) -> HttpResponse:
    """The History tab inside the customer page (the panel alone for htmx, with the tab bar and memo)."""
    from carnet.customers.views import _panel  # the customer page is the frame; it imports this module

    return _panel(request, customer, TAB, **tab_context(request, customer))
