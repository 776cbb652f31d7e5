"""Notes: categorised, with author and date; pinned notes are the customer's memo."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from factories import CustomerFactory, NoteFactory

from carnet.accounts.models import User
from carnet.customers import services
from carnet.customers.models import Note, NoteCategory
from carnet.errors import StaleVersion

pytestmark = pytest.mark.django_db


def test_a_note_without_category_is_general_and_signed_by_its_author(operator: User) -> None:
    customer = CustomerFactory()

    note = services.add_note(actor=operator, customer_id=customer.pk, data={"text": " Appeler avant 10 h "})

    assert (note.category.code, note.author, note.text) == ("general", operator, "Appeler avant 10 h")
    assert note.created_at is not None


def test_categories_are_configurable() -> None:
    NoteCategory.objects.create(code="quality", label_en="Quality", label_fr="Qualité")
    customer = CustomerFactory()

    note = services.add_note(
        actor=None, customer_id=customer.pk, data={"text": "ISO 9001", "category": "quality"}
    )

    assert note.category.label_en == "Quality"


def test_an_unknown_category_is_refused_and_saves_nothing() -> None:
    customer = CustomerFactory()

    with pytest.raises(ValidationError) as exc:
        services.add_note(actor=None, customer_id=customer.pk, data={"text": "X", "category": "gossip"})

    assert "category" in exc.value.message_dict
    assert not Note.objects.exists()


def test_an_empty_note_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        services.add_note(actor=None, customer_id=CustomerFactory().pk, data={"text": "   "})

    assert "text" in exc.value.message_dict


def test_the_memo_is_the_pinned_notes_newest_first() -> None:
    customer = CustomerFactory()
    now = timezone.now()
    NoteFactory(customer=customer, text="Old pin", pinned=True, created_at=now - timedelta(days=2))
    NoteFactory(customer=customer, text="Not pinned", created_at=now)
    NoteFactory(customer=customer, text="New pin", pinned=True, created_at=now - timedelta(days=1))

    assert services.memo(customer) == ["New pin", "Old pin"]


def test_pinning_a_note_puts_it_in_the_memo() -> None:
    note = NoteFactory(text="Paie par chèque seulement")

    services.update_note(actor=None, note_id=note.pk, changes={"pinned": True}, expected_version=1)

    assert services.memo(note.customer) == ["Paie par chèque seulement"]


def test_a_stale_note_version_changes_nothing() -> None:
    note = NoteFactory(text="Avant")
    services.update_note(actor=None, note_id=note.pk, changes={"text": "Après"})

    with pytest.raises(StaleVersion):
        services.update_note(actor=None, note_id=note.pk, changes={"text": "Encore"}, expected_version=1)

    note.refresh_from_db()
    assert note.text == "Après"


def test_a_note_is_deleted() -> None:
    note = NoteFactory()

    services.delete_note(actor=None, note_id=note.pk)

    assert not Note.objects.exists()


def test_a_viewer_cannot_write_notes(viewer: User) -> None:
    with pytest.raises(PermissionDenied):
        services.add_note(actor=viewer, customer_id=CustomerFactory().pk, data={"text": "X"})
