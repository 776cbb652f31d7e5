"""The Import / Export page: upload a CSV file, preview what the import would do, confirm it; download
every kind as CSV.

The preview is the import run as a dry run (carnet.transfer.importing); the file is then kept on the
server (uploads.py) under a token held by the session, so the confirmation imports the very bytes that
were previewed, all or nothing. Who may import which kind, and export, is asked of the kinds and of
carnet.accounts.roles, as the command line and the API do.
"""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action

from . import uploads
from .exporting import export_response, may_export
from .forms import ImportForm
from .importing import run_import
from .kinds.base import Kind
from .registry import KINDS
from .report import Report

# What the session holds between the preview and the confirmation, and after it.
PENDING = "transfer.pending"
RESULT = "transfer.result"
# The preview lists the action of this many rows (every problem is always listed).
PREVIEW_ROWS = 100


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _import_kinds(actor: User) -> list[Kind]:
    return [kind for kind in KINDS.values() if kind.may_import(actor)]


def _companies(actor: User) -> list[Company]:
    return list(actor.visible_companies().order_by("code"))


def _allowed(actor: User) -> list[Kind]:
    """The kinds the actor may import; someone who may neither import nor export has no page here."""
    kinds = _import_kinds(actor)
    if not kinds and not may_export(actor):
        raise PermissionDenied(_("Your role may neither import nor export."))
    return kinds


def _form(actor: User, kinds: list[Kind], request: HttpRequest | None = None) -> ImportForm:
    if request is None:
        return ImportForm(kinds=kinds, companies=_companies(actor))
    return ImportForm(request.POST, request.FILES, kinds=kinds, companies=_companies(actor))


def _page(request: HttpRequest, form: ImportForm, kinds: list[Kind], status: int = 200) -> HttpResponse:
    actor = _actor(request)
    return render(
        request,
        "transfer/page.html",
        {
            "form": form,
            "import_kinds": kinds,
            "export_kinds": list(KINDS.values()) if may_export(actor) else [],
        },
        status=status,
    )


def _forget_pending(request: HttpRequest) -> None:
    pending = request.session.pop(PENDING, None)
    if pending:
        uploads.discard(pending.get("token", ""))


def _preview(
    request: HttpRequest, report: Report, kind: Kind, name: str, token: str | None, status: int = 200
) -> HttpResponse:
    problems = report.sorted_problems()
    return render(
        request,
        "transfer/preview.html",
        {
            "report": report,
            "kind": kind,
            "file_name": name,
            "token": token,
            "problems": problems,
            "shown_actions": report.actions[:PREVIEW_ROWS],
            "more_actions": max(0, len(report.actions) - PREVIEW_ROWS),
        },
        status=status,
    )


@login_required
@require_GET
def transfer_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    kinds = _allowed(actor)
    return _page(request, _form(actor, kinds), kinds)


@login_required
@require_POST
def import_preview(request: HttpRequest) -> HttpResponse:
    """Check the uploaded file as a dry run and show what the import would do, or every problem."""
    actor = _actor(request)
    kinds = _allowed(actor)
    if not kinds:
        raise PermissionDenied(_("Your role may not import."))
    form = _form(actor, kinds, request)
    if not form.is_valid():
        return _page(request, form, kinds, status=400)
    kind = KINDS[form.cleaned_data["kind"]]
    company = form.cleaned_data.get("company") or None
    name = form.cleaned_data["file"].name
    data = form.content
    _forget_pending(request)
    report = run_import(kind.name, data, actor=actor, dry_run=True, company=company)
    token = None
    if report.ok and report.rows:
        upload = uploads.keep(data)
        token = upload.token
        request.session[PENDING] = {
            "token": upload.token,
            "sha256": upload.sha256,
            "kind": kind.name,
            "company": company,
            "name": name,
        }
    return _preview(request, report, kind, name, token, status=200 if report.ok else 422)


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the previewed file, all or nothing; then show the result."""
    actor = _actor(request)
    pending: dict[str, Any] | None = request.session.get(PENDING)
    token = request.POST.get("token", "")
    data = None
    if pending and pending.get("token") == token:
        data = uploads.read(uploads.Upload(pending["token"], pending["sha256"]))
    if pending is None or data is None:
        _forget_pending(request)
        messages.error(
            request,
            _(
                "This preview is no longer available (imported already, or older than an hour): upload the "
                "file again."
            ),
        )
        return redirect("transfer")
    kind = KINDS[pending["kind"]]
    report = run_import(kind.name, data, actor=actor, dry_run=False, company=pending["company"])
    _forget_pending(request)
    if not report.applied:
        # The book changed since the preview (a code taken meanwhile): nothing was imported.
        return _preview(request, report, kind, pending["name"], None, status=422)
    request.session[RESULT] = {
        "kind": kind.name,
        "name": pending["name"],
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }
    return redirect("transfer-import-result")


@login_required
@require_GET
def import_result(request: HttpRequest) -> HttpResponse:
    result = request.session.get(RESULT)
    if result is None:
        return redirect("transfer")
    return render(request, "transfer/result.html", {"result": result, "kind": KINDS[result["kind"]]})


@login_required
@require_GET
def export_download(request: HttpRequest, kind: str) -> StreamingHttpResponse:
    if kind not in KINDS:
        raise Http404(_("Nothing is exported as %(kind)s.") % {"kind": kind})
    actor = _actor(request)
    require(actor, Action.EXPORT_CUSTOMERS)
    return export_response(kind, actor=actor)
