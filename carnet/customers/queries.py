"""Read-side functions of the customer book, shared by the UI list, the API list and the CSV export."""

from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from carnet.customfields import filtering as custom_filtering
from carnet.customfields.models import CustomField
from carnet.customfields.services import definitions as custom_definitions

from .choices import Category, Status
from .models import Address, Customer
from .search import former_holders, narrows_by_index, search_customers

SORTS = {
    "name": "name",
    "-name": "-name",
    "code": "code",
    "-code": "-code",
    "created": "created_at",
    "-created": "-created_at",
    "updated": "updated_at",
    "-updated": "-updated_at",
    "status": "status",
    "-status": "-status",
}
DEFAULT_SORT = "name"
CATEGORY_FLAGS: dict[str, str] = {
    Category.CUSTOMER: "is_customer",
    Category.PROSPECT: "is_prospect",
    Category.PARTNER: "is_partner",
    Category.SUBCONTRACTOR: "is_subcontractor",
}


@dataclass
class CustomerFilters:
    """What a person or a client can filter the list by. `active` None means closed ones too."""

    q: str = ""
    statuses: list[str] = field(default_factory=list)
    category: str = ""
    key_account: bool | None = None
    assigned_to: str = ""  # a username
    external_code: str = ""
    code: str = ""
    active: bool | None = True
    sort: str = DEFAULT_SORT
    # The cf_<key>, cf_<key>__gte and cf_<key>__lte parameters (custom fields), as the query string gave them.
    custom: dict[str, str] = field(default_factory=dict)

    @cached_property
    def custom_definitions(self) -> list[CustomField]:
        """The customers' custom fields, read once for the filters of one list."""
        return custom_definitions("customer")

    def validate(self) -> None:
        errors: dict[str, str] = {}
        if self.custom:
            try:
                custom_filtering.parse_filters(self.custom, self.custom_definitions)
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
        unknown = [s for s in self.statuses if s not in Status.values]
        if unknown:
            errors["status"] = _("Unknown status %(s)s; use one of %(known)s.") % {
                "s": ", ".join(unknown),
                "known": ", ".join(Status.values),
            }
        if self.category and self.category not in CATEGORY_FLAGS:
            errors["category"] = _("Unknown category; use one of %(known)s.") % {
                "known": ", ".join(CATEGORY_FLAGS)
            }
        if self.sort not in SORTS:
            errors["sort"] = _("Sort by one of %(known)s.") % {"known": ", ".join(SORTS)}
        if errors:
            raise ValidationError(errors)


def filter_customers(filters: CustomerFilters) -> QuerySet[Customer]:
    """Customers matching the filters, unordered (callers order or paginate). Raises ValidationError."""
    filters.validate()
    queryset = Customer.objects.all()
    if filters.active is True:
        queryset = queryset.exclude(status=Status.CLOSED)
    elif filters.active is False:
        queryset = queryset.filter(status=Status.CLOSED)
    if filters.statuses:
        queryset = queryset.filter(status__in=filters.statuses)
    if filters.category:
        queryset = queryset.filter(**{CATEGORY_FLAGS[filters.category]: True})
    if filters.key_account is not None:
        queryset = queryset.filter(key_account=filters.key_account)
    if filters.assigned_to:
        queryset = queryset.filter(assigned_to__username=filters.assigned_to)
    if filters.external_code:
        queryset = queryset.filter(external_code=filters.external_code.strip().upper())
    if filters.code:
        code = filters.code.strip().upper()
        if Customer.objects.filter(code=code).exists():
            queryset = queryset.filter(code=code)
        else:
            # Nobody has this code now: it may be a former code, which stays findable after a change.
            queryset = queryset.filter(pk__in=former_holders(code))
    if filters.custom:
        conditions = custom_filtering.parse_filters(filters.custom, filters.custom_definitions)
        queryset = custom_filtering.apply_filters(queryset, conditions)
    if filters.q.strip():
        queryset = search_customers(queryset, filters.q)
    return queryset


def ordered(queryset: QuerySet[Customer], sort: str, q: str = "") -> QuerySet[Customer]:
    """The list in the sort order; with a search `q`, ordered so that the trigram index can serve it."""
    field_name = SORTS.get(sort, SORTS[DEFAULT_SORT])
    descending = field_name.startswith("-")
    tiebreak = "-id" if descending else "id"
    if narrows_by_index(q):
        # See carnet.pagination.paginate: an expression no index matches keeps the trigram plan.
        column = F(field_name.lstrip("-"))
        key = Coalesce(column, column)
        return queryset.order_by(key.desc() if descending else key.asc(), tiebreak)
    return queryset.order_by(field_name, tiebreak)


def with_main_address(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """Prefetch each customer's main address (for list rows and exports) in one extra query."""
    return queryset.select_related("assigned_to").prefetch_related(
        Prefetch("addresses", queryset=Address.objects.filter(main=True), to_attr="main_addresses")
    )


def customer_detail(customer_id: int) -> Customer:
    return (
        Customer.objects.select_related(
            "parent", "bill_to", "assigned_to", "billing_address", "default_delivery_address"
        )
        .prefetch_related("addresses", "contacts", "notes__category", "notes__author")
        .get(pk=customer_id)
    )
