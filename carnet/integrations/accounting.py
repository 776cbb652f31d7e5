"""The accounting sync (interOP's "Envoyer à Système comptable"): per company, each customer's state in the
accounting system, and the company setting that requires a synced customer before an invoice.

    never ──send──▶ pending ──receiver reports──▶ synced (with the external id)
                       ▲                      └─▶ failed (with the error)
                       └────────── send again ──────────┘

Sending writes the event customer.sync_requested, which the worker posts to the company's endpoints that
subscribe to it (the accounting connector); the connector reports back through the API. A prospect is not
sent: it becomes a customer of the accounting system once it is approved.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.customers.choices import Status
from carnet.customers.models import Customer
from carnet.documents.common import actor_or_none, resolve_company, resolve_customer
from carnet.errors import RuleViolation

from .events import customer_data, emit
from .models import AccountingSettings, AccountingSync, EventType, SyncState
from .webhooks import subscribers

EXTERNAL_ID_MAX = 100
ERROR_MAX = 2000


class ProspectNotSent(RuleViolation):
    code = "prospect_not_sent"


class NoAccountingConnection(RuleViolation):
    code = "no_accounting_connection"


@dataclass(frozen=True)
class SyncView:
    """A customer's sync state in a company, as shown and answered (a never-sent customer has no row)."""

    company: Company
    state: str
    external_id: str = ""
    last_error: str = ""
    requested_at: datetime | None = None
    reported_at: datetime | None = None
    synced_at: datetime | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "company": self.company.code,
            "state": self.state,
            "external_id": self.external_id or None,
            "last_error": self.last_error or None,
            "requested_at": self.requested_at,
            "reported_at": self.reported_at,
            "synced_at": self.synced_at,
        }


def _view(company: Company, row: AccountingSync | None) -> SyncView:
    if row is None:
        return SyncView(company=company, state=SyncState.NEVER)
    return SyncView(
        company=company,
        state=row.state,
        external_id=row.external_id,
        last_error=row.last_error,
        requested_at=row.requested_at,
        reported_at=row.reported_at,
        synced_at=row.synced_at,
    )


def sync_states(customer: Customer, companies: list[Company]) -> list[SyncView]:
    """The customer's state in each of these companies (never when not sent)."""
    rows = {r.company_id: r for r in AccountingSync.objects.filter(customer=customer, company__in=companies)}
    return [_view(company, rows.get(company.pk)) for company in companies]


def _locked_row(customer: Customer, company: Company) -> AccountingSync:
    AccountingSync.objects.bulk_create(
        [AccountingSync(customer=customer, company=company)], ignore_conflicts=True
    )
    return AccountingSync.objects.select_for_update().get(customer=customer, company=company)


@transaction.atomic
def request_sync(*, actor: User | None, customer: Customer | int | str, company: Company | str) -> SyncView:
    """Send the customer to the company's accounting: pending until the connector reports back. Refused for
    a prospect, and when no active endpoint of the company subscribes to customer.sync_requested (the
    request would wait for ever). Sending again (after a failure, or to push changes) is allowed."""
    if actor is not None:
        require(actor, Action.SYNC_ACCOUNTING)
    company = resolve_company(company, actor)
    customer = resolve_customer(customer)
    if customer.status == Status.PROSPECT:
        raise ProspectNotSent(
            _(
                "%(code)s is a prospect: prospects are not sent to accounting. Approve the customer first, "
                "then send it."
            )
            % {"code": customer.code}
        )
    if not subscribers(EventType.CUSTOMER_SYNC_REQUESTED, company):
        raise NoAccountingConnection(
            _(
                "%(company)s has no accounting connection: an administrator adds a webhook that receives "
                "customer.sync_requested (Settings, Webhooks)."
            )
            % {"company": company.code}
        )
    row = _locked_row(customer, company)
    now = timezone.now()
    event = emit(
        EventType.CUSTOMER_SYNC_REQUESTED,
        customer=customer,
        company=company,
        data={**customer_data(customer), "external_id": row.external_id or None},
    )
    row.state = SyncState.PENDING
    row.last_error = ""
    row.requested_at = now
    row.requested_by = actor_or_none(actor)
    row.request_event_id = event.event_id
    row.version += 1
    row.save()
    return _view(company, row)


@transaction.atomic
def report_sync(
    *,
    actor: User | None,
    customer: Customer | int | str,
    company: Company | str,
    state: str,
    external_id: str | None = None,
    error: str | None = None,
) -> SyncView:
    """What the accounting connector reports: synced (with the customer's id in the accounting system) or
    failed (with the error). A customer never sent may be reported synced (already in the accounting)."""
    if actor is not None:
        require(actor, Action.SYNC_ACCOUNTING)
    company = resolve_company(company, actor)
    customer = resolve_customer(customer)
    external_id = (external_id or "").strip()
    error = (error or "").strip()
    errors: dict[str, str] = {}
    if state == SyncState.SYNCED:
        if not external_id:
            errors["external_id"] = _("Give the customer's id in the accounting system.")
        elif len(external_id) > EXTERNAL_ID_MAX:
            errors["external_id"] = _("At most %(n)d characters.") % {"n": EXTERNAL_ID_MAX}
    elif state == SyncState.FAILED:
        if not error:
            errors["error"] = _("Say why the accounting system refused the customer.")
    else:
        errors["state"] = _("Report synced or failed.")
    if errors:
        raise ValidationError(errors)
    row = _locked_row(customer, company)
    now = timezone.now()
    row.state = state
    row.reported_at = now
    if state == SyncState.SYNCED:
        row.external_id = external_id
        row.synced_at = now
        row.last_error = ""
    else:
        row.last_error = error[:ERROR_MAX]
    row.version += 1
    row.save()
    return _view(company, row)


# --- the company setting ---------------------------------------------------------------------------------


def accounting_settings(company: Company) -> AccountingSettings:
    """The company's settings as they are (unsaved defaults when never set, so that a read never writes)."""
    found = AccountingSettings.objects.filter(company=company).first()
    return found if found is not None else AccountingSettings(company=company)


@transaction.atomic
def set_sync_before_invoicing(
    *, actor: User | None, company: Company | str, required: bool
) -> AccountingSettings:
    if actor is not None:
        require(actor, Action.MANAGE_SETTINGS)
    company = resolve_company(company, actor)
    if not isinstance(required, bool):
        raise ValidationError({"accounting_sync_before_invoicing": _("true or false.")})
    AccountingSettings.objects.update_or_create(company=company, defaults={"sync_before_invoicing": required})
    return accounting_settings(company)


def missing_sync(customer: Customer, company: Company, required: bool | None = None) -> str | None:
    """When the company requires a synced customer before an invoice and this one is not synced: its state
    (never, pending, failed). None otherwise. `required` is the company's setting when the caller has
    already read it (the credit check's one query does); unknown, it costs one query, and reading the
    customer's state one more when the setting is on."""
    if customer.pk is None or required is False:
        return None
    if required is None:
        required = AccountingSettings.objects.filter(company=company, sync_before_invoicing=True).exists()
    row = (
        AccountingSync.objects.filter(customer_id=customer.pk, company=company)
        .values_list("state", flat=True)
        .first()
        if required
        else SyncState.SYNCED
    )
    if row == SyncState.SYNCED:
        return None
    return row or SyncState.NEVER
