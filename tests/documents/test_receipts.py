"""Payments and credit notes: allocated to posted invoices, or kept on account; never more than an invoice's
open balance or than the money itself."""

import pytest
from credit.support import D, account_of, invoice
from django.core.exceptions import ValidationError

from carnet.accounts.models import Company
from carnet.customers.models import Customer
from carnet.documents import services
from carnet.documents.models import Allocation, Invoice, Payment
from carnet.errors import CreditRefused

pytestmark = pytest.mark.django_db


def pay(customer: Customer, amount: str, *allocations: tuple[int, str], **kw: object) -> Payment:
    rows = [{"invoice": str(pk), "amount": value} for pk, value in allocations]
    return services.enter_payment(
        actor=None,
        customer=customer,
        company="MAIN",
        amount=amount,
        allocations=rows,
        **kw,  # type: ignore[arg-type]
    ).document


def test_a_payment_allocated_to_an_invoice_lowers_its_open_balance(
    customer: Customer, company: Company
) -> None:
    inv = invoice(customer, "800.00")

    payment = pay(customer, "300.00", (inv.pk, "300.00"))

    inv.refresh_from_db()
    account = account_of(customer, company)
    assert (payment.number, payment.unallocated, inv.open_balance) == ("PAY-000001", D("0.00"), D("500.00"))
    assert (account.posted_invoices_open, account.unallocated_credit) == (D("500.00"), D("0.00"))


def test_what_is_not_allocated_stays_on_account(customer: Customer, company: Company) -> None:
    inv = invoice(customer, "800.00")

    payment = pay(customer, "1000.00", (inv.pk, "800.00"))

    account = account_of(customer, company)
    assert payment.unallocated == D("200.00")
    assert (account.posted_invoices_open, account.unallocated_credit) == (D("0.00"), D("200.00"))


def test_allocating_beyond_an_invoices_open_balance_is_refused(customer: Customer, company: Company) -> None:
    inv = invoice(customer, "800.00")
    pay(customer, "700.00", (inv.pk, "700.00"))

    with pytest.raises(ValidationError) as exc:
        pay(customer, "200.00", (inv.pk, "100.01"))

    assert list(exc.value.message_dict) == ["allocations.0.amount"]
    assert Payment.objects.count() == 1 and Allocation.objects.count() == 1
    assert account_of(customer, company).posted_invoices_open == D("100.00")


def test_two_allocations_to_one_invoice_count_together(customer: Customer) -> None:
    inv = invoice(customer, "100.00")

    with pytest.raises(ValidationError) as exc:
        pay(customer, "150.00", (inv.pk, "60.00"), (inv.pk, "60.00"))

    assert list(exc.value.message_dict) == ["allocations.1.amount"]


def test_allocations_beyond_the_payment_are_refused(customer: Customer) -> None:
    first, second = invoice(customer, "100.00"), invoice(customer, "100.00")

    with pytest.raises(ValidationError) as exc:
        pay(customer, "150.00", (first.pk, "100.00"), (second.pk, "50.01"))

    assert list(exc.value.message_dict) == ["allocations"]
    assert not Payment.objects.exists()


def test_a_draft_invoice_takes_no_allocation(customer: Customer) -> None:
    draft = invoice(customer, "100.00", post=False)

    with pytest.raises(ValidationError) as exc:
        pay(customer, "50.00", (draft.pk, "50.00"))

    assert list(exc.value.message_dict) == ["allocations.0.invoice"]


def test_an_unknown_invoice_is_named(customer: Customer) -> None:
    with pytest.raises(ValidationError) as exc:
        pay(customer, "50.00", (987654, "50.00"))

    assert list(exc.value.message_dict) == ["allocations.0.invoice"]


def test_money_on_account_is_allocated_later(customer: Customer, company: Company) -> None:
    payment = pay(customer, "500.00")
    inv = invoice(customer, "300.00")

    made = services.allocate(
        actor=None, payment_id=payment.pk, allocations=[{"invoice": inv.pk, "amount": "300"}]
    )

    payment.refresh_from_db()
    account = account_of(customer, company)
    assert [a.amount for a in made] == [D("300.00")] and payment.unallocated == D("200.00")
    assert (account.posted_invoices_open, account.unallocated_credit) == (D("0.00"), D("200.00"))
    with pytest.raises(ValidationError):
        services.allocate(
            actor=None, payment_id=payment.pk, allocations=[{"invoice": inv.pk, "amount": "0.01"}]
        )


def test_a_credit_note_is_allocated_like_a_payment(customer: Customer, company: Company) -> None:
    inv = invoice(customer, "300.00")

    note = services.enter_credit_note(
        actor=None,
        customer=customer,
        company="MAIN",
        amount="100.00",
        allocations=[{"invoice": inv.pk, "amount": "60.00"}],
    ).document

    allocation = Allocation.objects.get()
    assert (note.number, note.unallocated, allocation.credit_note, allocation.payment) == (
        "CRN-000001",
        D("40.00"),
        note,
        None,
    )
    assert Invoice.objects.get().open_balance == D("240.00")
    account = account_of(customer, company)
    assert (account.posted_invoices_open, account.unallocated_credit) == (D("240.00"), D("40.00"))


def test_a_blocked_customer_may_still_pay(customer: Customer) -> None:
    inv = invoice(customer, "300.00")
    Customer.objects.filter(pk=customer.pk).update(status="blocked", status_reason="Impayés")

    assert pay(customer, "300.00", (inv.pk, "300.00")).unallocated == D("0.00")


@pytest.mark.parametrize("status", ["prospect", "closed"])
def test_prospects_and_closed_customers_take_no_payment(customer: Customer, status: str) -> None:
    Customer.objects.filter(pk=customer.pk).update(status=status, status_reason="raison")

    with pytest.raises(CreditRefused):
        pay(customer, "10.00")
