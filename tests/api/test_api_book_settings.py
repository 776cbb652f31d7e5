"""The customer book's settings in the API: code generation, address defaults and note categories (admins)."""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections, transaction
from django.test import Client

from carnet.accounts.models import User
from carnet.customers import services
from carnet.customers.models import BookSettings, Customer, Note, NoteCategory

SETTINGS_FIELDS = ("code_prefix", "code_digits", "next_code_number", "default_country", "default_province")


@pytest.fixture
def admin_api(api_as: Callable[[User], Any], admin_user: User) -> Any:
    return api_as(admin_user)


def stored() -> dict[str, Any]:
    book = BookSettings.load()
    return {field: getattr(book, field) for field in SETTINGS_FIELDS}


def new_customer_code(api: Any) -> str:
    body = {"name": f"Client {Customer.objects.count() + 1}", "code": "", "acknowledge_duplicates": True}
    response = api.post("customers", body)
    assert response.status_code == 201, response.content
    return str(response.json()["code"])


class TestAccess:
    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("get", "book-settings", None),
            ("patch", "book-settings", {"code_prefix": "X"}),
            ("post", "note-categories", {"code": "quality", "label_en": "Quality"}),
            ("patch", "note-categories/credit", {"label_en": "Money"}),
            ("delete", "note-categories/sales", None),
        ],
    )
    def test_a_non_admin_is_refused_and_nothing_changes(
        self, api: Any, assert_problem: Callable[..., Any], method: str, path: str, body: Any
    ) -> None:
        before = stored()
        categories = list(NoteCategory.objects.values_list("code", "label_en", "active"))

        response = getattr(api, method)(path, body) if body is not None else getattr(api, method)(path)

        assert_problem(response, 403)
        assert stored() == before
        assert list(NoteCategory.objects.values_list("code", "label_en", "active")) == categories

    def test_anyone_who_sees_customers_may_read_the_note_categories(
        self, api_as: Callable[[User], Any], viewer: User
    ) -> None:
        response = api_as(viewer).get("note-categories")

        assert response.status_code == 200, response.content
        assert "general" in [c["code"] for c in response.json()["items"]]

    def test_without_a_token_it_is_a_401(self, db: Any) -> None:
        assert Client().get("/api/v1/book-settings").status_code == 401


class TestBookSettings:
    def test_read_with_the_next_code(self, admin_api: Any) -> None:
        body = admin_api.get("book-settings").json()

        assert body == {
            "code_prefix": "C",
            "code_digits": 5,
            "next_code_number": 1,
            "next_code": "C00001",
            "default_country": "CA",
            "default_province": "QC",
        }

    def test_a_change_makes_the_next_generated_code(self, admin_api: Any) -> None:
        response = admin_api.patch(
            "book-settings", {"code_prefix": "cl", "code_digits": 6, "next_code_number": 500}
        )

        assert response.status_code == 200, response.content
        assert (response.json()["code_prefix"], response.json()["next_code"]) == ("CL", "CL000500")
        assert new_customer_code(admin_api) == "CL000500"
        assert new_customer_code(admin_api) == "CL000501"

    def test_an_empty_prefix_makes_codes_of_digits_only(self, admin_api: Any) -> None:
        assert admin_api.patch("book-settings", {"code_prefix": ""}).status_code == 200

        assert new_customer_code(admin_api) == "00001"

    def test_only_the_fields_sent_change(self, admin_api: Any) -> None:
        before = stored()

        response = admin_api.patch("book-settings", {"default_country": "fr", "default_province": None})

        assert response.status_code == 200, response.content
        assert stored() == {**before, "default_country": "FR", "default_province": ""}

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"code_prefix": "C-"}, "code_prefix"),
            ({"code_prefix": "CLIENT12345"}, "code_prefix"),
            ({"code_prefix": "É"}, "code_prefix"),
            ({"code_digits": 2}, "code_digits"),
            ({"code_digits": 13}, "code_digits"),
            ({"code_digits": None}, "code_digits"),
            ({"next_code_number": 0}, "next_code_number"),
            ({"code_digits": 3, "next_code_number": 1000}, "next_code_number"),
            ({"default_country": "XX"}, "default_country"),
            ({"default_country": "CAN"}, "default_country"),
            ({"default_province": "ZZ"}, "default_province"),
            ({"default_country": "US"}, "default_province"),
            ({"default_country": "US", "default_province": ""}, "default_province"),
            ({"default_country": "FR", "default_province": "QC"}, "default_province"),
        ],
    )
    def test_each_rule_answers_422_on_its_field_and_changes_nothing(
        self, admin_api: Any, assert_problem: Callable[..., Any], change: dict[str, Any], field: str
    ) -> None:
        before = stored()

        response = admin_api.patch("book-settings", change)

        assert_problem(response, 422, field)
        assert stored() == before

    def test_the_next_number_cannot_go_at_or_below_a_used_code_and_the_error_names_it(
        self, admin_api: Any, assert_problem: Callable[..., Any], make_customer: Callable[..., Customer]
    ) -> None:
        make_customer(code="C00123")
        make_customer(code="C00007")
        make_customer(code="C0123456")  # not a code the generator makes with five digits
        before = stored()

        for number in (100, 123):
            body = assert_problem(admin_api.patch("book-settings", {"next_code_number": number}), 422)
            assert body["errors"][0]["field"] == "next_code_number"
            assert "C00123" in body["errors"][0]["message"] and "124" in body["errors"][0]["message"]
        assert stored() == before

        assert admin_api.patch("book-settings", {"next_code_number": 124}).status_code == 200
        assert new_customer_code(admin_api) == "C00124"

    def test_a_new_prefix_is_checked_against_its_own_codes(
        self, admin_api: Any, assert_problem: Callable[..., Any], make_customer: Callable[..., Customer]
    ) -> None:
        make_customer(code="D00050")

        body = assert_problem(admin_api.patch("book-settings", {"code_prefix": "D"}), 422, "next_code_number")
        assert "D00050" in body["errors"][0]["message"]
        assert stored()["code_prefix"] == "C"
        assert (
            admin_api.patch("book-settings", {"code_prefix": "D", "next_code_number": 51}).status_code == 200
        )

    def test_a_setting_left_alone_is_not_judged_again(
        self, admin_api: Any, make_customer: Callable[..., Customer]
    ) -> None:
        # A code typed by hand above the sequence is normal: the generator skips it.
        make_customer(code="C00003")

        response = admin_api.patch("book-settings", {"default_country": "US", "default_province": "NY"})

        assert response.status_code == 200, response.content
        assert response.json()["next_code"] == "C00001"

    def test_every_error_is_answered_at_once(
        self, admin_api: Any, assert_problem: Callable[..., Any]
    ) -> None:
        body = assert_problem(
            admin_api.patch(
                "book-settings", {"code_prefix": "C-", "code_digits": 20, "default_country": "XX"}
            ),
            422,
        )

        assert {e["field"] for e in body["errors"]} == {"code_prefix", "code_digits", "default_country"}

    def test_an_unknown_field_is_malformed(self, admin_api: Any, assert_problem: Callable[..., Any]) -> None:
        assert_problem(admin_api.patch("book-settings", {"prefix": "X"}), 400, "prefix")

    def test_the_default_country_and_province_go_to_new_addresses(
        self, admin_api: Any, make_customer: Callable[..., Customer]
    ) -> None:
        admin_api.patch("book-settings", {"default_country": "US", "default_province": "vt"})
        customer = make_customer(code="C1001")

        response = admin_api.post(
            f"customers/{customer.pk}/addresses",
            {"line1": "1 Main St", "city": "Burlington", "postal_code": "05401"},
        )

        assert response.status_code == 201, response.content
        assert (response.json()["country"], response.json()["province"]) == ("US", "VT")


