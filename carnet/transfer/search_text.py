"""The search text of many customers at once, after an import changed them, their addresses or contacts.

The same text carnet.customers.search builds for one customer, read a thousand customers at a time.
"""

from collections import defaultdict
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any, cast

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


def refresh_search_texts(customer_ids: Iterable[int], *, touch: bool = False) -> None:
    """Rebuild the search text of these customers; `touch`: a part of them changed, so they also take a
    new version, as a change through the services would give them."""
    now = timezone.now()
    # Written at the end in one UPDATE: one per batch would join each batch to the whole table again.
    changed: list[tuple[Any, ...]] = []
    for batch in chunks(sorted(set(customer_ids))):
        # Values, not records: a record of the wide customer table costs more to build than its text.
        customers = [
            SimpleNamespace(**values)
            for values in Customer.objects.filter(pk__in=batch).values(
                "pk", *SEARCH_FIELDS, "search_text", "version"
            )
        ]
        contacts: dict[int, list[tuple[str, str, str, str]]] = defaultdict(list)
        for customer_id, *contact in (
            Contact.objects.filter(customer_id__in=batch)
            .order_by("customer_id", "-is_default", "name", "id")
            .values_list("customer_id", "name", "email", "phone", "mobile")
        ):
            contacts[customer_id].append(tuple(contact))  # type: ignore[arg-type]
        cities: dict[int, list[str]] = defaultdict(list)
        for customer_id, city in (
            Address.objects.filter(customer_id__in=batch)
            .order_by("customer_id", "id")
            .values_list("customer_id", "city")
        ):
            cities[customer_id].append(city)
        former: dict[int, set[str]] = defaultdict(set)
        codes = {c.pk: c.code for c in customers}
        for customer_id, code in (
            Customer.history.filter(id__in=batch).values_list("id", "code").distinct()  # type: ignore[attr-defined]
        ):
            if code != codes.get(customer_id):
                former[customer_id].add(code)
        for customer in customers:
            text = search_text_of(
                cast(Customer, customer),  # the fields the text is made of, by the same names
                former=sorted(former[customer.pk]),
                contacts=contacts[customer.pk],
                cities=cities[customer.pk],
            )
            if touch:
                changed.append((customer.pk, text, customer.version + 1, now))
            elif text != customer.search_text:
                changed.append((customer.pk, text))
    fields = ["search_text", "version", "updated_at"] if touch else ["search_text"]
    writing.update_values(Customer, fields, changed)
