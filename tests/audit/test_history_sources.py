"""Every change is recorded with where it came from and the request id of its action: the web UI, the API,
the command line, the credit review and the worker."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks import task

from carnet.accounts.models import User
from carnet.audit.context import Source, activity
from carnet.credit import review_criteria
from carnet.credit import services as credit
from carnet.credit.models import CreditAccount, Hold
from carnet.credit.review import apply_review, run_review
from carnet.customers import services
from carnet.customers.models import Customer
from tests.credit.review_support import AS_OF, aged_invoice

from .support import changes, history

pytestmark = pytest.mark.django_db


def new_customer(name: str = "Transports Laurentides inc.", **data: Any) -> Customer:
    return services.create_customer(actor=None, data={"name": name, **data}, acknowledge_duplicates=True)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the web UI -------------------------------------------------------------------------------------------


def test_a_note_added_in_the_web_ui_says_ui_and_who(controller: User) -> None:
    customer = new_customer()
    response = signed_in(controller).post(
        f"/customers/{customer.pk}/notes/new/", {"category": "general", "text": "Paie le 15."}
    )
    assert response.status_code in (200, 302)
    entry = changes(customer)[("note", "text")]
    assert (entry.source, entry.user, entry.change, entry.old, entry.new) == (
        "ui",
        "controller",
        "created",
        None,
        "Paie le 15.",
    )
    assert entry.request_id == response["X-Request-ID"]


def test_a_status_changed_in_the_web_ui_is_one_request(controller: User) -> None:
    customer = new_customer(status="approved")
    response = signed_in(controller).post(
        f"/customers/{customer.pk}/status/",
        {"status": "blocked", "reason": "Chèque sans provision", "version": customer.version},
    )
    assert response.status_code in (200, 302)
    found = changes(customer)
    status, reason = found[("customer", "status")], found[("customer", "status_reason")]
    assert (status.old, status.new, status.source) == ("approved", "blocked", "ui")
    assert reason.new == "Chèque sans provision"
    assert status.request_id == reason.request_id == response["X-Request-ID"]


# --- the API ----------------------------------------------------------------------------------------------


def test_api_changes_say_api_and_one_request_shares_one_id(api: Any) -> None:
    created = api.post(
        "customers", {"name": "Garage Rivard", "status": "approved", "acknowledge_duplicates": True}
    ).json()
    response = api.patch(
        f"customers/{created['id']}",
        {"name": "Garage Rivard et fils", "payment_terms_days": 45, "version": created["version"]},
    )
    assert response.status_code == 200, response.content
    found = changes(int(created["id"]))
    name, terms = found[("customer", "name")], found[("customer", "payment_terms_days")]
    assert (name.old, name.new, name.change, name.source, name.user) == (
        "Garage Rivard",
        "Garage Rivard et fils",
        "changed",
        "api",
        "controller",
    )
    assert (terms.old, terms.new) == (30, 45)
    assert name.request_id == terms.request_id == response["X-Request-ID"]
    creation = history(int(created["id"]), field="name")[-1]
    assert creation.change == "created" and creation.request_id != name.request_id


def test_an_incoming_request_id_is_kept_and_echoed(api: Any) -> None:
    customer = new_customer()
    response = api.post(
        f"customers/{customer.pk}/notes",
        {"text": "Rappeler lundi."},
        headers={"X-Request-ID": "proxy-42.a:b"},
    )
    assert response.status_code == 201
    assert response["X-Request-ID"] == "proxy-42.a:b"
    assert changes(customer)[("note", "text")].request_id == "proxy-42.a:b"


@pytest.mark.parametrize("bad", ["has space", "x" * 65, "semi;colon", "<script>"])
def test_an_unacceptable_request_id_is_replaced(api: Any, bad: str) -> None:
    customer = new_customer()
    response = api.post(
        f"customers/{customer.pk}/notes", {"text": "Rappeler."}, headers={"X-Request-ID": bad}
    )
    given = response["X-Request-ID"]
    assert given != bad and len(given) == 32
    assert changes(customer)[("note", "text")].request_id == given


def test_every_answer_carries_a_request_id(api: Any, controller: User) -> None:
    assert len(api.get("customers")["X-Request-ID"]) == 32
    assert len(signed_in(controller).get("/customers/")["X-Request-ID"]) == 32


# --- the command line -------------------------------------------------------------------------------------


def test_a_command_records_cli_with_one_request_id() -> None:
    call_command("demo", "--count", "4", "--seed", "7", stderr=None, stdout=None, verbosity=0)
    customers = list(Customer.objects.order_by("pk")[:2])
    first, second = (changes(c)[("customer", "name")] for c in customers)
    assert first.source == second.source == "cli"
    assert first.request_id == second.request_id


def test_an_import_inside_a_command_keeps_its_id_and_says_import() -> None:
    with activity(Source.CLI) as command, activity(Source.IMPORT):
        customer = new_customer()
    entry = changes(customer)[("customer", "name")]
    assert (entry.source, entry.request_id) == ("import", command.request_id)


def test_outside_any_activity_a_change_is_the_systems() -> None:
    assert changes(new_customer())[("customer", "name")].source == "system"


# --- the credit review ------------------------------------------------------------------------------------


@pytest.fixture
def late_payer(main_company: Any) -> Customer:
    review_criteria.set_company_criteria(
        actor=None, company="MAIN", data={"grace_days": 60, "reason": "Factures impayées"}
    )
    customer = new_customer("Late Payer", status="approved", code="LATE1")
    aged_invoice(customer, "100.00", 90)
    return customer


def test_a_review_applied_says_review_and_shares_one_id(late_payer: Customer, controller: User) -> None:
    other = new_customer("Other Late", status="approved", code="LATE2")
    aged_invoice(other, "100.00", 90)
    review = run_review(actor=controller, company="MAIN", as_of=AS_OF)
    apply_review(actor=controller, review_id=review.pk)
    first, second = (changes(c)[("customer", "status")] for c in (late_payer, other))
    assert (first.old, first.new, first.source, first.user) == ("approved", "blocked", "review", "controller")
    assert second.source == "review" and second.request_id == first.request_id


def test_a_review_applied_through_the_api_keeps_the_requests_id(late_payer: Customer, api: Any) -> None:
    review = api.post("credit-reviews", {"company": "MAIN", "as_of": AS_OF.isoformat()}).json()
    response = api.post(f"credit-reviews/{review['id']}/apply", {})
    assert response.status_code == 200, response.content
    entry = changes(late_payer)[("customer", "status")]
    assert (entry.source, entry.request_id) == ("review", response["X-Request-ID"])


def test_carnet_review_apply_on_the_command_line_says_review(late_payer: Customer) -> None:
    call_command("review", "--as-of", AS_OF.isoformat(), "--apply", stdout=None, stderr=None)
    entry = changes(late_payer)[("customer", "status")]
    assert (entry.source, entry.user, entry.new) == ("review", None, "blocked")


# --- the worker -------------------------------------------------------------------------------------------


@task()
def put_on_hold(customer_id: int) -> None:
    credit.add_hold(actor=None, customer=customer_id, company="MAIN", type="sale_order", comment="Worker")


def test_each_task_run_by_the_worker_is_an_activity_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = new_customer("First"), new_customer("Second")
    put_on_hold.enqueue(first.pk)
    put_on_hold.enqueue(second.pk)
    # Inside the test's transaction, "close old connections" would close the test's own connection.
    for module in ("carnet.web.management.commands.worker", "django_tasks_db.management.commands.db_worker"):
        monkeypatch.setattr(f"{module}.close_old_connections", lambda: None)
    call_command("worker", "--once", verbosity=0)
    assert Hold.objects.count() == 2
    one, two = (changes(c)[("hold", "type")] for c in (first, second))
    assert one.source == two.source == "worker"
    assert one.request_id != two.request_id


# --- the credit limit -------------------------------------------------------------------------------------


def test_the_limit_is_recorded_and_balance_updates_are_not(api: Any) -> None:
    customer = new_customer(status="approved")
    assert (
        api.put(f"customers/{customer.pk}/credit", {"company": "MAIN", "limit": "10000.00"}).status_code
        == 200
    )
    assert (
        api.put(f"customers/{customer.pk}/credit", {"company": "MAIN", "limit": "2500.00"}).status_code == 200
    )
    order = api.post(
        "orders",
        {"customer": str(customer.pk), "company": "MAIN", "date": "2026-11-22", "amount": "100.00"},
    )
    assert order.status_code == 201, order.content
    account = CreditAccount.objects.get(customer=customer)
    assert account.open_orders == Decimal("100.00")
    assert account.history.count() == 2  # type: ignore[attr-defined]
    limits = history(customer, field="limit")
    assert [(e.object, e.old, e.new, e.source) for e in limits] == [
        ("credit_limit", "10000.00", "2500.00", "api"),
        ("credit_limit", None, "10000.00", "api"),
    ]
    assert limits[0].object_label == "MAIN"
