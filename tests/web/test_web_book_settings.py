"""The settings pages: code generation with its preview, address defaults, and note categories (admins)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from carnet.accounts.models import User
from carnet.customers import services
from carnet.customers.models import BookSettings, Customer, Note, NoteCategory

SETTINGS_FIELDS = ("code_prefix", "code_digits", "next_code_number", "default_country", "default_province")
BOOK = {
    "code_prefix": "C",
    "code_digits": "5",
    "next_code_number": "1",
    "default_country": "CA",
    "default_province": "QC",
}


@pytest.fixture
def admin_client(client_as: Callable[[User], Client], admin_user: User) -> Client:
    return client_as(admin_user)


def stored() -> dict[str, Any]:
    book = BookSettings.load()
    return {field: getattr(book, field) for field in SETTINGS_FIELDS}


def field_html(html: str, name: str) -> str:
    """The markup of one field of the form (web/field.html), to check that an error sits beside it."""
    start = html.rindex('<div class="field', 0, html.index(f'id="id_{name}-field"'))
    ends = [html.find(tag, start + 1) for tag in ('<div class="field', "</fieldset>", "</form>")]
    return html[start : min(end for end in ends if end > 0)]


class TestAccess:
    @pytest.mark.parametrize(
        "url",
        [
            "/settings/",
            "/settings/book/",
            "/settings/book/preview/",
            "/settings/book/provinces/",
            "/settings/note-categories/",
            "/settings/note-categories/credit/edit/",
        ],
    )
    def test_a_non_admin_gets_403(self, controller_client: Client, url: str) -> None:
        assert controller_client.get(url).status_code == 403

    @pytest.mark.parametrize(
        ("url", "data"),
        [
            ("/settings/book/", {**BOOK, "code_prefix": "X"}),
            ("/settings/note-categories/new/", {"code": "quality", "label_en": "Quality"}),
            ("/settings/note-categories/credit/edit/", {"label_en": "Money", "label_fr": "Argent"}),
            ("/settings/note-categories/sales/active/", {"active": "0"}),
            ("/settings/note-categories/delivery/delete/", {}),
        ],
    )
    def test_a_non_admin_changes_nothing(
        self, operator_client: Client, url: str, data: dict[str, str]
    ) -> None:
        before = stored()
        categories = list(NoteCategory.objects.values_list("code", "label_en", "active"))

        assert operator_client.post(url, data).status_code == 403

        assert stored() == before
        assert list(NoteCategory.objects.values_list("code", "label_en", "active")) == categories

    def test_signing_in_comes_first(self, client: Client, db: Any) -> None:
        response = client.get("/settings/book/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")

    def test_only_an_admin_sees_the_settings_link(
        self, admin_client: Client, controller_client: Client
    ) -> None:
        assert 'href="/settings/book/"' in admin_client.get("/customers/").content.decode()
        assert "/settings/" not in controller_client.get("/customers/").content.decode()


class TestBookSettings:
    def test_the_page_shows_the_settings_and_the_next_code(self, admin_client: Client) -> None:
        html = admin_client.get("/settings/book/").content.decode()

        assert 'name="code_prefix" value="C"' in html
        assert 'name="code_digits" value="5"' in html
        assert '<span class="code preview-code">C00001</span>' in html
        assert '<option value="QC" selected>' in html
        assert 'aria-current="page">Customer book' in html

    def test_saving_changes_the_next_generated_code(
        self, admin_client: Client, make_customer: Callable[..., Customer]
    ) -> None:
        before = stored()

        response = admin_client.post(
            "/settings/book/", {**BOOK, "code_prefix": "cl", "code_digits": "6", "next_code_number": "42"}
        )

        assert response.status_code == 302 and response["Location"] == "/settings/book/"
        assert "The next customer code is CL000042." in admin_client.get("/settings/book/").content.decode()
        assert stored() == {**before, "code_prefix": "CL", "code_digits": 6, "next_code_number": 42}
        assert make_customer(name="Fromagerie du Lac").code == "CL000042"

    @pytest.mark.parametrize(
        ("values", "field", "message"),
        [
            ({"code_prefix": "C-"}, "code_prefix", "only letters and digits"),
            ({"code_digits": "2"}, "code_digits", "between 3 and 12"),
            ({"code_digits": "13"}, "code_digits", "between 3 and 12"),
            ({"next_code_number": "0"}, "next_code_number", "1 or more"),
            ({"default_country": "XX"}, "default_country", "ISO 3166"),
            ({"default_country": "US", "default_province": "QC"}, "default_province", "QC is not a province"),
            ({"default_country": "US", "default_province": ""}, "default_province", "required for US"),
        ],
    )
    def test_each_rule_shows_its_message_beside_the_field_and_saves_nothing(
        self, admin_client: Client, values: dict[str, str], field: str, message: str
    ) -> None:
        before = stored()

        response = admin_client.post("/settings/book/", {**BOOK, **values})

        assert response.status_code == 200
        html = response.content.decode()
        assert "Nothing was saved" in html
        assert 'class="field has-error' in field_html(html, field)
        assert message in field_html(html, field)
        assert stored() == before

    def test_the_next_number_cannot_go_below_a_used_code(
        self, admin_client: Client, make_customer: Callable[..., Customer]
    ) -> None:
        make_customer(code="C00124")
        before = stored()

        response = admin_client.post("/settings/book/", {**BOOK, "next_code_number": "100"})

        assert "The code C00124 is already used" in field_html(response.content.decode(), "next_code_number")
        assert stored() == before

    def test_a_page_opened_earlier_does_not_move_the_sequence_back(
        self, admin_client: Client, make_customer: Callable[..., Customer]
    ) -> None:
        page = {**BOOK, **{f"initial-{k}": v for k, v in BOOK.items()}}
        # Meanwhile, three customers took numbers 1 to 3.
        for n in range(3):
            make_customer(name=f"Client {n}")

        response = admin_client.post("/settings/book/", {**page, "default_province": "ON"})

        assert response.status_code == 302
        assert (stored()["next_code_number"], stored()["default_province"]) == (4, "ON")

    def test_the_live_preview_follows_what_is_typed(
        self, admin_client: Client, make_customer: Callable[..., Customer]
    ) -> None:
        make_customer(code="X00007")

        def preview(**values: str) -> str:
            return admin_client.get("/settings/book/preview/", values).content.decode()

        assert "C00124" in preview(code_prefix="c", code_digits="5", next_code_number="124")
        assert "X0000008" in preview(code_prefix="X", code_digits="7", next_code_number="8")
        assert "between 3 and 12" in preview(code_prefix="C", code_digits="20", next_code_number="1")
        assert "The code X00007 is already used" in preview(
            code_prefix="X", code_digits="5", next_code_number="3"
        )

    def test_the_province_select_follows_the_country(self, admin_client: Client) -> None:
        html = admin_client.get("/settings/book/provinces/", {"default_country": "US"}).content.decode()

        assert 'name="default_province"' in html and 'value="VT"' in html and 'value="QC"' not in html


class TestNoteCategories:
    def test_the_list_shows_each_category_with_its_use(
        self, admin_client: Client, customer: Customer, operator: User
    ) -> None:
        services.add_note(
            actor=operator, customer_id=customer.pk, data={"category": "credit", "text": "Paie le 15."}
        )

        html = admin_client.get("/settings/note-categories/").content.decode()

        for label in ("General", "Crédit", "Facturation", "Livraison", "Ventes"):
            assert label in html
        # Only unused categories other than general offer Delete.
        assert "/settings/note-categories/credit/delete/" not in html
        assert "/settings/note-categories/general/delete/" not in html
        assert "/settings/note-categories/general/active/" not in html
        assert "/settings/note-categories/sales/delete/" in html

    def test_add_a_category(self, admin_client: Client) -> None:
        response = admin_client.post(
            "/settings/note-categories/new/",
            {"code": "quality", "label_en": "Quality", "label_fr": "Qualité"},
        )

        assert response.status_code == 302
        category = NoteCategory.objects.get(code="quality")
        assert (category.label_en, category.label_fr, category.active) == ("Quality", "Qualité", True)

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"code": "credit", "label_en": "Money"}, "code", "belongs to the category"),
            ({"code": "Après vente", "label_en": "After-sales"}, "code", "lower-case letters"),
            ({"code": "quality"}, "label_en", "name in English"),
            ({"code": "quality", "label_en": "Sales"}, "label_en", "already has this name"),
        ],
    )
    def test_a_bad_category_is_refused_beside_its_field(
        self, admin_client: Client, data: dict[str, str], field: str, message: str
    ) -> None:
        response = admin_client.post("/settings/note-categories/new/", data)

        assert response.status_code == 200
        assert message in field_html(response.content.decode(), field)
        assert NoteCategory.objects.count() == 5

    def test_rename(self, admin_client: Client) -> None:
        form = admin_client.get("/settings/note-categories/credit/edit/").content.decode()
        assert 'form="rename-form"' in form and 'value="Crédit"' in form

        response = admin_client.post(
            "/settings/note-categories/credit/edit/", {"label_en": "Collections", "label_fr": "Recouvrement"}
        )

        assert response.status_code == 302
        category = NoteCategory.objects.get(code="credit")
        assert (category.label_en, category.label_fr) == ("Collections", "Recouvrement")

    def test_a_blank_name_is_refused_and_nothing_changes(self, admin_client: Client) -> None:
        response = admin_client.post(
            "/settings/note-categories/credit/edit/", {"label_en": "", "label_fr": "X"}
        )

        assert response.status_code == 200
        assert "Give the category a name in English." in response.content.decode()
        assert NoteCategory.objects.get(code="credit").label_fr == "Crédit"

    def test_deactivate_then_reactivate(self, admin_client: Client, customer: Customer) -> None:
        response = admin_client.post("/settings/note-categories/sales/active/", {"active": "0"}, follow=True)

        assert "no longer offered for new notes" in response.content.decode()
        assert NoteCategory.objects.get(code="sales").active is False
        notes_tab = admin_client.get(f"/customers/{customer.pk}/?tab=notes").content.decode()
        assert 'value="sales"' not in notes_tab and 'value="credit"' in notes_tab

        admin_client.post("/settings/note-categories/sales/active/", {"active": "1"})
        assert NoteCategory.objects.get(code="sales").active is True

    def test_the_general_category_cannot_be_deactivated(self, admin_client: Client) -> None:
        response = admin_client.post(
            "/settings/note-categories/general/active/", {"active": "0"}, follow=True
        )

        assert "it stays active" in response.content.decode()
        assert NoteCategory.objects.get(code="general").active is True

    def test_a_category_in_use_cannot_be_deleted(
        self, admin_client: Client, customer: Customer, operator: User
    ) -> None:
        services.add_note(
            actor=operator, customer_id=customer.pk, data={"category": "credit", "text": "Paie le 15."}
        )

        response = admin_client.post("/settings/note-categories/credit/delete/", follow=True)

        assert "is in use, so it cannot be deleted. Deactivate it instead" in response.content.decode()
        assert NoteCategory.objects.filter(code="credit").exists()
        assert Note.objects.filter(category__code="credit").count() == 1

    def test_an_unused_category_is_deleted(self, admin_client: Client) -> None:
        response = admin_client.post("/settings/note-categories/delivery/delete/", follow=True)

        assert "Category Delivery deleted." in response.content.decode()
        assert not NoteCategory.objects.filter(code="delivery").exists()

    def test_an_unknown_category_is_a_404(self, admin_client: Client) -> None:
        assert admin_client.get("/settings/note-categories/gossip/edit/").status_code == 404
        assert admin_client.post("/settings/note-categories/gossip/delete/").status_code == 404
