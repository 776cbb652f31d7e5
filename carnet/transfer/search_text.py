"""The search text of many customers at once, after an import changed them, their addresses or contacts.

The same text carnet.customers.search builds for one customer, read ten thousand customers at a time (a
thousand on SQLite, which takes fewer parameters). The reads are plain SQL: the ORM spent more building a
query of a thousand parameters, and a record or a dict per row, than the database spent answering it.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from types import SimpleNamespace
from typing import Any, cast

from django.db import connection
from django.utils import timezone

from carnet.customers.models import Address, Contact, Customer
from carnet.customers.search import search_text_of

from . import writing
from .kinds.base import chunks

SEARCH_FIELDS = (
    "code",
    "name",
    "legal_name",
    "email",
    "external_code",
    "vat_number",
    "gst_number",
    "qst_number",
    "siren",
    "siret",
    "neq",
    "ein",
    "phone",
)


def _column(model: Any, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _rows(sql: str, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """The rows of `sql`, whose {ids} stands for the condition "is one of these ids"."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql.format(ids="= ANY(%s)"), [list(ids)])
        else:
            cursor.execute(sql.format(ids=f"IN ({', '.join(['%s'] * len(ids))})"), list(ids))
        return cursor.fetchall()


def _batches(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    return chunks(ids, 10_000 if connection.vendor == "postgresql" else 900)


def refresh_search_texts(customer_ids: Iterable[int], *, touch: bool = False) -> None:
    """Rebuild the search text of these customers; `touch`: a part of them changed, so they also take a
    new version, as a change through the services would give them."""
    now = timezone.now()
    customers_table, history_table = _table(Customer), _table(Customer.history.model)  # type: ignore[attr-defined]
    key, code = _column(Customer, "id"), _column(Customer, "code")
    read_customers = (
        f"SELECT {key}, {', '.join(_column(Customer, f) for f in SEARCH_FIELDS)}, "
        f"{_column(Customer, 'search_text')} "
        f"FROM {customers_table} WHERE {key} {{ids}}"
    )
    contact = {
        f: _column(Contact, f) for f in ("customer", "name", "email", "phone", "mobile", "is_default", "id")
    }
    read_contacts = (
        f"SELECT {contact['customer']}, {contact['name']}, {contact['email']}, {contact['phone']}, "
        f"{contact['mobile']} FROM {_table(Contact)} WHERE {contact['customer']} {{ids}} "
        f"ORDER BY {contact['customer']}, {contact['is_default']} DESC, {contact['name']}, {contact['id']}"
    )
    address = {f: _column(Address, f) for f in ("customer", "city", "id")}
    read_cities = (
        f"SELECT {address['customer']}, {address['city']} FROM {_table(Address)} "
        f"WHERE {address['customer']} {{ids}} ORDER BY {address['customer']}, {address['id']}"
    )
    # Only the codes a customer had before its current one (most customers have none).
    read_former = (
        f"SELECT DISTINCT h.{key}, h.{code} FROM {history_table} h "
        f"JOIN {customers_table} c ON c.{key} = h.{key} "
        f"WHERE h.{key} {{ids}} AND h.{code} <> c.{code}"
    )
    # Written at the end in one UPDATE: one per batch would join each batch to the whole table again.
    changed: list[tuple[Any, ...]] = []
    for batch in _batches(sorted(set(customer_ids))):
        contacts: dict[int, list[tuple[str, str, str, str]]] = defaultdict(list)
        for customer_id, *values in _rows(read_contacts, batch):
            contacts[customer_id].append(tuple(values))  # type: ignore[arg-type]
        cities: dict[int, list[str]] = defaultdict(list)
        for customer_id, city in _rows(read_cities, batch):
            cities[customer_id].append(city)
        former: dict[int, set[str]] = defaultdict(set)
        for customer_id, former_code in _rows(read_former, batch):
            former[customer_id].add(former_code)
        for pk, *values, stored in _rows(read_customers, batch):
            # The fields the text is made of, by the same names as on a record.
            customer = cast(Customer, SimpleNamespace(**dict(zip(SEARCH_FIELDS, values, strict=True))))
            text = search_text_of(
                customer, former=sorted(former[pk]), contacts=contacts[pk], cities=cities[pk]
            )
            if touch:
                changed.append((pk, text, now))
            elif text != stored:
                changed.append((pk, text))
    if touch:
        writing.update_values(Customer, ["search_text", "updated_at"], changed, increment=["version"])
    else:
        writing.update_values(Customer, ["search_text"], changed)
