"""Documents as an actor may read them: only their companies' ones."""

from collections.abc import Callable

import pytest
from credit.support import invoice, order
from factories import CompanyFactory

from carnet.accounts.models import User
from carnet.accounts.roles import Role
from carnet.customers.models import Customer
from carnet.documents import queries
from carnet.documents.models import Invoice, Order
from carnet.errors import NotFound

pytestmark = pytest.mark.django_db


def test_an_actor_reads_only_their_companies_documents(
    customer: Customer, make_user: Callable[..., User]
) -> None:
    east = CompanyFactory(code="EST")
    ours, theirs = order(customer, "1.00"), order(customer, "2.00", company=east)
    main_only = make_user("main-only", Role.VIEWER)

    assert list(queries.visible_documents(Order, actor=main_only)) == [ours]
    assert set(queries.visible_documents(Order, actor=None, customer=customer)) == {ours, theirs}
    with pytest.raises(NotFound):
        queries.document(Order, theirs.pk, actor=main_only)


def test_an_invoice_with_its_lines(customer: Customer) -> None:
    made = invoice(customer, lines=[{"product_code": "A", "quantity": "1", "unit_price": "5"}] * 3)

    found = queries.invoice_with_lines(made.pk, actor=None)

    assert isinstance(found, Invoice) and [line.position for line in found.lines.all()] == [1, 2, 3]
