"""Properties of the credit rules, for any inputs hypothesis can think of.

The pure decision (carnet/credit/decision.py): asking for more never makes an answer better, and the limit
is reached exactly at the boundary. The kept balances: after any sequence of documents, in two
companies, the exposure the credit check reports is the one recomputed from the documents
(carnet/credit/verification.py).
The single-company sequence with `carnet verify` is tests/credit/test_verify.py.
"""

import contextlib
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from factories import CustomerFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carnet.accounts.models import Company
from carnet.credit import services as credit
from carnet.credit.decision import ActiveHold, CreditInputs, decide, exposure_of
from carnet.credit.verification import find_differences, recomputed_balances
from carnet.credit.vocabulary import (
    Channel,
    DocumentKind,
    ExposureMethod,
    HoldType,
    LimitEnforcement,
    Outcome,
)
from carnet.customers.choices import Status
from carnet.customers.models import Customer
from carnet.documents import services as documents
from carnet.documents.models import Invoice, Order
from carnet.errors import CarnetError

RANK = {Outcome.OK: 0, Outcome.WARNING: 1, Outcome.BLOCKED: 2}

cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Decimal(c) / 100)
positive_cents = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c) / 100)

inputs = st.builds(
    CreditInputs,
    status=st.sampled_from(Status.values),
    status_reason=st.just("Motif"),
    kind=st.sampled_from(list(DocumentKind)),
    amount=positive_cents,
    channel=st.sampled_from(list(Channel)),
    holds=st.lists(st.builds(ActiveHold, type=st.sampled_from(list(HoldType))), max_size=2).map(tuple),
    limit=st.one_of(st.none(), cents),
    posted_invoices_open=cents,
    unallocated_credit=cents,
    open_orders=cents,
    draft_invoices=cents,
    exposure_method=st.sampled_from(list(ExposureMethod)),
    limit_enforcement=st.sampled_from(list(LimitEnforcement)),
    max_order_amount=st.one_of(st.none(), positive_cents),
)


@given(inputs, positive_cents)
def test_a_bigger_amount_never_gives_a_better_answer(base: CreditInputs, more: Decimal) -> None:
    """Blocked stays blocked and a warning never becomes ok when only the amount grows."""
    smaller = decide(base)
    bigger = decide(replace(base, amount=base.amount + more))
    assert RANK[bigger.outcome] >= RANK[smaller.outcome]
    if smaller.outcome == Outcome.BLOCKED:
        assert bigger.outcome == Outcome.BLOCKED
    if smaller.outcome == Outcome.WARNING:
        assert bigger.outcome != Outcome.OK


@given(inputs, positive_cents)
def test_every_reason_of_the_smaller_amount_stays(base: CreditInputs, more: Decimal) -> None:
    smaller = {r.code for r in decide(base).reasons}
    bigger = {r.code for r in decide(replace(base, amount=base.amount + more)).reasons}
    assert smaller <= bigger


limit_only = st.builds(
    CreditInputs,
    status=st.just(Status.APPROVED),
    kind=st.just(DocumentKind.ORDER),
    amount=positive_cents,
    limit=cents,
    posted_invoices_open=cents,
    open_orders=cents,
    exposure_method=st.sampled_from(list(ExposureMethod)),
    limit_enforcement=st.sampled_from([LimitEnforcement.BLOCK_AT_ENTRY, LimitEnforcement.WARN_AT_ENTRY]),
)


@given(limit_only)
def test_the_limit_is_reached_exactly_at_the_boundary(base: CreditInputs) -> None:
    """An order that brings the exposure exactly to the limit passes; one cent more does not."""
    exposure = exposure_of(
        limit=base.limit,
        posted_invoices_open=base.posted_invoices_open,
        unallocated_credit=base.unallocated_credit,
        open_orders=base.open_orders,
        draft_invoices=base.draft_invoices,
        exposure_method=base.exposure_method,
    ).exposure
    assert base.limit is not None
    room = base.limit - exposure
    refused = (
        Outcome.BLOCKED if base.limit_enforcement == LimitEnforcement.BLOCK_AT_ENTRY else Outcome.WARNING
    )
    if room > 0:
        assert decide(replace(base, amount=room)).outcome == Outcome.OK
    assert decide(replace(base, amount=max(room, Decimal(0)) + Decimal("0.01"))).outcome == refused


