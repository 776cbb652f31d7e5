"""The customer record's rules, through the services every entry point calls."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import AddressFactory, CustomerFactory

from carnet.accounts.models import Company, User
from carnet.customers import services
from carnet.customers.models import Customer
from carnet.errors import CodeTaken, InUse, StaleVersion

pytestmark = pytest.mark.django_db

CATEGORY_MESSAGE = "This customer has orders or invoices, so the Customer category cannot be removed."


def create(actor: User | None = None, **data: Any) -> Customer:
    data.setdefault("name", "Quincaillerie Côté")
    return services.create_customer(actor=actor, data=data, acknowledge_duplicates=True)


def update(customer: Customer, actor: User | None = None, **changes: Any) -> Customer:
    return services.update_customer(actor=actor, customer_id=customer.pk, changes=changes)


def field_errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- creation --------------------------------------------------------------------------------------


def test_a_new_customer_starts_as_a_prospect_in_the_customer_category() -> None:
    customer = create()

    assert customer.status == "prospect"
    assert customer.categories == ["customer"]
    assert customer.version == 1


def test_a_new_customer_starts_approved_when_the_company_says_so(main_company: Company) -> None:
    main_company.new_customer_status = "approved"
    main_company.save()

    assert create().status == "approved"


def test_the_creator_is_assigned_unless_someone_else_is_named(operator: User, controller: User) -> None:
    assert create(operator).assigned_to == operator
    assert create(operator, name="Autre", assigned_to=controller).assigned_to == controller


def test_a_refused_customer_saves_nothing(counts: Any) -> None:
    before = counts()

    with pytest.raises(ValidationError) as exc:
        create(name="", siren="732829321", phone="123", email="not-an-email", currency="XYZ")

    assert set(field_errors(exc)) >= {"name", "siren", "phone", "email", "currency"}
    assert counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gst_number", "123456783RT0001"),
        ("siren", "732829321"),
        ("siret", "73282932000075"),
        ("vat_number", "FR40303265046"),
        ("iban", "FR7630006000011234567890188"),
        ("bic", "DEUT12FF"),
        ("qst_number", "123456789TQ0001"),
        ("neq", "4412345678"),
        ("ein", "07-3456789"),
        ("phone", "+1 514 000 0000"),
        ("bank_phone", "555"),
        ("website", "ftp://laurentides.example"),
        ("email", "compta@"),
        ("payment_terms_days", 366),
        ("invoice_copies", 21),
        ("max_order_amount", Decimal("-1")),
        ("max_order_amount", Decimal("10.005")),
        ("language", "de"),
        ("status", "sleeping"),
        ("payment_method_in", "barter"),
    ],
)
def test_an_invalid_field_is_refused_by_name_and_nothing_is_saved(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        create(**{field: value})

    assert field in field_errors(exc)
    assert Customer.objects.count() == 0


def test_business_numbers_are_stored_compact_and_upper_case() -> None:
    customer = create(
        gst_number="123456782 rt0001",
        qst_number="1234567890 tq 0001",
        iban="fr76 3000 6000 0112 3456 7890 189",
        bic="deutdeff",
        siren="732 829 320",
    )

    assert customer.gst_number == "123456782RT0001"
    assert customer.qst_number == "1234567890TQ0001"
    assert customer.iban == "FR7630006000011234567890189"
    assert customer.bic == "DEUTDEFF"
    assert customer.siren == "732829320"


def test_phones_emails_and_websites_are_stored_normalised() -> None:
    customer = create(
        phone="819 555 0100", email=" Compta@Laurentides.Example ", website="laurentides.example"
    )

    assert customer.phone == "+1 819-555-0100"
    assert customer.email == "compta@laurentides.example"
    assert customer.website == "https://laurentides.example"


def test_money_is_a_decimal_with_two_places() -> None:
    customer = create(max_order_amount="5000.5")
    customer.refresh_from_db()

    assert customer.max_order_amount == Decimal("5000.50")


@pytest.mark.parametrize("days", [0, 365])
def test_payment_terms_run_from_0_to_365_days(days: int) -> None:
    assert create(payment_terms_days=days).payment_terms_days == days


def test_a_canadian_bank_account_needs_institution_transit_and_account() -> None:
    with pytest.raises(ValidationError) as exc:
        create(bank_institution="815", bank_account="1234567")

    assert set(field_errors(exc)) == {"bank_transit"}
    assert (
        create(bank_institution="815", bank_transit="30000", bank_account="1234567").bank_transit == "30000"
    )


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        create(colour="blue")

    assert "colour" in field_errors(exc)


# --- status and reason -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["warning", "blocked", "closed"])
def test_a_reason_is_required_for_warning_blocked_and_closed(status: str) -> None:
    with pytest.raises(ValidationError) as exc:
        create(status=status, status_reason="  ")

    assert "status_reason" in field_errors(exc)
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("status", ["prospect", "not_approved", "approved"])
def test_no_reason_is_needed_for_the_other_statuses(status: str) -> None:
    assert create(status=status).status == status


def test_set_status_records_the_reason_and_the_time() -> None:
    customer = create(status="approved")

    blocked = services.set_status(
        actor=None, customer_id=customer.pk, status="blocked", reason="3 invoices > 60 d"
    )

    assert (blocked.status, blocked.status_reason) == ("blocked", "3 invoices > 60 d")
    assert blocked.status_changed_at is not None and customer.status_changed_at is not None
    assert blocked.status_changed_at >= customer.status_changed_at
    assert blocked.status_display_with_reason() == "Blocked: 3 invoices > 60 d"


def test_a_new_status_without_a_reason_drops_the_old_reason() -> None:
    customer = create(status="blocked", status_reason="3 invoices over 60 days")

    released = update(customer, status="approved")

    assert released.status_reason == ""


def test_moving_to_another_status_that_needs_a_reason_asks_for_a_new_one() -> None:
    customer = create(status="warning", status_reason="Late payer")

    with pytest.raises(ValidationError) as exc:
        update(customer, status="blocked")

    assert "status_reason" in field_errors(exc)
    customer.refresh_from_db()
    assert (customer.status, customer.status_reason) == ("warning", "Late payer")


def test_an_operator_may_not_change_a_status_or_its_reason(operator: User) -> None:
    customer = create(status="warning", status_reason="Late payer")

    with pytest.raises(PermissionDenied):
        update(customer, operator, status="approved")
    with pytest.raises(PermissionDenied):
        update(customer, operator, status_reason="Pays on time now")

    assert update(customer, operator, team="Est").team == "Est"


def test_a_credit_controller_changes_the_status(controller: User) -> None:
    customer = create(status="approved")

    assert update(customer, controller, status="blocked", status_reason="Unpaid").status == "blocked"


def test_an_operator_may_create_a_prospect_but_not_approve_it_on_creation(operator: User) -> None:
    assert create(operator, status="prospect").status == "prospect"

    with pytest.raises(PermissionDenied):
        create(operator, name="Autre client", status="approved")
    assert Customer.objects.count() == 1


def test_an_operator_creates_approved_customers_when_that_is_the_company_default(
    operator: User, main_company: Company
) -> None:
    main_company.new_customer_status = "approved"
    main_company.save()

    assert create(operator, status="approved").status == "approved"


# --- code ------------------------------------------------------------------------------------------


def test_a_typed_code_is_kept_upper_case() -> None:
    assert create(code=" laur-01 ").code == "LAUR-01"


def test_a_taken_code_answers_with_the_customer_that_has_it() -> None:
    existing = create(code="C1001", name="Transports Laurentides")

    with pytest.raises(CodeTaken) as exc:
        create(code="c1001", name="Tout autre nom")

    assert exc.value.extra["existing"] == {
        "id": str(existing.pk),
        "code": "C1001",
        "name": "Transports Laurentides",
    }
    assert Customer.objects.count() == 1


def test_changing_a_code_needs_its_own_permission(operator: User, controller: User) -> None:
    customer = create(code="C1001")

    with pytest.raises(PermissionDenied):
        update(customer, operator, code="C2002")
    assert update(customer, controller, code="C2002").code == "C2002"


def test_a_code_cannot_be_blanked() -> None:
    customer = create(code="C1001")

    with pytest.raises(ValidationError) as exc:
        update(customer, code="  ")

    assert "code" in field_errors(exc)


def test_a_code_cannot_take_another_customers_code() -> None:
    create(code="C1001")
    other = create(code="C2002", name="Autre")

    with pytest.raises(CodeTaken):
        update(other, code="C1001")

    other.refresh_from_db()
    assert other.code == "C2002"


def test_the_old_code_stays_in_the_history() -> None:
    customer = create(code="C1001")

    update(customer, code="C2002")

    assert list(customer.history.order_by("history_id").values_list("code", flat=True)) == ["C1001", "C2002"]


# --- categories, parent company, bill-to ----------------------------------------------------------


def test_the_customer_category_cannot_be_removed_once_the_customer_has_sales(sales: set[int]) -> None:
    customer = create(categories=["customer", "partner"])
    sales.add(customer.pk)

    with pytest.raises(ValidationError) as exc:
        update(customer, categories=["partner"])

    assert field_errors(exc) == {"categories": [CATEGORY_MESSAGE]}
    customer.refresh_from_db()
    assert customer.categories == ["customer", "partner"]


def test_the_customer_category_can_be_removed_before_any_sale(sales: set[int]) -> None:
    customer = create(categories=["customer", "partner"])

    assert update(customer, categories=["partner"]).categories == ["partner"]


def test_other_categories_can_be_changed_after_sales(sales: set[int]) -> None:
    customer = create()
    sales.add(customer.pk)

    assert update(customer, categories=["customer", "subcontractor"]).categories == [
        "customer",
        "subcontractor",
    ]


def test_a_customer_has_at_least_one_category() -> None:
    with pytest.raises(ValidationError) as exc:
        create(categories=[])

    assert "categories" in field_errors(exc)


def test_an_unknown_category_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        create(categories=["customer", "vip"])

    assert "vip" in field_errors(exc)["categories"][0]


def test_only_a_subcontractor_has_a_subcontractor_status() -> None:
    with pytest.raises(ValidationError) as exc:
        create(subcontractor_status="approved")

    assert "subcontractor_status" in field_errors(exc)
    assert create(categories=["subcontractor"], subcontractor_status="approved").is_subcontractor


def test_a_customer_cannot_be_its_own_parent_company() -> None:
    customer = create()

    with pytest.raises(ValidationError) as exc:
        update(customer, parent=customer)

    assert "parent" in field_errors(exc)


def test_a_parent_company_cannot_make_a_cycle() -> None:
    group = CustomerFactory()
    division = CustomerFactory(parent=group)
    branch = CustomerFactory(parent=division)

    with pytest.raises(ValidationError) as exc:
        update(group, parent=branch)

    assert "cycle" in field_errors(exc)["parent"][0]
    group.refresh_from_db()
    assert group.parent is None


def test_a_parent_company_may_have_a_parent() -> None:
    group = CustomerFactory()
    division = CustomerFactory(parent=group)

    assert create(parent=division).parent == division


def test_a_customer_cannot_be_billed_to_itself() -> None:
    customer = create()

    with pytest.raises(ValidationError) as exc:
        update(customer, bill_to=customer)

    assert "bill_to" in field_errors(exc)


def test_bill_to_does_not_chain() -> None:
    payer = CustomerFactory(code="PAYER")
    billed = CustomerFactory(bill_to=payer)

    with pytest.raises(ValidationError) as exc:
        create(bill_to=billed)
    assert "PAYER" in field_errors(exc)["bill_to"][0]

    with pytest.raises(ValidationError) as exc:
        update(payer, bill_to=CustomerFactory())
    assert "bill_to" in field_errors(exc)


def test_the_billing_address_override_is_one_of_the_customers_billing_addresses() -> None:
    customer = CustomerFactory()
    other = AddressFactory()
    delivery_only = AddressFactory(customer=customer, billing=False)

    with pytest.raises(ValidationError) as exc:
        update(customer, billing_address=other)
    assert "billing_address" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        update(customer, billing_address=delivery_only)
    assert "billing_address" in field_errors(exc)
    assert update(customer, default_delivery_address=delivery_only).default_delivery_address == delivery_only


# --- versions --------------------------------------------------------------------------------------


def test_each_change_raises_the_version() -> None:
    customer = create()

    changed = services.update_customer(
        actor=None, customer_id=customer.pk, changes={"team": "Est"}, expected_version=1
    )

    assert changed.version == 2


def test_a_stale_version_changes_nothing() -> None:
    customer = create(team="Ouest")
    update(customer, team="Est")

    with pytest.raises(StaleVersion) as exc:
        services.update_customer(
            actor=None, customer_id=customer.pk, changes={"team": "Nord"}, expected_version=1
        )

    assert exc.value.extra["current_version"] == 2
    customer.refresh_from_db()
    assert (customer.team, customer.version) == ("Est", 2)


def test_a_refused_change_keeps_the_version() -> None:
    customer = create()

    with pytest.raises(ValidationError):
        update(customer, email="nope")

    customer.refresh_from_db()
    assert customer.version == 1


# --- delete ----------------------------------------------------------------------------------------


def test_an_unused_customer_is_deleted_with_its_parts() -> None:
    customer = CustomerFactory()
    AddressFactory(customer=customer)

    services.delete_customer(actor=None, customer_id=customer.pk)

    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_a_used_customer_is_not_deleted_and_the_answer_offers_to_close_it(used_customers: set[int]) -> None:
    customer = CustomerFactory()
    used_customers.add(customer.pk)

    with pytest.raises(InUse) as exc:
        services.delete_customer(actor=None, customer_id=customer.pk)

    assert exc.value.extra["reasons"] == ["It has 2 open orders."]
    assert exc.value.extra["suggestion"] == "close"
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_customer_whose_address_is_used_is_not_deleted(used_addresses: set[int]) -> None:
    address = AddressFactory()
    used_addresses.add(address.pk)

    with pytest.raises(InUse):
        services.delete_customer(actor=None, customer_id=address.customer_id)


def test_a_parent_company_or_bill_to_customer_is_not_deleted() -> None:
    group = CustomerFactory(code="GROUP")
    CustomerFactory(code="SUB", parent=group, bill_to=group)

    with pytest.raises(InUse) as exc:
        services.delete_customer(actor=None, customer_id=group.pk)

    assert any("SUB" in reason for reason in exc.value.extra["reasons"])


def test_deleting_needs_the_permission(operator: User, controller: User) -> None:
    customer = CustomerFactory()

    with pytest.raises(PermissionDenied):
        services.delete_customer(actor=operator, customer_id=customer.pk)
    services.delete_customer(actor=controller, customer_id=customer.pk)

    assert not Customer.objects.exists()
