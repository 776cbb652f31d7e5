"""Credit operations: the check (for document services and as a dry run), what its answer lets through,
limits, the company's policy, holds and recorded overrides.

Functions take keyword-only arguments and run in one transaction; `actor` is the user asking (None is the
installation itself: imports, demo data), whose permission and companies are checked. Refusals raise
ValidationError (by field) or a CarnetError (carnet/errors.py) and save nothing.

How a document service uses the check (see documents/orders.py):

    account = lock_account(customer, company)           # first: the row lock queues concurrent entries
    policy = get_policy(company)
    decision, verdict = gate(actor=…, customer=…, company=…, account=account, policy=policy, kind=…,
                             amount=…, change=…, acknowledge_warnings=…, override_reason=…,
                             hold_allowed=policy.credit_hold_queue)   # raises CreditRefused or
                                                                     # CreditWarningNotAcknowledged
    … save the document (on credit hold when verdict is HOLD) …
    apply(account, change)                               # unless held
    if verdict is Verdict.OVERRIDE: record_override(…)
"""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import can, require
from carnet.accounts.roles import Action, Role
from carnet.customers.models import Customer, Note
from carnet.customers.services import memo as customer_memo
from carnet.db import fetch_one_prepared
from carnet.documents.common import actor_or_none, parse_amount, parse_date, resolve_company, resolve_customer
from carnet.errors import CreditRefused, CreditWarningNotAcknowledged, InvalidState, NotFound, StaleVersion
from carnet.integrations.accounting import missing_sync
from carnet.integrations.events import hold_event, overridden_event
from carnet.integrations.models import AccountingSettings, EventType

from .balances import BalanceChange, lock_account, read_account
from .decision import ActiveHold, CreditInputs, Decision, decide
from .models import CreditAccount, CreditOverride, CreditPolicy, Hold
from .vocabulary import Channel, DocumentKind, ExposureMethod, HoldType, LimitEnforcement, Outcome, Stage


class Verdict(StrEnum):
    """What a decision lets a document service do."""

    PASS = "pass"  # ok: save it
    OVERRIDE = "override"  # warnings acknowledged with a reason: save it and record the override
    HOLD = "hold"  # blocked, and the company keeps such orders on credit hold: save it on hold


# --- policy --------------------------------------------------------------------------------------


def read_policy(company: Company) -> CreditPolicy:
    """The company's credit policy as it is, unsaved with the defaults when there is none yet, so that a
    read (a dry run) never writes."""
    policy = CreditPolicy.objects.filter(company=company).first()
    return policy if policy is not None else CreditPolicy(company=company)


def get_policy(company: Company) -> CreditPolicy:
    """The company's credit policy, made with the defaults on first use."""
    policy = CreditPolicy.objects.filter(company=company).first()
    if policy is None:
        CreditPolicy.objects.bulk_create([CreditPolicy(company=company)], ignore_conflicts=True)
        policy = CreditPolicy.objects.get(company=company)
    return policy


def _choice(value: str, field: str, choices: type[StrEnum]) -> str:
    if value not in {c.value for c in choices}:
        raise ValidationError(
            {
                field: _("Unknown value %(value)s; use one of: %(known)s.")
                % {"value": value, "known": ", ".join(c.value for c in choices)}
            }
        )
    return value


