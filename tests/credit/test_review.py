"""The credit review: worked examples of every criterion at its boundaries, what is left out, what is
released, and applying (one transaction, idempotent, selected ids, skipped when changed by hand).

As of 2026-11-22 throughout; an invoice "N days old" is dated N days before."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from factories import CompanyFactory, CustomerFactory, HoldFactory

from carnet.accounts.models import User
from carnet.credit import services as credit
from carnet.credit.models import CreditReview, CreditReviewLine
from carnet.credit.review import (
    REPORT_HEADER,
    apply_review,
    review_as_json,
    review_lines,
    review_mark,
    review_report_rows,
    run_review,
)
from carnet.credit.review_criteria import set_customer_criteria
from carnet.customers.models import Customer

from .review_support import AS_OF, REASON, aged_invoice, criteria, pay, set_status_by_hand

pytestmark = pytest.mark.django_db

D = Decimal


def run(**kw: Any) -> CreditReview:
    kw.setdefault("as_of", AS_OF)
    return run_review(actor=None, company=kw.pop("company", "MAIN"), **kw)


def proposal(review: CreditReview) -> dict[str, dict[str, Any]]:
    """Customer code → (action, criteria) of each line."""
    return {line.customer.code: line for line in review_lines(review)}


def blocked_codes(**kw: Any) -> set[str]:
    return {code for code, line in proposal(run(save=False, **kw)).items() if line.action == "block"}


def limit(customer: Customer, value: str | None, company: str = "MAIN") -> None:
    credit.set_limit(actor=None, customer=customer, company=company, limit=value)


# --- by grace days ---------------------------------------------------------------------------------------


def test_grace_days_exactly_n_days_is_not_older_n_plus_one_is() -> None:
    criteria(grace_days=60)
    exactly = CustomerFactory(code="EXACT")
    aged_invoice(exactly, "500.00", 60)
    older = CustomerFactory(code="OLDER")
    aged_invoice(older, "0.01", 61)  # whatever the amount
    young = CustomerFactory(code="YOUNG")
    aged_invoice(young, "9000.00", 10)

    lines = proposal(run(save=False))
    assert set(lines) == {"OLDER"}
    line = lines["OLDER"]
    assert (line.action, line.criteria, line.oldest_days, line.new_status, line.reason) == (
        "block",
        ["grace_days"],
        61,
        "blocked",
        REASON,
    )
    assert line.overdue_balance == D("0.01")


def test_grace_days_a_paid_invoice_does_not_count_a_partly_paid_one_does() -> None:
    criteria(grace_days=60)
    paid = CustomerFactory(code="PAID")
    pay(paid, aged_invoice(paid, "500.00", 90), "500.00")
    partly = CustomerFactory(code="PARTLY")
    pay(partly, aged_invoice(partly, "500.00", 90), "499.99")
    draft = CustomerFactory(code="DRAFT")
    aged_invoice(draft, "500.00", 90, post=False)

    lines = proposal(run(save=False))
    assert set(lines) == {"PARTLY"}
    assert lines["PARTLY"].overdue_balance == D("0.01")


# --- by credit limit ---------------------------------------------------------------------------------------


def test_limit_percent_exactly_p_is_not_above_a_cent_more_is() -> None:
    criteria(limit_days=30, limit_percent="80")
    exactly = CustomerFactory(code="EXACT")
    aged_invoice(exactly, "8000.00", 31)
    above = CustomerFactory(code="ABOVE")
    aged_invoice(above, "8000.01", 31)
    recent = CustomerFactory(code="RECENT")  # exactly D days old: not overdue
    aged_invoice(recent, "9999.00", 30)
    for c in (exactly, above, recent):
        limit(c, "10000.00")

    lines = proposal(run(save=False))
    assert set(lines) == {"ABOVE"}
    line = lines["ABOVE"]
    assert line.criteria == ["limit_percent"]
    assert (line.overdue_balance, line.limit, line.percent_of_limit) == (
        D("8000.01"),
        D("10000.00"),
        D("80.00"),
    )


def test_limit_percent_counts_only_the_unpaid_part_of_invoices_older_than_d() -> None:
    criteria(limit_days=30, limit_percent="50")
    customer = CustomerFactory(code="MIX")
    old = aged_invoice(customer, "700.00", 45)
    aged_invoice(customer, "400.00", 31)
    aged_invoice(customer, "5000.00", 5)  # recent: not overdue
    limit(customer, "2000.00")
    assert blocked_codes() == {"MIX"}  # 1100 > 1000
    pay(customer, old, "100.01")  # 999.99: not above 50 %
    assert blocked_codes() == set()


def test_limit_minimum_exactly_m_is_not_above() -> None:
    criteria(limit_days=30, limit_minimum="1000.00")
    exactly = CustomerFactory(code="EXACT")
    aged_invoice(exactly, "1000.00", 40)
    above = CustomerFactory(code="ABOVE")
    aged_invoice(above, "600.00", 40)
    aged_invoice(above, "400.01", 35)
    for c in (exactly, above):
        limit(c, "50000.00")

    lines = proposal(run(save=False))
    assert set(lines) == {"ABOVE"}
    assert (lines["ABOVE"].criteria, lines["ABOVE"].overdue_balance) == (["limit_minimum"], D("1000.01"))


def test_the_percentage_wins_over_the_minimum() -> None:
    criteria(limit_days=30, limit_percent="80", limit_minimum="100.00")
    over_minimum_only = CustomerFactory(code="MIN")
    aged_invoice(over_minimum_only, "5000.00", 40)  # 50 % of 10000: above M, not above P
    over_percent = CustomerFactory(code="PCT")
    aged_invoice(over_percent, "9000.00", 40)
    for c in (over_minimum_only, over_percent):
        limit(c, "10000.00")

    lines = proposal(run(save=False))
    assert set(lines) == {"PCT"}
    assert lines["PCT"].criteria == ["limit_percent"]


def test_no_limit_the_limit_criterion_does_not_apply_but_grace_days_does() -> None:
    criteria(grace_days=90, limit_days=30, limit_minimum="100.00")
    no_limit = CustomerFactory(code="NOLIMIT")
    aged_invoice(no_limit, "5000.00", 40)
    no_limit_old = CustomerFactory(code="NOLIMITOLD")
    aged_invoice(no_limit_old, "5.00", 91)
    zero_limit = CustomerFactory(code="ZERO")  # a limit of zero is a limit
    aged_invoice(zero_limit, "100.01", 40)
    limit(zero_limit, "0.00")

    lines = proposal(run(save=False))
    assert set(lines) == {"NOLIMITOLD", "ZERO"}
    assert lines["NOLIMITOLD"].criteria == ["grace_days"]
    assert lines["ZERO"].criteria == ["limit_minimum"]
    assert lines["ZERO"].percent_of_limit is None


def test_both_criteria_meeting_one_is_enough_and_both_are_listed() -> None:
    criteria(grace_days=60, limit_days=30, limit_percent="50")
    both = CustomerFactory(code="BOTH")
    aged_invoice(both, "900.00", 70)
    limit(both, "1000.00")
    one = CustomerFactory(code="ONE")
    aged_invoice(one, "900.00", 40)
    limit(one, "1000.00")

    lines = proposal(run(save=False))
    assert lines["BOTH"].criteria == ["grace_days", "limit_percent"]
    assert lines["ONE"].criteria == ["limit_percent"]


def test_the_customer_override_wins() -> None:
    criteria(grace_days=60)
    strict = CustomerFactory(code="STRICT")
    aged_invoice(strict, "10.00", 20)
    lenient = CustomerFactory(code="LENIENT")
    aged_invoice(lenient, "10.00", 100)
    other = CustomerFactory(code="OTHER")
    aged_invoice(other, "10.00", 100)
    set_customer_criteria(
        actor=None,
        customer=strict,
        company="MAIN",
        data={"grace_days": 15, "reason": "Suivi serré", "action": "warning"},
    )
    set_customer_criteria(
        actor=None, customer=lenient, company="MAIN", data={"grace_days": 120, "reason": "Payeur lent"}
    )

    lines = proposal(run(save=False))
    assert set(lines) == {"STRICT", "OTHER"}
    assert (lines["STRICT"].new_status, lines["STRICT"].reason) == ("warning", "Suivi serré")
    assert (lines["OTHER"].new_status, lines["OTHER"].reason) == ("blocked", REASON)


def test_an_override_with_a_limit_criterion_uses_its_own_days() -> None:
    criteria(grace_days=60)
    customer = CustomerFactory(code="OWN")
    aged_invoice(customer, "600.00", 11)
    aged_invoice(customer, "600.00", 5)
    limit(customer, "1000.00")
    set_customer_criteria(
        actor=None,
        customer=customer,
        company="MAIN",
        data={"limit_days": 10, "limit_percent": "50", "reason": "R"},
    )
    lines = proposal(run(save=False))
    assert (lines["OWN"].criteria, lines["OWN"].overdue_balance) == (["limit_percent"], D("600.00"))


# --- who is reviewed -------------------------------------------------------------------------------------


def test_prospects_not_approved_closed_and_already_blocked_customers_are_not_proposed() -> None:
    criteria(grace_days=60)
    for code in ("PROS", "NOTAP", "CLOSED", "BLOCKED", "OK"):
        aged_invoice(CustomerFactory(code=code), "100.00", 90)
    Customer.objects.filter(code="PROS").update(status="prospect")
    Customer.objects.filter(code="NOTAP").update(status="not_approved")
    Customer.objects.filter(code="CLOSED").update(status="closed", status_reason="Fermé")
    Customer.objects.filter(code="BLOCKED").update(status="blocked", status_reason="À la main")
    assert blocked_codes() == {"OK"}


def test_warning_versus_blocked_as_the_action() -> None:
    approved = CustomerFactory(code="APPROVED")
    warned = CustomerFactory(code="WARNED")
    for c in (approved, warned):
        aged_invoice(c, "100.00", 90)
    Customer.objects.filter(pk=warned.pk).update(status="warning", status_reason="Surveillé")

    criteria(grace_days=60, action="warning")
    lines = proposal(run(save=False))
    assert set(lines) == {"APPROVED"}  # a warning customer already is on warning
    assert lines["APPROVED"].new_status == "warning"

    criteria(grace_days=60, action="blocked")
    lines = proposal(run(save=False))
    assert set(lines) == {"APPROVED", "WARNED"}
    assert {line.new_status for line in lines.values()} == {"blocked"}


def test_a_dunning_hold_excludes_and_an_ended_one_no_longer_does() -> None:
    criteria(grace_days=60)
    held = CustomerFactory(code="HELD")
    everywhere = CustomerFactory(code="EVERYWHERE")
    ended = CustomerFactory(code="ENDED")
    other_type = CustomerFactory(code="SALEHOLD")
    other_company = CustomerFactory(code="ELSEWHERE")
    for c in (held, everywhere, ended, other_type, other_company):
        aged_invoice(c, "100.00", 90)
    HoldFactory(customer=held, type="dunning")
    HoldFactory(customer=everywhere, type="dunning", company=None)
    HoldFactory(customer=ended, type="dunning", ends_on=AS_OF - timedelta(days=1))
    HoldFactory(customer=other_type, type="sale_order")
    HoldFactory(customer=other_company, type="dunning", company=CompanyFactory(code="EST"))

    assert blocked_codes() == {"ENDED", "SALEHOLD", "ELSEWHERE"}
    # Through its last day the hold applies.
    assert "ENDED" not in blocked_codes(as_of=AS_OF - timedelta(days=1))


def test_the_external_code_filters_the_customers() -> None:
    criteria(grace_days=60)
    aged_invoice(CustomerFactory(code="EAST", external_code="EST"), "100.00", 90)
    aged_invoice(CustomerFactory(code="WEST", external_code="OUEST"), "100.00", 90)
    review = run(external_code="est")
    assert set(proposal(review)) == {"EAST"}
    assert review.external_code == "EST"


def test_only_the_company_s_invoices_count() -> None:
    criteria(grace_days=60)
    CompanyFactory(code="EST")
    customer = CustomerFactory(code="C1")
    aged_invoice(customer, "100.00", 90, company="EST")
    assert blocked_codes() == set()


def test_invoices_dated_after_as_of_do_not_count() -> None:
    criteria(grace_days=0)
    customer = CustomerFactory(code="LATER")
    aged_invoice(customer, "100.00", -3)
    assert blocked_codes() == set()


def test_no_criteria_no_proposal() -> None:
    aged_invoice(CustomerFactory(code="C1"), "100.00", 900)
    review = run()
    assert (review.to_block_count, review.to_release_count, review_lines(review)) == (0, 0, [])


# --- bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"external_code": "NOWHERE"}, "external_code"),
        ({"as_of": "22/11/2026"}, "as_of"),
        ({"company": "NOPE"}, "company"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(kw: dict[str, Any], field: str) -> None:
    criteria(grace_days=60)
    aged_invoice(CustomerFactory(code="C1"), "100.00", 90)
    with pytest.raises(ValidationError) as exc:
        run(**kw)
    assert field in exc.value.message_dict
    assert not CreditReview.objects.exists()


def test_permissions(viewer: User, operator: User, controller: User, make_user: Any) -> None:
    criteria(grace_days=60)
    aged_invoice(CustomerFactory(code="C1"), "100.00", 90)
    with pytest.raises(PermissionDenied):
        run_review(actor=operator, company="MAIN", as_of=AS_OF)
    accountant = make_user("accountant", "accountant")
    review = run_review(actor=accountant, company="MAIN", as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        apply_review(actor=accountant, review_id=review.pk)
    applied = apply_review(actor=controller, review_id=review.pk)
    assert applied.applied_by == controller and applied.applied_count == 1


# --- applying --------------------------------------------------------------------------------------------


def test_apply_blocks_records_the_run_on_the_customer_and_in_its_history() -> None:
    criteria(grace_days=60)
    customer = CustomerFactory(code="C1")
    aged_invoice(customer, "100.00", 90)
    review = run()
    assert CreditReviewLine.objects.filter(review=review).count() == 1

    applied = apply_review(actor=None, review_id=review.pk)
    customer.refresh_from_db()
    assert (customer.status, customer.status_reason) == ("blocked", REASON)
    assert applied.applied_at is not None and applied.applied_count == 1
    line = CreditReviewLine.objects.get(review=review)
    assert (line.result, line.selected) == ("applied", True)
    assert review_mark(customer, review.company) == line
    latest = customer.history.latest()
    assert (latest.status, latest.history_change_reason) == ("blocked", f"credit review #{review.pk}")


def test_apply_twice_changes_nothing_the_second_time() -> None:
    criteria(grace_days=60)
    customer = CustomerFactory(code="C1")
    aged_invoice(customer, "100.00", 90)
    review = run()
    first = review_as_json(apply_review(actor=None, review_id=review.pk))
    customer.refresh_from_db()
    version, history = customer.version, customer.history.count()

    second = review_as_json(apply_review(actor=None, review_id=review.pk))
    customer.refresh_from_db()
    assert second == first
    assert (customer.version, customer.history.count()) == (version, history)


def test_apply_only_the_selected_customers() -> None:
    criteria(grace_days=60)
    chosen = CustomerFactory(code="CHOSEN")
    left = CustomerFactory(code="LEFT")
    for c in (chosen, left):
        aged_invoice(c, "100.00", 90)
    review = run()
    apply_review(actor=None, review_id=review.pk, selected=[str(chosen.pk)])
    chosen.refresh_from_db()
    left.refresh_from_db()
    assert (chosen.status, left.status) == ("blocked", "approved")
    lines = proposal(CreditReview.objects.get(pk=review.pk))
    assert (lines["CHOSEN"].result, lines["LEFT"].result, lines["LEFT"].selected) == (
        "applied",
        "not_selected",
        False,
    )


def test_selected_ids_not_in_the_review_are_refused_and_nothing_changes() -> None:
    criteria(grace_days=60)
    customer = CustomerFactory(code="C1")
    aged_invoice(customer, "100.00", 90)
    stranger = CustomerFactory(code="STRANGER")
    review = run()
    for selected in ([customer.pk, stranger.pk], ["abc"]):
        with pytest.raises(ValidationError) as exc:
            apply_review(actor=None, review_id=review.pk, selected=selected)
        assert "selected" in exc.value.message_dict
    customer.refresh_from_db()
    assert customer.status == "approved"
    assert CreditReview.objects.get(pk=review.pk).applied_at is None


def test_a_customer_changed_by_hand_since_the_run_is_skipped_with_a_note() -> None:
    criteria(grace_days=60)
    customer = CustomerFactory(code="C1")
    aged_invoice(customer, "100.00", 90)
    review = run()
    set_status_by_hand(customer, "warning", "Appel au client")
    applied = apply_review(actor=None, review_id=review.pk)
    customer.refresh_from_db()
    assert (customer.status, customer.status_reason) == ("warning", "Appel au client")
    line = CreditReviewLine.objects.get(review=review)
    assert line.result == "skipped" and "changed since the run" in line.note
    assert (applied.applied_count, applied.skipped_count) == (0, 1)


# --- releasing -------------------------------------------------------------------------------------------


def block_by_review(customer: Customer) -> CreditReview:
    review = run()
    apply_review(actor=None, review_id=review.pk)
    customer.refresh_from_db()
    assert customer.status in ("blocked", "warning")
    return review


def test_a_customer_a_review_blocked_is_released_once_it_meets_no_criterion() -> None:
    criteria(grace_days=60)
    customer = CustomerFactory(code="C1")
    inv = aged_invoice(customer, "100.00", 90)
    block_by_review(customer)

    assert proposal(run(save=False)) == {}  # still meets the criterion: nothing to do
    pay(customer, inv, "100.00")
    review = run()
    line = proposal(review)["C1"]
    assert (line.action, line.new_status, line.reason, line.criteria) == ("release", "approved", "", [])
    apply_review(actor=None, review_id=review.pk)
    customer.refresh_from_db()
    assert (customer.status, customer.status_reason) == ("approved", "")
    assert review_mark(customer, review.company) is None
    assert customer.history.latest().history_change_reason == f"credit review #{review.pk}"


def test_a_customer_blocked_by_hand_is_never_released() -> None:
    criteria(grace_days=60)
    customer = CustomerFactory(code="C1")
    aged_invoice(customer, "100.00", 10)
    set_status_by_hand(customer, "blocked", "Chèque sans provision")
    assert proposal(run(save=False)) == {}


def test_a_manual_status_change_after_a_review_block_clears_the_mark() -> None:
    criteria(grace_days=60)
    customer = CustomerFactory(code="C1")
    inv = aged_invoice(customer, "100.00", 90)
    block_by_review(customer)
    set_status_by_hand(customer, "blocked", "Bloqué par le directeur")
    pay(customer, inv, "100.00")
    assert proposal(run(save=False)) == {}


def test_a_review_block_of_another_company_is_not_released_here() -> None:
    CompanyFactory(code="EST")
    criteria(grace_days=60)
    criteria(company="EST", grace_days=60)
    customer = CustomerFactory(code="C1")
    inv = aged_invoice(customer, "100.00", 90)
    block_by_review(customer)
    pay(customer, inv, "100.00")
    assert proposal(run(save=False, company="EST")) == {}
    assert proposal(run(save=False))["C1"].action == "release"


def test_a_dunning_hold_also_keeps_a_review_blocked_customer_out_of_the_release() -> None:
    criteria(grace_days=60)
    customer = CustomerFactory(code="C1")
    inv = aged_invoice(customer, "100.00", 90)
    block_by_review(customer)
    pay(customer, inv, "100.00")
    HoldFactory(customer=customer, type="dunning")
    assert proposal(run(save=False)) == {}


def test_a_review_warning_is_raised_to_blocked_when_the_action_changes() -> None:
    criteria(grace_days=60, action="warning")
    customer = CustomerFactory(code="C1")
    aged_invoice(customer, "100.00", 90)
    block_by_review(customer)
    assert customer.status == "warning"
    criteria(grace_days=60, action="blocked")
    line = proposal(run(save=False))["C1"]
    assert (line.action, line.status_before, line.new_status) == ("block", "warning", "blocked")


# --- answers, report, scale -----------------------------------------------------------------------------


def test_the_answer_and_the_report() -> None:
    criteria(grace_days=60, limit_days=30, limit_percent="50")
    customer = CustomerFactory(code="C1", name="=Transports")
    aged_invoice(customer, "600.00", 90)
    limit(customer, "1000.00")
    review = run()
    answer = review_as_json(review)
    assert answer["id"] == str(review.pk) and answer["as_of"] == "2026-11-22" and answer["company"] == "MAIN"
    assert answer["to_block"] == [
        {
            "customer": str(customer.pk),
            "code": "C1",
            "name": "=Transports",
            "status": "approved",
            "new_status": "blocked",
            "reason": REASON,
            "criteria": ["grace_days", "limit_percent"],
            "overdue_balance": "600.00",
            "oldest_days": 90,
            "limit": "1000.00",
            "percent_of_limit": "60.00",
            "selected": True,
            "result": None,
            "note": "",
        }
    ]
    assert answer["to_release"] == []
    apply_review(actor=None, review_id=review.pk)
    rows = list(review_report_rows(CreditReview.objects.get(pk=review.pk)))
    assert len(REPORT_HEADER) == len(rows[0])
    assert rows == [
        (
            "C1",
            "=Transports",
            "block",
            "approved",
            "blocked",
            "grace_days limit_percent",
            "600.00",
            "90",
            "60.00",
            "yes",
            "applied",
            "",
        )
    ]


def test_a_dry_run_saves_nothing() -> None:
    criteria(grace_days=60)
    aged_invoice(CustomerFactory(code="C1"), "100.00", 90)
    review = run(save=False)
    assert review.pk is None and review.to_block_count == 1
    assert review_as_json(review)["id"] is None
    assert not CreditReview.objects.exists()


def test_the_run_defaults_to_today() -> None:
    criteria(grace_days=60)
    customer = CustomerFactory(code="C1")
    aged_invoice(customer, "100.00", (AS_OF - date.today()).days + 61)
    review = run_review(actor=None, company="MAIN")
    assert review.as_of == date.today()
    assert proposal(review)["C1"].oldest_days == 61


def _queries_of_a_run(invoices_per_customer: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        review = run()
    assert review.to_block_count == 3
    return len(captured.captured_queries)


@pytest.mark.parametrize("with_override", [False, True])
def test_the_number_of_queries_does_not_grow_with_the_invoices(with_override: bool) -> None:
    criteria(grace_days=60, limit_days=30, limit_percent="50")
    customers = [CustomerFactory(code=f"Q{i}") for i in range(3)]
    for c in customers:
        aged_invoice(c, "100.00", 90)
    if with_override:
        set_customer_criteria(
            actor=None, customer=customers[0], company="MAIN", data={"grace_days": 10, "reason": "R"}
        )
    few = _queries_of_a_run(1)
    for c in customers:
        for i in range(9):
            aged_invoice(c, "10.00", 40 + i)
    many = _queries_of_a_run(10)
    assert few == many
    # And with three times the customers, too.
    for i in range(6):
        aged_invoice(CustomerFactory(code=f"R{i}"), "10.00", 5)
    assert _queries_of_a_run(10) == many
