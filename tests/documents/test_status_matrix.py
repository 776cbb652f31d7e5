"""The status matrix through the services that enter documents: each status and kind is saved, refused (422)
or waits for an acknowledgement (409), as product.md says; through the portal only approved customers."""

from collections.abc import Callable
from typing import Any

import pytest
from credit.support import document_counts

from carnet.customers.models import Customer
from carnet.documents import services
from carnet.errors import CreditRefused, CreditWarningNotAcknowledged

pytestmark = pytest.mark.django_db

ENTRIES: dict[str, Callable[..., Any]] = {
    "quote": services.enter_quote,
    "order": services.enter_order,
    "invoice": services.enter_invoice,
    "credit_note": services.enter_credit_note,
    "payment": services.enter_payment,
}
SAVED, REFUSED, WARNED = "saved", "refused", "warned"
MATRIX = {  # quote, order, invoice, credit note, payment
    "prospect": [SAVED, REFUSED, REFUSED, REFUSED, REFUSED],
    "not_approved": [SAVED, REFUSED, REFUSED, REFUSED, REFUSED],
    "approved": [SAVED, SAVED, SAVED, SAVED, SAVED],
    "warning": [SAVED, WARNED, WARNED, SAVED, SAVED],
    "blocked": [REFUSED, REFUSED, REFUSED, SAVED, SAVED],
    "closed": [REFUSED, REFUSED, REFUSED, REFUSED, REFUSED],
}


def outcome(call: Callable[[], Any]) -> str:
    before = document_counts()
    try:
        call()
    except CreditRefused:
        assert document_counts() == before
        return REFUSED
    except CreditWarningNotAcknowledged:
        assert document_counts() == before
        return WARNED
    return SAVED


@pytest.mark.parametrize("status", MATRIX)
@pytest.mark.parametrize("kind", ENTRIES)
def test_what_each_status_lets_in(customer: Customer, status: str, kind: str) -> None:
    Customer.objects.filter(pk=customer.pk).update(status=status, status_reason="raison")

    got = outcome(lambda: ENTRIES[kind](actor=None, customer=customer.pk, company="MAIN", amount="10.00"))

    assert got == MATRIX[status][list(ENTRIES).index(kind)]


@pytest.mark.parametrize("status", MATRIX)
def test_portal_orders_need_an_approved_customer(customer: Customer, status: str) -> None:
    Customer.objects.filter(pk=customer.pk).update(status=status, status_reason="raison")

    got = outcome(
        lambda: services.enter_order(
            actor=None,
            customer=customer,
            company="MAIN",
            amount="10.00",
            channel="portal",
            acknowledge_warnings=True,
            override_reason="raison",
        )
    )

    assert got == (SAVED if status == "approved" else REFUSED)
