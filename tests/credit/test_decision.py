"""The credit decision as a pure function: every cell of the status matrix, holds, the portal rule, the
limit under each enforcement setting and stage, both exposure methods, the boundary, the maximum order
amount, and the JSON the API sends. No database."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from carnet.credit.decision import ActiveHold, CreditInputs, decide, exposure_increase
from carnet.credit.reason_codes import ReasonCode
from carnet.credit.vocabulary import DocumentKind, HoldType, Outcome

D = Decimal
KINDS = ["quote", "order", "invoice", "credit_note", "payment"]
STATUSES = ["prospect", "not_approved", "approved", "warning", "blocked", "closed"]

# product.md, "Statuses": what each status allows, per document kind.
#            quote      order      invoice    credit_note payment
MATRIX = {
    "prospect": ["ok", "blocked", "blocked", "blocked", "blocked"],
    "not_approved": ["ok", "blocked", "blocked", "blocked", "blocked"],
    "approved": ["ok", "ok", "ok", "ok", "ok"],
    "warning": ["ok", "warning", "warning", "ok", "ok"],
    "blocked": ["blocked", "blocked", "blocked", "ok", "ok"],
    "closed": ["blocked", "blocked", "blocked", "blocked", "blocked"],
}
STATUS_CODE = {
    "prospect": "status_prospect",
    "not_approved": "status_not_approved",
    "warning": "status_warning",
    "blocked": "status_blocked",
    "closed": "status_closed",
}


def inputs(**changes: object) -> CreditInputs:
    base = CreditInputs(status="approved", kind="order", amount=D("1000.00"), currency="CAD")
    return replace(base, **changes)  # type: ignore[arg-type]


# --- statuses --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("kind", KINDS)
def test_the_status_matrix_at_the_desk(status: str, kind: str) -> None:
    decision = decide(inputs(status=status, status_reason="3 factures à plus de 60 jours", kind=kind))

    expected = MATRIX[status][KINDS.index(kind)]
    assert decision.outcome == expected
    assert decision.codes == ([] if expected == "ok" else [STATUS_CODE[status]])


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("kind", KINDS)
def test_through_the_portal_only_approved_customers_may_enter_anything(status: str, kind: str) -> None:
    decision = decide(inputs(status=status, status_reason="raison", kind=kind, channel="portal"))

    if status == "approved":
        assert decision.outcome == "ok"
    else:
        assert decision.outcome == "blocked"
        assert "portal_requires_approved" in decision.codes
        if MATRIX[status][KINDS.index(kind)] != "ok":
            assert decision.codes[0] == STATUS_CODE[status]  # the status first, then the portal rule


def test_the_status_reason_is_in_the_message() -> None:
    decision = decide(inputs(status="blocked", status_reason="3 invoices over 60 days"))

    assert decision.reasons[0].message.startswith("Blocked: 3 invoices over 60 days.")


def test_an_unknown_status_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown status"):
        decide(inputs(status="frozen"))


# --- holds -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hold_type", "blocked_kind", "code"),
    [("sale_order", "order", "hold_sale_order"), ("invoicing", "invoice", "hold_invoicing")],
)
@pytest.mark.parametrize("kind", KINDS)
def test_a_hold_blocks_its_kind_of_document_only(
    hold_type: str, blocked_kind: str, code: str, kind: str
) -> None:
    hold = ActiveHold(type=hold_type, comment="Litige", ends_on=date(2026, 12, 31))

    decision = decide(inputs(kind=kind, holds=(hold,)))

    if kind == blocked_kind:
        assert (decision.outcome, decision.codes) == ("blocked", [code])
        assert "Litige" in decision.reasons[0].message and "2026-12-31" in decision.reasons[0].message
    else:
        assert decision.outcome == "ok"


@pytest.mark.parametrize("hold_type", ["dunning", "direct_debit", "refund", "purchase_order"])
@pytest.mark.parametrize("kind", KINDS)
def test_the_other_hold_types_stop_no_document(hold_type: str, kind: str) -> None:
    assert decide(inputs(kind=kind, holds=(ActiveHold(type=hold_type),))).outcome == "ok"


def test_holds_apply_whatever_the_status_and_every_reason_is_listed() -> None:
    decision = decide(
        inputs(status="warning", status_reason="retard", holds=(ActiveHold(type=HoldType.SALE_ORDER),))
    )

    assert decision.outcome == "blocked"
    assert decision.codes == ["status_warning", "hold_sale_order"]


# --- the limit ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("enforcement", "stage", "expected"),
    [
        ("block_at_entry", "entry", "blocked"),
        ("block_at_entry", "posting", "ok"),
        ("warn_at_entry", "entry", "warning"),
        ("warn_at_entry", "posting", "ok"),
        ("check_at_posting", "entry", "ok"),
        ("check_at_posting", "posting", "warning"),
        ("off", "entry", "ok"),
        ("off", "posting", "ok"),
    ],
)
def test_the_limit_per_enforcement_setting_and_stage(enforcement: str, stage: str, expected: str) -> None:
    over = inputs(
        kind="invoice",
        limit=D("10000.00"),
        posted_invoices_open=D("9200.00"),
        amount=D("1500.00"),
        limit_enforcement=enforcement,
        stage=stage,
    )

    decision = decide(over)

    assert decision.outcome == expected
    assert decision.codes == ([] if expected == "ok" else ["credit_limit_exceeded"])


@pytest.mark.parametrize("enforcement", ["block_at_entry", "warn_at_entry"])
def test_at_entry_exactly_the_limit_passes_and_one_cent_more_does_not(enforcement: str) -> None:
    at_limit = inputs(
        limit=D("10000.00"), open_orders=D("8500.00"), amount=D("1500.00"), limit_enforcement=enforcement
    )

    assert decide(at_limit).outcome == "ok"
    assert decide(replace(at_limit, amount=D("1500.01"))).codes == ["credit_limit_exceeded"]


def test_at_posting_exactly_the_limit_passes_and_one_cent_more_does_not() -> None:
    at_limit = inputs(
        kind="invoice",
        stage="posting",
        limit_enforcement="check_at_posting",
        limit=D("1000.00"),
        posted_invoices_open=D("400.00"),
        amount=D("600.00"),
    )

    assert decide(at_limit).outcome == "ok"
    assert decide(replace(at_limit, amount=D("600.01"))).outcome == "warning"


def test_the_limit_reason_carries_the_figures_and_they_add_up() -> None:
    decision = decide(
        inputs(limit=D("10000.00"), posted_invoices_open=D("9200.00"), amount=D("1500.00"), currency="CAD")
    )

    reason = decision.as_json()["reasons"][0]
    assert reason == {
        "code": "credit_limit_exceeded",
        "message": reason["message"],
        "limit": "10000.00",
        "exposure": "9200.00",
        "amount": "1500.00",
    }
    assert "10000.00 CAD" in reason["message"] and "700.00 CAD over" in reason["message"]


def test_a_customer_without_a_limit_has_no_limit_check() -> None:
    assert decide(inputs(limit=None, open_orders=D("999999.00"), limit_enforcement="block_at_entry")).ok


def test_a_zero_limit_refuses_any_credit() -> None:
    assert decide(inputs(limit=D("0.00"), amount=D("0.01"), limit_enforcement="block_at_entry")).blocked


@pytest.mark.parametrize("kind", ["quote", "credit_note", "payment"])
def test_only_orders_and_invoices_are_checked_against_the_limit(kind: str) -> None:
    assert decide(inputs(kind=kind, limit=D("1.00"), posted_invoices_open=D("50.00"))).ok


@pytest.mark.parametrize(("method", "expected"), [("all_orders", "warning"), ("invoiced_only", "ok")])
def test_open_orders_count_only_with_the_all_orders_method(method: str, expected: str) -> None:
    decision = decide(
        inputs(limit=D("1000.00"), open_orders=D("800.00"), amount=D("300.00"), exposure_method=method)
    )

    assert decision.outcome == expected


@pytest.mark.parametrize(("method", "exposure"), [("all_orders", "1100.00"), ("invoiced_only", "200.00")])
def test_the_exposure_figures_per_method(method: str, exposure: str) -> None:
    decision = decide(
        inputs(
            limit=D("2000.00"),
            posted_invoices_open=D("500.00"),
            unallocated_credit=D("300.00"),
            open_orders=D("700.00"),
            draft_invoices=D("200.00"),
            exposure_method=method,
        )
    )

    assert decision.as_json()["exposure"] == {
        "limit": "2000.00",
        "exposure": exposure,
        "open_orders": "900.00",  # open orders and draft invoices: what is pending
        "unpaid_invoices": "200.00",  # posted open balances less unallocated credit
        "available": str(D("2000.00") - D(exposure)),
    }


def test_money_on_account_lowers_the_exposure() -> None:
    decision = decide(inputs(limit=D("1000.00"), unallocated_credit=D("500.00"), amount=D("1500.00")))

    assert decision.ok
    assert decision.exposure.unpaid_invoices == D("-500.00")


def test_a_document_that_adds_nothing_is_not_limit_checked_at_entry() -> None:
    over = inputs(kind="invoice", limit=D("100.00"), open_orders=D("500.00"), amount=D("500.00"))

    assert decide(replace(over, exposure_increase=D("0.00"))).ok
    assert decide(replace(over, exposure_increase=D("0.01"))).codes == ["credit_limit_exceeded"]


def test_a_raised_amount_counts_the_increase_and_shows_the_rest_as_exposure() -> None:
    # An order of 1000 raised to 1500; the 1000 already counts in the open orders.
    decision = decide(
        inputs(
            limit=D("10000.00"), open_orders=D("9700.00"), amount=D("1500.00"), exposure_increase=D("500.00")
        )
    )

    reason = decision.as_json()["reasons"][0]
    assert (reason["exposure"], reason["amount"]) == ("8700.00", "1500.00")


def test_the_exposure_increase_of_balance_changes_per_method() -> None:
    invoicing_an_order = {"open_orders": D("-500.00"), "posted_invoices_open": D("600.00")}

    assert exposure_increase(exposure_method="all_orders", **invoicing_an_order) == D("100.00")
    assert exposure_increase(exposure_method="invoiced_only", **invoicing_an_order) == D("600.00")


# --- maximum order amount -----------------------------------------------------------------------


@pytest.mark.parametrize("enforcement", ["block_at_entry", "warn_at_entry", "check_at_posting", "off"])
def test_an_order_above_the_maximum_is_a_warning_whatever_the_enforcement(enforcement: str) -> None:
    decision = decide(inputs(max_order_amount=D("999.99"), limit_enforcement=enforcement))

    assert (decision.outcome, decision.codes) == ("warning", ["max_order_amount_exceeded"])
    assert decision.as_json()["reasons"][0]["maximum"] == "999.99"


def test_an_order_of_exactly_the_maximum_passes() -> None:
    assert decide(inputs(max_order_amount=D("1000.00"))).ok


@pytest.mark.parametrize("kind", ["quote", "invoice"])
def test_the_maximum_concerns_orders_only(kind: str) -> None:
    assert decide(inputs(kind=kind, max_order_amount=D("1.00"))).ok


# --- all together --------------------------------------------------------------------------------


def test_status_and_holds_come_before_the_limit_and_every_reason_is_listed() -> None:
    decision = decide(
        inputs(
            status="warning",
            status_reason="retards",
            channel="portal",
            holds=(ActiveHold(type="sale_order"),),
            limit=D("100.00"),
            amount=D("1000.00"),
            max_order_amount=D("500.00"),
            limit_enforcement="block_at_entry",
        )
    )

    assert decision.codes == [
        "status_warning",
        "portal_requires_approved",
        "hold_sale_order",
        "credit_limit_exceeded",
        "max_order_amount_exceeded",
    ]
    assert decision.outcome == Outcome.BLOCKED


def test_the_decision_serialises_to_the_json_of_the_contract() -> None:
    decision = decide(inputs(memo=("Paie toujours le 15.",), limit=None))

    assert decision.as_json() == {
        "outcome": "ok",
        "reasons": [],
        "memo": ["Paie toujours le 15."],
        "exposure": {
            "limit": None,
            "exposure": "0.00",
            "open_orders": "0.00",
            "unpaid_invoices": "0.00",
            "available": None,
        },
    }


def test_merging_the_posting_answer_keeps_each_code_once() -> None:
    entry = decide(inputs(kind="invoice", status="warning", status_reason="x"))
    posting = decide(
        inputs(
            kind="invoice",
            status="warning",
            status_reason="x",
            stage="posting",
            limit_enforcement="check_at_posting",
            limit=D("1.00"),
        )
    )

    assert entry.merged_with(posting).codes == ["status_warning", "credit_limit_exceeded"]


def test_every_reason_code_is_in_the_one_enumeration() -> None:
    assert {c.value for c in ReasonCode} == {
        "status_prospect",
        "status_not_approved",
        "status_warning",
        "status_blocked",
        "status_closed",
        "hold_sale_order",
        "hold_invoicing",
        "credit_limit_exceeded",
        "portal_requires_approved",
        "max_order_amount_exceeded",
        "accounting_sync_required",
    }
    assert {k.value for k in DocumentKind} == set(KINDS)
