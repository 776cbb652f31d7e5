"""The JSON shapes of the import API: what an import did or would do, row by row, and its problems."""

from typing import Literal

from ninja import Schema
from pydantic import Field

from .report import Report

KindName = Literal["customers", "addresses", "contacts", "invoices", "payments"]


class RowAction(Schema):
    row: int = Field(description="The row in the file, as a spreadsheet numbers it (the header is row 1).")
    key: str = Field(description="The record the row names: a customer code, CODE/number, COMPANY/number.")
    action: Literal["created", "updated", "unchanged"]


class ImportOut(Schema):
    kind: KindName
    dry_run: bool = Field(description="True: nothing was changed; the actions are what the import would do.")
    applied: bool = Field(description="True when the import changed the book.")
    rows: int
    created: int
    updated: int
    unchanged: int
    actions: list[RowAction]

    @staticmethod
    def of(report: Report) -> "ImportOut":
        return ImportOut(
            kind=report.kind,  # type: ignore[arg-type]
            dry_run=report.dry_run,
            applied=report.applied,
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            actions=[RowAction(row=a.row, key=a.key, action=a.action) for a in report.actions],  # type: ignore[arg-type]
        )


class RowError(Schema):
    row: int = Field(description="The row (1 is the header; 0 the file as a whole).")
    column: str = Field(description="The column at fault ('' when the problem is the whole row or file).")
    message: str = Field(description="The rule the cell breaks.")


class ImportProblem(Schema):
    """A refused file (422): every problem, with its row, column and rule; nothing was changed."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[RowError]


class ExportQuery(Schema):
    company: str | None = Field(None, description="Invoices and payments of this company only (its code).")


class ImportQuery(Schema):
    dry_run: bool = Field(False, description="Check the file and answer what would change; change nothing.")
    company: str | None = Field(
        None,
        description="The company's code: new customers take its status for new customers; invoices and "
        "payments that name no company go to it. Left out: your first company.",
    )
