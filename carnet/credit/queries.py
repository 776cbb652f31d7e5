"""Read-side credit functions for the customer card, the API and reports. They aggregate documents in the
database (one query per figure group); the credit check itself never calls them (it reads the kept row)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from carnet.accounts.models import Company
from carnet.customers.models import Customer
from carnet.documents.choices import InvoiceStatus, OrderStatus
from carnet.documents.models import CreditNote, Invoice, InvoiceLine, Order

from .balances import read_account
from .decision import exposure_of, money
from .models import CreditOverride, Hold
from .services import get_policy

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)
AGING_BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90")


@dataclass(frozen=True)
class CreditSummary:
    """A customer's credit in one company as of a day. Exposure and its parts come from the kept balances
    (as the check sees them); overdue and aging from the posted invoices' open balances by due date."""

    as_of: date
    currency: str
    exposure_method: str
    limit_enforcement: str
    limit: Decimal | None
    exposure: Decimal
    open_orders: Decimal
    draft_invoices: Decimal
    posted_invoices_open: Decimal
    unallocated_credit: Decimal
    unpaid_invoices: Decimal
    available: Decimal | None
    utilisation_percent: Decimal | None
    overdue: Decimal
    aging: dict[str, Decimal] = field(default_factory=dict)
    balance: Decimal = ZERO  # what the customer owes on posted documents; negative: in credit
    balance_side: str = "debit"

    def as_json(self) -> dict[str, Any]:
        def opt(value: Decimal | None) -> str | None:
            return None if value is None else money(value)

        return {
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "exposure_method": self.exposure_method,
            "limit_enforcement": self.limit_enforcement,
            "limit": opt(self.limit),
            "exposure": money(self.exposure),
            "open_orders": money(self.open_orders),
            "draft_invoices": money(self.draft_invoices),
            "posted_invoices_open": money(self.posted_invoices_open),
            "unallocated_credit": money(self.unallocated_credit),
            "unpaid_invoices": money(self.unpaid_invoices),
            "available": opt(self.available),
            "utilisation_percent": None
            if self.utilisation_percent is None
            else f"{self.utilisation_percent:.1f}",
            "overdue": money(self.overdue),
            "aging": {name: money(value) for name, value in self.aging.items()},
            "balance": money(abs(self.balance)),
            "balance_side": self.balance_side,
        }


def aging(*, customer: Customer, company: Company, as_of: date) -> dict[str, Decimal]:
    """The open balances of posted invoices by days past due as of the day: current (not yet due, or due
    that day), 1-30, 31-60, 61-90 and over 90 days past the due date. One query."""

    def bucket(condition: Q) -> Coalesce:
        return Coalesce(
            Sum(Case(When(condition, then="open_balance"), default=Value(ZERO), output_field=_MONEY)),
            Value(ZERO),
            output_field=_MONEY,
        )

    days = [as_of - timedelta(days=n) for n in (30, 60, 90)]
    totals = Invoice.objects.filter(
        customer=customer, company=company, status=InvoiceStatus.POSTED, open_balance__gt=0
    ).aggregate(
        current=bucket(Q(due_date__gte=as_of)),
        days_1_30=bucket(Q(due_date__lt=as_of, due_date__gte=days[0])),
        days_31_60=bucket(Q(due_date__lt=days[0], due_date__gte=days[1])),
        days_61_90=bucket(Q(due_date__lt=days[1], due_date__gte=days[2])),
        over_90=bucket(Q(due_date__lt=days[2])),
    )
    return {name: totals[name] for name in AGING_BUCKETS}