@transaction.atomic
def set_policy(
    *,
    actor: User | None,
    company: Company | str,
    exposure_method: str | None = None,
    limit_enforcement: str | None = None,
    credit_hold_queue: bool | None = None,
    expected_version: int | None = None,
) -> CreditPolicy:
    """Change what is given of the company's policy (None: unchanged). Takes effect at the next check: the
    kept balances hold every part, so changing the exposure method recomputes nothing."""
    if actor is not None:
        require(actor, Action.MANAGE_SETTINGS)
    company = resolve_company(company, actor)
    get_policy(company)
    policy = CreditPolicy.objects.select_for_update().get(company=company)
    if expected_version is not None and policy.version != expected_version:
        raise StaleVersion(
            _(
                "Someone else changed these settings since you read them (version %(expected)s, "
                "now %(current)s)."
            )
            % {"expected": expected_version, "current": policy.version},
            current_version=policy.version,
        )
    if exposure_method is not None:
        policy.exposure_method = _choice(exposure_method, "exposure_method", ExposureMethod)
    if limit_enforcement is not None:
        policy.limit_enforcement = _choice(limit_enforcement, "limit_enforcement", LimitEnforcement)
    if credit_hold_queue is not None:
        if not isinstance(credit_hold_queue, bool):
            raise ValidationError({"credit_hold_queue": _("true or false.")})
        policy.credit_hold_queue = credit_hold_queue
    policy.version += 1
    policy.save()
    return policy


# --- limits --------------------------------------------------------------------------------------


@transaction.atomic
def set_limit(
    *,
    actor: User | None,
    customer: Customer | int | str,
    company: Company | str,
    limit: Decimal | str | int | None,
    expected_version: int | None = None,
) -> CreditAccount:
    """Set the customer's credit limit in the company; None removes it (no limit, no limit check). Zero is a
    limit: no credit at all."""
    if actor is not None:
        require(actor, Action.SET_CREDIT_LIMIT)
    company = resolve_company(company, actor)
    customer = resolve_customer(customer)
    value = None if limit is None else parse_amount(limit, "limit", positive=False)
    if value is not None and value < 0:
        raise ValidationError({"limit": _("A credit limit cannot be negative; leave it empty for no limit.")})
    account = lock_account(customer, company)
    if expected_version is not None and account.version != expected_version:
        raise StaleVersion(
            _(
                "Someone else changed this credit limit since you read it (version %(expected)s, "
                "now %(current)s)."
            )
            % {"expected": expected_version, "current": account.version},
            current_version=account.version,
        )
    account.limit = value
    account.limit_set_by = actor_or_none(actor)
    account.limit_set_at = timezone.now()
    account.version += 1
    account.save(update_fields=["limit", "limit_set_by", "limit_set_at", "version", "updated_at"])
    return account


# --- holds ---------------------------------------------------------------------------------------


def _check_every_company(actor: User | None) -> None:
    if actor is None:
        return
    visible = set(actor.visible_companies().values_list("pk", flat=True))
    if set(Company.objects.values_list("pk", flat=True)) - visible:
        raise PermissionDenied(_("A hold on every company needs access to every company."))


@transaction.atomic
def add_hold(
    *,
    actor: User | None,
    customer: Customer | int | str,
    company: Company | str | None,
    type: str,
    reason_code: str = "",
    comment: str = "",
    ends_on: date | str | None = None,
) -> Hold:
    """Put the customer on hold in the company (None: every company) until it is lifted or, when ends_on is
    given, until that day included. A sale-order hold blocks orders, an invoicing hold invoices."""
    if actor is not None:
        require(actor, Action.MANAGE_HOLDS)
    scope = None if company is None or company == "" else resolve_company(company, actor)
    if scope is None:
        _check_every_company(actor)
    customer = resolve_customer(customer)
    _choice(type, "type", HoldType)
    reason_code = (reason_code or "").strip()
    comment = (comment or "").strip()
    errors: dict[str, str] = {}
    if len(reason_code) > 30:
        errors["reason_code"] = _("At most 30 characters.")
    if not reason_code and not comment:
        errors["comment"] = _("Say why the customer is on hold.")
    end = None if ends_on is None or ends_on == "" else parse_date(ends_on, "ends_on")
    if end is not None and end < timezone.localdate():
        errors["ends_on"] = _("This day is past: the hold would never apply.")
    if errors:
        raise ValidationError(errors)
    hold = Hold.objects.create(
        customer=customer,
        company=scope,
        type=type,
        reason_code=reason_code,
        comment=comment,
        ends_on=end,
        set_by=actor_or_none(actor),
    )
    hold_event(EventType.HOLD_ADDED, hold)
    return hold


