"""Demo activity: five years of invoices and payments, open orders, limits and holds for the demo book.

It goes through the same services as people and clients do, so the kept balances are exactly what the
documents say (`carnet verify` finds nothing). Documents are entered while the customer is approved and
without a limit, then the customer's own status and limit are put back: the history of a blocked
customer is what got it blocked.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from carnet.accounts.models import MAIN_COMPANY_CODE, Company
from carnet.credit import services as credit
from carnet.customers.choices import Status
from carnet.customers.models import Customer

from . import services

PRODUCTS = (
    ("TR-LOC", "Transport local", "Local haul", Decimal("185.00")),
    ("TR-LD", "Transport longue distance", "Long-distance haul", Decimal("1240.00")),
    ("ENT-PAL", "Entreposage par palette (mois)", "Pallet storage (month)", Decimal("32.50")),
    ("MAN-H", "Manutention (heure)", "Handling (hour)", Decimal("68.00")),
    ("EMB-STD", "Emballage standard", "Standard packing", Decimal("14.75")),
    ("CARB", "Surcharge carburant", "Fuel surcharge", Decimal("45.00")),
)
ACTIVE = (Status.APPROVED, Status.WARNING, Status.BLOCKED)
HISTORY_DAYS = 5 * 365


@dataclass
class DemoActivity:
    invoices: int = 0
    payments: int = 0
    orders: int = 0
    holds: int = 0


def _lines(rng: random.Random, french: bool) -> list[dict[str, str]]:
    lines = []
    for product_code, name_fr, name_en, price in rng.sample(PRODUCTS, rng.randint(1, 3)):
        quantity = rng.choice((1, 1, 2, 3, 5, 10, 20))
        lines.append(
            {
                "product_code": product_code,
                "description": name_fr if french else name_en,
                "quantity": str(quantity),
                "unit_price": str(price),
            }
        )
    return lines


def add_demo_activity(customers: list[Customer], *, seed: int, today: date | None = None) -> DemoActivity:
    """Documents for the customers that may have some (approved, warning, blocked), in company MAIN."""
    rng = random.Random(seed)
    today = today or date.today()
    company = Company.objects.get(code=MAIN_COMPANY_CODE)
    result = DemoActivity()
    for customer in customers:
        if customer.status not in ACTIVE:
            continue
        status, reason = customer.status, customer.status_reason
        Customer.objects.filter(pk=customer.pk).update(status=Status.APPROVED)
        french = customer.language == "fr"
        behind = status != Status.APPROVED  # a late payer: its oldest invoices stay unpaid
        # Paid history over five years, this month's invoices not yet due, and for a late payer a few
        # invoices one to five months old that are still unpaid.
        ages = [rng.randint(60, HISTORY_DAYS) for _ in range(rng.randint(2, 8))]
        ages += [rng.randint(1, 40) for _ in range(rng.randint(0, 2))]
        if behind:
            ages += [rng.randint(50, 150) for _ in range(rng.randint(1, 3))]
        for age in ages:
            day = today - timedelta(days=age)
            invoice = services.enter_invoice(
                actor=None, customer=customer, company=company, date=day, lines=_lines(rng, french)
            ).document
            result.invoices += 1
            if age < 60 or (behind and age <= 150) or rng.random() < 0.03:
                continue
            paid = invoice.amount if rng.random() < 0.9 else (invoice.amount / 2).quantize(Decimal("0.01"))
            services.enter_payment(
                actor=None,
                customer=customer,
                company=company,
                amount=paid,
                date=day + timedelta(days=rng.randint(15, 50)),
                method=rng.choice(("cheque", "transfer", "card")),
                allocations=[{"invoice": invoice.pk, "amount": str(paid)}],
            )
            result.payments += 1
        if status != Status.BLOCKED and rng.random() < 0.5:
            services.enter_order(
                actor=None,
                customer=customer,
                company=company,
                date=today - timedelta(days=rng.randint(0, 10)),
                amount=Decimal(rng.randrange(300, 6000)),
            )
            result.orders += 1
        Customer.objects.filter(pk=customer.pk).update(status=status, status_reason=reason)
        if rng.random() < 0.8:
            credit.set_limit(
                actor=None,
                customer=customer,
                company=company,
                limit=Decimal(rng.choice((5000, 10000, 15000, 25000, 50000))),
            )
        if status == Status.BLOCKED and rng.random() < 0.5:
            credit.add_hold(
                actor=None,
                customer=customer,
                company=None,
                type="sale_order",
                reason_code="overdue",
                comment="Factures en souffrance" if french else "Overdue invoices",
            )
            result.holds += 1
        elif rng.random() < 0.04:
            credit.add_hold(
                actor=None,
                customer=customer,
                company=company,
                type="dunning",
                reason_code="dispute",
                comment="Litige en cours" if french else "Dispute under way",
                ends_on=today + timedelta(days=rng.randint(10, 60)),
            )
            result.holds += 1
    return result
