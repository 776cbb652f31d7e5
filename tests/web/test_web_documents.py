"""The documents' web UI: order entry with the customer's status, memo, holds and credit beside the form,
the credit check's warnings and blocks, the other entry forms, lists, detail pages and their actions, and the
credit-hold queue."""

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from factories import CompanyFactory, CustomerFactory, HoldFactory, NoteFactory

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Role
from carnet.credit import services as credit
from carnet.credit.models import CreditOverride
from carnet.customers.models import Customer
from carnet.documents import services as documents
from carnet.documents.models import CreditNote, Invoice, Order, Payment, Quote, Shipment

D = Decimal
REASON = "3 invoices over 60 days"


@pytest.fixture
def approved(db: Any) -> Customer:
    return CustomerFactory(code="C1001", name="Transports Laurentides inc.", payment_terms_days=30)


@pytest.fixture
def warned(db: Any) -> Customer:
    customer = CustomerFactory(
        code="W1001", name="Boulangerie Saint-Roch", status="warning", status_reason="Paie en retard"
    )
    NoteFactory(customer=customer, pinned=True, text="Appeler Julie avant toute commande")
    return customer


@pytest.fixture
def blocked(db: Any) -> Customer:
    return CustomerFactory(code="B1001", name="Quincaillerie Beauce", status="blocked", status_reason=REASON)


def order_form(customer: Customer, company: Company, **values: Any) -> dict[str, Any]:
    return {
        "customer": customer.pk,
        "company": company.pk,
        "date": "2026-03-02",
        "amount": "1500.00",
        "reference": "PO-77",
        **values,
    }


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- permissions --------------------------------------------------------------------------------------------


def test_a_viewer_sees_documents_but_cannot_enter_them(
    viewer_client: Client, approved: Customer, main_company: Company
) -> None:
    order = documents.enter_order(actor=None, customer=approved, company=main_company, amount="100").document
    listing = viewer_client.get("/documents/orders/")
    assert listing.status_code == 200
    assert order.number in text(listing)
    assert "New order" not in text(listing)
    detail = viewer_client.get(f"/documents/orders/{order.pk}/")
    assert detail.status_code == 200
    assert "Cancel the order" not in text(detail)
    assert "Change the amount" not in text(detail)
    assert viewer_client.get("/documents/orders/new/").status_code == 403
    assert viewer_client.post("/documents/orders/new/", order_form(approved, main_company)).status_code == 403
    assert viewer_client.post(f"/documents/orders/{order.pk}/cancel/").status_code == 403
    assert Order.objects.count() == 1


def test_an_operator_enters_an_order_and_lands_on_it(
    operator_client: Client, operator: User, approved: Customer, main_company: Company
) -> None:
    page = operator_client.get(f"/documents/orders/new/?customer={approved.pk}")
    assert page.status_code == 200
    assert "Transports Laurentides inc." in text(page)
    response = operator_client.post("/documents/orders/new/", order_form(approved, main_company), follow=True)
    order = Order.objects.get()
    assert response.redirect_chain[-1][0] == f"/documents/orders/{order.pk}/"
    assert f"Order {order.number} saved." in text(response)
    assert (order.status, order.amount, order.reference, order.created_by) == (
        "open",
        D("1500.00"),
        "PO-77",
        operator,
    )
    assert not CreditOverride.objects.exists()


def test_amounts_are_read_as_people_type_them(
    operator_client: Client, approved: Customer, main_company: Company
) -> None:
    operator_client.post("/documents/orders/new/", order_form(approved, main_company, amount="1 250,50"))
    assert Order.objects.get().amount == D("1250.50")


def test_an_operator_may_not_release_an_order_on_credit_hold(
    operator_client: Client, approved: Customer, main_company: Company
) -> None:
    credit.set_policy(
        actor=None, company=main_company, limit_enforcement="block_at_entry", credit_hold_queue=True
    )
    credit.set_limit(actor=None, customer=approved, company=main_company, limit="100")
    order = documents.enter_order(actor=None, customer=approved, company=main_company, amount="500").document
    assert order.status == "on_credit_hold"
    detail = operator_client.get(f"/documents/orders/{order.pk}/")
    assert "Release" not in text(detail)
    assert operator_client.post(f"/documents/orders/{order.pk}/release/", {"reason": "ok"}).status_code == 403
    navigation = operator_client.get("/documents/orders/").content.decode().split("<main")[0]
    assert "Documents" in navigation and "Credit queue" not in navigation