@transaction.atomic
def lift_hold(*, actor: User | None, hold_id: int | str) -> Hold:
    """Lift a hold: it stops applying at once and stays on record (who lifted it, when)."""
    if actor is not None:
        require(actor, Action.MANAGE_HOLDS)
    try:
        hold = Hold.objects.select_for_update().get(pk=int(hold_id))
    except (Hold.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("No hold has the id %(id)s.") % {"id": hold_id}) from None
    if actor is not None:
        if hold.company_id is None:
            _check_every_company(actor)
        elif not actor.visible_companies().filter(pk=hold.company_id).exists():
            raise NotFound(_("No hold has the id %(id)s.") % {"id": hold_id})
    if hold.lifted_at is not None:
        raise InvalidState(_("This hold was already lifted."))
    hold.lifted_at = timezone.now()
    hold.lifted_by = actor_or_none(actor)
    hold.save(update_fields=["lifted_at", "lifted_by"])
    hold_event(EventType.HOLD_LIFTED, hold)
    return hold


def active_holds(customer: Customer, company: Company, on: date | None = None) -> list[ActiveHold]:
    """The holds that apply to the customer in the company today (or on the given day): not lifted, not
    ended, on this company or on every company."""
    rows = (
        Hold.objects.active(on)
        .for_company(company)
        .filter(customer=customer)
        .order_by("set_at", "id")
        .values_list("type", "reason_code", "comment", "ends_on")
    )
    return [
        ActiveHold(type=t, reason_code=code, comment=comment, ends_on=end) for t, code, comment, end in rows
    ]


# --- the check -----------------------------------------------------------------------------------


def _kind(kind: str) -> DocumentKind:
    return DocumentKind(_choice(kind, "kind", DocumentKind))


def check_credit(
    *,
    customer: Customer,
    company: Company,
    kind: str,
    amount: Decimal,
    channel: str = Channel.DESK,
    stage: str = Stage.ENTRY,
    change: BalanceChange | None = None,
    account: CreditAccount | None = None,
    policy: CreditPolicy | None = None,
    holds: tuple[ActiveHold, ...] | None = None,
    memo: tuple[str, ...] | None = None,
    sync_required: bool | None = None,
) -> Decision:
    """The decision for a document of this kind and amount, as things are now. Reads the account row (the
    locked `account` a document service passes, or the current one), the policy, the active holds and the
    memo (unless given, as read in the same transaction): a fixed number of queries, whatever the number
    of documents. `change` is what the document does to the balances (by default: a new document of that
    amount); it gives the exposure increase."""
    policy = policy or get_policy(company)
    account = account or read_account(customer, company)
    increase = None if change is None else change.exposure_increase(policy.exposure_method)
    inputs = CreditInputs(
        status=customer.status,
        status_reason=customer.status_reason,
        kind=_kind(kind),
        amount=amount,
        exposure_increase=increase,
        channel=channel,
        stage=stage,
        holds=tuple(active_holds(customer, company)) if holds is None else holds,
        limit=account.limit,
        posted_invoices_open=account.posted_invoices_open,
        unallocated_credit=account.unallocated_credit,
        open_orders=account.open_orders,
        draft_invoices=account.draft_invoices,
        exposure_method=policy.exposure_method,
        limit_enforcement=policy.limit_enforcement,
        max_order_amount=customer.max_order_amount,
        memo=tuple(customer_memo(customer)) if memo is None else memo,
        currency=company.currency,
        accounting_sync_state=(
            missing_sync(customer, company, required=sync_required)
            if kind == DocumentKind.INVOICE and stage == Stage.ENTRY
            else None
        ),
    )
    return decide(inputs)


