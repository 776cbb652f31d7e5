"""A customer's change history, read: one entry per field a change touched, newest first.

The rows are simple-history's, for the customer and each of its parts (carnet/audit/parts.py); a change is
a row diffed against the row before it of the same object with simple-history's `diff_against`. A creation
lists the values it gave, a deletion the values it removed. The custom-fields JSON is shown key by key
(`custom_fields.<key>`). Per-company parts (holds, limits, review criteria) are shown only for the
reader's companies.
"""

import base64
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import ForeignKey, Model, Q
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.customers.models import Address, Customer, NoteCategory
from carnet.errors import NotFound

from .context import Source
from .parts import PARTS, PARTS_BY_NAME, Part

MAX_LIMIT = 200
CUSTOM_FIELDS = "custom_fields"
CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
BAD_CURSOR = "This cursor is not one Carnet gave for this history; start again without it."
# Values a creation or a deletion does not list: nothing was there.
_EMPTY: tuple[Any, ...] = (None, "", {}, [], False)
# Set to the moment of the change itself when the row is made: nothing to tell on creation.
_SAID_BY_THE_DATE = frozenset({"created_at", "set_at"})


@dataclass(frozen=True)
class Entry:
    """One field changed by one change. `key` orders entries (newest first) and places cursors."""

    at: datetime
    user: str | None
    source: str
    request_id: str
    object: str
    object_id: int
    object_label: str
    field: str
    old: Any
    new: Any
    change: str
    # After `at`, what orders entries of the same moment: the part, the history row, the field's place.
    key: tuple[int, int, int] = dataclass_field(repr=False)

    @property
    def id(self) -> str:
        return f"{self.object}.{self.key[1]}.{self.field}"

    def position(self) -> tuple[datetime, int, int, int]:
        return (self.at, *self.key)


@dataclass(frozen=True)
class HistoryFilters:
    field: str = ""
    user: str = ""
    source: str = ""
    request_id: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def keeps(self, entry: Entry) -> bool:
        return (
            (not self.field or entry.field == self.field or entry.field.startswith(self.field + "."))
            and (not self.user or entry.user == self.user)
            and (not self.source or entry.source == self.source)
            and (not self.request_id or entry.request_id == self.request_id)
            and (self.since is None or entry.at >= self.since)
            and (self.until is None or entry.at < self.until)
        )


