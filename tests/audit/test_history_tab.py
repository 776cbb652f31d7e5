"""The History tab of the customer page: changes grouped by action, filters, pages, empty state, in English
and French."""

import re
from typing import Any

import pytest
from django.test import Client

from carnet.accounts.models import User
from carnet.audit.context import Source, activity
from carnet.customers import services
from carnet.customers.models import Customer

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "tab-panel"}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def customer() -> Customer:
    with activity(Source.API, request_id="creation-1"):
        return services.create_customer(
            actor=None,
            data={"name": "Transports Laurentides inc.", "status": "approved"},
            acknowledge_duplicates=True,
        )


def tab(client: Client, customer: Customer, **params: Any) -> str:
    response = client.get(f"/customers/{customer.pk}/", {"tab": "history", **params}, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_the_tab_is_listed_and_shows_one_action_under_one_heading(
    controller: User, customer: Customer
) -> None:
    client = signed_in(controller)
    client.post(
        f"/customers/{customer.pk}/status/",
        {"status": "blocked", "reason": "Chèque sans provision", "version": customer.version},
    )
    page = client.get(f"/customers/{customer.pk}/", {"tab": "history"}).content.decode()
    assert "?tab=history" in page and 'class="grid history"' in page
    status_request = next(
        e for e in _entries(customer) if e.field == "status" and e.change == "changed"
    ).request_id
    # The status change's two fields sit in one group, under its request id, by the controller, from the web.
    group = page.split(status_request)[1].split("history-group-head")[0]
    assert "Chèque sans provision" in group and "Blocked" in group and "Approved" in group
    assert page.count(status_request) == 1
    head = page.split(status_request)[0].rsplit("history-group-head", 1)[1]
    assert "controller" in head and "web" in head
    assert "creation-1" in page


def _entries(customer: Customer) -> list[Any]:
    from .support import history

    return history(customer)


def test_filter_by_field_and_user(controller: User, operator: User, customer: Customer) -> None:
    signed_in(operator).post(
        f"/customers/{customer.pk}/notes/new/", {"category": "general", "text": "Note A"}
    )
    client = signed_in(controller)
    client.post(f"/customers/{customer.pk}/notes/new/", {"category": "general", "text": "Note B"})
    by_operator = tab(client, customer, user="operator")
    assert "Note A" in by_operator and "Note B" not in by_operator
    assert 'value="operator" selected' in by_operator
    names = tab(client, customer, field="name")
    assert "Transports Laurentides inc." in names and "Note A" not in names


def test_filter_by_period_and_a_bad_period_says_why(controller: User, customer: Customer) -> None:
    client = signed_in(controller)
    assert "No change matches these filters." in tab(client, customer, since="2000-01-01", until="2000-01-31")
    page = tab(client, customer, since="2030-02-01", until="2030-01-01")
    assert "The end of the period comes before its start." in page


def test_pages_of_fifty(controller: User, customer: Customer) -> None:
    for n in range(60):
        services.add_note(actor=None, customer_id=customer.pk, data={"text": f"Note numéro {n}"})
    client = signed_in(controller)

    def notes_on(page: str) -> list[int]:
        return sorted(int(n) for n in re.findall(r"Note numéro (\d+)<", page))

    first, second = tab(client, customer), tab(client, customer, page=2)
    assert 'class="pager"' in first
    # Newest first; a note whose fields straddle two pages shows on both.
    assert notes_on(first)[-1] == 59 and notes_on(second)[-1] <= notes_on(first)[0]
    last = tab(client, customer, page=99)  # past the end: the last page, where the customer was created
    assert "created" in last and "Transports Laurentides inc." in last


def test_the_empty_state(controller: User) -> None:
    # A customer made before the history was kept (no rows for it).
    customer = Customer.objects.create(code="OLD1", name="Ancien client", status="approved")
    Customer.history.filter(id=customer.pk).delete()  # type: ignore[attr-defined]
    page = tab(signed_in(controller), customer)
    assert "No change recorded for this customer yet." in page


def test_the_tab_in_french(controller: User, customer: Customer) -> None:
    controller.language = "fr"
    controller.save()
    client = signed_in(controller)
    client.cookies.load({"django_language": "fr"})
    page = client.get(
        f"/customers/{customer.pk}/", {"tab": "history"}, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Historique" in page
    assert "Tous les champs" in page and "Avant" in page and "Après" in page
    assert "Nom" in page  # the field's own French name
