"""The search text of many customers at once, after an import changed them, their addresses or contacts.

The same text carnet.customers.search builds for one customer, read ten thousand customers at a time (a
thousand on SQLite, which takes fewer parameters). The reads are plain SQL: the ORM spent more building a
query of a thousand parameters, and a record or a dict per row, than the database spent answering it.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
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


Contacts = Mapping[int, Sequence[tuple[str, str, str, str]]]
Cities = Mapping[int, Sequence[str]]


class SearchSources:
    """What the search texts of some customers are made of, read at once: their fields, the codes in
    their history, and their contacts and cities unless the caller brings them (an import of contacts
    knows them as they will be)."""

    def __init__(self, customer_ids: Iterable[int], *, contacts: bool = True, cities: bool = True) -> None:
        customers_table, history_table = _table(Customer), _table(Customer.history.model)  # type: ignore[attr-defined]
        key, code = _column(Customer, "id"), _column(Customer, "code")
        read_customers = (
            f"SELECT {key}, {_column(Customer, 'version')}, {_column(Customer, 'search_text')}, "
            f"{', '.join(_column(Customer, f) for f in SEARCH_FIELDS)} "
            f"FROM {customers_table} WHERE {key} {{ids}}"
        )
        contact = {
            f: _column(Contact, f)
            for f in ("customer", "name", "email", "phone", "mobile", "is_default", "id")
        }
        read_contacts = (
            f"SELECT {contact['customer']}, {contact['name']}, {contact['email']}, {contact['phone']}, "
            f"{contact['mobile']} FROM {_table(Contact)} WHERE {contact['customer']} {{ids}} "
            f"ORDER BY {contact['customer']}, {contact['is_default']} DESC, {contact['name']}, "
            f"{contact['id']}"
        )
        address = {f: _column(Address, f) for f in ("customer", "city", "id")}
        read_cities = (
            f"SELECT {address['customer']}, {address['city']} FROM {_table(Address)} "
            f"WHERE {address['customer']} {{ids}} ORDER BY {address['customer']}, {address['id']}"
        )
        # The codes in each customer's history: those other than its current one are its former codes.
        # (A join to the customer table to compare them there read the whole table at each batch once
        # an import had rewritten it, its statistics out of date.)
        read_codes = f"SELECT DISTINCT {key}, {code} FROM {history_table} WHERE {key} {{ids}}"
        self.fields: dict[int, SimpleNamespace] = {}
        self.versions: dict[int, int] = {}
        self.stored: dict[int, str] = {}
        self.contacts: dict[int, list[tuple[str, str, str, str]]] = defaultdict(list)
        self.cities: dict[int, list[str]] = defaultdict(list)
        self.codes: dict[int, set[str]] = defaultdict(set)
        for batch in _batches(sorted(set(customer_ids))):
            for pk, version, stored, *values in _rows(read_customers, batch):
                # The fields the text is made of, by the same names as on a record.
                self.fields[pk] = SimpleNamespace(**dict(zip(SEARCH_FIELDS, values, strict=True)))
                self.versions[pk] = version
                self.stored[pk] = stored
            for customer_id, recorded_code in _rows(read_codes, batch):
                self.codes[customer_id].add(recorded_code)
            if contacts:
                for customer_id, *values in _rows(read_contacts, batch):
                    self.contacts[customer_id].append(tuple(values))  # type: ignore[arg-type]
            if cities:
                for customer_id, city in _rows(read_cities, batch):
                    self.cities[customer_id].append(city)

    def texts(
        self, customer_ids: Iterable[int], *, contacts: Contacts | None = None, cities: Cities | None = None
    ) -> list[tuple[int, str, str]]:
        """(id, search text, search text stored) of these customers, with the contacts (name, email,
        phone, mobile: the default one first, then by name) or the cities given by customer, if given."""
        contacts = self.contacts if contacts is None else contacts
        cities = self.cities if cities is None else cities
        texts = []
        for pk in customer_ids:
            customer = cast(Customer, self.fields[pk])
            text = search_text_of(
                customer,
                former=sorted(self.codes[pk] - {customer.code}),
                contacts=contacts.get(pk, ()),
                cities=cities.get(pk, ()),
            )
            texts.append((pk, text, self.stored[pk]))
        return texts


def refresh_search_texts(customer_ids: Iterable[int], *, touch: bool = False) -> None:
    """Rebuild the search text of these customers; `touch`: a part of them changed, so they also take a
    new version, as a change through the services would give them."""
    ids = sorted(set(customer_ids))
    texts = SearchSources(ids).texts(ids)
    # Written at the end in one UPDATE: one per batch would join each batch to the whole table again.
    if touch:
        now = timezone.now()
        writing.update_values(
            Customer,
            ["search_text", "updated_at"],
            [(pk, t, now) for pk, t, _s in texts],
            increment=["version"],
        )
    else:
        writing.update_values(Customer, ["search_text"], [(pk, t) for pk, t, s in texts if t != s])