def check_credit_dry_run(
    *,
    actor: User | None,
    customer: Customer | int | str,
    company: Company | str,
    kind: str,
    amount: Decimal | str | int,
    channel: str = Channel.DESK,
    stage: str = Stage.ENTRY,
) -> Decision:
    """The decision a document of this kind and amount would get now; saves nothing (not even a default
    policy). Usually one query: the account with its customer, company and policy, and whether any hold
    applies, any note is pinned and the company wants synced customers before invoices; the holds, the memo
    and the customer's sync state are read only when they matter."""
    if actor is not None:
        require(actor, Action.VIEW_CUSTOMERS)
    account = _account_for_check(actor=actor, customer=customer, company=company)
    if account is not None:
        customer, company = account.customer, account.company
        policy = getattr(company, "credit_policy", None) or CreditPolicy(company=company)
        holds = None if account.has_holds else ()  # type: ignore[attr-defined]
        memo = None if account.has_memo else ()  # type: ignore[attr-defined]
        sync_required: bool | None = account.sync_required  # type: ignore[attr-defined]
    else:  # no account yet, or an unknown or hidden company or customer: step by step, with its errors
        company = resolve_company(company, actor)
        customer = resolve_customer(customer)
        policy, holds, memo, sync_required = read_policy(company), None, None, None
    value = parse_amount(amount, "amount")
    _choice(channel, "channel", Channel)
    _choice(stage, "stage", Stage)
    return check_credit(
        customer=customer,
        company=company,
        kind=_kind(kind),
        amount=value,
        channel=channel,
        stage=stage,
        account=account,
        policy=policy,
        holds=holds,
        memo=memo,
        sync_required=sync_required,
    )


# What the dry run reads of each row (the rest of the account's and the customer's columns is not fetched).
_CHECKED_ACCOUNT_FIELDS = ("id", "limit", *CreditAccount.BALANCES_ORDER, "customer", "company", "version")
_CHECKED_CUSTOMER_FIELDS = ("id", "status", "status_reason", "max_order_amount")


def _checked_fields() -> list[tuple[str, Any, list[Any]]]:
    """(table alias, model, fields) of the columns the dry run selects, in order; each model's fields in the
    order of its concrete fields, as Model.from_db takes them."""

    def only(model: Any, names: tuple[str, ...]) -> list[Any]:
        return [f for f in model._meta.concrete_fields if f.name in names]

    return [
        ("a", CreditAccount, only(CreditAccount, _CHECKED_ACCOUNT_FIELDS)),
        ("cu", Customer, only(Customer, _CHECKED_CUSTOMER_FIELDS)),
        ("co", Company, list(Company._meta.concrete_fields)),
        ("p", CreditPolicy, list(CreditPolicy._meta.concrete_fields)),
    ]


# The dry run's statement and, for each column, its Col and the ORM's converters; by vendor and shape.
_CHECK_SQL: dict[tuple[str, bool, bool], tuple[str, list[tuple[Any, list[Any]]]]] = {}


