"""The kept balances of credit accounts: lock one for a change, change it, read it.

Every document service locks the customer's account first (before any other row, so that two services
never wait for each other in opposite orders), decides, writes the document, then applies its change to
the balances, all in one transaction. On PostgreSQL the lock is a row lock (SELECT … FOR UPDATE); on SQLite
the transaction itself is the lock (BEGIN IMMEDIATE: writers queue).
"""

from dataclasses import dataclass
from decimal import Decimal

from carnet.accounts.models import Company
from carnet.customers.models import Customer

from .decision import exposure_increase
from .models import CreditAccount

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BalanceChange:
    """What a document does to the kept balances (signed amounts)."""

    open_orders: Decimal = ZERO
    draft_invoices: Decimal = ZERO
    posted_invoices_open: Decimal = ZERO
    unallocated_credit: Decimal = ZERO

    def __add__(self, other: "BalanceChange") -> "BalanceChange":
        return BalanceChange(
            *(getattr(self, name) + getattr(other, name) for name in CreditAccount.BALANCES_ORDER)
        )

    def exposure_increase(self, exposure_method: str) -> Decimal:
        """How much this change raises the exposure counted by the method."""
        return exposure_increase(
            exposure_method=exposure_method,
            open_orders=self.open_orders,
            draft_invoices=self.draft_invoices,
            posted_invoices_open=self.posted_invoices_open,
            unallocated_credit=self.unallocated_credit,
        )


def lock_account(customer: Customer, company: Company) -> CreditAccount:
    """The customer's account in the company, locked until the transaction ends; made on first use."""
    account = CreditAccount.objects.select_for_update().filter(customer=customer, company=company).first()
    if account is None:
        # A concurrent first document may be making it too: ON CONFLICT DO NOTHING, then lock the winner.
        CreditAccount.objects.bulk_create(
            [CreditAccount(customer=customer, company=company)], ignore_conflicts=True
        )
        account = CreditAccount.objects.select_for_update().get(customer=customer, company=company)
    return account


def read_account(customer: Customer, company: Company) -> CreditAccount:
    """The account as it is, unlocked; an unsaved empty one (no limit, zero balances) when there is none,
    so that a read never writes."""
    account = CreditAccount.objects.filter(customer=customer, company=company).first()
    return account if account is not None else CreditAccount(customer=customer, company=company)


def apply(account: CreditAccount, change: BalanceChange) -> None:
    """Apply the change to the locked account and save its balances."""
    if change == BalanceChange():
        return
    for name in CreditAccount.BALANCES_ORDER:
        setattr(account, name, getattr(account, name) + getattr(change, name))
    account.save(update_fields=[*CreditAccount.BALANCES_ORDER, "updated_at"])
