"""A customer with documents is used (it cannot be deleted; the reason counts them) and, with orders or
invoices, has sales (its Customer category stays)."""

import pytest
from credit.support import invoice, order
from django.core.exceptions import ValidationError

from carnet.customers import services as book
from carnet.customers import usage
from carnet.customers.models import Customer
from carnet.documents import services
from carnet.errors import InUse

pytestmark = pytest.mark.django_db


def test_a_customer_without_documents_is_not_used(customer: Customer) -> None:
    assert usage.customer_usage(customer) == [] and not usage.has_sales(customer)


def test_a_customer_with_documents_cannot_be_deleted_and_the_reason_counts_them(customer: Customer) -> None:
    order(customer, "10.00")
    order(customer, "20.00")
    invoice(customer, "5.00")

    with pytest.raises(InUse) as exc:
        book.delete_customer(actor=None, customer_id=customer.pk)

    assert exc.value.extra["reasons"] == ["It has documents: 2 orders, 1 invoice."]


def test_a_quote_makes_a_customer_used_but_is_not_a_sale(customer: Customer) -> None:
    services.enter_quote(actor=None, customer=customer, company="MAIN", amount="10.00")

    assert usage.customer_usage(customer) == ["It has documents: 1 quote."]
    assert not usage.has_sales(customer)


def test_orders_keep_the_customer_category(customer: Customer) -> None:
    order(customer, "10.00")

    with pytest.raises(ValidationError) as exc:
        book.update_customer(
            actor=None, customer_id=customer.pk, changes={"is_customer": False, "is_partner": True}
        )

    assert "orders or invoices" in str(exc.value)