# --- the credit check at entry ------------------------------------------------------------------------------


def test_a_blocked_customers_order_saves_nothing_and_says_why(
    operator_client: Client, blocked: Customer, main_company: Company
) -> None:
    response = operator_client.post("/documents/orders/new/", order_form(blocked, main_company))
    assert response.status_code == 422
    page = text(response)
    assert "Refused by the credit check: nothing was saved." in page
    assert f"Blocked: {REASON}. No orders may be entered." in page
    assert 'data-code="status_blocked"' in page
    assert not Order.objects.exists()


def test_a_warned_customers_order_needs_an_acknowledgement_with_a_reason(
    operator_client: Client, operator: User, warned: Customer, main_company: Company
) -> None:
    first = operator_client.post("/documents/orders/new/", order_form(warned, main_company))
    assert first.status_code == 409
    page = text(first)
    assert "The credit check gives warnings: nothing is saved yet." in page
    assert "Warning: Paie en retard. Acknowledge it to enter orders." in page
    assert "Appeler Julie avant toute commande" in page  # the memo, with the reasons
    assert 'name="acknowledge_warnings" value="1"' in page
    assert not Order.objects.exists()

    # Acknowledging without a reason: the error is beside the reason, and still nothing is saved.
    no_reason = operator_client.post(
        "/documents/orders/new/",
        order_form(warned, main_company, acknowledge_warnings="1", override_reason=""),
    )
    assert no_reason.status_code == 400
    assert re.search(
        r'id="id_override_reason-error">Say why you go on past the credit warnings', text(no_reason)
    )
    assert "Warning: Paie en retard" in text(no_reason)
    assert not Order.objects.exists()

    saved = operator_client.post(
        "/documents/orders/new/",
        order_form(
            warned, main_company, acknowledge_warnings="1", override_reason="Julie a confirmé le paiement"
        ),
        follow=True,
    )
    order = Order.objects.get()
    assert order.status == "open"
    assert "your override of the credit warnings is recorded" in text(saved)
    override = CreditOverride.objects.get()
    assert (override.order, override.user, override.reason) == (
        order,
        operator,
        "Julie a confirmé le paiement",
    )
    assert override.decision["outcome"] == "warning"
    assert [r["code"] for r in override.decision["reasons"]] == ["status_warning"]
    detail = text(saved)
    assert "Credit overrides" in detail
    assert "Julie a confirmé le paiement" in detail
    assert operator.username in detail


def test_a_blocked_order_goes_on_credit_hold_when_the_company_keeps_them(
    operator_client: Client, approved: Customer, main_company: Company
) -> None:
    credit.set_policy(
        actor=None, company=main_company, limit_enforcement="block_at_entry", credit_hold_queue=True
    )
    credit.set_limit(actor=None, customer=approved, company=main_company, limit="1000")
    panel = operator_client.get(
        f"/documents/entry/customer/?customer={approved.pk}&company={main_company.pk}&amount=1500&kind=order"
    )
    assert "the order will be saved on hold" in text(panel)
    response = operator_client.post("/documents/orders/new/", order_form(approved, main_company), follow=True)
    order = Order.objects.get()
    assert order.status == "on_credit_hold"
    page = text(response)
    assert f"Order {order.number} is saved on credit hold" in page
    assert "On credit hold: waiting for a credit controller" in page
    assert "Over the credit limit of 1000.00 CAD" in page


def test_field_errors_are_beside_their_fields(
    operator_client: Client, approved: Customer, main_company: Company
) -> None:
    response = operator_client.post(
        "/documents/orders/new/", {**order_form(approved, main_company, amount="douze"), "customer": ""}
    )
    assert response.status_code == 400
    page = text(response)
    assert "Pick a customer." in page
    no_customer = operator_client.post(
        "/documents/orders/new/", order_form(approved, main_company, amount="douze")
    )
    assert re.search(r'id="id_amount-error">douze is not an amount', text(no_customer))
    too_precise = operator_client.post(
        "/documents/orders/new/", order_form(approved, main_company, amount="1.234")
    )
    assert re.search(r'id="id_amount-error">An amount has at most two decimals', text(too_precise))
    assert not Order.objects.exists()


