"""Creating a customer from the web form: all at once, code rules, duplicate warning, field errors."""

from collections.abc import Callable
from typing import Any

from django.test import Client

from carnet.customers.models import Address, Contact, Customer

BASE = {
    "name": "Transports Laurentides inc.",
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
}


def form(**values: Any) -> dict[str, Any]:
    return {**BASE, **values}


def test_creates_a_customer_with_its_address_and_contact_in_one_go(controller_client: Client) -> None:
    response = controller_client.post(
        "/customers/new/",
        form(
            **{
                "code": "c2001",
                "status": "approved",
                "address-line1": "100 rue Principale",
                "address-city": "Sherbrooke",
                "address-postal_code": "j1h1a1",
                "address-billing": "on",
                "address-delivery": "on",
                "contact-name": "Marie Tremblay",
                "contact-email": "marie@laurentides.example",
                "contact-phone": "819 555 0100",
                "contact-is_default": "on",
                "contact-is_billing": "on",
            }
        ),
    )
    customer = Customer.objects.get(code="C2001")
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/"
    address = Address.objects.get(customer=customer)
    assert (address.main, address.postal_code, address.province) == (True, "J1H 1A1", "QC")
    contact = Contact.objects.get(customer=customer)
    assert (contact.name, contact.is_default, contact.is_billing) == ("Marie Tremblay", True, True)
    assert customer.status == "approved"


def test_a_blank_code_is_generated(operator_client: Client) -> None:
    operator_client.post("/customers/new/", form(name="Boulangerie Saint-Roch"))
    customer = Customer.objects.get(name="Boulangerie Saint-Roch")
    assert customer.code.startswith("C") and len(customer.code) == 6


def test_the_new_customer_is_assigned_to_its_creator_by_default(
    operator_client: Client, operator: Any
) -> None:
    html = operator_client.get("/customers/new/").content.decode()
    assert f'<option value="{operator.pk}" selected>operator</option>' in html


def test_an_existing_code_opens_that_customer(operator_client: Client, customer: Customer) -> None:
    response = operator_client.post("/customers/new/", form(code="c1001", name="Tout autre nom"), follow=True)
    assert response.redirect_chain[0][0] == f"/customers/{customer.pk}/"
    assert "C1001 already exists; here it is." in response.content.decode()
    assert Customer.objects.count() == 1


def test_a_likely_twin_is_shown_before_saving_then_save_anyway(
    operator_client: Client, customer: Customer
) -> None:
    first = operator_client.post("/customers/new/", form(name="Transports Laurentides ltée"))
    html = first.content.decode()
    assert first.status_code == 200
    assert "This customer may already exist" in html
    assert f'href="/customers/{customer.pk}/"' in html and "similar name" in html
    assert 'name="acknowledge_duplicates" value="1"' in html
    assert Customer.objects.count() == 1
    second = operator_client.post(
        "/customers/new/", form(name="Transports Laurentides ltée", acknowledge_duplicates="1")
    )
    assert second.status_code == 302
    assert Customer.objects.filter(name="Transports Laurentides ltée").exists()


def test_the_same_email_is_a_likely_twin(operator_client: Client, customer: Customer) -> None:
    html = operator_client.post("/customers/new/", form(name="Nom différent", email=customer.email)).content
    assert "same email" in html.decode()


def test_a_field_error_is_shown_beside_its_field_and_nothing_is_saved(operator_client: Client) -> None:
    response = operator_client.post(
        "/customers/new/",
        form(
            code="C3001",
            gst_number="123456789RT0001",
            **{
                "contact-name": "Marie",
                "address-line1": "1 rue A",
                "address-city": "Lévis",
                "address-postal_code": "G6V 1A1",
            },
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    field = html.split('id="id_gst_number-field"', 1)[1].split("</div>", 1)[0]
    assert 'class="error"' in field and "GST/HST" in field
    assert not Customer.objects.filter(code="C3001").exists()
    assert not Address.objects.exists() and not Contact.objects.exists()


def test_a_bad_address_saves_neither_the_customer_nor_the_contact(operator_client: Client) -> None:
    response = operator_client.post(
        "/customers/new/",
        form(
            code="C3002",
            **{
                "contact-name": "Marie",
                "address-line1": "1 rue A",
                "address-city": "Lévis",
                "address-postal_code": "123",
            },
        ),
    )
    html = response.content.decode()
    field = html.split('id="id_address-postal_code-field"', 1)[1].split("</div>", 1)[0]
    assert "A postal code in CA looks like A1A 1A1." in field
    assert not Customer.objects.filter(code="C3002").exists()
    assert not Contact.objects.exists()


def test_a_bad_contact_phone_is_shown_on_the_contact(operator_client: Client) -> None:
    html = operator_client.post(
        "/customers/new/", form(code="C3003", **{"contact-name": "Marie", "contact-phone": "12"})
    ).content.decode()
    field = html.split('id="id_contact-phone-field"', 1)[1].split("</div>", 1)[0]
    assert 'class="error"' in field
    assert not Customer.objects.filter(code="C3003").exists()


def test_an_operator_cannot_choose_a_status_that_needs_a_credit_controller(operator_client: Client) -> None:
    html = operator_client.get("/customers/new/").content.decode()
    status_select = html.split('name="status"', 1)[1].split("</select>", 1)[0]
    assert 'value="blocked"' not in status_select and 'value="approved"' not in status_select
    assert 'value="prospect"' in status_select


def test_a_blocked_status_needs_a_reason(controller_client: Client) -> None:
    html = controller_client.post("/customers/new/", form(code="C3004", status="blocked")).content.decode()
    field = html.split('id="id_status_reason-field"', 1)[1].split("</div>", 1)[0]
    assert "A reason is required" in field
    assert not Customer.objects.filter(code="C3004").exists()


def test_the_parent_company_is_chosen_by_its_code(
    operator_client: Client, customer: Customer, make_customer: Callable[..., Customer]
) -> None:
    response = operator_client.post(
        "/customers/new/",
        form(code="C3005", name="Filiale Estrie", parent="c1001", acknowledge_duplicates="1"),
    )
    assert response.status_code == 302
    assert Customer.objects.get(code="C3005").parent == customer
    html = operator_client.post(
        "/customers/new/", form(code="C3006", name="Orpheline", parent="NOPE")
    ).content
    assert "No customer has the code NOPE." in html.decode()
