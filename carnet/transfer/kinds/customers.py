"""Customers as CSV, one row per customer, found by code: a known code updates, a new one creates.

Each row is checked by the customer services' own normalisation and rules (carnet.customers.services),
then the rows are written in batches. The parent company and the bill-to customer are named by code and
may be rows of the same file: parents are written before the customers that name them.
"""

import copy
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Action
from carnet.customers import services, usage
from carnet.customers.choices import Category, Status
from carnet.customers.models import Customer
from carnet.customers.search import search_text_of

from .. import customfields, writing
from ..background import Background
from ..blank import Blank
from ..cells import BOOL, DATETIME, DECIMAL, INT, LIST, Column
from ..checked import CheckedValues
from ..phones import checked_ahead as phones_checked_ahead
from ..reading import Row
from ..report import Action as Done
from ..search_text import refresh_search_texts
from .base import BATCH, Job, Kind, by_code, chunks, history_kwargs, parse, report_errors

_FLAGS = ("is_customer", "is_prospect", "is_partner", "is_subcontractor")
_BOOLEANS = (
    "intercompany",
    "key_account",
    "nurturing",
    "no_statements",
    "exempt_state",
    "exempt_school",
    "exempt_county",
    "exempt_local",
    "exempt_parish",
    "exempt_city",
    "show_holdback",
)
_TEXTS = (
    "legal_name",
    "subcontractor_status",
    "team",
    "external_code",
    "language",
    "currency",
    "website",
    "email",
    "phone",
    "vat_number",
    "gst_number",
    "qst_number",
    "siren",
    "siret",
    "neq",
    "ein",
    "status",
    "status_reason",
    "payment_method_in",
    "payment_method_out",
    "invoice_delivery",
    "payment_advice",
    "bank_name",
    "bank_address",
    "bank_phone",
    "iban",
    "bic",
    "bank_institution",
    "bank_transit",
    "bank_account",
    "tax_code",
    "default_gl_account",
    "default_invoice_state",
    "shipper_identification",
    "order_label",
    "order_comment",
    "edi_type",
    "edi_reference",
)

COLUMNS: list[Column] = [
    Column("code", required=True),
    Column("name", required=True),
    Column("legal_name"),
    Column("parent_code", source="parent__code"),
    Column("categories", LIST, source="is_customer"),
    Column("subcontractor_status"),
    Column("intercompany", BOOL),
    Column("key_account", BOOL),
    Column("nurturing", BOOL),
    Column("assigned_to", source="assigned_to__username"),
    *[
        Column(name)
        for name in _TEXTS[_TEXTS.index("team") : _TEXTS.index("status_reason") + 1]
        if name != "subcontractor_status"
    ],
    Column("payment_terms_days", INT),
    Column("payment_method_in"),
    Column("payment_method_out"),
    Column("invoice_delivery"),
    Column("invoice_copies", INT),
    Column("payment_advice"),
    Column("no_statements", BOOL),
    Column("bill_to_code", source="bill_to__code"),
    *[Column(name) for name in _TEXTS[_TEXTS.index("bank_name") : _TEXTS.index("tax_code") + 1]],
    *[Column(name, BOOL) for name in _BOOLEANS if name.startswith("exempt_")],
    Column("default_gl_account"),
    Column("default_invoice_state"),
    Column("show_holdback", BOOL),
    Column("shipper_identification"),
    Column("order_label"),
    Column("order_comment"),
    Column("edi_type"),
    Column("edi_reference"),
    Column("max_order_amount", DECIMAL),
    Column("created_at", DATETIME),
]
# Columns whose model field has another name; the rest are named as their field.
FIELD_OF_COLUMN = {"parent_code": "parent", "bill_to_code": "bill_to"}
COLUMN_OF_FIELD = {
    **{field: column for column, field in FIELD_OF_COLUMN.items()},
    **{flag: "categories" for flag in _FLAGS},
}
# What an update compares to tell a changed customer from an unchanged one, and writes.
STORED_FIELDS = [
    f.attname
    for f in Customer._meta.concrete_fields
    if f.name not in {"id", "code", "version", "updated_at", "search_text", "history"}
]
_NO_SALES = frozenset({Status.PROSPECT, Status.NOT_APPROVED})


