"""A small book to export and import: customers with parents, addresses, contacts, invoices and payments."""

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from carnet.accounts.models import Company, User
from carnet.credit.models import CreditAccount, CreditOverride
from carnet.customers import services as book
from carnet.customers.models import Address, Contact, Customer
from carnet.documents import services as documents
from carnet.documents.models import Allocation, Invoice, Payment
from carnet.transfer.exporting import export_lines
from carnet.transfer.importing import run_import


def export_text(kind: str, **kw: Any) -> str:
    return "".join(export_lines(kind, actor=None, **kw))


def import_text(kind: str, text: str, **kw: Any):  # type: ignore[no-untyped-def]
    kw.setdefault("actor", None)
    return run_import(kind, text.encode("utf-8"), **kw)


@pytest.fixture(autouse=True)
def upload_dir(settings: Any, tmp_path: Path) -> Path:
    """Files kept between an import's preview and its confirmation go under the test's own directory."""
    settings.DATA_DIR = tmp_path
    return tmp_path / "imports"


@pytest.fixture
def client_as(db: Any) -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def wipe() -> None:
    """Empty the book, as a new installation's."""
    Allocation.objects.all().delete()
    Payment.objects.all().delete()
    CreditOverride.objects.all().delete()
    Invoice.objects.all().delete()
    CreditAccount.objects.all().delete()
    Customer.objects.update(billing_address=None, default_delivery_address=None, parent=None, bill_to=None)
    Contact.objects.all().delete()
    Address.objects.all().delete()
    Customer.objects.all().delete()
    Customer.history.all().delete()  # type: ignore[attr-defined]


@pytest.fixture
def book_data(main_company: Company) -> dict[str, Any]:
    group = book.create_customer(
        actor=None,
        data={"code": "GRP", "name": "Groupe Laurentides", "status": "approved", "phone": "819 555 0100"},
        acknowledge_duplicates=True,
    )
    child = book.create_customer(
        actor=None,
        data={
            "code": "C001",
            "name": "=Transports Nord",  # a formula, to be neutralised
            "status": "approved",
            "parent": group,
            "categories": ["customer", "partner"],
            "max_order_amount": "1500.50",
            "email": "compta@nord.example",
        },
        acknowledge_duplicates=True,
    )
    book.add_address(
        actor=None,
        customer_id=child.pk,
        data={"line1": "1 rue King", "city": "Sherbrooke", "province": "QC", "postal_code": "J1H 1A1"},
    )
    book.add_address(
        actor=None,
        customer_id=child.pk,
        data={
            "line1": "2 rue du Port",
            "city": "Québec",
            "province": "QC",
            "postal_code": "G1R 4P5",
            "billing": False,
        },
    )
    book.add_contact(
        actor=None,
        customer_id=child.pk,
        data={
            "name": "Marie Roy",
            "email": "marie@nord.example",
            "phone": "+1 819 555 0101",
            "is_default": True,
        },
    )
    book.add_contact(actor=None, customer_id=child.pk, data={"name": "@Luc Côté", "role": "-achats"})
    invoice = documents.enter_invoice(
        actor=None, customer=child, company=main_company, amount="1000.00", date=date(2026, 3, 1)
    ).document
    documents.enter_invoice(
        actor=None, customer=child, company=main_company, amount="250.00", date=date(2026, 3, 2), post=False
    )
    documents.enter_payment(
        actor=None,
        customer=child,
        company=main_company,
        amount="600.00",
        date=date(2026, 3, 10),
        method="cheque",
        allocations=[{"invoice": invoice.pk, "amount": "400.00"}],
    )
    return {"group": group, "child": child, "invoice": invoice}
