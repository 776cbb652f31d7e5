"""The parts of a customer whose changes its history shows, and what of each is shown.

Each part is a model recorded by simple-history (carnet/audit/history.py). Its entries name it by `name`
(the API's `object`); `link` is the historical row's field holding the customer's id; bookkeeping fields
(versions, who-set-it columns that simple-history records as the row's user) are left out.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Field, Model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from carnet.credit.models import CreditAccount, CreditReviewCriteria, Hold
from carnet.customers.models import Address, Contact, Customer, Note


@dataclass(frozen=True)
class Part:
    name: str
    model: type[Model]
    label: Promise
    link: str
    # Shown fields: every editable field the history keeps, less `hidden`; or only `shown` when given.
    hidden: frozenset[str] = frozenset()
    shown: frozenset[str] | None = None
    # Per-company data: its history is seen only by users of the company (holds on every company: by all).
    per_company: bool = False
    describe: Callable[[Any], str] = str

    @property
    def history_model(self) -> Any:
        return self.model.history.model  # type: ignore[attr-defined]

    def fields(self) -> frozenset[str]:
        """The fields whose changes are entries."""
        kept = {f.name for f in self.history_model.tracked_fields if f.editable}
        return frozenset(kept & self.shown if self.shown is not None else kept - self.hidden)

    def verbose_name(self, field: str) -> str:
        name, _dot, key = field.partition(".")
        label = str(cast(Field, self.model._meta.get_field(name)).verbose_name)
        label = label[:1].upper() + label[1:]
        return f"{label}: {key}" if key else label


def _address(row: Any) -> str:
    return ", ".join(p for p in [row.line1, row.city, row.country] if p)


PARTS: tuple[Part, ...] = (
    Part(
        "customer",
        Customer,
        _("Customer"),
        link="id",
        hidden=frozenset({"version", "status_changed_at"}),
        describe=lambda row: f"{row.code} — {row.name}",
    ),
    Part(
        "address",
        Address,
        _("Address"),
        link="customer_id",
        hidden=frozenset({"customer", "version"}),
        describe=_address,
    ),
    Part(
        "contact",
        Contact,
        _("Contact"),
        link="customer_id",
        hidden=frozenset({"customer", "version"}),
        describe=lambda row: row.name,
    ),
    Part(
        "note",
        Note,
        _("Note"),
        link="customer_id",
        hidden=frozenset({"customer", "version", "author"}),
        describe=lambda row: row.text[:60],
    ),
    Part(
        "hold",
        Hold,
        _("Hold"),
        link="customer_id",
        hidden=frozenset({"customer", "set_by", "set_at"}),
        per_company=True,
        describe=lambda row: str(row.get_type_display()),
    ),
    Part(
        "credit_limit",
        CreditAccount,
        _("Credit limit"),
        link="customer_id",
        shown=frozenset({"limit"}),
        per_company=True,
        describe=lambda row: "",
    ),
    Part(
        "review_criteria",
        CreditReviewCriteria,
        _("Credit review criteria"),
        link="customer_id",
        hidden=frozenset({"customer", "company", "updated_by", "version"}),
        per_company=True,
        describe=lambda row: "",
    ),
)
PARTS_BY_NAME = {part.name: part for part in PARTS}