def _categories(values: Mapping[str, Any]) -> list[str]:
    flags = {
        Category.CUSTOMER: values["is_customer"],
        Category.PROSPECT: values["is_prospect"],
        Category.PARTNER: values["is_partner"],
        Category.SUBCONTRACTOR: values["is_subcontractor"],
    }
    return [str(c) for c, on in flags.items() if on]


class CustomerKind(Kind):
    name = "customers"
    columns = COLUMNS
    import_actions = (Action.CREATE_CUSTOMER, Action.CHANGE_CUSTOMER)

    @property
    def label(self) -> str:  # type: ignore[override]
        return _("Customers")

    def extra_columns(self) -> list[str]:
        return customfields.column_names("customer")

    def export_queryset(self, actor: User | None, company: Company | None) -> QuerySet[Customer]:
        # The book is shared by every company: all customers, in code order.
        return Customer.objects.order_by("code")

    def export_lookups(self) -> list[str]:
        return [*super().export_lookups(), *_FLAGS[1:], "custom_fields"]

    def export_rows(
        self, actor: User | None, company: Company | None, chunk_size: int = 2000
    ) -> Iterator[list[str]]:
        definitions = customfields.fields("customer")
        queryset = self.export_queryset(actor, company).values(*self.export_lookups())
        for values in queryset.iterator(chunk_size=chunk_size):
            row = {**values, "is_customer": _categories(values)}
            yield self.cells(row) + customfields.cells(definitions, values["custom_fields"])

    def load(self, rows: list[Row], job: Job) -> None:
        _Load(rows, job).run()


