"""A small book with one of every per-company thing, for the access tests and the fuzzing: a customer with
an address, a contact and a note; in a company, its limit, a hold, an override, one document of each kind
in each useful state, and a credit review with a line. Everything is entered through the services."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from factories import AddressFactory, ContactFactory, CustomerFactory, NoteCategoryFactory, NoteFactory

from carnet.accounts.models import Company
from carnet.credit import review, review_criteria
from carnet.credit import services as credit
from carnet.credit.models import CreditOverride, CreditReview, CreditReviewLine, Hold
from carnet.customers.models import Customer
from carnet.documents import services as documents
from carnet.documents.models import CreditNote, Invoice, Order, Payment, Quote, Shipment


@dataclass
class Book:
    company: Company
    customer: Customer
    address_id: int
    contact_id: int
    note_id: int
    note_category: str
    hold: Hold
    quote: Quote
    order: Order
    held_order: Order
    shipment: Shipment
    draft_invoice: Invoice
    invoice: Invoice
    credit_note: CreditNote
    payment: Payment
    override: CreditOverride
    review: CreditReview
    review_line: CreditReviewLine


def seed_book(
    company: Company, *, customer: Customer | None = None, name: str = "Quincaillerie Boréale"
) -> Book:
    """One of everything in `company`. Documents are dated 90 days ago so that the review finds the posted
    invoice overdue; the limit is low so that a new order is kept on credit hold."""
    today = timezone.localdate()
    old = today - timedelta(days=90)
    if customer is None:
        customer = CustomerFactory(name=name, payment_terms_days=30)
        AddressFactory(customer=customer)
        ContactFactory(customer=customer)
    category = NoteCategoryFactory()
    note = NoteFactory(customer=customer, category=category, pinned=True)
    code = company.code
    quote = documents.enter_quote(actor=None, customer=customer, company=code, amount="100.00").document
    order = documents.enter_order(
        actor=None, customer=customer, company=code, amount="200.00", date=old
    ).document
    shipment = documents.enter_shipment(actor=None, order_id=order.pk, amount="50.00", date=old)
    invoice = documents.enter_invoice(
        actor=None, customer=customer, company=code, amount="300.00", date=old
    ).document
    draft = documents.enter_invoice(
        actor=None, customer=customer, company=code, amount="40.00", post=False
    ).document
    credit_note = documents.enter_credit_note(
        actor=None, customer=customer, company=code, amount="10.00"
    ).document
    payment = documents.enter_payment(actor=None, customer=customer, company=code, amount="20.00").document
    # A limit below the exposure: the next order warns (overridden here), then the queue keeps one.
    credit.set_limit(actor=None, customer=customer, company=company, limit="500.00")
    credit.set_policy(actor=None, company=company, limit_enforcement="warn_at_entry")
    documents.enter_order(
        actor=None,
        customer=customer,
        company=code,
        amount="400.00",
        acknowledge_warnings=True,
        override_reason="Client fidèle, paiement promis",
    )
    credit.set_policy(actor=None, company=company, limit_enforcement="block_at_entry", credit_hold_queue=True)
    held = documents.enter_order(actor=None, customer=customer, company=code, amount="900.00").document
    hold = credit.add_hold(
        actor=None, customer=customer, company=company, type="direct_debit", comment="Prélèvements suspendus"
    )
    review_criteria.set_company_criteria(
        actor=None, company=company, data={"grace_days": 30, "reason": "Factures en retard"}
    )
    credit_review = review.run_review(actor=None, company=company)
    line = CreditReviewLine.objects.filter(review=credit_review).first()
    assert line is not None, "the review proposes to block the customer of the overdue invoice"
    assert held.status == "on_credit_hold"
    return Book(
        company=company,
        customer=customer,
        address_id=customer.addresses.get().pk,
        contact_id=customer.contacts.get().pk,
        note_id=note.pk,
        note_category=category.code,
        hold=hold,
        quote=quote,
        order=order,
        held_order=held,
        shipment=shipment,
        draft_invoice=draft,
        invoice=invoice,
        credit_note=credit_note,
        payment=payment,
        override=CreditOverride.objects.filter(company=company, customer=customer).get(),
        review=credit_review,
        review_line=line,
    )


def money(value: str) -> Decimal:
    return Decimal(value)
