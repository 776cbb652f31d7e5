"""`carnet demo`: a realistic, valid and deterministic book, loaded through the services."""

from collections import Counter
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from carnet.accounts.models import User
from carnet.accounts.roles import Role
from carnet.customers import demo, services
from carnet.customers import validators as v
from carnet.customers.choices import STATUSES_NEEDING_REASON, Status
from carnet.customers.models import Address, Contact, Customer, Note

pytestmark = pytest.mark.django_db

NUMBER_CHECKS = {
    "gst_number": v.validate_gst,
    "qst_number": v.validate_qst,
    "neq": v.validate_neq,
    "siren": v.validate_siren,
    "siret": v.validate_siret,
    "vat_number": v.validate_vat,
    "ein": v.validate_ein,
    "iban": v.validate_iban,
    "bic": v.validate_bic,
}


def load(*args: str) -> str:
    err = StringIO()
    call_command("demo", *args, stdout=StringIO(), stderr=err)
    return err.getvalue()


@pytest.fixture(scope="class")
def book(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The full demo book, loaded once for the tests of a class and rolled back after them: each test
    only reads it, and a load takes seconds."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load()
        transaction.set_rollback(True)


def assert_valid(check: Any, value: str, what: str) -> None:
    try:
        check(value)
    except ValidationError as exc:
        pytest.fail(f"{what} {value!r} is invalid: {exc.messages}")


class TestTheDemoBook:
    """The full book, as `carnet demo` loads it."""

    def test_the_book_has_over_200_customers_in_quebec_ontario_france_and_the_us(self, book: str) -> None:
        assert Customer.objects.count() >= 220
        regions = Counter(
            f"{country}-{province}" if country == "CA" else country
            for country, province in Address.objects.filter(main=True).values_list("country", "province")
        )
        assert set(regions) == {"CA-QC", "CA-ON", "FR", "US"}
        assert all(count >= 30 for count in regions.values()), regions
        assert not Customer.objects.filter(addresses__isnull=True).exists(), "every customer has an address"
        assert not Customer.objects.filter(contacts__isnull=True).exists(), "every customer has a contact"

    def test_every_business_number_passes_its_validator(self, book: str) -> None:
        checked = Counter()
        for customer in Customer.objects.all():
            for field, check in NUMBER_CHECKS.items():
                value = getattr(customer, field)
                if value:
                    assert_valid(check, value, f"{customer.code} {field}")
                    checked[field] += 1
            if customer.siret:
                assert customer.siret.startswith(customer.siren or customer.siret[:9])
        for field in ("gst_number", "qst_number", "neq", "siren", "siret", "vat_number", "ein", "iban"):
            assert checked[field] >= 5, f"too few {field} to show: {checked}"

    def test_every_phone_exists_and_every_address_has_a_valid_postal_code(self, book: str) -> None:
        phones = list(Customer.objects.exclude(phone="").values_list("phone", flat=True))
        for phone, mobile in Contact.objects.values_list("phone", "mobile"):
            phones += [p for p in (phone, mobile) if p]
        assert len(phones) > 400
        for phone in phones:
            assert_valid(v.validate_phone, phone, "phone")
        for address in Address.objects.all():
            errors = v.address_errors(
                country=address.country, province=address.province, postal_code=address.postal_code
            )
            assert not errors, f"{address.one_line()}: {errors}"
        assert Address.objects.filter(main=False).exists(), "some customers have a second site"

    def test_the_book_mixes_statuses_with_realistic_reasons(self, book: str) -> None:
        statuses = Counter(Customer.objects.values_list("status", flat=True))

        assert set(statuses) == set(Status.values)
        assert statuses[Status.APPROVED] > sum(statuses.values()) / 2
        for customer in Customer.objects.filter(status__in=STATUSES_NEEDING_REASON):
            assert customer.status_reason.strip()
        assert Customer.objects.filter(status=Status.BLOCKED, status_reason__contains="60 jours").exists()

    def test_the_book_mixes_categories_terms_territories_and_memos(self, book: str) -> None:
        customers = list(Customer.objects.all())

        assert {c for customer in customers for c in customer.categories} >= {
            "customer",
            "prospect",
            "partner",
        }
        assert {c.payment_terms_days for c in customers} == {15, 30, 45, 60}
        assert {c.external_code for c in customers} >= {"EST", "OUEST", "NORD", "MTL", "ONT", "EUROPE", "USA"}
        assert {c.currency for c in customers} == {"CAD", "EUR", "USD"}
        assert sum(c.key_account for c in customers) >= 5
        assert Customer.objects.filter(parent__isnull=False).exists()
        assert Note.objects.filter(pinned=True).count() >= 20
        pinned = Customer.objects.filter(notes__pinned=True).first()
        assert pinned is not None and services.memo(pinned)
        assert Contact.objects.filter(is_billing=True).count() == len(customers)
        assert Contact.objects.filter(invoice_copy=True).exists()

    def test_the_book_is_found_by_type_ahead(self, book: str) -> None:
        from carnet.customers.search import search_customers

        assert search_customers(Customer.objects.all(), "laurentides").exists()
        assert search_customers(Customer.objects.all(), "montreal").exists()

    def test_one_demo_user_per_role_signs_in_with_the_demo_password(self, book: str) -> None:
        for username, role in demo.DEMO_USERS:
            user = User.objects.get(username=username)
            assert user.role == role
            assert user.check_password(demo.DEMO_PASSWORD)
            assert user.visible_companies().filter(code="MAIN").exists()
        assert {role for _u, role in demo.DEMO_USERS} == set(Role.values)
        for username, _role in demo.DEMO_USERS:
            assert username in book, "the table of demo users is printed on stderr"


def test_existing_users_are_left_as_they_are(make_user: Any) -> None:
    make_user("admin", Role.VIEWER)

    err = load("--count", "8")

    admin = User.objects.get(username="admin")
    assert admin.role == Role.VIEWER
    assert admin.check_password("correct-horse-9")
    assert "unchanged" in err


def test_a_book_that_holds_customers_is_refused_unless_forced(db: Any) -> None:
    services.create_customer(actor=None, data={"name": "Client existant"})

    with pytest.raises(CommandError, match=r"already holds 1 customers.*--force"):
        load("--count", "8")
    assert Customer.objects.count() == 1

    load("--count", "8", "--force")
    assert Customer.objects.count() == 9


def test_the_same_seed_makes_the_same_book(db: Any) -> None:
    class Undo(Exception):
        pass

    def snapshot() -> list[tuple[Any, ...]]:
        return list(
            Customer.objects.order_by("code").values_list(
                "code", "name", "status", "status_reason", "external_code", "gst_number", "siren", "phone"
            )
        ) + list(Contact.objects.order_by("customer__code", "name").values_list("name", "email", "phone"))

    with pytest.raises(Undo), transaction.atomic():
        demo.load_demo(count=12)
        first = snapshot()
        raise Undo
    assert not Customer.objects.exists()

    demo.load_demo(count=12)
    assert snapshot() == first
    assert len(first) > 12


def test_load_time_is_reported(db: Any) -> None:
    err = load("--count", "8")

    assert "Loaded 8 customers" in err
