"""Contacts: one default, one billing, any number of invoice copies, validated phones and emails."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from factories import ContactFactory, CustomerFactory

from carnet.customers import services
from carnet.customers.models import Contact, Customer

pytestmark = pytest.mark.django_db


def add(customer: Customer, **data: Any) -> Contact:
    data.setdefault("name", "Marie Tremblay")
    return services.add_contact(actor=None, customer_id=customer.pk, data=data)


def flagged(customer: Customer, flag: str) -> list[str]:
    return list(customer.contacts.filter(**{flag: True}).values_list("name", flat=True))


def test_a_new_default_contact_takes_over_from_the_old_one() -> None:
    customer = CustomerFactory()
    add(customer, name="Marie", is_default=True)

    add(customer, name="Jean", is_default=True)

    assert flagged(customer, "is_default") == ["Jean"]


def test_a_new_billing_contact_takes_over_from_the_old_one() -> None:
    customer = CustomerFactory()
    marie = add(customer, name="Marie", is_billing=True)
    jean = add(customer, name="Jean")

    services.update_contact(actor=None, contact_id=jean.pk, changes={"is_billing": True})

    assert flagged(customer, "is_billing") == ["Jean"]
    marie.refresh_from_db()
    assert marie.is_billing is False


def test_default_and_billing_may_be_the_same_contact() -> None:
    customer = CustomerFactory()

    contact = add(customer, is_default=True, is_billing=True)

    assert (contact.is_default, contact.is_billing) == (True, True)


def test_any_number_of_contacts_receive_invoices_in_copy() -> None:
    customer = CustomerFactory()
    for i in range(3):
        add(customer, name=f"Copie {i}", email=f"copie{i}@example.com", invoice_copy=True)

    assert len(flagged(customer, "invoice_copy")) == 3


def test_an_invoice_copy_contact_needs_an_email(counts: Any) -> None:
    customer = CustomerFactory()
    before = counts()

    with pytest.raises(ValidationError) as exc:
        add(customer, invoice_copy=True)

    assert "email" in exc.value.message_dict
    assert counts() == before


def test_an_inactive_contact_cannot_be_default_or_billing() -> None:
    customer = CustomerFactory()

    with pytest.raises(ValidationError) as exc:
        add(customer, active=False, is_default=True)

    assert "active" in exc.value.message_dict


def test_phones_are_validated_and_stored_in_international_format() -> None:
    contact = add(CustomerFactory(), phone="(819) 555-0100", mobile="+33 6 12 34 56 78")

    assert (contact.phone, contact.mobile) == ("+1 819-555-0100", "+33 6 12 34 56 78")


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"phone": "555"}, {"phone"}),
        ({"mobile": "+1 514 000 0000"}, {"mobile"}),
        ({"email": "marie@"}, {"email"}),
        ({"name": ""}, {"name"}),
        ({"name": "", "phone": "1"}, {"name", "phone"}),
    ],
)
def test_a_refused_contact_names_every_bad_field_and_saves_nothing(
    data: dict[str, Any], fields: set[str], counts: Any
) -> None:
    customer = CustomerFactory()
    before = counts()

    with pytest.raises(ValidationError) as exc:
        add(customer, **data)

    assert set(exc.value.message_dict) == fields
    assert counts() == before


def test_a_refused_flag_change_takes_nothing_from_the_other_contact() -> None:
    customer = CustomerFactory()
    marie = add(customer, name="Marie", is_default=True)
    jean = add(customer, name="Jean")

    with pytest.raises(ValidationError):
        services.update_contact(actor=None, contact_id=jean.pk, changes={"is_default": True, "email": "x@"})

    marie.refresh_from_db()
    assert marie.is_default is True


def test_an_unused_contact_is_deleted() -> None:
    contact = ContactFactory()

    assert services.remove_contact(actor=None, contact_id=contact.pk) == "deleted"
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_a_used_contact_is_made_inactive_and_gives_up_its_roles(used_contacts: set[int]) -> None:
    contact = ContactFactory(is_default=True, is_billing=True)
    used_contacts.add(contact.pk)

    assert services.remove_contact(actor=None, contact_id=contact.pk) == "deactivated"

    contact.refresh_from_db()
    assert (contact.active, contact.is_default, contact.is_billing) == (False, False, False)


def test_a_contact_change_is_a_change_of_the_customer() -> None:
    customer = CustomerFactory()

    add(customer)

    customer.refresh_from_db()
    assert customer.version == 2
