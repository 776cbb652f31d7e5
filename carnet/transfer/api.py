"""The import and export API: CSV files of customers, addresses, contacts, invoices and payments.

`GET /exports/{kind}` streams the same CSV as `carnet export`; `POST /imports/{kind}` takes the CSV as the
request body (text/csv) or as the multipart part `file`, and imports it all or nothing as `carnet import`
does (`?dry_run=true`: check only). A refused file answers 422 with every problem: its row, column and rule.
"""

from typing import Any, cast

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from carnet.accounts.models import User
from carnet.api import problem
from carnet.customers.schemas import Problem

from . import uploads
from .exporting import export_response
from .importing import run_import
from .schemas import ExportQuery, ImportOut, ImportProblem, ImportQuery, KindName

router = Router(tags=["import and export"])

ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 404: Problem}
# Media types a CSV body may come as (spreadsheets and tools send it as either); multipart carries a file.
RAW_TYPES = frozenset({"text/csv", "text/plain", "application/octet-stream", ""})
MULTIPART = "multipart/form-data"
CSV_TEXT: dict[str, Any] = {"schema": {"type": "string"}}

_EXPORT_DOC: dict[str, Any] = {
    "responses": {
        200: {
            "description": "The CSV file (UTF-8 with a byte order mark), streamed; the header row first.",
            "content": {"text/csv": CSV_TEXT},
        }
    }
}
_IMPORT_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": CSV_TEXT,
            MULTIPART: {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


@router.get(
    "/exports/{kind}",
    response={**ERRORS, 422: Problem},
    summary="Export every record of a kind as CSV",
    description="The columns of docs/import-export.md, as `carnet export KIND` writes them; the file is "
    "streamed, so its size does not matter. Invoices and payments: those of your companies (or of "
    "`company`).",
    openapi_extra=_EXPORT_DOC,
)
def export_csv(request: HttpRequest, kind: KindName, filters: Query[ExportQuery]) -> StreamingHttpResponse:
    return export_response(kind, actor=_actor(request), company=filters.company)


@router.post(
    "/imports/{kind}",
    response={200: ImportOut, 413: Problem, 415: Problem, 422: ImportProblem, **ERRORS},
    summary="Import a CSV file, all or nothing",
    description="The CSV as the body (text/csv) or as the multipart part `file`, UTF-8, at most 50 MB. "
    "Every row is checked first; any problem answers 422 with all of them (`errors`: row, column, "
    "message) and nothing is changed. `dry_run=true` answers what the import would do and changes "
    "nothing.",
    openapi_extra=_IMPORT_DOC,
)
def import_csv(request: HttpRequest, kind: KindName, params: Query[ImportQuery]) -> Any:
    data = _csv_of(request)
    if isinstance(data, HttpResponse):
        return data
    report = run_import(kind, data, actor=_actor(request), dry_run=params.dry_run, company=params.company)
    if not report.ok:
        return problem(
            request,
            status=422,
            code="invalid_file",
            title="Invalid file",
            detail=_("%(n)d problem(s) in the file: nothing was imported.") % {"n": len(report.problems)},
            errors=[
                {"row": p.row, "column": p.column, "message": p.message}  # type: ignore[dict-item]
                for p in report.sorted_problems()
            ],
        )
    return Status(200, ImportOut.of(report))


def _csv_of(request: HttpRequest) -> bytes | HttpResponse:
    """The bytes of the CSV, from the body or the multipart part `file` (FileTooLarge past the limit)."""
    content_type = (request.content_type or "").lower()
    if content_type == MULTIPART:
        upload = request.FILES.get("file")
        if upload is None:
            return problem(
                request,
                status=400,
                code="malformed",
                title="Malformed request",
                detail=_("Send the CSV file as the multipart part named file."),
                errors=[{"field": "file", "message": _("This part is required.")}],
            )
        return uploads.read_limited(upload, upload.size)
    if content_type not in RAW_TYPES:
        return problem(
            request,
            status=415,
            code="unsupported_media_type",
            title="Unsupported media type",
            detail=_("Send the CSV as the body (Content-Type: text/csv) or as a multipart file."),
        )
    length = request.META.get("CONTENT_LENGTH") or ""
    return uploads.read_limited(request, int(length) if length.isdigit() else None)