def _enter(customer: Customer, company: str, operation: str, index: int, amount: Decimal, flag: bool) -> None:
    """One document operation in the company (the kinds that move each kept balance)."""
    common: dict[str, Any] = {"actor": None, "customer": customer.pk, "company": company, "amount": amount}
    ack: dict[str, Any] = {"acknowledge_warnings": flag, "override_reason": "Propriété"}
    orders = list(Order.objects.filter(customer=customer, company__code=company).order_by("id"))
    invoices = list(Invoice.objects.filter(customer=customer, company__code=company).order_by("id"))
    posted = [i for i in invoices if i.status == "posted" and i.open_balance > 0]
    order = orders[index % len(orders)] if orders else None
    if operation == "order":
        documents.enter_order(**common, **ack)
    elif operation == "cancel" and order is not None:
        documents.cancel_order(actor=None, order_id=order.pk)
    elif operation == "raise" and order is not None:
        documents.change_order_amount(actor=None, order_id=order.pk, amount=order.amount + amount, **ack)
    elif operation == "release" and order is not None:
        documents.release_order(actor=None, order_id=order.pk, reason="ok")
    elif operation == "invoice_order" and order is not None:
        documents.enter_invoice(
            actor=None, customer=customer.pk, company=company, order=order.pk, post=flag, **ack
        )
    elif operation == "invoice":
        documents.enter_invoice(**common, post=flag, **ack)
    elif operation == "post" and invoices:
        documents.post_invoice(actor=None, invoice_id=invoices[index % len(invoices)].pk)
    elif operation in ("pay", "credit"):
        allocations = (
            [{"invoice": posted[0].pk, "amount": min(posted[0].open_balance, amount)}] if posted else []
        )
        enter = documents.enter_payment if operation == "pay" else documents.enter_credit_note
        enter(**common, allocations=allocations if flag else [])


DOCUMENT_OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["MAIN", "NORD"]),
        st.sampled_from(
            [
                "order",
                "order",
                "cancel",
                "raise",
                "release",
                "invoice_order",
                "invoice",
                "post",
                "pay",
                "credit",
            ]
        ),
        st.integers(min_value=0, max_value=9),
        st.integers(min_value=1, max_value=200_000).map(lambda c: Decimal(c) / 100),
        st.booleans(),
    ),
    max_size=20,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    operations=DOCUMENT_OPERATIONS,
    method=st.sampled_from(list(ExposureMethod)),
    enforcement=st.sampled_from(list(LimitEnforcement)),
    queue=st.booleans(),
    limit=st.one_of(st.none(), st.integers(min_value=0, max_value=5000).map(Decimal)),
)
def test_the_checked_exposure_is_the_one_recomputed_from_documents(
    main_company: Company,
    operations: list[tuple[str, str, int, Decimal, bool]],
    method: str,
    enforcement: str,
    queue: bool,
    limit: Decimal | None,
) -> None:
    with transaction.atomic():  # each example starts from the same book
        north = Company.objects.create(code="NORD", name="Distribution Nord")
        customer = CustomerFactory()
        for company in (main_company, north):
            credit.set_policy(
                actor=None,
                company=company,
                exposure_method=method,
                limit_enforcement=enforcement,
                credit_hold_queue=queue,
            )
            credit.set_limit(actor=None, customer=customer, company=company, limit=limit)
        for company_code, *operation in operations:
            with contextlib.suppress(CarnetError, ValidationError):  # a refusal changes nothing
                _enter(customer, company_code, *operation)
        recomputed = recomputed_balances()
        for company in (main_company, north):
            figures = recomputed.get((customer.pk, company.pk), {})
            expected = exposure_of(
                limit=limit,
                posted_invoices_open=figures.get("posted_invoices_open", Decimal(0)),
                unallocated_credit=figures.get("unallocated_credit", Decimal(0)),
                open_orders=figures.get("open_orders", Decimal(0)),
                draft_invoices=figures.get("draft_invoices", Decimal(0)),
                exposure_method=method,
            )
            checked = credit.check_credit_dry_run(
                actor=None, customer=customer, company=company, kind="order", amount="1.00"
            ).exposure
            assert (checked.exposure, checked.open_orders, checked.unpaid_invoices) == (
                expected.exposure,
                expected.open_orders,
                expected.unpaid_invoices,
            )
        assert find_differences()[1] == []
        transaction.set_rollback(True)
