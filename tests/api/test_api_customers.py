"""Customers end to end: create, read, update, delete, and the JSON shape of the contract."""

from datetime import datetime
from typing import Any

from carnet.customers.models import Customer
from carnet.customers.schemas import CustomerWrite
from carnet.customers.services import CATEGORY_FLAGS, CUSTOMER_FIELDS

CONTRACT_BODY = {
    "code": "C1001",
    "name": "Transports Laurentides inc.",
    "status": "approved",
    "payment_terms_days": 30,
    "external_code": "EST",
    "acknowledge_duplicates": False,
}


def test_the_body_of_the_contract_creates_a_customer(api: Any) -> None:
    response = api.post("customers", CONTRACT_BODY)

    assert response.status_code == 201, response.content
    body = response.json()
    customer = Customer.objects.get(code="C1001")
    assert body["id"] == str(customer.pk)
    assert body["name"] == "Transports Laurentides inc."
    assert body["status"] == "approved"
    assert body["external_code"] == "EST"
    assert body["payment_terms_days"] == 30
    assert body["categories"] == ["customer"]
    assert body["version"] == 1
    assert response["ETag"] == '"1"'
    assert response["Location"].endswith(f"/api/v1/customers/{customer.pk}")


def test_a_customer_answers_every_field_of_the_contract(api: Any, customer: Customer) -> None:
    response = api.get(f"customers/{customer.pk}")

    assert response.status_code == 200
    body = response.json()
    for field in (
        "id",
        "code",
        "name",
        "status",
        "status_reason",
        "categories",
        "external_code",
        "payment_terms_days",
        "currency",
        "version",
        "created_at",
        "updated_at",
        "memo",
        "main_address",
    ):
        assert field in body, field
    assert isinstance(body["id"], str)
    assert body["currency"] == "CAD"
    assert response["ETag"] == f'"{customer.version}"'


def test_times_carry_their_time_zone_and_money_has_two_places(api: Any, make_customer: Any) -> None:
    customer = make_customer("Béton Mauricie", max_order_amount="1250")

    body = api.get(f"customers/{customer.pk}").json()

    assert body["max_order_amount"] == "1250.00"
    assert datetime.fromisoformat(body["created_at"].replace("Z", "+00:00")).tzinfo is not None
    assert datetime.fromisoformat(body["updated_at"].replace("Z", "+00:00")).tzinfo is not None


def test_every_field_group_of_the_record_can_be_written_and_read_back(
    api: Any, make_customer: Any, operator: Any
) -> None:
    parent = make_customer("Groupe Laurentides")
    body = {
        "name": "Transports Laurentides inc.",
        "legal_name": "9123-4567 Québec inc.",
        "parent": parent.pk,  # a number is understood as well as a string
        "categories": ["customer", "partner"],
        "key_account": True,
        "intercompany": True,
        "nurturing": True,
        "assigned_to": "operator",
        "team": "Est",
        "language": "en",
        "currency": "usd",
        "website": "https://laurentides.example",
        "email": "Compta@Laurentides.example",
        "phone": "819 555 0100",
        "gst_number": "123456782 RT0001",
        "qst_number": "1234567890 TQ0001",
        "siren": "732829320",
        "neq": "1123456789",
        "status": "warning",
        "status_reason": "Two invoices over 60 days",
        "payment_method_in": "cheque",
        "payment_method_out": "transfer",
        "invoice_delivery": "both",
        "invoice_copies": 2,
        "payment_advice": "none",
        "no_statements": True,
        "bill_to": str(parent.pk),
        "bank_name": "Desjardins",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "bic": "deutdeff",
        "bank_institution": "815",
        "bank_transit": "30000",
        "bank_account": "1234567",
        "tax_code": "QC",
        "exempt_school": True,
        "default_gl_account": "4000",
        "default_invoice_state": "draft",
        "show_holdback": True,
        "shipper_identification": "customer",
        "order_label": "Quai 3",
        "order_comment": "Appeler avant",
        "edi_type": "X12",
        "edi_reference": "LAUR01",
        "max_order_amount": "5000.5",
        "acknowledge_duplicates": True,
    }

    response = api.post("customers", body)

    assert response.status_code == 201, response.content
    created = api.get(f"customers/{response.json()['id']}").json()
    assert created["parent"] == str(parent.pk)
    assert created["bill_to"] == str(parent.pk)
    assert created["categories"] == ["customer", "partner"]
    assert created["assigned_to"] == "operator"
    assert created["currency"] == "USD"
    assert created["email"] == "compta@laurentides.example"
    assert created["phone"].startswith("+1 819")
    assert created["iban"] == "FR7630006000011234567890189"
    assert created["bic"] == "DEUTDEFF"
    assert created["status_reason"] == "Two invoices over 60 days"
    assert created["exempt_school"] is True and created["exempt_city"] is False
    assert created["max_order_amount"] == "5000.50"
    assert created["code"]  # generated from the book's prefix and sequence


