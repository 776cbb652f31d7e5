"""Import a CSV file of one kind: all of it or nothing.

Every row is read and checked by the same services and validators as the UI and the API; every problem
is listed with its row, column and rule. The rows are then written in one transaction, recorded as an
import in the change history. If anything is wrong, or for a dry run, the transaction is rolled back:
the report says what the import did, or would have done, row by row.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from carnet.accounts.models import MAIN_COMPANY_CODE, Company, User
from carnet.audit.context import Source, activity
from carnet.documents.common import resolve_company
from carnet.errors import CarnetError

from .kinds.base import Job
from .reading import read_rows
from .registry import KINDS
from .report import Report


class _RollBack(Exception):
    """Leaves the import's transaction without keeping anything."""


def import_company(actor: User | None, code: str | None) -> Company:
    """The company an import works in: the one named (the actor's), else the actor's first, else MAIN."""
    if code:
        return resolve_company(code, actor)
    if actor is not None:
        first = actor.visible_companies().order_by("code").first()
        if first is not None:
            return first
    return Company.objects.get(code=MAIN_COMPANY_CODE)


def _check_links_as_written() -> None:
    """PostgreSQL checks each link (foreign key) of the rows as they are written rather than all at the
    commit: while the import checks the next rows then, not after the last one (a contacts import writes
    two hundred thousand links). Django declares them deferrable; the import writes no row before one it
    links to."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def run_import(
    kind_name: str,
    data: bytes,
    *,
    actor: User | None,
    dry_run: bool = False,
    company: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Import `data`, the bytes of a CSV file of `kind_name`. `progress(rows done, rows)` is told along
    the way. Returns the report; the database changed only if `report.applied`."""
    kind = KINDS[kind_name]
    report = Report(kind=kind_name, dry_run=dry_run)
    if not kind.may_import(actor):
        raise PermissionDenied(_("Your role may not import %(kind)s.") % {"kind": kind.label})
    try:
        where = import_company(actor, company)
    except (ValidationError, CarnetError) as exc:
        report.problem(0, "company", " ".join(getattr(exc, "messages", [str(exc)])))
        return report
    rows = read_rows(data, kind.columns, kind.extra_columns(), report)
    report.rows = len(rows)
    if not rows:
        return report
    total = len(rows)
    job = Job(
        actor=actor, company=where, report=report, progress=lambda done: progress and progress(done, total)
    )
    with activity(Source.IMPORT):
        try:
            with transaction.atomic():
                _check_links_as_written()
                kind.load(rows, job)
                if not report.ok or dry_run:
                    raise _RollBack
        except _RollBack:
            pass
        except IntegrityError:
            # Rows checked against the book as it was, then written after another change took a code
            # (a concurrent import or entry): the database refused the write, and nothing was kept.
            report.problem(
                0,
                "",
                _(
                    "The book changed during the import (a code was taken meanwhile): nothing was imported; "
                    "import the file again."
                ),
            )
    if not report.ok:
        # What was done before the problem was rolled back: the rows' actions no longer hold.
        report.actions.clear()
    return report