# --- the customer beside the form ---------------------------------------------------------------------------


def test_picking_a_customer_shows_its_status_memo_holds_credit_and_a_dry_run(
    operator_client: Client, blocked: Customer, main_company: Company
) -> None:
    NoteFactory(customer=blocked, pinned=True, text="Chèques seulement")
    HoldFactory(
        customer=blocked, company=main_company, type="sale_order", comment="Litige sur la facture 1042"
    )
    credit.set_limit(actor=None, customer=blocked, company=main_company, limit="10000")
    response = operator_client.get(
        "/documents/entry/customer/",
        {"customer": blocked.pk, "company": main_company.pk, "amount": "12000", "kind": "order", "pick": "1"},
    )
    assert response.status_code == 200
    page = text(response)
    assert f'Blocked</strong>: <span class="status-reason">{REASON}</span>' in page
    assert "Chèques seulement" in page
    assert "Litige sur la facture 1042" in page
    assert "10,000.00" in page  # the limit
    assert 'data-outcome="blocked"' in page
    for code in ("status_blocked", "hold_sale_order", "credit_limit_exceeded"):
        assert f'data-code="{code}"' in page
    assert 'id="customer-picker" class="picker" hx-swap-oob="true"' in page
    assert f'name="customer" value="{blocked.pk}"' in page
    # As the amount is typed, only the decision is refreshed.
    decision = operator_client.get(
        "/documents/entry/customer/",
        {
            "customer": blocked.pk,
            "company": main_company.pk,
            "amount": "10",
            "kind": "quote",
            "part": "decision",
        },
    )
    assert "customer-picker" not in text(decision)
    assert "Blocked: 3 invoices over 60 days. No quotes may be entered." in text(decision)


def test_the_picker_searches_the_customer_book(
    operator_client: Client, approved: Customer, warned: Customer
) -> None:
    response = operator_client.get(
        "/documents/entry/customers/", {"q": "laurentides", "back": "/documents/orders/new/"}
    )
    page = text(response)
    assert "Transports Laurentides inc." in page
    assert "Boulangerie" not in page
    assert "/customers/new/?next=%2Fdocuments%2Forders%2Fnew%2F" in page
    assert "No customer matches" in text(operator_client.get("/documents/entry/customers/", {"q": "zzzz"}))


def test_new_customer_shortcut_comes_back_with_the_customer_picked(operator_client: Client) -> None:
    page = operator_client.get("/customers/new/?next=/documents/orders/new/")
    assert '<input type="hidden" name="next" value="/documents/orders/new/">' in text(page)
    response = operator_client.post(
        "/customers/new/",
        {
            "name": "Fromagerie Nouvelle",
            "categories": ["customer"],
            "language": "fr",
            "currency": "CAD",
            "payment_terms_days": "30",
            "invoice_delivery": "email",
            "invoice_copies": "1",
            "payment_advice": "email",
            "default_invoice_state": "posted",
            "shipper_identification": "standard",
            "address-country": "CA",
            "address-province": "QC",
            "contact-active": "on",
            "next": "/documents/orders/new/",
        },
    )
    customer = Customer.objects.get(name="Fromagerie Nouvelle")
    assert response.status_code == 302
    assert response["Location"] == f"/documents/orders/new/?customer={customer.pk}"
    entry = text(operator_client.get(response["Location"]))
    assert f'name="customer" value="{customer.pk}"' in entry
    # Somewhere else is refused: the customer page instead.
    other = operator_client.post(
        "/customers/new/", {**dict.fromkeys(["name"], "Autre"), "next": "https://evil.example/"}, follow=False
    )
    assert other.status_code in (200, 302)
    if other.status_code == 302:
        assert "evil" not in other["Location"]


# --- other entry forms --------------------------------------------------------------------------------------


