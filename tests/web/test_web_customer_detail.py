"""The customer page: tabs, memo, edit with versions, status, delete or close, addresses, contacts, notes."""

from typing import Any

from django.test import Client

from carnet.customers import services
from carnet.customers.models import Address, Contact, Customer, Note

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "tab-panel"}


def edit_form(customer: Customer, **changes: Any) -> dict[str, Any]:
    """The edit form as the page fills it for this customer, with some values changed."""
    values: dict[str, Any] = {
        "code": customer.code,
        "name": customer.name,
        "categories": customer.categories,
        "language": customer.language,
        "currency": customer.currency,
        "payment_terms_days": customer.payment_terms_days,
        "invoice_delivery": customer.invoice_delivery,
        "invoice_copies": customer.invoice_copies,
        "payment_advice": customer.payment_advice,
        "default_invoice_state": customer.default_invoice_state,
        "shipper_identification": customer.shipper_identification,
        "email": customer.email,
        "created_at": customer.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "version": customer.version,
    }
    return {**values, **changes}


def test_the_page_shows_code_name_status_and_the_memo_first(
    operator_client: Client, customer: Customer
) -> None:
    services.add_note(actor=None, customer_id=customer.pk, data={"text": "Pays on the 15th.", "pinned": True})
    services.add_note(actor=None, customer_id=customer.pk, data={"text": "Not in the memo.", "pinned": False})
    html = operator_client.get(f"/customers/{customer.pk}/").content.decode()
    assert "C1001" in html and "Transports Laurentides inc." in html and "status-approved" in html
    memo = html.split('id="memo"', 1)[1].split("</div>", 1)[0]
    assert "Pays on the 15th." in memo and "Not in the memo." not in memo
    for tab in ("Overview", "Addresses", "Contacts", "Notes", "Billing &amp; payment"):
        assert tab in html