def _moment(value: str, name: str, *, end_of_day: bool) -> datetime:
    """A date (the day's start, or the next day's start for `until`) or a date and time."""
    try:
        day = parse_date(value)
        moment = None if day is not None else parse_datetime(value)
    except ValueError:
        day = moment = None
    if day is not None:
        start = datetime.combine(day, time.min)
        if end_of_day:
            start = datetime.combine(date.fromordinal(day.toordinal() + 1), time.min)
        return timezone.make_aware(start)
    if moment is None:
        raise ValidationError(
            {name: f"Give a date (YYYY-MM-DD) or a date and time (ISO 8601), not {value!r}."}
        )
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def history_filters(
    *,
    field: str | None = None,
    user: str | None = None,
    source: str | None = None,
    request_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> HistoryFilters:
    """The filters from their text forms (a query string's); a bad value names its parameter and rule."""
    source = (source or "").strip()
    if source and source not in Source.values:
        raise ValidationError({"source": f"Use one of {', '.join(Source.values)}."})
    start = _moment(since.strip(), "since", end_of_day=False) if since and since.strip() else None
    end = _moment(until.strip(), "until", end_of_day=True) if until and until.strip() else None
    if start is not None and end is not None and end <= start:
        raise ValidationError({"until": "The end of the period comes before its start."})
    return HistoryFilters(
        field=(field or "").strip(),
        user=(user or "").strip(),
        source=source,
        request_id=(request_id or "").strip(),
        since=start,
        until=end,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _field_changes(part: Part, row: Any, before: Any | None) -> Iterator[tuple[str, Any, Any]]:
    """(field, old, new) of what the row did, the custom fields key by key."""
    fields = part.fields()
    if row.history_type == "~" and before is not None:
        delta = row.diff_against(before, included_fields=fields)
        pairs = [(c.field, c.old, c.new) for c in delta.changes]
    else:
        # A creation (or a first row with nothing before it) gives its values, a deletion takes them away.
        values = model_to_dict(row, fields=fields)
        names = sorted(n for n in fields if values[n] not in _EMPTY)
        if row.history_type == "-":
            pairs = [(n, values[n], None) for n in names]
        else:
            pairs = [
                (n, None, values[n])
                for n in names
                if not (row.history_type == "+" and n in _SAID_BY_THE_DATE)
            ]
    for name, old, new in pairs:
        if name == CUSTOM_FIELDS and isinstance(old or {}, dict) and isinstance(new or {}, dict):
            old_values, new_values = old or {}, new or {}
            for key in sorted(set(old_values) | set(new_values)):
                if old_values.get(key) != new_values.get(key):
                    yield f"{name}.{key}", old_values.get(key), new_values.get(key)
        else:
            yield name, _jsonable(old), _jsonable(new)


def _rows(part: Part, customer_id: int, companies: set[int] | None) -> Iterable[Any]:
    rows = part.history_model.objects.filter(**{part.link: customer_id})
    if part.per_company and companies is not None:
        # No company: a hold on every company, which everyone sees.
        rows = rows.filter(Q(company_id__in=companies) | Q(company_id__isnull=True))
    return rows.select_related("history_user").order_by("id", "history_date", "history_id")


def _entries(
    part: Part, rank: int, customer_id: int, companies: set[int] | None, codes: dict[int, str]
) -> Iterator[Entry]:
    before = None
    for row in _rows(part, customer_id, companies):
        if before is not None and before.id != row.id:
            before = None
        label = part.describe(row)
        if part.per_company:
            company = codes.get(row.company_id, "*") if row.company_id is not None else "*"
            label = f"{company} {label}".strip()
        user = row.history_user.username if row.history_user is not None else None
        at = row.history_date
        for position, (name, old, new) in enumerate(_field_changes(part, row, before)):
            yield Entry(
                at=at,
                user=user,
                source=row.source,
                request_id=row.request_id,
                object=part.name,
                object_id=row.id,
                object_label=label,
                field=name,
                old=old,
                new=new,
                change=CHANGE_TYPES[row.history_type],
                key=(rank, row.history_id, -position),
            )
        before = row


def customer_history(
    customer: Customer, *, reader: User | None, filters: HistoryFilters = HistoryFilters()
) -> list[Entry]:
    """Every entry of the customer's history the reader may see (None: the installation, sees all) that
    the filters keep, newest first."""
    companies = None if reader is None else set(reader.visible_companies().values_list("pk", flat=True))
    codes = dict(Company.objects.values_list("pk", "code"))
    entries = [
        entry
        for rank, part in enumerate(PARTS)
        for entry in _entries(part, rank, customer.pk, companies, codes)
        if filters.keeps(entry)
    ]
    entries.sort(key=Entry.position, reverse=True)
    return entries


# --- pages ---------------------------------------------------------------------------------------------


@dataclass
class HistoryPage:
    items: list[Entry]
    next_cursor: str | None


def _encode(entry: Entry) -> str:
    raw = json.dumps(["history", entry.at.isoformat(), *entry.key])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int, int, int]:
    try:
        values = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        tag, at, rank, history_id, position = values
        moment = datetime.fromisoformat(at)
        if tag != "history" or not all(isinstance(v, int) for v in (rank, history_id, position)):
            raise ValueError
    except (ValueError, TypeError) as exc:
        raise ValidationError({"cursor": BAD_CURSOR}) from exc
    return moment, rank, history_id, position


def page_of(entries: list[Entry], *, limit: int, cursor: str | None) -> HistoryPage:
    """The entries after the cursor (in the list's order, newest first), at most `limit` of them."""
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationError({"limit": f"Use a limit between 1 and {MAX_LIMIT}."})
    if cursor:
        after = _decode(cursor)
        entries = [e for e in entries if e.position() < after]
    items = entries[: limit + 1]
    if len(items) > limit:
        return HistoryPage(items=items[:limit], next_cursor=_encode(items[limit - 1]))
    return HistoryPage(items=items, next_cursor=None)


# --- references, readable ------------------------------------------------------------------------------


def _readable(model: type[Model], ids: set[Any]) -> dict[Any, Any]:
    if model is User:
        return dict(User.objects.filter(pk__in=ids).values_list("pk", "username"))
    if model is Company or model is Customer or model is NoteCategory:
        return dict(model._default_manager.filter(pk__in=ids).values_list("pk", "code"))
    if model is Address:
        return {a.pk: a.one_line() for a in Address.objects.filter(pk__in=ids)}
    return {}


def with_readable_references(entries: list[Entry]) -> list[Entry]:
    """The entries with the ids of referred rows (users, companies, customers, addresses, note categories)
    replaced by what people know them by: a username, a code, an address line. An id whose row is gone
    stays an id."""
    wanted: dict[type[Model], set[Any]] = {}
    targets: dict[tuple[str, str], type[Model]] = {}
    for entry in entries:
        part = PARTS_BY_NAME[entry.object]
        model_field = part.model._meta.get_field(entry.field.partition(".")[0])
        if isinstance(model_field, ForeignKey):
            related = cast(type[Model], model_field.related_model)
            targets[(entry.object, entry.field)] = related
            wanted.setdefault(related, set()).update(v for v in (entry.old, entry.new) if v is not None)
    found = {model: _readable(model, ids) for model, ids in wanted.items()}
    result = []
    for entry in entries:
        found_in = targets.get((entry.object, entry.field))
        if found_in is None:
            result.append(entry)
            continue
        names = found[found_in]
        result.append(
            replace(entry, old=names.get(entry.old, entry.old), new=names.get(entry.new, entry.new))
        )
    return result


def read_history(
    *, reader: User | None, customer_id: int | str, filters: HistoryFilters, limit: int, cursor: str | None
) -> HistoryPage:
    """One page of the customer's history as the reader may see it, references made readable. Needs the
    right to see customers; an unknown customer is NotFound."""
    if reader is not None:
        require(reader, Action.VIEW_CUSTOMERS)
    try:
        customer = Customer.objects.get(pk=int(customer_id))
    except (Customer.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("No customer has the id %(id)s.") % {"id": customer_id}) from None
    page = page_of(customer_history(customer, reader=reader, filters=filters), limit=limit, cursor=cursor)
    page.items = with_readable_references(page.items)
    return page