def test_a_quote_converts_to_an_order_through_the_credit_check(
    operator_client: Client, operator: User, warned: Customer, main_company: Company
) -> None:
    operator_client.post("/documents/quotes/new/", order_form(warned, main_company, amount="800"))
    quote = Quote.objects.get()
    detail = text(operator_client.get(f"/documents/quotes/{quote.pk}/"))
    assert "Convert to an order" in detail
    asked = operator_client.post(f"/documents/quotes/{quote.pk}/convert/", {"date": ""})
    assert asked.status_code == 409
    assert "Warning: Paie en retard" in text(asked)
    assert not Order.objects.exists()
    done = operator_client.post(
        f"/documents/quotes/{quote.pk}/convert/",
        {"date": "", "acknowledge_warnings": "1", "override_reason": "Commande urgente"},
        follow=True,
    )
    order = Order.objects.get()
    assert order.quote == quote
    assert f"{quote.number} is now order {order.number}." in text(done)
    assert CreditOverride.objects.get().user == operator


def test_a_blocked_customer_gets_no_quote(
    operator_client: Client, blocked: Customer, main_company: Company
) -> None:
    response = operator_client.post("/documents/quotes/new/", order_form(blocked, main_company))
    assert response.status_code == 422
    assert not Quote.objects.exists()


def test_an_operator_may_not_enter_invoices(operator_client: Client) -> None:
    assert operator_client.get("/documents/invoices/new/").status_code == 403
    assert operator_client.get("/documents/payments/new/").status_code == 403


def test_an_invoice_with_lines_kept_as_a_draft_then_posted(
    controller_client: Client, approved: Customer, main_company: Company
) -> None:
    form = {
        **order_form(approved, main_company, amount=""),
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product_code": "BOIS-2x4",
        "lines-0-quantity": "10",
        "lines-0-unit_price": "4,25",
        "lines-1-description": "Livraison",
        "lines-1-quantity": "x",
        "lines-1-unit_price": "50",
    }
    bad = controller_client.post("/documents/invoices/new/", form)
    assert bad.status_code == 400
    assert re.search(r"x is not a quantity\.</small>", text(bad))
    assert not Invoice.objects.exists()
    controller_client.post("/documents/invoices/new/", {**form, "lines-1-quantity": "1"})
    invoice = Invoice.objects.get()
    assert (invoice.status, invoice.amount, invoice.lines.count()) == ("draft", D("92.50"), 2)
    detail = text(controller_client.get(f"/documents/invoices/{invoice.pk}/"))
    assert "BOIS-2x4" in detail and "Post the invoice" in detail
    posted = controller_client.post(f"/documents/invoices/{invoice.pk}/post/", follow=True)
    invoice.refresh_from_db()
    assert invoice.status == "posted"
    assert f"Invoice {invoice.number} posted." in text(posted)


def test_an_invoice_from_an_order(
    controller_client: Client, approved: Customer, main_company: Company
) -> None:
    order = documents.enter_order(actor=None, customer=approved, company=main_company, amount="700").document
    page = text(controller_client.get(f"/documents/invoices/new/?order={order.pk}"))
    assert f"Invoicing order <strong>{order.number}</strong>" in page
    controller_client.post(
        f"/documents/invoices/new/?order={order.pk}",
        {
            **order_form(approved, main_company, amount=""),
            "order": order.pk,
            "post": "on",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        },
    )
    invoice = Invoice.objects.get()
    assert (invoice.order, invoice.amount, invoice.status) == (order, D("700.00"), "posted")
    order.refresh_from_db()
    assert order.status == "invoiced"


def _posted_invoice(customer: Customer, company: Company, amount: str = "1000") -> Invoice:
    return documents.enter_invoice(actor=None, customer=customer, company=company, amount=amount).document


