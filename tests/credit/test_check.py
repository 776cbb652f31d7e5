"""The credit check with its inputs loaded from the database: holds by company and end date, the memo,
the kept balances, the dry run, and its cost."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from factories import CompanyFactory, HoldFactory, NoteFactory

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Role
from carnet.credit import services as credit
from carnet.credit.models import CreditAccount, CreditPolicy
from carnet.customers.models import Customer
from carnet.errors import NotFound

from .support import D, counts, document_counts, order

pytestmark = pytest.mark.django_db
__all__ = ["counts"]


def check(customer: Customer, company: Company, kind: str = "order", amount: str = "100.00") -> Any:
    return credit.check_credit(customer=customer, company=company, kind=kind, amount=D(amount))


def test_an_active_sale_order_hold_blocks_orders(customer: Customer, company: Company) -> None:
    HoldFactory(customer=customer, company=company, type="sale_order")

    assert check(customer, company).codes == ["hold_sale_order"]
    assert check(customer, company, "invoice").ok


def test_an_invoicing_hold_blocks_invoices(customer: Customer, company: Company) -> None:
    HoldFactory(customer=customer, company=company, type="invoicing")

    assert check(customer, company, "invoice").codes == ["hold_invoicing"]
    assert check(customer, company, "order").ok


@pytest.mark.parametrize("hold_type", ["dunning", "direct_debit", "refund", "purchase_order"])
def test_other_hold_types_do_not_stop_entry(customer: Customer, company: Company, hold_type: str) -> None:
    HoldFactory(customer=customer, company=company, type=hold_type)

    assert check(customer, company).ok and check(customer, company, "invoice").ok


def test_a_hold_whose_end_date_is_past_no_longer_applies(customer: Customer, company: Company) -> None:
    today = timezone.localdate()
    HoldFactory(customer=customer, company=company, ends_on=today - timedelta(days=1))

    assert check(customer, company).ok


def test_a_hold_applies_through_its_end_date(customer: Customer, company: Company) -> None:
    HoldFactory(customer=customer, company=company, ends_on=timezone.localdate())

    assert check(customer, company).codes == ["hold_sale_order"]


def test_a_lifted_hold_no_longer_applies(customer: Customer, company: Company) -> None:
    hold = credit.add_hold(
        actor=None, customer=customer, company=company, type="sale_order", comment="Litige"
    )
    credit.lift_hold(actor=None, hold_id=hold.pk)

    assert check(customer, company).ok


def test_a_hold_on_another_company_does_not_apply(customer: Customer, company: Company) -> None:
    HoldFactory(customer=customer, company=CompanyFactory(code="EST"))

    assert check(customer, company).ok


def test_a_hold_on_every_company_applies_in_each(customer: Customer, company: Company) -> None:
    HoldFactory(customer=customer, company=None)

    assert check(customer, company).codes == ["hold_sale_order"]
    assert check(customer, CompanyFactory(code="EST")).codes == ["hold_sale_order"]


def test_the_decision_carries_the_memo_newest_first(customer: Customer, company: Company) -> None:
    NoteFactory(customer=customer, text="Paie toujours le 15.", pinned=True)
    NoteFactory(customer=customer, text="Pas un mémo", pinned=False)
    NoteFactory(customer=customer, text="Exiger un bon de commande.", pinned=True)

    assert list(check(customer, company).memo) == ["Exiger un bon de commande.", "Paie toujours le 15."]


def test_the_check_reads_the_kept_balances(
    customer: Customer, company: Company, limit: Callable[..., CreditAccount]
) -> None:
    limit(customer, "1000.00")
    order(customer, "700.00")

    decision = check(customer, company, amount="300.01")

    assert decision.codes == ["credit_limit_exceeded"]
    assert decision.as_json()["exposure"]["exposure"] == "700.00"


def test_the_check_costs_the_same_few_queries_whatever_the_number_of_documents(
    customer: Customer,
    company: Company,
    limit: Callable[..., CreditAccount],
    django_assert_num_queries: Any,
) -> None:
    limit(customer, "1000000.00")
    credit.get_policy(company)
    for _ in range(3):
        order(customer, "10.00")

    # the policy, the credit account, the active holds, the memo
    with django_assert_num_queries(4):
        check(customer, company)
    for _ in range(20):
        order(customer, "10.00")
    with django_assert_num_queries(4):
        decision = check(customer, company)
    assert decision.exposure.exposure == D("230.00")


def test_the_dry_run_answers_and_saves_nothing(
    customer: Customer, company: Company, limit: Callable[..., CreditAccount], operator: User
) -> None:
    limit(customer, "1000.00")
    before = document_counts(), CreditAccount.objects.count()

    decision = credit.check_credit_dry_run(
        actor=operator, customer=str(customer.pk), company="MAIN", kind="order", amount="1500.00"
    )

    assert decision.codes == ["credit_limit_exceeded"]
    assert (document_counts(), CreditAccount.objects.count()) == before


def test_the_dry_run_for_a_customer_without_an_account_makes_none(customer: Customer) -> None:
    credit.get_policy(Company.objects.get(code="MAIN"))

    decision = credit.check_credit_dry_run(
        actor=None, customer=customer.pk, company="MAIN", kind="invoice", amount="5"
    )

    assert decision.ok and decision.exposure.limit is None
    assert not CreditAccount.objects.exists()


def test_the_dry_run_reads_in_one_query_whatever_the_number_of_documents(
    customer: Customer,
    company: Company,
    limit: Callable[..., CreditAccount],
    operator: User,
    django_assert_num_queries: Any,
) -> None:
    limit(customer, "1000000.00")
    credit.get_policy(company)
    NoteFactory(customer=customer, text="Not pinned: not in the memo")
    HoldFactory(customer=customer, company=company, ends_on=timezone.localdate() - timedelta(days=1))
    for _ in range(3):
        order(customer, "10.00")
    args = {"customer": str(customer.pk), "company": "MAIN", "kind": "order", "amount": "10.00"}

    # the account with its customer, company and policy, and whether a hold applies or a note is pinned
    with django_assert_num_queries(1):
        decision = credit.check_credit_dry_run(actor=operator, **args)
    assert decision.ok and decision.exposure.exposure == D("30.00") and decision.memo == ()

    HoldFactory(customer=customer, company=None, type="sale_order")
    NoteFactory(customer=customer, text="Call before any order", pinned=True)
    with django_assert_num_queries(3):  # then the active holds, and the memo
        decision = credit.check_credit_dry_run(actor=operator, **args)
    assert decision.codes == ["hold_sale_order"] and decision.memo == ("Call before any order",)


def test_an_invoice_dry_run_reads_the_sync_state_only_when_the_company_requires_it(
    customer: Customer,
    company: Company,
    limit: Callable[..., CreditAccount],
    operator: User,
    django_assert_num_queries: Any,
) -> None:
    from carnet.integrations.accounting import set_sync_before_invoicing

    limit(customer, "1000.00")
    args = {"customer": str(customer.pk), "company": "MAIN", "kind": "invoice", "amount": "10.00"}
    with django_assert_num_queries(1):  # the setting is read in the same query as the account
        assert credit.check_credit_dry_run(actor=operator, **args).ok

    set_sync_before_invoicing(actor=None, company=company, required=True)
    with django_assert_num_queries(2):  # then the customer's sync state
        decision = credit.check_credit_dry_run(actor=operator, **args)
    assert decision.codes == ["accounting_sync_required"]


def test_the_dry_run_decides_as_the_check_of_a_document_service(
    customer: Customer, company: Company, limit: Callable[..., CreditAccount], operator: User
) -> None:
    other = CompanyFactory(code="EST")
    limit(customer, "100.00")
    order(customer, "60.00")
    HoldFactory(customer=customer, company=other, type="sale_order")  # another company's
    HoldFactory(customer=customer, company=company, type="invoicing", lifted_at=timezone.now())
    HoldFactory(customer=customer, company=None, type="invoicing", ends_on=timezone.localdate())
    NoteFactory(customer=customer, text="Pinned", pinned=True)
    customer.status, customer.status_reason = "warning", "Slow payer"
    customer.max_order_amount = D("30.00")
    customer.save()

    for kind in ("order", "invoice", "quote"):
        dry = credit.check_credit_dry_run(
            actor=operator, customer=customer.pk, company="MAIN", kind=kind, amount="50.00"
        )
        assert dry.as_json() == check(customer, company, kind, "50.00").as_json(), kind
    assert dry.memo == ("Pinned",)


def test_the_dry_run_makes_no_policy(customer: Customer, limit: Callable[..., CreditAccount]) -> None:
    limit(customer, "10.00")
    CreditPolicy.objects.all().delete()

    decision = credit.check_credit_dry_run(
        actor=None, customer=customer.pk, company="MAIN", kind="order", amount="20.00"
    )

    assert decision.codes == ["credit_limit_exceeded"] and decision.outcome == "warning"
    assert not CreditPolicy.objects.exists()


def test_the_one_query_dry_run_reads_as_the_orm_for_every_actor_and_company_form(
    customer: Customer,
    company: Company,
    limit: Callable[..., CreditAccount],
    policy: Callable[..., CreditPolicy],
    make_user: Callable[..., User],
    django_assert_num_queries: Any,
) -> None:
    other = CompanyFactory(code="EST")
    admin = make_user("admin-elsewhere", Role.ADMIN, companies=[other])  # sees MAIN without belonging to it
    member = make_user("member", Role.OPERATOR)
    outsider = make_user("outsider", Role.OPERATOR, companies=[other])
    limit(customer, "100.10")
    policy(limit_enforcement="block_at_entry")
    order(customer, "60.05")
    account = CreditAccount.objects.get(customer=customer, company=company)

    for actor, company_arg in [(None, "MAIN"), (admin, " main "), (member, company), (member, "MAIN")]:
        with django_assert_num_queries(1):
            found = credit._account_for_check(actor=actor, customer=str(customer.pk), company=company_arg)
        assert found is not None and found.pk == account.pk
        assert (found.limit, found.open_orders) == (D("100.10"), account.open_orders)
        assert found.company.credit_policy.limit_enforcement == "block_at_entry"
        assert (found.customer.status, found.has_holds, found.has_memo) == (  # type: ignore[attr-defined]
            customer.status,
            False,
            False,
        )
    assert credit._account_for_check(actor=outsider, customer=customer.pk, company="MAIN") is None
    assert credit._account_for_check(actor=admin, customer=customer.pk, company="EST") is None
    assert credit._account_for_check(actor=None, customer=str(2**70), company="MAIN") is None

    dry = credit.check_credit_dry_run(
        actor=member, customer=customer.pk, company="MAIN", kind="order", amount="40.10"
    )
    assert dry.as_json() == check(customer, company, "order", "40.10").as_json()
    assert dry.codes == ["credit_limit_exceeded"] and dry.blocked


def test_the_dry_run_of_an_unknown_huge_customer_id_names_the_customer(customer: Customer) -> None:
    with pytest.raises(ValidationError) as exc:
        credit.check_credit_dry_run(actor=None, customer=str(2**70), company="MAIN", kind="order", amount="1")

    assert "customer" in exc.value.message_dict


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("kind", {"kind": "receipt"}),
        ("amount", {"amount": "12,50"}),
        ("amount", {"amount": "-1"}),
        ("customer", {"customer": "999999"}),
        ("company", {"company": "NOPE"}),
        ("channel", {"channel": "fax"}),
    ],
)
def test_the_dry_run_names_the_field_at_fault(customer: Customer, field: str, args: dict[str, str]) -> None:
    call = {"customer": customer.pk, "company": "MAIN", "kind": "order", "amount": "10.00"} | args

    with pytest.raises(ValidationError) as exc:
        credit.check_credit_dry_run(actor=None, **call)  # type: ignore[arg-type]

    assert field in exc.value.message_dict


def test_another_companys_credit_is_not_found(customer: Customer, make_user: Callable[..., User]) -> None:
    CompanyFactory(code="EST")
    outsider = make_user("est-only", Role.OPERATOR, companies=[Company.objects.get(code="EST")])

    with pytest.raises(NotFound):
        credit.check_credit_dry_run(
            actor=outsider, customer=customer.pk, company="MAIN", kind="order", amount="1"
        )


def test_the_policy_is_made_with_the_defaults_on_first_use(company: Company) -> None:
    assert not CreditPolicy.objects.exists()

    policy = credit.get_policy(company)

    assert (policy.exposure_method, policy.limit_enforcement, policy.credit_hold_queue) == (
        "all_orders",
        "warn_at_entry",
        False,
    )
    assert credit.get_policy(company).pk == policy.pk


def test_a_viewer_may_not_set_a_limit_or_a_policy(customer: Customer, viewer: User, operator: User) -> None:
    with pytest.raises(PermissionDenied):
        credit.set_limit(actor=operator, customer=customer, company="MAIN", limit="10.00")
    with pytest.raises(PermissionDenied):
        credit.set_policy(actor=viewer, company="MAIN", limit_enforcement="off")