def test_the_write_schema_covers_every_editable_field_of_the_model() -> None:
    expected = (CUSTOMER_FIELDS - set(CATEGORY_FLAGS.values())) | {"categories"}

    assert set(CustomerWrite.model_fields) == expected


def test_a_blank_code_is_generated(api: Any) -> None:
    response = api.post("customers", {"name": "Quincaillerie Côté", "code": ""})

    assert response.status_code == 201
    assert response.json()["code"].startswith("C")


def test_the_status_defaults_to_the_company_setting(api: Any, main_company: Any) -> None:
    main_company.new_customer_status = "approved"
    main_company.save()

    response = api.post("customers", {"name": "Quincaillerie Côté", "company": "MAIN"})

    assert response.status_code == 201
    assert response.json()["status"] == "approved"


def test_an_unknown_company_is_an_error_on_the_company_field(api: Any, assert_problem: Any) -> None:
    response = api.post("customers", {"name": "Quincaillerie Côté", "company": "NOPE"})

    assert_problem(response, 422, "company")
    assert not Customer.objects.exists()


def test_patch_changes_only_the_fields_sent_and_bumps_the_version(api: Any, customer: Customer) -> None:
    response = api.patch(
        f"customers/{customer.pk}", {"name": "Transports Laurentides ltée", "key_account": True}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Transports Laurentides ltée"
    assert body["key_account"] is True
    assert body["status"] == "approved"
    assert body["version"] == customer.version + 1
    assert response["ETag"] == f'"{customer.version + 1}"'


def test_patch_of_an_unknown_customer_is_404(api: Any, assert_problem: Any) -> None:
    assert_problem(api.patch("customers/999999", {"name": "X"}), 404)
    assert_problem(api.get("customers/999999"), 404)
    assert_problem(api.get("customers/not-a-number"), 404)


def test_null_text_fields_are_cleared(api: Any, make_customer: Any) -> None:
    customer = make_customer("Béton Mauricie", team="Est")

    response = api.patch(f"customers/{customer.pk}", {"team": None})

    assert response.status_code == 200
    assert response.json()["team"] == ""


def test_null_is_refused_where_the_record_has_no_empty_value(
    api: Any, customer: Customer, assert_problem: Any
) -> None:
    assert_problem(api.patch(f"customers/{customer.pk}", {"key_account": None}), 422, "key_account")


def test_delete_of_an_unused_customer_answers_204(api: Any, customer: Customer) -> None:
    response = api.delete(f"customers/{customer.pk}")

    assert response.status_code == 204
    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_delete_of_a_used_customer_says_why_and_offers_to_close(
    api: Any, customer: Customer, used_customers: set[int], assert_problem: Any
) -> None:
    used_customers.add(customer.pk)

    body = assert_problem(api.delete(f"customers/{customer.pk}"), 409)

    assert body["reasons"] == ["It has 2 open orders."]
    assert body["suggestion"] == "close"
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_parent_company_is_used(api: Any, make_customer: Any, assert_problem: Any) -> None:
    parent = make_customer("Groupe Laurentides")
    make_customer("Transports Laurentides", parent=parent)

    body = assert_problem(api.delete(f"customers/{parent.pk}"), 409)

    assert any("parent company" in reason for reason in body["reasons"])


def test_the_memo_and_main_address_travel_with_the_customer(api: Any, customer: Customer) -> None:
    api.post(f"customers/{customer.pk}/notes", {"text": "Paie toujours le 15.", "pinned": True})
    api.post(f"customers/{customer.pk}/notes", {"text": "Not in the memo."})
    api.post(
        f"customers/{customer.pk}/addresses",
        {
            "line1": "100 rue Principale",
            "city": "Sherbrooke",
            "province": "QC",
            "postal_code": "J1H1A1",
            "country": "CA",
        },
    )

    body = api.get(f"customers/{customer.pk}").json()

    assert body["memo"] == ["Paie toujours le 15."]
    assert body["main_address"]["city"] == "Sherbrooke"
    assert body["main_address"]["postal_code"] == "J1H 1A1"


def test_the_detail_runs_a_fixed_number_of_queries(
    api: Any, customer: Customer, operator: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(5):
        api.post(f"customers/{customer.pk}/notes", {"text": f"Memo {i}", "pinned": True})
        api.post(
            f"customers/{customer.pk}/addresses",
            {"line1": f"{i} rue King", "city": "Sherbrooke", "province": "QC", "postal_code": "J1H 1A1"},
        )
    api.patch(f"customers/{customer.pk}", {"assigned_to": "operator"})

    with django_assert_max_num_queries(6):
        body = api.get(f"customers/{customer.pk}").json()

    assert len(body["memo"]) == 5
    assert body["main_address"]["line1"] == "0 rue King"  # the first address stays the main one