def test_a_payment_lists_the_open_invoices_and_allocates_to_them(
    controller_client: Client, approved: Customer, main_company: Company
) -> None:
    invoice = _posted_invoice(approved, main_company)
    panel = text(
        controller_client.get(
            "/documents/entry/customer/",
            {"customer": approved.pk, "company": main_company.pk, "kind": "payment", "pick": "1"},
        )
    )
    assert f'name="alloc-{invoice.pk}"' in panel and invoice.number in panel
    too_much = controller_client.post(
        "/documents/payments/new/",
        {
            **order_form(approved, main_company, amount="600"),
            "method": "cheque",
            f"alloc-{invoice.pk}": "1200",
        },
    )
    assert too_much.status_code == 400
    assert "allocating 1200.00 to it is too much" in text(too_much)
    assert not Payment.objects.exists()
    controller_client.post(
        "/documents/payments/new/",
        {
            **order_form(approved, main_company, amount="600"),
            "method": "cheque",
            f"alloc-{invoice.pk}": "400",
        },
    )
    payment = Payment.objects.get()
    invoice.refresh_from_db()
    assert (payment.unallocated, invoice.open_balance, payment.method) == (D("200.00"), D("600.00"), "cheque")
    # What is left on account is allocated from the payment's page.
    controller_client.post(f"/documents/payments/{payment.pk}/allocate/", {f"alloc-{invoice.pk}": "200"})
    payment.refresh_from_db()
    assert payment.unallocated == D("0.00")


def test_a_credit_note_for_a_blocked_customer(
    controller_client: Client, blocked: Customer, main_company: Company
) -> None:
    response = controller_client.post(
        "/documents/credit-notes/new/", order_form(blocked, main_company, amount="50")
    )
    note = CreditNote.objects.get()
    assert response["Location"] == f"/documents/credit-notes/{note.pk}/"


def test_a_shipment_from_an_order(operator_client: Client, approved: Customer, main_company: Company) -> None:
    order = documents.enter_order(actor=None, customer=approved, company=main_company, amount="300").document
    assert "Ship" in text(operator_client.get(f"/documents/orders/{order.pk}/"))
    page = operator_client.get(f"/documents/shipments/new/?order={order.pk}")
    assert "300.00 CAD left to ship" in text(page)
    over = operator_client.post(
        "/documents/shipments/new/", {"order": order.pk, "date": "2026-03-03", "amount": "400"}
    )
    assert re.search(r'id="id_amount-error">Only 300.00 of', text(over))
    operator_client.post(
        "/documents/shipments/new/", {"order": order.pk, "date": "2026-03-03", "amount": "100"}
    )
    shipment = Shipment.objects.get()
    assert (shipment.order, shipment.amount) == (order, D("100.00"))


# --- actions on an order ------------------------------------------------------------------------------------


def test_cancel_reopen_and_raise_an_order(
    operator_client: Client, approved: Customer, main_company: Company
) -> None:
    credit.set_limit(actor=None, customer=approved, company=main_company, limit="1000")
    order = documents.enter_order(actor=None, customer=approved, company=main_company, amount="500").document
    operator_client.post(f"/documents/orders/{order.pk}/cancel/")
    order.refresh_from_db()
    assert order.status == "cancelled"
    operator_client.post(f"/documents/orders/{order.pk}/reopen/")
    order.refresh_from_db()
    assert order.status == "open"
    asked = operator_client.post(
        f"/documents/orders/{order.pk}/amount/", {"amount": "1500", "version": order.version}
    )
    assert asked.status_code == 409
    assert "Over the credit limit of 1000.00 CAD" in text(asked)
    order.refresh_from_db()
    assert order.amount == D("500.00")
    operator_client.post(
        f"/documents/orders/{order.pk}/amount/",
        {
            "amount": "1500",
            "version": order.version,
            "acknowledge_warnings": "1",
            "override_reason": "Client fidèle",
        },
    )
    order.refresh_from_db()
    assert order.amount == D("1500.00")
    assert CreditOverride.objects.get().reason == "Client fidèle"


# --- the credit-hold queue ----------------------------------------------------------------------------------


