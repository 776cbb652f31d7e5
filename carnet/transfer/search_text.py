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

from carnet.customers.models import Address, Contact, Customer, SearchText
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


def _rows(select: str, source: str, where: str, ids: Sequence[int], order: str = "") -> list[tuple[Any, ...]]:
    """SELECT `select` FROM `source` WHERE `where`, for each of the ids: `where` names the id `{id}`
    ("c.id = {id}"); `order` sorts by the positions of the columns selected."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One lookup per id: a table just loaded has no statistics yet (until it is analysed), and the
            # planner then takes a thousand ids for much of the table and reads all of it, at each batch.
            cursor.execute(
                f"SELECT t.* FROM unnest(%s::bigint[]) AS wanted(id) CROSS JOIN LATERAL "
                f"(SELECT {select} FROM {source} WHERE {where.format(id='wanted.id')}) t {order}",
                [list(ids)],
            )
        else:
            placeholders = f"({', '.join(['%s'] * len(ids))})"
            # "x = {id}" becomes "x IN (…)": the only use of the id in a condition here.
            condition = where.replace("= {id}", "IN " + placeholders)
            cursor.execute(f"SELECT {select} FROM {source} WHERE {condition} {order}", list(ids))
        return cursor.fetchall()


def _batches(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    return chunks(ids, 10_000 if connection.vendor == "postgresql" else 900)


def refresh_search_texts(customer_ids: Iterable[int], *, touch: bool = False) -> None:
    """Rebuild the search text of these customers; `touch`: a part of them changed, so they also take a
    new version, as a change through the services would give them."""
    now = timezone.now()
    customers_table, history_table = _table(Customer), _table(Customer.history.model)  # type: ignore[attr-defined]
    key, code = _column(Customer, "id"), _column(Customer, "code")
    contact = {
        f: _column(Contact, f) for f in ("customer", "name", "email", "phone", "mobile", "is_default", "id")
    }
    address = {f: _column(Address, f) for f in ("customer", "city", "id")}

    text, text_key = _column(SearchText, "text"), _column(SearchText, "customer")

    def read_customers(batch: Sequence[int]) -> list[tuple[Any, ...]]:
        columns = ", ".join(f"c.{_column(Customer, f)}" for f in SEARCH_FIELDS)
        return _rows(
            f"c.{key}, {columns}, s.{text}",
            f"{customers_table} c LEFT JOIN {_table(SearchText)} s ON s.{text_key} = c.{key}",
            f"c.{key} = {{id}}",
            batch,
        )

    def read_contacts(batch: Sequence[int]) -> list[tuple[Any, ...]]:
        columns = ", ".join(
            contact[f] for f in ("customer", "name", "email", "phone", "mobile", "is_default", "id")
        )
        # By customer, the default contact first, then by name, as the services order them.
        return _rows(
            columns, _table(Contact), f"{contact['customer']} = {{id}}", batch, "ORDER BY 1, 6 DESC, 2, 7"
        )

    def read_cities(batch: Sequence[int]) -> list[tuple[Any, ...]]:
        columns = f"{address['customer']}, {address['city']}, {address['id']}"
        return _rows(columns, _table(Address), f"{address['customer']} = {{id}}", batch, "ORDER BY 1, 3")

    def read_former(batch: Sequence[int]) -> list[tuple[Any, ...]]:
        # Only the codes a customer had before its current one (most customers have none).
        return _rows(
            f"DISTINCT h.{key}, h.{code}",
            f"{history_table} h JOIN {customers_table} c ON c.{key} = h.{key}",
            f"h.{key} = {{id}} AND h.{code} <> c.{code}",
            batch,
        )

    # Written at the end in one UPDATE each: one per batch would join each batch to the whole table again.
    changed: list[tuple[int, str]] = []
    missing: list[tuple[int, str]] = []
    touched: list[tuple[int, Any]] = []
    for batch in _batches(sorted(set(customer_ids))):
        contacts: dict[int, list[tuple[str, str, str, str]]] = defaultdict(list)
        for customer_id, *values, _default, _id in read_contacts(batch):
            contacts[customer_id].append(tuple(values))  # type: ignore[arg-type]
        cities: dict[int, list[str]] = defaultdict(list)
        for customer_id, city, _id in read_cities(batch):
            cities[customer_id].append(city)
        former: dict[int, set[str]] = defaultdict(set)
        for customer_id, former_code in read_former(batch):
            former[customer_id].add(former_code)
        for pk, *values, stored in read_customers(batch):
            # The fields the text is made of, by the same names as on a record.
            customer = cast(Customer, SimpleNamespace(**dict(zip(SEARCH_FIELDS, values, strict=True))))
            new = search_text_of(
                customer, former=sorted(former[pk]), contacts=contacts[pk], cities=cities[pk]
            )
            if stored is None:
                missing.append((pk, new))
            elif new != stored:
                changed.append((pk, new))
            if touch:
                touched.append((pk, now))
    writing.update_values(SearchText, ["text"], changed)
    if missing:  # customers written before their search text had a table of its own
        writing.insert_values(SearchText, ["customer_id", "text"], missing)
    writing.update_values(Customer, ["updated_at"], touched, increment=["version"])