class _Load:
    """One import of customers: check every row, then write them if nothing is wrong."""

    def __init__(self, rows: list[Row], job: Job) -> None:
        self.rows = rows
        self.job = job
        self.report = job.report
        self.default_status = job.company.new_customer_status
        job.custom_fields = customfields.fields("customer")
        self.checked = CheckedValues(Customer)
        self.blank = Blank(Customer)
        self.creates: list[tuple[Row, Customer]] = []
        self.updates: list[tuple[Row, Customer]] = []
        # New customers naming no parent nor bill-to customer: written as the rows are checked, in batches,
        # while the next rows are checked (their writing needs nothing from the rows after them).
        self.unlinked: list[Customer] = []
        self.written: list[Customer] = []
        # Code of the parent and of the bill-to customer named by a row, by the row's customer code.
        self.links: dict[str, dict[str, str]] = {}

    def run(self) -> None:
        codes = [(row.cells.get("code") or "").strip().upper() for row in self.rows]
        self.existing = by_code(Customer, codes)
        linked = {i for c in self.existing.values() for i in (c.parent_id, c.bill_to_id) if i is not None}
        self.code_of_id: dict[int | None, str] = {}
        for batch in chunks(sorted(linked)):
            self.code_of_id.update(Customer.objects.filter(pk__in=batch).values_list("pk", "code"))
        usernames = {(row.cells.get("assigned_to") or "").strip() for row in self.rows} - {""}
        self.users = {u.username: u for u in User.objects.filter(username__in=usernames)}
        self.history = history_kwargs(Customer, self.job.actor)
        seen: dict[str, int] = {}
        phones = ((row.cells.get(c) or "").strip() for row in self.rows for c in ("phone", "bank_phone"))
        # The second process is forked before the writes' thread starts: a fork copies one thread alone.
        with phones_checked_ahead(phones), Background() as self.background:
            for done, (row, code) in enumerate(zip(self.rows, codes, strict=True), start=1):
                if not code:
                    self.report.problem(
                        row.number, "code", _("A code is required: the import finds customers by it.")
                    )
                elif code in seen:
                    self.report.problem(
                        row.number,
                        "code",
                        _("The code %(code)s is also on row %(row)d; a customer appears once in a file.")
                        % {"code": code, "row": seen[code]},
                    )
                else:
                    seen[code] = row.number
                    self._check(row, code)
                if len(self.unlinked) >= BATCH:
                    self._write_unlinked()
                if done % BATCH == 0:
                    self.job.progress(done)
            self._write_unlinked()
            self._check_links(set(seen))
            if not self.report.ok:
                return
            self._write()
        self.job.progress(len(self.rows))

    # --- checking ------------------------------------------------------------------------------

    def _check(self, row: Row, code: str) -> None:
        report = self.report
        before_problems = len(report.problems)
        values = parse(row, COLUMNS, report)
        custom = customfields.read(self.job.custom_fields, row, report)
        existing = self.existing.get(code)
        customer = copy.copy(existing) if existing is not None else self.blank(code=code)
        if existing is not None and not self.job.may(Action.CHANGE_CUSTOMER):
            report.problem(
                row.number, "code", _("Your role may not change customers; %(code)s exists.") % {"code": code}
            )
        if existing is None and not self.job.may(Action.CREATE_CUSTOMER):
            report.problem(
                row.number, "code", _("Your role may not create customers; %(code)s is new.") % {"code": code}
            )
        before = {f: getattr(customer, f) for f in ("status", "status_reason", "is_customer")}
        for column, value in values.items():
            self._apply(customer, row, column, value, existing is None)
        if custom:
            customer.custom_fields = customfields.merge(customer.custom_fields, custom)
        self._apply_status(customer, row, values, before, existing is None)
        if len(report.problems) > before_problems:
            return
        # Foreign keys are checked by the import itself (usernames above, codes once the rows are written):
        # a model's own check would query the database for each row.
        assigned, customer.assigned_to_id = customer.assigned_to_id, None
        parent, customer.parent_id = customer.parent_id, None
        bill_to, customer.bill_to_id = customer.bill_to_id, None
        try:
            services.check_customer(customer, self.checked)
        except ValidationError as exc:
            report_errors(report, row.number, exc, COLUMN_OF_FIELD)
            return
        self.checked.remember(customer)
        customer.assigned_to_id, customer.parent_id, customer.bill_to_id = assigned, parent, bill_to
        if existing is None:
            customer.status_changed_at = customer.status_changed_at or timezone.now()
            if any(self.links.get(code, {}).values()):
                self.creates.append((row, customer))
            else:
                self.unlinked.append(customer)
            report.act(row.number, code, Done.CREATED)
        elif self._changed(existing, customer) or self._relinked(existing):
            if before["is_customer"] and not customer.is_customer and usage.has_sales(existing):
                report.problem(
                    row.number,
                    "categories",
                    _("This customer has orders or invoices, so the Customer category cannot be removed."),
                )
                return
            self.updates.append((row, customer))
            report.act(row.number, code, Done.UPDATED)
        else:
            report.act(row.number, code, Done.UNCHANGED)

    def _apply(self, customer: Customer, row: Row, column: str, value: Any, new: bool) -> None:
        if column == "code":
            return
        if column == "categories":
            try:
                services.apply_categories(customer, value or [Category.CUSTOMER])
            except ValidationError as exc:
                report_errors(self.report, row.number, exc)
            return
        if column in FIELD_OF_COLUMN:
            code = (value or "").upper()
            self.links.setdefault(customer.code, {})[FIELD_OF_COLUMN[column]] = code
            if not code:
                setattr(customer, f"{FIELD_OF_COLUMN[column]}_id", None)
            return
        if column == "assigned_to":
            if not value:
                customer.assigned_to_id = None
            elif value in self.users:
                customer.assigned_to_id = self.users[value].pk
            else:
                self.report.problem(
                    row.number, column, _("No user has the username %(name)s.") % {"name": value}
                )
            return
        if column == "status":
            return  # with the reason, in _apply_status
        field = Customer._meta.get_field(column)
        assert isinstance(field, models.Field)
        if value is None or value == "":
            # An empty cell gives the field its default (text fields: empty).
            value = field.get_default()
        if column == "created_at" and value is None:
            value = timezone.now() if new else customer.created_at
        setattr(customer, column, value)

    def _apply_status(
        self, customer: Customer, row: Row, values: Mapping[str, Any], before: Mapping[str, Any], new: bool
    ) -> None:
        status = (values.get("status") or "").strip()
        if new:
            customer.status = status or self.default_status
            # As on create: a status allowing sales, other than the default, is a credit decision.
            if customer.status != self.default_status and customer.status not in _NO_SALES:
                self._require_status(row)
            return
        if status and status != before["status"]:
            customer.status = status
            if "status_reason" not in values:
                customer.status_reason = ""
            customer.status_changed_at = timezone.now()
        if (
            customer.status != before["status"]
            or (customer.status_reason or "").strip() != (before["status_reason"] or "").strip()
        ):
            self._require_status(row)

    def _require_status(self, row: Row) -> None:
        if not self.job.may(Action.CHANGE_CUSTOMER_STATUS):
            self.report.problem(row.number, "status", _("Your role may not set a customer's status."))

    def _relinked(self, existing: Customer) -> bool:
        """True when the row names another parent or bill-to customer than the stored one."""
        links = self.links.get(existing.code, {})
        return any(
            code != self.code_of_id.get(getattr(existing, f"{field}_id"), "") for field, code in links.items()
        )

    @staticmethod
    def _changed(existing: Customer, customer: Customer) -> bool:
        return any(getattr(existing, f) != getattr(customer, f) for f in STORED_FIELDS)

    def _check_links(self, codes_in_file: set[str]) -> None:
        """Every code named as parent or bill-to exists, in the database or in the file."""
        named = {code for links in self.links.values() for code in links.values() if code}
        self.known = {c.code: c.pk for c in by_code(Customer, named - codes_in_file, "id", "code").values()}
        rows = {c.code: row for row, c in [*self.creates, *self.updates]}
        for code, links in self.links.items():
            for field, target in links.items():
                if target and target not in self.known and target not in codes_in_file and code in rows:
                    self.report.problem(
                        rows[code].number,
                        COLUMN_OF_FIELD[field],
                        _("No customer has the code %(code)s, in the book or in this file.")
                        % {"code": target},
                    )

    # --- writing -------------------------------------------------------------------------------

    def _prepare(self, customers: Sequence[Customer]) -> None:
        actor = self.job.actor
        for customer in customers:
            if customer.assigned_to_id is None and actor is not None and actor.pk is not None:
                customer.assigned_to_id = actor.pk
            customer.search_text = search_text_of(customer)

    def _write_unlinked(self) -> None:
        customers, self.unlinked = self.unlinked, []
        if not customers or not self.report.ok:
            return  # nothing will be kept: no need to write more
        self._prepare(customers)
        self.written += customers
        self.background.submit(lambda: writing.insert_with_history(Customer, customers, **self.history))

    def _write(self) -> None:
        history = self.history
        self.background.wait()
        for customer in [*self.existing.values(), *self.written]:
            self.known[customer.code] = customer.pk
        pending = list(self.creates)
        # Parents and bill-to customers first: a row is written once the rows it names are.
        while pending:
            ready = [
                (row, c)
                for row, c in pending
                if all(t in self.known or not t for t in self.links.get(c.code, {}).values())
            ]
            if not ready:
                for row, _customer in pending:
                    self.report.problem(
                        row.number,
                        "parent_code",
                        _("The parent companies and bill-to customers make a cycle."),
                    )
                return
            waiting = {id(c) for _row, c in ready}
            pending = [(row, c) for row, c in pending if id(c) not in waiting]
            if not self._link(ready):
                continue
            for batch in chunks(ready, BATCH):
                customers = [c for _row, c in batch]
                self._prepare(customers)
                writing.insert_with_history(Customer, customers, **history)
                for customer in customers:
                    self.known[customer.code] = customer.pk
        if self.updates and self._link(self.updates):
            customers = [c for _row, c in self.updates]
            for customer in customers:
                customer.version += 1
                customer.updated_at = timezone.now()
            writing.update_with_history(
                Customer, customers, [*STORED_FIELDS, "version", "updated_at"], **history
            )
            refresh_search_texts([c.pk for c in customers])

    def _link(self, rows: Sequence[tuple[Row, Customer]]) -> bool:
        """Point the rows at their parent and bill-to customers, checked as the services check them."""
        ok = True
        for row, customer in rows:
            links = self.links.get(customer.code)
            if not links:
                continue
            for field, code in links.items():
                setattr(customer, f"{field}_id", self.known.get(code) if code else None)
            for field, message in services.relation_errors(customer).items():
                self.report.problem(row.number, COLUMN_OF_FIELD.get(field, field), message)
                ok = False
        return ok


KIND = CustomerKind()
