"""The API fuzzed from its own OpenAPI document: every registered operation gets generated requests, valid
and not, as an admin; none may answer a server error, and every answer must match the document.

The book holds one of every kind of thing (tests/permissions/book.py), with a webhook and one of its
deliveries, a customer event, a custom field and the admin's token; the valid requests name those things in
their paths, so that they reach the handlers rather than stop at "not found".

Bounded for CI (a few examples per operation); run it alone with `python3 dev.py test -m fuzz`.
"""

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from permissions.book import Book, seed_book
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from carnet.accounts.models import ApiToken, Company, User
from carnet.accounts.roles import Role
from carnet.api import api
from carnet.credit import services as credit
from carnet.customfields import services as custom_fields
from carnet.events import services as events
from carnet.integrations import webhooks
from carnet.integrations.models import Delivery

# About a hundred operations: at 6 examples each, the step stays under 4 minutes on a busy 2-core machine
# (PostgreSQL included).
EXAMPLES_PER_OPERATION = 6

APP = WSGIHandler()


def _document() -> Any:
    """The document as /api/v1/openapi.json serves it, read when the tests are collected: one test per
    operation. Custom fields are described from the database, which collection may not use; the test
    database has none, so the document is the same without them."""
    with mock.patch("carnet.customfields.openapi.describe", lambda schema: None):
        return api.get_openapi_schema()


schema = schemathesis.openapi.from_dict(_document())


@pytest.fixture
def admin_token(db: Any, main_company: Any) -> tuple[ApiToken, str]:
    user = User.objects.create_user(username="fuzz-admin", password="correct-horse-9", role=Role.ADMIN)
    user.companies.set([main_company])
    return ApiToken.issue(user=user, name="fuzz")


@pytest.fixture
def book(main_company: Company) -> Book:
    return seed_book(main_company)


@pytest.fixture
def more(book: Book, admin_token: tuple[ApiToken, str]) -> dict[str, str]:
    """The things of the later features, by path parameter name: a webhook with a delivery (of a hold
    added after it), a customer's call, a custom field, the admin's token."""
    endpoint, _secret = webhooks.create_endpoint(
        actor=None,
        data={"url": "https://erp.example.com/carnet", "event_types": ["hold.added"]},
    )
    credit.add_hold(
        actor=None, customer=book.customer, company=book.company, type="sale_order", comment="Litige"
    )
    delivery = Delivery.objects.get(endpoint=endpoint)
    event = events.create_event(
        actor=None,
        customer_id=book.customer.pk,
        data={"type": "call", "subject": "Relance", "starts_at": timezone.now()},
    )
    field = custom_fields.create_field(
        actor=None, data={"key": "secteur", "type": "text", "label_en": "Sector", "label_fr": "Secteur"}
    )
    ids = {
        "endpoint_id": endpoint.pk,
        "delivery_id": delivery.pk,
        "event_id": event.pk,
        "key": field.key,
        "token_id": admin_token[0].pk,
    }
    return {name: str(value) for name, value in ids.items()}


def _existing(book: Book, path: str) -> dict[str, str]:
    """The ids of the book's things, by path parameter name."""
    order = book.held_order if path.endswith(("/release", "/reject")) else book.order
    code = book.company.code if path.startswith("/api/v1/companies/") else book.note_category
    ids = {
        "customer_id": book.customer.pk,
        "address_id": book.address_id,
        "contact_id": book.contact_id,
        "note_id": book.note_id,
        "code": code,
        "hold_id": book.hold.pk,
        "quote_id": book.quote.pk,
        "order_id": order.pk,
        "shipment_id": book.shipment.pk,
        "invoice_id": book.draft_invoice.pk if path.endswith("/post") else book.invoice.pk,
        "credit_note_id": book.credit_note.pk,
        "payment_id": book.payment.pk,
        "review_id": book.review.pk,
    }
    return {name: str(value) for name, value in ids.items()}


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Requests run on the test's own connection, inside its transaction, as with Django's test client:
    the handler must not close that connection at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.fuzz
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_answers_match_the_document(
    case: schemathesis.Case,
    admin_token: tuple[ApiToken, str],
    book: Book,
    more: dict[str, str],
    in_test_transaction: None,
) -> None:
    if (
        case.path_parameters
        and case.meta is not None
        and case.meta.generation.mode == GenerationMode.POSITIVE
    ):
        existing = {**_existing(book, case.path), **more}
        for name in case.path_parameters:
            if name in existing:
                case.path_parameters[name] = existing[name]
    with transaction.atomic():  # every request starts from the same book
        case.call_and_validate(
            app=APP,
            headers={"Authorization": f"Bearer {admin_token[1]}"},
            checks=[not_a_server_error, response_schema_conformance],
        )
        transaction.set_rollback(True)