def test_a_tab_comes_alone_for_htmx_with_the_tab_bar_refreshed(
    operator_client: Client, customer: Customer
) -> None:
    response = operator_client.get(f"/customers/{customer.pk}/?tab=contacts", **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert "Marie Tremblay" in html
    assert 'id="tabs" role="tablist" hx-swap-oob="true"' in html


def test_the_detail_takes_a_fixed_number_of_queries(
    operator_client: Client, customer: Customer, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(13):  # 12, and the count of overdue tasks in the top bar
        operator_client.get(f"/customers/{customer.pk}/")


def test_editing_saves_and_returns_to_the_customer(operator_client: Client, customer: Customer) -> None:
    response = operator_client.post(f"/customers/{customer.pk}/edit/", edit_form(customer, name="TL inc."))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "TL inc."
    assert customer.version == 4  # created, address and contact added, then this change


def test_a_stale_version_saves_nothing_and_says_so(operator_client: Client, customer: Customer) -> None:
    stale = edit_form(customer, name="Mine")
    services.update_customer(actor=None, customer_id=customer.pk, changes={"name": "Theirs"})
    html = operator_client.post(f"/customers/{customer.pk}/edit/", stale).content.decode()
    assert "Someone else changed this customer" in html
    assert "Reload it" in html
    customer.refresh_from_db()
    assert customer.name == "Theirs"


def test_the_code_field_is_disabled_without_the_code_permission(
    operator_client: Client, customer: Customer
) -> None:
    html = operator_client.get(f"/customers/{customer.pk}/edit/").content.decode()
    code_input = html.split('name="code"', 1)[1].split(">", 1)[0]
    assert "disabled" in code_input
    operator_client.post(f"/customers/{customer.pk}/edit/", edit_form(customer, code="HACKED"))
    customer.refresh_from_db()
    assert customer.code == "C1001"


def test_a_credit_controller_changes_the_code(controller_client: Client, customer: Customer) -> None:
    response = controller_client.post(f"/customers/{customer.pk}/edit/", edit_form(customer, code="tl-01"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.code == "TL-01"


def test_an_edit_error_is_shown_beside_its_field(operator_client: Client, customer: Customer) -> None:
    html = operator_client.post(
        f"/customers/{customer.pk}/edit/", edit_form(customer, iban="FR00 1234")
    ).content.decode()
    field = html.split('id="id_iban-field"', 1)[1].split("</div>", 1)[0]
    assert "IBAN" in field and 'class="error"' in field


def test_changing_the_status_needs_a_reason(controller_client: Client, customer: Customer) -> None:
    url = f"/customers/{customer.pk}/status/"
    html = controller_client.post(url, {"status": "blocked", "reason": ""}).content.decode()
    assert "A reason is required" in html.split('id="id_reason-field"', 1)[1].split("</div>", 1)[0]
    response = controller_client.post(url, {"status": "blocked", "reason": "3 invoices over 60 days"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.status, customer.status_reason) == ("blocked", "3 invoices over 60 days")


def test_an_operator_may_not_change_the_status(operator_client: Client, customer: Customer) -> None:
    assert b"Change status" not in operator_client.get(f"/customers/{customer.pk}/").content
    assert (
        operator_client.post(
            f"/customers/{customer.pk}/status/", {"status": "blocked", "reason": "x"}
        ).status_code
        == 403
    )


def test_an_unused_customer_is_deleted(controller_client: Client, customer: Customer) -> None:
    assert b"cannot be undone" in controller_client.get(f"/customers/{customer.pk}/delete/").content
    response = controller_client.post(f"/customers/{customer.pk}/delete/")
    assert response.status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_a_used_customer_is_not_deleted_and_can_be_closed_instead(
    controller_client: Client, customer: Customer, used_customers: set[int]
) -> None:
    used_customers.add(customer.pk)
    html = controller_client.post(f"/customers/{customer.pk}/delete/").content.decode()
    assert "It has 2 invoices." in html
    assert "Close instead" in html
    assert Customer.objects.filter(pk=customer.pk).exists()
    response = controller_client.post(f"/customers/{customer.pk}/close/", {"reason": "Ceased trading"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.status, customer.status_reason) == ("closed", "Ceased trading")


# --- addresses -------------------------------------------------------------------------------------


ADDRESS = {
    "line1": "3 rue de la République",
    "city": "Lyon",
    "country": "FR",
    "province": "",
    "postal_code": "69002",
    "billing": "on",
    "delivery": "on",
}


def test_the_new_address_form_defaults_to_the_book_country_and_province(
    operator_client: Client, customer: Customer
) -> None:
    html = operator_client.get(f"/customers/{customer.pk}/addresses/new/", **HTMX).content.decode()
    assert '<option value="CA" selected>' in html
    assert '<option value="QC" selected>' in html


def test_the_country_reloads_the_province_choices(operator_client: Client) -> None:
    html = operator_client.get(
        "/customers/provinces/", {"prefix": "address", "address-country": "US"}
    ).content.decode()
    assert 'name="address-province"' in html and 'value="VT"' in html and 'value="QC"' not in html


def test_adding_an_address_inline_refreshes_the_tab(operator_client: Client, customer: Customer) -> None:
    response = operator_client.post(f"/customers/{customer.pk}/addresses/new/", ADDRESS, **HTMX)
    html = response.content.decode()
    assert "Address added." in html and "Lyon" in html
    assert customer.addresses.count() == 2


def test_an_address_error_is_shown_beside_its_field(operator_client: Client, customer: Customer) -> None:
    html = operator_client.post(
        f"/customers/{customer.pk}/addresses/new/", {**ADDRESS, "postal_code": "6900"}, **HTMX
    ).content.decode()
    assert "A postal code in FR looks like 75001." in html.split('id="id_postal_code-field"', 1)[1]
    assert customer.addresses.count() == 1


def test_an_address_is_made_main(operator_client: Client, customer: Customer) -> None:
    second = services.add_address(
        actor=None, customer_id=customer.pk, data={**ADDRESS, "billing": True, "delivery": True}
    )
    operator_client.post(f"/customers/addresses/{second.pk}/main/", **HTMX)
    assert customer.addresses.get(main=True) == second


def test_an_unused_address_is_deleted_a_used_one_made_inactive(
    operator_client: Client, customer: Customer, used_addresses: set[int]
) -> None:
    first = customer.addresses.get()
    second = services.add_address(
        actor=None, customer_id=customer.pk, data={**ADDRESS, "billing": True, "delivery": True}
    )
    used_addresses.add(second.pk)
    html = operator_client.post(f"/customers/addresses/{second.pk}/remove/", **HTMX).content.decode()
    assert "made inactive instead of deleted" in html
    second.refresh_from_db()
    assert second.active is False
    html = operator_client.post(f"/customers/addresses/{first.pk}/remove/", **HTMX).content.decode()
    assert "Address deleted." in html
    assert not Address.objects.filter(pk=first.pk).exists()


def test_editing_an_address_without_htmx_goes_back_to_the_tab(
    operator_client: Client, customer: Customer
) -> None:
    address = customer.addresses.get()
    response = operator_client.post(
        f"/customers/addresses/{address.pk}/edit/",
        {
            "line1": "200 rue King",
            "city": "Sherbrooke",
            "country": "CA",
            "province": "QC",
            "postal_code": "J1H 1A1",
            "billing": "on",
            "delivery": "on",
            "version": address.version,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/?tab=addresses"
    address.refresh_from_db()
    assert address.line1 == "200 rue King"


# --- contacts --------------------------------------------------------------------------------------


def test_adding_a_contact_and_turning_it_off_and_on(operator_client: Client, customer: Customer) -> None:
    html = operator_client.post(
        f"/customers/{customer.pk}/contacts/new/",
        {
            "name": "Luc Gagnon",
            "email": "luc@example.ca",
            "phone": "+1 819 555 0199",
            "invoice_copy": "on",
            "active": "on",
        },
        **HTMX,
    ).content.decode()
    assert "Contact added." in html and "Invoice copy" in html
    contact = Contact.objects.get(name="Luc Gagnon")
    operator_client.post(f"/customers/contacts/{contact.pk}/active/", **HTMX)
    contact.refresh_from_db()
    assert contact.active is False
    operator_client.post(f"/customers/contacts/{contact.pk}/active/", **HTMX)
    contact.refresh_from_db()
    assert contact.active is True


def test_the_default_contact_can_be_turned_off(operator_client: Client, customer: Customer) -> None:
    contact = customer.contacts.get()
    html = operator_client.post(f"/customers/contacts/{contact.pk}/active/", **HTMX).content.decode()
    assert "is now inactive" in html
    contact.refresh_from_db()
    assert (contact.active, contact.is_default) == (False, False)


def test_a_used_contact_is_made_inactive_not_deleted(
    operator_client: Client, customer: Customer, used_contacts: set[int]
) -> None:
    contact = customer.contacts.get()
    used_contacts.add(contact.pk)
    html = operator_client.post(f"/customers/contacts/{contact.pk}/remove/", **HTMX).content.decode()
    assert "made inactive instead of deleted" in html
    assert Contact.objects.filter(pk=contact.pk, active=False).exists()


# --- notes -----------------------------------------------------------------------------------------


def test_a_pinned_note_joins_the_memo_and_leaves_it_when_unpinned(
    operator_client: Client, customer: Customer
) -> None:
    html = operator_client.post(
        f"/customers/{customer.pk}/notes/new/",
        {"category": "general", "text": "Call before delivering.", "pinned": "on"},
        **HTMX,
    ).content.decode()
    memo = html.split('id="memo"', 1)[1].split("</div>", 1)[0]
    assert "hx-swap-oob" in memo and "Call before delivering." in memo
    note = Note.objects.get(customer=customer)
    html = operator_client.post(f"/customers/notes/{note.pk}/pin/", **HTMX).content.decode()
    assert "Call before delivering." not in html.split('id="memo"', 1)[1].split("</div>", 1)[0]
    operator_client.post(f"/customers/notes/{note.pk}/delete/", **HTMX)
    assert not Note.objects.filter(pk=note.pk).exists()


def test_an_empty_note_is_refused_beside_the_text(operator_client: Client, customer: Customer) -> None:
    html = operator_client.post(
        f"/customers/{customer.pk}/notes/new/", {"category": "general", "text": ""}, **HTMX
    ).content.decode()
    assert 'class="error"' in html.split('id="id_text-field"', 1)[1].split("</div>", 1)[0]
