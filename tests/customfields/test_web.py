"""Custom fields in the web UI: typed inputs on the customer and contact forms, values on the record, columns
and filters of the list, errors beside the field with nothing saved, and the settings pages (admins)."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from carnet.customers.models import Contact, Customer
from carnet.customfields.models import CustomField

from .conftest import TYPES

pytestmark = pytest.mark.django_db

NEW_CUSTOMER = {
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


def edit_post(customer: Customer, **changes: str) -> dict[str, Any]:
    """The edit form as the browser sends it back unchanged, with `changes` (custom_fields.<key>: text)."""
    return {
        "name": customer.name,
        "code": customer.code,
        "language": customer.language,
        "currency": customer.currency,
        "categories": customer.categories,
        "payment_terms_days": customer.payment_terms_days,
        "invoice_delivery": customer.invoice_delivery,
        "invoice_copies": customer.invoice_copies,
        "payment_advice": customer.payment_advice,
        "default_invoice_state": customer.default_invoice_state,
        "shipper_identification": customer.shipper_identification,
        "created_at": customer.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "version": customer.version,
        **changes,
    }


@pytest.mark.parametrize(("kind", "typed", "stored", "_api"), TYPES)
def test_each_type_round_trips_through_the_forms(
    controller_client: Client,
    one_of_each: dict[str, CustomField],
    kind: str,
    typed: str,
    stored: Any,
    _api: Any,
) -> None:
    name = f"custom_fields.f_{kind}"
    form = controller_client.get("/customers/new/").content.decode()

    created = controller_client.post("/customers/new/", {**NEW_CUSTOMER, name: typed})
    customer = Customer.objects.get()
    detail = controller_client.get(f"/customers/{customer.pk}/").content.decode()
    edit_form = controller_client.get(f"/customers/{customer.pk}/edit/").content.decode()
    controller_client.post(f"/customers/{customer.pk}/edit/", edit_post(customer, **{name: ""}))

    assert f'name="{name}"' in form
    assert created.status_code == 302, created.content.decode()[:2000]
    assert customer.custom_fields == {f"f_{kind}": stored}
    assert "Additional fields" in detail and one_of_each[kind].label() in detail
    # The edit form shows the value as it reads back.
    shown = "yes" if kind == "boolean" else str(stored)
    if kind in ("boolean", "choice"):
        assert f'<option value="{shown}" selected>' in edit_form
    else:
        assert re.search(rf'name="{re.escape(name)}"[^>]*value="{re.escape(shown)}"', edit_form)
    customer.refresh_from_db()
    assert customer.custom_fields == {}


def test_inputs_are_typed_with_labels_and_help(
    controller_client: Client, define: Callable[..., CustomField]
) -> None:
    define("audited_on", "date", label_en="Audited on", help_en="The last audit.")
    define("employees", "number", required=True)
    define("segment")

    html = controller_client.get("/customers/new/").content.decode()

    assert re.search(r'type="date" name="custom_fields.audited_on"', html)
    assert re.search(r'type="number" name="custom_fields.employees"[^>]*required', html)
    assert '<option value="grand_compte">Key account</option>' in html
    assert "The last audit." in html


def test_a_bad_value_is_shown_beside_its_field_and_nothing_is_saved(
    controller_client: Client, define: Callable[..., CustomField]
) -> None:
    define("employees", "number", required=True)
    define("segment")

    response = controller_client.post(
        "/customers/new/",
        {
            **NEW_CUSTOMER,
            "custom_fields.employees": "douze",
            "custom_fields.segment": "Multinationale",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    field = html[html.index('id="id_custom_fields.employees-field"') :]
    assert "A whole number is expected" in field[: field.index("</div>")]
    assert "Multinationale is not an option" in html
    assert not Customer.objects.exists()


def test_a_missing_required_value_is_refused_on_edit(
    controller_client: Client, define: Callable[..., CustomField], make_customer: Callable[..., Customer]
) -> None:
    define("region", "text", required=True, default="Estrie")
    customer = make_customer(code="C1001")

    response = controller_client.post(
        f"/customers/{customer.pk}/edit/",
        edit_post(customer, name="Autre nom", **{"custom_fields.region": ""}),
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    customer.refresh_from_db()
    assert (customer.name, customer.custom_fields) == ("Transports Laurentides inc.", {"region": "Estrie"})


def test_contact_fields_on_the_contact_form(
    controller_client: Client, define: Callable[..., CustomField], make_customer: Callable[..., Customer]
) -> None:
    define("badge", "number", target="contact", label_en="Badge")
    customer = make_customer()

    form = controller_client.get(f"/customers/{customer.pk}/contacts/new/").content.decode()
    controller_client.post(
        f"/customers/{customer.pk}/contacts/new/",
        {"name": "Marie Tremblay", "active": "on", "custom_fields.badge": "7"},
    )
    tab = controller_client.get(f"/customers/{customer.pk}/?tab=contacts").content.decode()

    assert 'name="custom_fields.badge"' in form
    assert Contact.objects.get().custom_fields == {"badge": 7}
    assert "Badge: 7" in tab


def test_a_link_value_is_a_link_and_other_values_stay_text(
    controller_client: Client, define: Callable[..., CustomField], make_customer: Callable[..., Customer]
) -> None:
    define("portal", "link", label_en="Portal", show_in_list=True)
    define("remark", "text", label_en="Remark")
    customer = make_customer(
        code="L1", custom_fields={"portal": "https://example.com/a?b=1&c=2", "remark": "<b>bold</b>"}
    )

    page = controller_client.get(f"/customers/{customer.pk}/?tab=overview").content.decode()
    listing = controller_client.get("/customers/").content.decode()

    link = '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer" target="_blank">'
    assert link in page
    assert link in listing
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page


class TestList:
    @pytest.fixture
    def book(self, define: Callable[..., CustomField], make_customer: Callable[..., Customer]) -> None:
        define("segment", filterable=True, show_in_list=True, label_en="Segment")
        define("employees", "number", filterable=True)
        make_customer("Alpha inc.", code="A1", custom_fields={"segment": "PME", "employees": 12})
        make_customer("Beta ltée", code="B1", custom_fields={"segment": "grand_compte", "employees": 800})
        make_customer("Gamma inc.", code="G1", custom_fields={"employees": 40})

    def codes(self, client: Client, query: str) -> list[str]:
        html = client.get(f"/customers/?{query}").content.decode()
        return re.findall(r'<td class="code"><a [^>]*>([^<]+)</a>', html)

    def test_columns_and_filters(self, controller_client: Client, book: None) -> None:
        html = controller_client.get("/customers/").content.decode()

        assert '<th class="custom-column">Segment</th>' in html
        assert '<td class="custom-column">Key account</td>' in html
        assert 'name="cf_segment"' in html and 'name="cf_employees__gte"' in html
        assert self.codes(controller_client, "cf_segment=PME") == ["A1"]
        assert self.codes(controller_client, "cf_employees__gte=20") == ["B1", "G1"]
        assert self.codes(controller_client, "cf_employees__gte=20&cf_employees__lte=100") == ["G1"]

    def test_a_shared_url_with_a_bad_filter_still_lists(self, controller_client: Client, book: None) -> None:
        assert self.codes(controller_client, "cf_segment=Inconnu&cf_nothing=1") == ["A1", "B1", "G1"]

    def test_the_export_follows_the_filter(self, controller_client: Client, book: None) -> None:
        body = b"".join(
            controller_client.get("/customers/export.csv?cf_segment=PME").streaming_content
        ).decode()

        assert "A1" in body and "B1" not in body


class TestSettings:
    def test_only_admins_reach_them(
        self, controller_client: Client, define: Callable[..., CustomField]
    ) -> None:
        define("segment")
        for url in (
            "/settings/custom-fields/",
            "/settings/custom-fields/new/",
            "/settings/custom-fields/customer/segment/",
        ):
            assert controller_client.get(url).status_code == 403
        assert controller_client.post("/settings/custom-fields/customer/segment/delete/").status_code == 403
        assert CustomField.objects.count() == 1

    def test_define_a_choice_field(self, admin_client: Client) -> None:
        response = admin_client.post(
            "/settings/custom-fields/new/",
            {
                "target": "customer",
                "key": "segment",
                "label_fr": "Segment",
                "type": "choice",
                "options": "PME\ngrand_compte | Grand compte | Key account",
                "show_in_list": "on",
                "filterable": "on",
                "active": "on",
            },
        )
        listing = admin_client.get("/settings/custom-fields/").content.decode()

        assert response.status_code == 302
        field = CustomField.objects.get()
        assert (field.label_en, field.show_in_list, field.filterable) == ("Segment", True, True)
        assert field.options[1] == {
            "value": "grand_compte",
            "label_fr": "Grand compte",
            "label_en": "Key account",
        }
        assert '<td class="code">segment</td>' in listing

    def test_a_bad_definition_shows_its_errors(self, admin_client: Client) -> None:
        response = admin_client.post(
            "/settings/custom-fields/new/", {"target": "customer", "key": "Mon champ", "type": "choice"}
        )

        html = response.content.decode()
        assert response.status_code == 200
        assert "A key holds lower-case letters" in html and "A choice field needs at least one option" in html
        assert not CustomField.objects.exists()

    def test_a_type_change_or_deletion_is_refused_with_the_count(
        self, admin_client: Client, define: Callable[..., CustomField], make_customer: Callable[..., Customer]
    ) -> None:
        define("segment")
        for name in ("Alpha inc.", "Beta ltée", "Gamma inc."):
            make_customer(name, custom_fields={"segment": "PME"})
        edit = admin_client.get("/settings/custom-fields/customer/segment/").content.decode()
        version = re.search(r'name="version" value="(\d+)"', edit)
        assert version is not None

        changed = admin_client.post(
            "/settings/custom-fields/customer/segment/",
            {
                "label_en": "Segment",
                "label_fr": "Segment",
                "type": "text",
                "active": "on",
                "version": version[1],
            },
        )
        deleted = admin_client.post("/settings/custom-fields/customer/segment/delete/", follow=True)
        deactivated = admin_client.post(
            "/settings/custom-fields/customer/segment/active/", {"active": "0"}, follow=True
        )

        assert "3 customers hold a value" in changed.content.decode()
        assert "3 customers hold a value" in deleted.content.decode()
        assert "deactivated" in deactivated.content.decode()
        field = CustomField.objects.get()
        assert (field.type, field.active) == ("choice", False)
        assert Customer.objects.filter(custom_fields__has_key="segment").count() == 3

    def test_the_refusal_in_french(
        self, admin_client: Client, define: Callable[..., CustomField], make_customer: Callable[..., Customer]
    ) -> None:
        define("segment")
        make_customer(custom_fields={"segment": "PME"})

        response = admin_client.post(
            "/settings/custom-fields/customer/segment/delete/", follow=True, HTTP_ACCEPT_LANGUAGE="fr"
        )

        assert "1 client possède une valeur" in response.content.decode()