def _check_sql(*, by_code: bool, members_only: bool) -> tuple[str, list[tuple[Any, list[Any]]]]:
    """The dry run's one statement, written by hand: the ORM took longer to build and compile it than the
    database to run it. The same rows as the ORM query it replaces: the account of the customer in the
    company (by id or by code), in a company the user belongs to (members_only), joined with its customer,
    its company and the company's policy if any, and whether an active hold applies (as active_holds) and
    whether a note is pinned (as the memo), and whether the company wants synced customers before invoices.
    Parameters: today, True, True, the customer id, the company id or code, and the user id (members_only)."""
    key = (connection.vendor, by_code, members_only)
    if key not in _CHECK_SQL:
        q = connection.ops.quote_name

        def col(model: Any, name: str) -> str:
            return q(model._meta.get_field(name).column)

        members = User.companies.through
        selected = _checked_fields()
        converters = []
        for alias, _model, fields in selected:
            for field in fields:
                column = field.get_col(alias)
                converters.append(
                    (column, connection.ops.get_db_converters(column) + column.get_db_converters(connection))
                )
        account_customer, account_company = col(CreditAccount, "customer"), col(CreditAccount, "company")
        hold_company = col(Hold, "company")
        where = [f"a.{account_customer} = %s"]
        where.append(f"co.{col(Company, 'code')} = %s" if by_code else f"a.{account_company} = %s")
        if members_only:
            where.append(
                f"a.{account_company} IN (SELECT m.{col(members, 'company')} "
                f"FROM {q(members._meta.db_table)} m WHERE m.{col(members, 'user')} = %s)"
            )
        sql = (
            "SELECT "
            + ", ".join(f"{alias}.{q(f.column)}" for alias, _model, fields in selected for f in fields)
            + f", EXISTS (SELECT 1 FROM {q(Hold._meta.db_table)} h"
            f" WHERE h.{col(Hold, 'customer')} = a.{account_customer}"
            f" AND (h.{hold_company} = a.{account_company} OR h.{hold_company} IS NULL)"
            f" AND h.{col(Hold, 'lifted_at')} IS NULL"
            f" AND (h.{col(Hold, 'ends_on')} IS NULL OR h.{col(Hold, 'ends_on')} >= %s))"
            f", EXISTS (SELECT 1 FROM {q(Note._meta.db_table)} n"
            f" WHERE n.{col(Note, 'customer')} = a.{account_customer} AND n.{col(Note, 'pinned')} = %s)"
            f", EXISTS (SELECT 1 FROM {q(AccountingSettings._meta.db_table)} s"
            f" WHERE s.{col(AccountingSettings, 'company')} = a.{account_company}"
            f" AND s.{col(AccountingSettings, 'sync_before_invoicing')} = %s)"
            f" FROM {q(CreditAccount._meta.db_table)} a"
            f" INNER JOIN {q(Customer._meta.db_table)} cu ON cu.{col(Customer, 'id')} = a.{account_customer}"
            f" INNER JOIN {q(Company._meta.db_table)} co ON co.{col(Company, 'id')} = a.{account_company}"
            f" LEFT OUTER JOIN {q(CreditPolicy._meta.db_table)} p"
            f" ON p.{col(CreditPolicy, 'company')} = co.{col(Company, 'id')}"
            " WHERE " + " AND ".join(where)
        )
        _CHECK_SQL[key] = sql, converters
    return _CHECK_SQL[key]


def _account_for_check(
    *, actor: User | None, customer: Customer | int | str, company: Company | str
) -> CreditAccount | None:
    """The customer's credit account in the company the actor sees, with the customer, the company and its
    policy, annotated has_holds (an active hold applies today, as active_holds reads them) and has_memo (a
    note is pinned, as the memo reads them): one query. None when there is no such account (or the names
    are not valid), for the caller to resolve them one by one."""
    try:
        customer_id = int(customer.pk if isinstance(customer, Customer) else customer)
    except (TypeError, ValueError):
        return None
    low, high = connection.ops.integer_field_range(Customer._meta.pk.get_internal_type())  # type: ignore[union-attr]
    if not low <= customer_id <= high:  # no such customer (and the database would refuse the number)
        return None
    company_key: int | str
    if isinstance(company, Company):
        company_key = company.pk
    else:
        company_key = (company or "").strip().upper()
        if not company_key:
            return None
    # As actor.visible_companies(): an admin sees every company, everyone else the companies they belong to.
    members_only = actor is not None and actor.role != Role.ADMIN
    sql, converters = _check_sql(by_code=isinstance(company_key, str), members_only=members_only)
    today = connection.ops.adapt_datefield_value(timezone.localdate())  # the day of Hold.objects.active()
    params: list[Any] = [today, True, True, customer_id, company_key]
    if members_only:
        params.append(actor.pk)  # type: ignore[union-attr]
    row = fetch_one_prepared(sql, params)
    if row is None:
        return None
    values = list(row)
    for i, (column, column_converters) in enumerate(converters):
        for convert in column_converters:
            values[i] = convert(values[i], column, connection)
    objects = []
    for _alias, model, fields in _checked_fields():
        names = [f.attname for f in fields]
        objects.append(model.from_db(connection.alias, names, values[: len(names)]))
        values = values[len(names) :]
    account, customer_row, company_row, policy = objects
    has_holds, has_memo, sync_required = values
    account.customer, account.company = customer_row, company_row
    if policy.pk is None:  # the company has none yet
        policy = None
    else:
        policy.company = company_row
    Company._meta.get_field("credit_policy").set_cached_value(company_row, policy)  # type: ignore[union-attr]
    account.has_holds, account.has_memo = bool(has_holds), bool(has_memo)  # type: ignore[attr-defined]
    account.sync_required = bool(sync_required)  # type: ignore[attr-defined]
    return account