def credit_summary(*, customer: Customer, company: Company, as_of: date | None = None) -> CreditSummary:
    """Limit, exposure and its parts, available, utilisation, overdue, aging and balance."""
    as_of = as_of or timezone.localdate()
    account = read_account(customer, company)
    policy = get_policy(company)
    exposure = exposure_of(
        limit=account.limit,
        posted_invoices_open=account.posted_invoices_open,
        unallocated_credit=account.unallocated_credit,
        open_orders=account.open_orders,
        draft_invoices=account.draft_invoices,
        exposure_method=policy.exposure_method,
    )
    buckets = aging(customer=customer, company=company, as_of=as_of)
    utilisation = None
    if account.limit is not None and account.limit > 0:
        utilisation = (exposure.exposure * 100 / account.limit).quantize(Decimal("0.1"))
    balance = account.posted_invoices_open - account.unallocated_credit
    return CreditSummary(
        as_of=as_of,
        currency=company.currency,
        exposure_method=policy.exposure_method,
        limit_enforcement=policy.limit_enforcement,
        limit=account.limit,
        exposure=exposure.exposure,
        open_orders=account.open_orders,
        draft_invoices=account.draft_invoices,
        posted_invoices_open=account.posted_invoices_open,
        unallocated_credit=account.unallocated_credit,
        unpaid_invoices=exposure.unpaid_invoices,
        available=exposure.available,
        utilisation_percent=utilisation,
        overdue=sum((buckets[name] for name in AGING_BUCKETS[1:]), ZERO),
        aging=buckets,
        balance=balance,
        balance_side="credit" if balance < 0 else "debit",
    )


@dataclass(frozen=True)
class YearSales:
    year: int
    invoiced: Decimal
    credited: Decimal

    @property
    def net(self) -> Decimal:
        return self.invoiced - self.credited


def sales_per_year(
    *, customer: Customer, company: Company, years: int = 5, as_of: date | None = None
) -> list[YearSales]:
    """Posted invoices and credit notes per calendar year (by document date) for the last `years` years up to
    the year of as_of, oldest first, every year present (zero when none). Two queries."""
    last = (as_of or timezone.localdate()).year
    first = last - years + 1

    def per_year(queryset: QuerySet[Any]) -> dict[int, Decimal]:
        rows = (
            queryset.filter(customer=customer, company=company, date__year__gte=first, date__year__lte=last)
            .annotate(year=ExtractYear("date"))
            .order_by()
            .values("year")
            .annotate(total=Sum("amount"))
            .values_list("year", "total")
        )
        return {int(year): total for year, total in rows}

    invoiced = per_year(Invoice.objects.filter(status=InvoiceStatus.POSTED))
    credited = per_year(CreditNote.objects.all())
    return [
        YearSales(year, invoiced.get(year, ZERO), credited.get(year, ZERO)) for year in range(first, last + 1)
    ]


@dataclass(frozen=True)
class ProductSales:
    product_code: str
    description: str
    quantity: Decimal
    amount: Decimal


def sales_per_product(
    *, customer: Customer, company: Company, since: date | None = None, until: date | None = None
) -> list[ProductSales]:
    """The lines of posted invoices grouped by product code (optionally between two invoice dates, both
    included), biggest amount first. One query."""
    lines = InvoiceLine.objects.filter(
        customer=customer, invoice__company=company, invoice__status=InvoiceStatus.POSTED
    )
    if since is not None:
        lines = lines.filter(invoice__date__gte=since)
    if until is not None:
        lines = lines.filter(invoice__date__lte=until)
    rows = (
        lines.order_by()
        .values("product_code")
        .annotate(description=Max("description"), quantity=Sum("quantity"), amount=Sum("amount"))
        .order_by("-amount", "product_code")
    )
    return [ProductSales(r["product_code"], r["description"] or "", r["quantity"], r["amount"]) for r in rows]


def credit_hold_queue(*, company: Company) -> QuerySet[Order]:
    """Orders waiting on credit hold in the company, oldest first."""
    return (
        Order.objects.filter(company=company, status=OrderStatus.ON_CREDIT_HOLD)
        .select_related("customer")
        .order_by("created_at", "id")
    )


def customer_holds(
    *, customer: Customer, company: Company | None = None, include_ended: bool = False
) -> QuerySet[Hold]:
    """The customer's holds (in the company and on every company, when a company is given); by default only
    those that apply today."""
    holds = Hold.objects.filter(customer=customer)
    if company is not None:
        holds = holds.for_company(company)
    if not include_ended:
        holds = holds.active()
    return holds.select_related("company", "set_by", "lifted_by")


def credit_overrides(*, customer: Customer, company: Company | None = None) -> QuerySet[CreditOverride]:
    overrides = CreditOverride.objects.filter(customer=customer)
    if company is not None:
        overrides = overrides.filter(company=company)
    return overrides.select_related("user", "order", "invoice")