class TestNoteCategories:
    def test_list_in_order_with_their_use(
        self, admin_api: Any, make_customer: Callable[..., Customer]
    ) -> None:
        customer = make_customer(code="C1001")
        admin_api.post(f"customers/{customer.pk}/notes", {"category": "credit", "text": "Paie le 15."})

        items = admin_api.get("note-categories").json()["items"]

        assert [c["code"] for c in items] == ["general", "credit", "billing", "delivery", "sales"]
        assert items[0]["default"] is True and items[1]["default"] is False
        assert items[1] == {
            "code": "credit",
            "label_en": "Credit",
            "label_fr": "Crédit",
            "position": 1,
            "active": True,
            "default": False,
            "note_count": 1,
        }

    def test_add_one_then_read_it(self, admin_api: Any) -> None:
        response = admin_api.post("note-categories", {"code": "After-Sales ", "label_en": "After-sales"})

        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["code"], body["label_en"], body["label_fr"], body["active"]) == (
            "after-sales",
            "After-sales",
            "After-sales",
            True,
        )
        assert body["position"] == 5
        assert response["Location"].endswith("/note-categories/after-sales")
        assert admin_api.get("note-categories/after-sales").json()["label_fr"] == "After-sales"

    def test_a_taken_code_is_a_conflict_naming_the_category(
        self, admin_api: Any, assert_problem: Callable[..., Any]
    ) -> None:
        body = assert_problem(admin_api.post("note-categories", {"code": "credit", "label_en": "Money"}), 409)

        assert body["existing"] == {"code": "credit", "label_en": "Credit", "label_fr": "Crédit"}
        assert NoteCategory.objects.get(code="credit").label_en == "Credit"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"code": "après vente", "label_en": "After-sales"}, "code"),
            ({"code": "-quality", "label_en": "Quality"}, "code"),
            ({"code": "", "label_en": "Quality"}, "code"),
            ({"code": "q" * 31, "label_en": "Quality"}, "code"),
            ({"code": "quality"}, "label_en"),
            ({"code": "quality", "label_en": "Credit"}, "label_en"),
            ({"code": "quality", "label_en": "Q" * 61}, "label_en"),
        ],
    )
    def test_a_bad_category_is_refused_and_nothing_is_added(
        self, admin_api: Any, assert_problem: Callable[..., Any], body: dict[str, Any], field: str
    ) -> None:
        assert_problem(admin_api.post("note-categories", body), 422, field)
        assert NoteCategory.objects.count() == 5

    def test_rename(self, admin_api: Any) -> None:
        response = admin_api.patch(
            "note-categories/credit", {"label_en": "Credit control", "label_fr": "Recouvrement"}
        )

        assert response.status_code == 200, response.content
        assert (response.json()["label_en"], response.json()["label_fr"]) == (
            "Credit control",
            "Recouvrement",
        )

    def test_a_blank_name_or_a_new_code_is_refused(
        self, admin_api: Any, assert_problem: Callable[..., Any]
    ) -> None:
        assert_problem(admin_api.patch("note-categories/credit", {"label_fr": " "}), 422, "label_fr")
        assert_problem(admin_api.patch("note-categories/credit", {"code": "money"}), 400, "code")
        assert NoteCategory.objects.get(code="credit").label_fr == "Crédit"

    def test_a_deactivated_category_takes_no_new_note_until_reactivated(
        self, admin_api: Any, assert_problem: Callable[..., Any], make_customer: Callable[..., Customer]
    ) -> None:
        customer = make_customer(code="C1001")
        note = admin_api.post(
            f"customers/{customer.pk}/notes", {"category": "sales", "text": "Salon 2026"}
        ).json()

        response = admin_api.patch("note-categories/sales", {"active": False})

        assert response.status_code == 200 and response.json()["active"] is False
        assert_problem(
            admin_api.post(f"customers/{customer.pk}/notes", {"category": "sales", "text": "X"}),
            422,
            "category",
        )
        # Its notes keep it, and may still be changed.
        assert (
            admin_api.patch(f"notes/{note['id']}", {"category": "sales", "pinned": True}).status_code == 200
        )
        assert [
            c["code"] for c in admin_api.get("note-categories", params={"active": "false"}).json()["items"]
        ] == ["sales"]

        assert admin_api.patch("note-categories/sales", {"active": True}).status_code == 200
        assert (
            admin_api.post(f"customers/{customer.pk}/notes", {"category": "sales", "text": "X"}).status_code
            == 201
        )

    def test_the_general_category_stays_active_and_cannot_be_deleted(
        self, admin_api: Any, assert_problem: Callable[..., Any]
    ) -> None:
        assert_problem(admin_api.patch("note-categories/general", {"active": False}), 422, "active")
        assert_problem(admin_api.delete("note-categories/general"), 422)
        assert NoteCategory.objects.get(code="general").active is True

    def test_a_category_in_use_cannot_be_deleted(
        self, admin_api: Any, assert_problem: Callable[..., Any], make_customer: Callable[..., Customer]
    ) -> None:
        customer = make_customer(code="C1001")
        admin_api.post(f"customers/{customer.pk}/notes", {"category": "credit", "text": "Paie le 15."})

        body = assert_problem(admin_api.delete("note-categories/credit"), 409)

        assert body["reasons"] == ["1 note has it."]
        assert body["suggestion"] == "deactivate"
        assert NoteCategory.objects.filter(code="credit").exists()
        assert Note.objects.filter(category__code="credit").count() == 1

    def test_an_unused_category_is_deleted(self, admin_api: Any) -> None:
        response = admin_api.delete("note-categories/delivery")

        assert response.status_code == 204
        assert not NoteCategory.objects.filter(code="delivery").exists()

    @pytest.mark.parametrize(
        ("method", "body"), [("get", None), ("patch", {"label_en": "X"}), ("delete", None)]
    )
    def test_an_unknown_code_is_a_404(
        self, admin_api: Any, assert_problem: Callable[..., Any], method: str, body: Any
    ) -> None:
        call = getattr(admin_api, method)
        assert_problem(call("note-categories/gossip", body) if body else call("note-categories/gossip"), 404)


