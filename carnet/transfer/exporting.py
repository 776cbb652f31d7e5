"""Export the records of one kind as CSV text, a line at a time.

Rows are read from the database in chunks (QuerySet.iterator) and written as they come, so memory does not
grow with the number of rows. Cells that a spreadsheet would run as a formula are neutralised (cells.py).
"""

import csv
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import can
from carnet.accounts.roles import Action
from carnet.documents.common import resolve_company
from carnet.web.csv_export import BOM

from .registry import KINDS


class _Line:
    """What the csv writer writes, handed back instead of stored."""

    def write(self, value: str) -> str:
        return value


def may_export(actor: User | None) -> bool:
    return actor is None or can(actor, Action.EXPORT_CUSTOMERS)


def export_company(actor: User | None, code: str | None) -> Company | None:
    return resolve_company(code, actor) if code else None


def export_lines(
    kind_name: str, *, actor: User | None, company: str | None = None, chunk_size: int = 2000
) -> Iterator[str]:
    """The CSV lines of every record of the kind the actor may see (of one company when named), the
    header first, behind the byte order mark spreadsheets need to read UTF-8."""
    if not may_export(actor):
        raise PermissionDenied(_("Your role may not export."))
    kind = KINDS[kind_name]
    where = export_company(actor, company)
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield BOM + writer.writerow(kind.header())
    for cells in kind.export_rows(actor, where, chunk_size=chunk_size):
        yield writer.writerow(cells)


def export_response(
    kind_name: str, *, actor: User | None, company: str | None = None
) -> StreamingHttpResponse:
    """The CSV as a streamed download, named after the kind and the day. Who may export, and the company,
    are checked before the answer starts: past that point an error could no longer change its status."""
    if not may_export(actor):
        raise PermissionDenied(_("Your role may not export."))
    export_company(actor, company)
    response = StreamingHttpResponse(
        export_lines(kind_name, actor=actor, company=company), content_type="text/csv; charset=utf-8"
    )
    filename = f"{kind_name}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
