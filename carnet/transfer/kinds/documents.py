"""Invoices and payments as CSV, named by company and number; each row goes through the document services
(carnet.documents.services), which run the credit check and keep the customer's balances in step.

A row whose number is already entered is left as it is when it says the same; an entered document is not
changed by an import (a draft invoice the file says is posted is posted).
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Action
from carnet.customers.models import Customer
from carnet.documents.common import resolve_company
from carnet.errors import CarnetError, NotFound

from ..reading import Row
from .base import BATCH, Job, Kind, by_code, parse, report_errors

# Service fields → columns.
COLUMN_OF_FIELD = {"customer": "customer_code", "allocations": "allocations"}
OVERRIDE_REASON = "import"


def visible(queryset: QuerySet[Any], actor: User | None, company: Company | None) -> QuerySet[Any]:
    if actor is not None:
        queryset = queryset.filter(company__in=actor.visible_companies())
    if company is not None:
        queryset = queryset.filter(company=company)
    return queryset


class DocumentKind(Kind):
    import_actions = (Action.ENTER_INVOICES,)

    def export_queryset(self, actor: User | None, company: Company | None) -> QuerySet[Any]:
        return visible(self.model._default_manager.all(), actor, company).order_by("company__code", "number")

    model: Any = None

    def load(self, rows: list[Row], job: Job) -> None:
        report = job.report
        customers = by_code(Customer, [(r.cells.get("customer_code") or "").strip().upper() for r in rows])
        companies: dict[str, Company | None] = {}
        seen: dict[tuple[str, str], int] = {}
        for done, row in enumerate(rows, start=1):
            if done % (BATCH // 10) == 0:
                job.progress(done)
            count = len(report.problems)
            values = parse(row, self.columns, report)
            code = (values.get("customer_code") or "").upper()
            customer = customers.get(code)
            if customer is None:
                report.problem(
                    row.number,
                    "customer_code",
                    _("No customer has the code %(code)s.") % {"code": code}
                    if code
                    else _("This cell is required."),
                )
            company_code = (values.get("company") or "").upper() or job.company.code
            if company_code not in companies:
                try:
                    companies[company_code] = resolve_company(company_code, job.actor)
                except (ValidationError, NotFound) as exc:
                    companies[company_code] = None
                    report.problem(row.number, "company", " ".join(getattr(exc, "messages", [str(exc)])))
            company = companies[company_code]
            number = (values.get("number") or "").upper()
            if number and (company_code, number) in seen:
                report.problem(
                    row.number,
                    "number",
                    _("%(number)s is also on row %(row)d.")
                    % {"number": number, "row": seen[(company_code, number)]},
                )
            seen[(company_code, number)] = row.number
            if len(report.problems) > count or customer is None or company is None:
                continue
            try:
                with transaction.atomic():
                    action = self.enter(job, row, values, customer, company, number)
            except ValidationError as exc:
                report_errors(report, row.number, exc, {**COLUMN_OF_FIELD, **self.columns_of_fields(exc)})
                continue
            except CarnetError as exc:
                report.problem(row.number, "customer_code", str(exc))
                continue
            report.act(row.number, f"{company_code}/{number}", action)
        job.progress(len(rows))

    @staticmethod
    def columns_of_fields(exc: ValidationError) -> dict[str, str]:
        if not hasattr(exc, "error_dict"):
            return {}
        return {f: "allocations" for f in exc.message_dict if f.startswith("allocations.")}

    def enter(
        self, job: Job, row: Row, values: Mapping[str, Any], customer: Customer, company: Company, number: str
    ) -> str:
        raise NotImplementedError


def same(document: Any, customer: Customer, values: Mapping[str, Any], fields: tuple[str, ...]) -> bool:
    if document.customer_id != customer.pk:
        return False
    return all(values.get(f) in (None, "") or values[f] == getattr(document, f) for f in fields)


def refuse_change(number: str) -> ValidationError:
    return ValidationError(
        {
            "number": _("%(number)s is already entered with other values; an import does not change it.")
            % {"number": number}
        }
    )