def test_the_endpoints_are_in_the_openapi_document(db: Any) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]

    assert set(paths["/api/v1/book-settings"]) == {"get", "patch"}
    assert set(paths["/api/v1/note-categories"]) == {"get", "post"}
    assert {"patch", "delete"} <= set(paths["/api/v1/note-categories/{code}"])


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_of_the_sequence_waits_for_a_customer_taking_a_number(admin_api: Any) -> None:
    """The update locks the settings row as the code generator does: it waits for the customer being
    created, then sees its code, instead of moving the sequence back under it."""
    taken = threading.Event()
    answers: dict[str, Any] = {}

    def create_customer() -> None:
        try:
            with transaction.atomic():
                code = services.next_customer_code()  # locks the settings row until the commit
                taken.set()
                time.sleep(0.5)
                Customer.objects.create(code=code, name="Transports Laurentides inc.")
        finally:
            connections.close_all()

    def move_the_sequence_back() -> None:
        try:
            taken.wait(10)
            answers["response"] = admin_api.patch("book-settings", {"next_code_number": 1})
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create_customer), threading.Thread(target=move_the_sequence_back)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    response = answers["response"]
    assert response.status_code == 422, response.content
    assert "C00001" in response.json()["errors"][0]["message"]
    assert BookSettings.load().next_code_number == 2
