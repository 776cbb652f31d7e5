"""Contacts as CSV: customer_code and number name the contact (see parts.py); custom fields as cf_<key>."""

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.customers import services
from carnet.customers.models import Contact

from .. import customfields
from ..cells import BOOL, INT, Column
from ..checked import CheckedValues
from ..search_text import SearchSources
from .base import Job
from .parts import PartKind

COLUMNS = [
    Column("customer_code", source="customer__code", required=True),
    Column("number", INT),
    Column("name", required=True),
    Column("role"),
    Column("email"),
    Column("phone"),
    Column("mobile"),
    Column("default", BOOL, source="is_default"),
    Column("billing", BOOL, source="is_billing"),
    Column("invoice_copy", BOOL),
    Column("active", BOOL),
]


class ContactKind(PartKind):
    name = "contacts"
    model = Contact
    columns = COLUMNS
    field_of_column = {"default": "is_default", "billing": "is_billing"}
    single_flags = ("is_default", "is_billing")

    @property
    def label(self) -> str:  # type: ignore[override]
        return _("Contacts")

    def extra_columns(self) -> list[str]:
        return customfields.column_names("contact")

    def check(self, part: Any, job: Job, checked: CheckedValues) -> None:
        services.check_contact(part, checked)

    def search_texts_with(
        self, sources: SearchSources, customer_ids: list[int], final: dict[int, list[Any]]
    ) -> list[tuple[int, str, str]]:
        # The default contact first, then by name, as the search text is read from the database.
        contacts = {
            customer_id: [
                (c.name, c.email, c.phone, c.mobile)
                for c in sorted(parts, key=lambda c: (not c.is_default, c.name, c.pk))
            ]
            for customer_id, parts in final.items()
        }
        return sources.texts(customer_ids, contacts=contacts)

    def search_sources(self, customer_ids: list[int]) -> SearchSources:
        return SearchSources(customer_ids, contacts=False)

    def custom_definitions(self) -> list[Any]:
        return customfields.fields("contact")

    def export_rows(
        self, actor: User | None, company: Company | None, chunk_size: int = 2000
    ) -> Iterator[list[str]]:
        definitions = customfields.fields("contact")
        queryset = self.export_queryset(actor, company).values(*self.export_lookups(), "custom_fields")
        for values in queryset.iterator(chunk_size=chunk_size):
            yield self.cells(values) + customfields.cells(definitions, values["custom_fields"])


KIND = ContactKind()