def test_a_credit_controller_releases_and_rejects_from_the_queue(
    controller_client: Client, controller: User, approved: Customer, main_company: Company
) -> None:
    credit.set_policy(
        actor=None, company=main_company, limit_enforcement="block_at_entry", credit_hold_queue=True
    )
    credit.set_limit(actor=None, customer=approved, company=main_company, limit="100")
    first = documents.enter_order(actor=None, customer=approved, company=main_company, amount="500").document
    second = documents.enter_order(actor=None, customer=approved, company=main_company, amount="700").document
    queue = text(controller_client.get("/documents/credit-queue/"))
    assert first.number in queue and second.number in queue
    assert "Over the credit limit of 100.00 CAD" in queue
    assert 'href="/documents/credit-queue/"' in queue  # the navigation link, for those who may release

    no_reason = controller_client.post(
        f"/documents/orders/{first.pk}/release/",
        {"reason": "", "next": "/documents/credit-queue/"},
        follow=True,
    )
    assert "Say why the order is released." in text(no_reason)
    first.refresh_from_db()
    assert first.status == "on_credit_hold"

    controller_client.post(
        f"/documents/orders/{first.pk}/release/",
        {"reason": "Chèque reçu", "next": "/documents/credit-queue/"},
    )
    rejected = controller_client.post(
        f"/documents/orders/{second.pk}/reject/",
        {"reason": "Trop risqué", "next": "/documents/credit-queue/"},
    )
    assert rejected["Location"] == "/documents/credit-queue/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("open", "rejected")
    assert CreditOverride.objects.get().user == controller
    assert "No order is waiting on credit hold." in text(controller_client.get("/documents/credit-queue/"))
    detail = text(controller_client.get(f"/documents/orders/{second.pk}/"))
    assert "Trop risqué" in detail and "Was held by the credit check" in detail


# --- companies, lists ---------------------------------------------------------------------------------------


def test_another_companys_documents_are_not_found(
    operator_client: Client, approved: Customer, main_company: Company
) -> None:
    other: Company = CompanyFactory(code="OTHER")
    theirs = documents.enter_order(actor=None, customer=approved, company=other, amount="100").document
    ours = documents.enter_order(actor=None, customer=approved, company=main_company, amount="200").document
    assert operator_client.get(f"/documents/orders/{theirs.pk}/").status_code == 404
    assert operator_client.post(f"/documents/orders/{theirs.pk}/cancel/").status_code == 404
    listing = text(operator_client.get("/documents/orders/"))
    assert ours.number in listing and f">{theirs.number}<" not in listing.replace(ours.number, "")
    assert operator_client.get("/documents/invoices/new/?order=1").status_code == 403
    # Choosing the other company in the form is refused beside the field.
    response = operator_client.post("/documents/orders/new/", order_form(approved, other))
    assert response.status_code == 400
    assert re.search(r'id="id_company-error">', text(response))
    assert Order.objects.count() == 2


def test_lists_filter_and_paginate(
    operator_client: Client, approved: Customer, blocked: Customer, main_company: Company
) -> None:
    for n in range(27):
        documents.enter_order(actor=None, customer=approved, company=main_company, amount=str(100 + n))
    cancelled = documents.enter_order(
        actor=None, customer=approved, company=main_company, amount="5"
    ).document
    documents.cancel_order(actor=None, order_id=cancelled.pk)
    first_page = text(operator_client.get("/documents/orders/"))
    assert "28 documents" in first_page
    assert 'page=2"' in first_page
    only_cancelled = text(operator_client.get("/documents/orders/?status=cancelled"))
    assert "1 document" in only_cancelled and cancelled.number in only_cancelled
    assert "0 documents" in text(operator_client.get("/documents/orders/?customer=Quincaillerie"))
    assert "28 documents" in text(operator_client.get("/documents/orders/?customer=c1001"))
    partial = operator_client.get(
        "/documents/orders/?page=2", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert "<html" not in partial.content.decode()
    for kind in ("quotes", "shipments", "invoices", "credit-notes", "payments"):
        assert operator_client.get(f"/documents/{kind}/").status_code == 200
    assert operator_client.get("/documents/letters/").status_code == 404


def test_order_entry_in_french(client_as: Callable[[User], Client], make_user: Callable[..., User]) -> None:
    user = make_user("operatrice", Role.OPERATOR)
    client = client_as(user)
    client.cookies["django_language"] = "fr"
    page = text(client.get("/documents/orders/new/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Nouvelle commande" in page
    assert "Enregistrer la commande" in page
