"""A part that takes a flag from another (the main address, the default or billing contact) changes that
other part too: its history says so, with who, in the same request as the change that caused it."""

import pytest

from carnet.accounts.models import User
from carnet.audit.context import Source, activity
from carnet.customers import services
from carnet.customers.models import Customer

from .support import history

pytestmark = pytest.mark.django_db

ADDRESS = {
    "line1": "100 rue Principale",
    "city": "Sherbrooke",
    "province": "QC",
    "postal_code": "J1H 1A1",
    "country": "CA",
}


def new_customer() -> Customer:
    return services.create_customer(
        actor=None, data={"name": "Transports Laurentides inc."}, acknowledge_duplicates=True
    )


def test_the_contact_that_loses_the_default_flag_has_it_in_its_history(controller: User) -> None:
    customer = new_customer()
    first = services.add_contact(
        actor=controller, customer_id=customer.pk, data={"name": "A", "is_default": True}
    )
    with activity(Source.API, "take-over-1"):
        services.add_contact(
            actor=controller, customer_id=customer.pk, data={"name": "B", "is_default": True}
        )

    lost = [
        e
        for e in history(customer)
        if e.object_id == first.pk and e.change == "changed" and e.field == "is_default"
    ]
    assert [(e.old, e.new, e.user, e.source, e.request_id) for e in lost] == [
        (True, False, "controller", "api", "take-over-1")
    ]


def test_the_billing_flag_taken_over_on_a_change_is_recorded(controller: User) -> None:
    customer = new_customer()
    first = services.add_contact(
        actor=controller, customer_id=customer.pk, data={"name": "A", "is_billing": True}
    )
    second = services.add_contact(actor=controller, customer_id=customer.pk, data={"name": "B"})
    services.update_contact(actor=controller, contact_id=second.pk, changes={"is_billing": True})

    lost = [
        e
        for e in history(customer)
        if e.object_id == first.pk and e.change == "changed" and e.field == "is_billing"
    ]
    assert [(e.old, e.new, e.user) for e in lost] == [(True, False, "controller")]


def test_a_new_main_address_and_a_removed_main_address_record_both_addresses(controller: User) -> None:
    customer = new_customer()
    first = services.add_address(actor=controller, customer_id=customer.pk, data=ADDRESS)
    second = services.add_address(actor=controller, customer_id=customer.pk, data={**ADDRESS, "main": True})

    entries = history(customer)
    first_main = [
        (e.old, e.new, e.user)
        for e in entries
        if e.object_id == first.pk and e.change == "changed" and e.field == "main"
    ]
    assert first_main == [(True, False, "controller")]

    services.remove_address(actor=controller, address_id=second.pk)  # unused: deleted, the first takes over
    entries = history(customer)
    first_main = [
        (e.old, e.new)
        for e in entries
        if e.object_id == first.pk and e.change == "changed" and e.field == "main"
    ]
    assert first_main == [(False, True), (True, False)]
    assert any(e.object_id == second.pk and e.change == "deleted" for e in entries)
