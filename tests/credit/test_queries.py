"""The credit summary of a customer (exposure, available, utilisation, overdue, aging, balance) and its sales
per year and per product."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from carnet.accounts.models import Company
from carnet.credit import queries
from carnet.credit.models import CreditAccount, CreditPolicy
from carnet.customers.models import Customer
from carnet.documents import services

from .support import D, invoice, order

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 22)


@pytest.fixture
def book(customer: Customer, limit: Callable[..., CreditAccount]) -> Customer:
    """Net 30: invoices due 2026-11-30 (current), 2026-11-21 (1 day late), 2026-10-23 (30 days),
    2026-10-22 (31 days), 2026-08-24 (90 days), 2026-08-23 (91 days); an open order; money on account."""
    limit(customer, "5000.00")
    for day, amount in [
        ("2026-10-31", "100.00"),
        ("2026-10-22", "200.00"),
        ("2026-09-23", "300.00"),
        ("2026-09-22", "400.00"),
        ("2026-07-25", "500.00"),
        ("2026-07-24", "600.00"),
    ]:
        invoice(customer, amount, date=day)
    order(customer, "1000.00")
    invoice(customer, "50.00", post=False)
    services.enter_payment(actor=None, customer=customer, company="MAIN", amount="250.00")
    return customer


def test_the_summary_of_exposure_and_aging(book: Customer, company: Company) -> None:
    summary = queries.credit_summary(customer=book, company=company, as_of=AS_OF)

    assert summary.aging == {
        "current": D("100.00"),
        "days_1_30": D("500.00"),
        "days_31_60": D("400.00"),
        "days_61_90": D("500.00"),
        "over_90": D("600.00"),
    }
    assert summary.overdue == D("2000.00")
    assert (summary.posted_invoices_open, summary.unallocated_credit, summary.unpaid_invoices) == (
        D("2100.00"),
        D("250.00"),
        D("1850.00"),
    )
    assert (summary.open_orders, summary.draft_invoices) == (D("1000.00"), D("50.00"))
    assert (summary.exposure, summary.available, summary.utilisation_percent) == (
        D("2900.00"),
        D("2100.00"),
        D("58.0"),
    )
    assert (summary.balance, summary.balance_side) == (D("1850.00"), "debit")


def test_the_summary_follows_the_exposure_method(
    book: Customer, company: Company, policy: Callable[..., CreditPolicy]
) -> None:
    policy(exposure_method="invoiced_only")

    summary = queries.credit_summary(customer=book, company=company, as_of=AS_OF)

    assert (summary.exposure, summary.available) == (D("1850.00"), D("3150.00"))


def test_the_summary_in_json(book: Customer, company: Company) -> None:
    as_json = queries.credit_summary(customer=book, company=company, as_of=AS_OF).as_json()

    assert as_json["limit"] == "5000.00" and as_json["utilisation_percent"] == "58.0"
    assert as_json["aging"]["over_90"] == "600.00" and as_json["balance_side"] == "debit"


def test_a_customer_in_credit_without_limit(customer: Customer, company: Company) -> None:
    services.enter_payment(actor=None, customer=customer, company="MAIN", amount="75.00")

    summary = queries.credit_summary(customer=customer, company=company, as_of=AS_OF)

    assert (summary.limit, summary.available, summary.utilisation_percent) == (None, None, None)
    assert (summary.balance, summary.balance_side) == (D("-75.00"), "credit")
    assert summary.as_json()["balance"] == "75.00"


def test_the_summary_reads_in_a_few_queries(
    book: Customer, company: Company, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(3):  # the account, the policy, the aging
        queries.credit_summary(customer=book, company=company, as_of=AS_OF)


def test_sales_per_year_for_the_last_five_years(customer: Customer, company: Company) -> None:
    invoice(customer, "100.00", date="2022-03-01")
    invoice(customer, "200.00", date="2026-01-15")
    invoice(customer, "300.00", date="2026-06-15")
    invoice(customer, "999.00", date="2026-06-16", post=False)  # a draft is no sale yet
    invoice(customer, "50.00", date="2021-12-31")  # six years back
    services.enter_credit_note(
        actor=None, customer=customer, company="MAIN", amount="40.00", date="2026-07-01"
    )

    years = queries.sales_per_year(customer=customer, company=company, as_of=AS_OF)

    assert [(y.year, y.invoiced, y.credited, y.net) for y in years] == [
        (2022, D("100.00"), D("0.00"), D("100.00")),
        (2023, D("0.00"), D("0.00"), D("0.00")),
        (2024, D("0.00"), D("0.00"), D("0.00")),
        (2025, D("0.00"), D("0.00"), D("0.00")),
        (2026, D("500.00"), D("40.00"), D("460.00")),
    ]


def test_sales_per_product_from_invoice_lines(customer: Customer, company: Company) -> None:
    invoice(
        customer,
        lines=[{"product_code": "TR", "description": "Transport", "quantity": "2", "unit_price": "100"}],
    )
    invoice(
        customer,
        lines=[
            {"product_code": "TR", "description": "Transport", "quantity": "1", "unit_price": "100"},
            {"product_code": "FUEL", "description": "Carburant", "quantity": "3", "unit_price": "10"},
        ],
    )
    invoice(customer, post=False, lines=[{"product_code": "TR", "quantity": "9", "unit_price": "100"}])

    rows = queries.sales_per_product(customer=customer, company=company)

    assert [(r.product_code, r.description, r.quantity, r.amount) for r in rows] == [
        ("TR", "Transport", D("3.000"), D("300.00")),
        ("FUEL", "Carburant", D("3.000"), D("30.00")),
    ]


def test_the_credit_hold_queue_lists_held_orders_oldest_first(
    customer: Customer,
    company: Company,
    limit: Callable[..., CreditAccount],
    policy: Callable[..., CreditPolicy],
) -> None:
    policy(limit_enforcement="block_at_entry", credit_hold_queue=True)
    limit(customer, "10.00")
    first, second = order(customer, "20.00"), order(customer, "30.00")
    order(customer, "5.00")

    assert list(queries.credit_hold_queue(company=company)) == [first, second]
