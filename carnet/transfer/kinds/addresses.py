"""Addresses as CSV: customer_code and number name the address (see parts.py)."""

from collections import defaultdict
from collections.abc import Mapping
from typing import Any, cast

from django.utils.translation import gettext as _

from carnet.customers import services
from carnet.customers.models import Address, BookSettings

from ..cells import BOOL, INT, Column
from ..checked import CheckedValues
from ..search_text import SearchSources
from .base import Job
from .parts import PartKind

COLUMNS = [
    Column("customer_code", source="customer__code", required=True),
    Column("number", INT),
    Column("label"),
    Column("line1", required=True),
    Column("line2"),
    Column("city", required=True),
    Column("province"),
    Column("postal_code"),
    Column("country"),
    Column("billing", BOOL),
    Column("delivery", BOOL),
    Column("main", BOOL),
    Column("active", BOOL),
]


class AddressKind(PartKind):
    name = "addresses"
    model = Address
    columns = COLUMNS
    single_flags = ("main",)

    @property
    def label(self) -> str:  # type: ignore[override]
        return _("Addresses")

    def new_part(self, customer_id: int, values: Mapping[str, Any], job: Job) -> Address:
        address = cast(Address, super().new_part(customer_id, values, job))
        if not values.get("country"):
            # As when an address is added: the book's default country, and its province unless one is given.
            book = job.once("book", BookSettings.load)
            address.country = book.default_country
            if "province" not in values:
                address.province = book.default_province
        return address

    def check(self, part: Any, job: Job, checked: CheckedValues) -> None:
        if not part.country:
            part.country = job.once("book", BookSettings.load).default_country
        services.check_address(part, checked)

    def search_texts_with(
        self, sources: SearchSources, customer_ids: list[int], final: dict[int, list[Any]]
    ) -> list[tuple[int, str, str]]:
        cities = {cid: [a.city for a in parts] for cid, parts in final.items()}
        return sources.texts(customer_ids, cities=cities)

    def search_sources(self, customer_ids: list[int]) -> SearchSources:
        return SearchSources(customer_ids, cities=False)

    def check_flags(self, existing: Any, creates: Any, updates: Any, holders: Any, report: Any) -> None:
        """A customer keeps exactly one main address: the first one added takes it; the main one loses it
        only to another address."""
        updated = {p.pk: (row, p) for row, p in updates}
        new_by_customer: dict[int, list[Any]] = defaultdict(list)
        for row, part in creates:
            new_by_customer[part.customer_id].append((row, part))
        for customer_id in {p.customer_id for _row, p in [*creates, *updates]}:
            if (customer_id, "main") in holders:
                continue
            stored_main = next((a for a in existing.get(customer_id, []) if a.main), None)
            if stored_main is not None and stored_main.pk in updated:
                row, part = updated[stored_main.pk]
                if not part.main:
                    report.problem(
                        row.number,
                        "main",
                        _("A customer has exactly one main address: make another one the main one instead."),
                    )
            elif stored_main is None and new_by_customer.get(customer_id):
                row, part = new_by_customer[customer_id][0]
                part.main = True
                holders[(customer_id, "main")] = (row, part)


KIND = AddressKind()
