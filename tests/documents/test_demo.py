"""The demo activity: entered through the services, so the kept balances agree with the documents."""

from typing import Any

from carnet.credit.models import CreditAccount
from carnet.credit.verification import find_differences
from carnet.customers.choices import Status
from carnet.customers.demo import load_demo
from carnet.customers.models import Customer
from carnet.documents.models import Invoice, Payment


def test_demo_activity_keeps_statuses_and_balances_agree(db: Any) -> None:
    result = load_demo(count=24, seed=7)
    statuses_after = dict(Customer.objects.values_list("code", "status"))
    assert result.invoices == Invoice.objects.count() > 0
    assert result.payments == Payment.objects.count() > 0
    # A customer keeps the status the demo gave it, although its documents were entered while approved.
    assert Status.APPROVED in statuses_after.values()
    assert set(statuses_after.values()) - {Status.APPROVED}
    # Only customers that may take documents have any.
    without = Customer.objects.filter(status__in=[Status.PROSPECT, Status.NOT_APPROVED, Status.CLOSED])
    assert not Invoice.objects.filter(customer__in=without).exists()
    checked, differences = find_differences()
    assert checked > 0
    assert differences == []
    assert CreditAccount.objects.filter(limit__isnull=False).exists()