def refusal_message(decision: Decision) -> str:
    return " ".join(r.message for r in decision.reasons if r.severity == Outcome.BLOCKED)


def refuse_if_blocked(decision: Decision, kind: str) -> None:
    """For quotes, credit notes and payments, which take no warning and no queue: only a block stops them."""
    if decision.blocked:
        raise CreditRefused(
            _("The credit check refused this %(kind)s: %(why)s")
            % {"kind": kind, "why": refusal_message(decision)},
            decision=decision,
        )


def gate(
    *,
    actor: User | None,
    customer: Customer,
    company: Company,
    account: CreditAccount,
    policy: CreditPolicy,
    kind: str,
    amount: Decimal,
    change: BalanceChange,
    channel: str = Channel.DESK,
    acknowledge_warnings: bool = False,
    override_reason: str | None = None,
    hold_allowed: bool = False,
) -> tuple[Decision, Verdict]:
    """Run the entry check for a document service and say what it lets through:

    - blocked: CreditRefused (422, nothing saved), or HOLD when hold_allowed (orders, with the queue on);
    - warning: CreditWarningNotAcknowledged (409, nothing saved) unless acknowledge_warnings with a
      non-empty override_reason and the actor may override (Action.OVERRIDE_WARNING), then OVERRIDE;
    - ok: PASS.
    """
    decision = check_credit(
        customer=customer,
        company=company,
        kind=kind,
        amount=amount,
        channel=channel,
        stage=Stage.ENTRY,
        change=change,
        account=account,
        policy=policy,
    )
    if decision.outcome == Outcome.BLOCKED:
        if hold_allowed:
            return decision, Verdict.HOLD
        raise CreditRefused(
            _("The credit check refused this %(kind)s: %(why)s")
            % {"kind": kind, "why": refusal_message(decision)},
            decision=decision,
        )
    if decision.outcome == Outcome.WARNING:
        if not acknowledge_warnings:
            raise CreditWarningNotAcknowledged(
                _(
                    "The credit check gave warnings: %(why)s Acknowledge them (acknowledge_warnings) and say "
                    "why (override_reason) to go on."
                )
                % {"why": " ".join(r.message for r in decision.reasons)},
                decision=decision,
            )
        if not (override_reason or "").strip():
            raise ValidationError({"override_reason": _("Say why you go on past the credit warnings.")})
        if actor is not None and not can(actor, Action.OVERRIDE_WARNING):
            raise PermissionDenied(
                _("Your role may not go on past credit warnings (%(action)s).")
                % {"action": Action.OVERRIDE_WARNING}
            )
        return decision, Verdict.OVERRIDE
    return decision, Verdict.PASS


def record_override(
    *,
    actor: User | None,
    decision: Decision,
    reason: str,
    order: Any = None,
    invoice: Any = None,
) -> CreditOverride:
    """Keep who went on past a decision, when, why, and the decision as it was."""
    document = order if order is not None else invoice
    override = CreditOverride.objects.create(
        customer_id=document.customer_id,
        company_id=document.company_id,
        order=order,
        invoice=invoice,
        user=actor_or_none(actor),
        reason=reason.strip(),
        decision=decision.as_json(),
    )
    overridden_event(override, document, kind="order" if order is not None else "invoice")
    return override
