"""Every request is one transaction: no view opts out but the credit check's dry run, which only reads;
and an API answer that is an error keeps nothing of what its request wrote (ninja answers errors inside
the transaction, which would otherwise commit)."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from carnet.accounts import services
from carnet.accounts.models import ApiToken, User
from carnet.customers.models import Customer


def _views(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append((prefix + str(pattern.pattern), pattern.callback))
    return found


def test_requests_are_transactions_and_only_the_read_only_credit_check_opts_out() -> None:
    assert settings.DATABASES["default"]["ATOMIC_REQUESTS"] is True
    opted_out = [
        route
        for route, view in _views(get_resolver().url_patterns)
        if getattr(view, "_non_atomic_requests", None)
    ]
    assert opted_out == ["api/v1/credit-checks"]


WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)


@pytest.mark.django_db
def test_the_credit_check_writes_nothing_but_the_tokens_last_use(operator: User) -> None:
    # It runs outside a request transaction: what it may write must be safe to keep on its own.
    customer = Customer.objects.create(code="C1", name="Acme", status="approved")
    _token, raw = services.issue_token(actor=None, user=operator, name="erp")
    body = {"customer": str(customer.pk), "company": "MAIN", "kind": "order", "amount": "10.00"}

    with CaptureQueriesContext(connection) as queries:
        answer = Client().post(
            "/api/v1/credit-checks", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
        )

    assert answer.status_code == 200, answer.content
    writes = [q["sql"] for q in queries.captured_queries if WRITES.match(q["sql"])]
    assert len(writes) == 1 and ApiToken._meta.db_table in writes[0], writes


@pytest.mark.django_db
def test_an_api_error_answer_keeps_nothing_its_request_wrote(operator: User) -> None:
    # Authentication records the token's use (a write) before the handler refuses the request: the
    # refusal rolls the record back with everything else.
    token, raw = services.issue_token(actor=None, user=operator, name="erp")
    long_ago = timezone.now() - timedelta(hours=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    client = Client()

    refused = client.post(
        "/api/v1/customers", {"name": ""}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )

    assert refused.status_code in (400, 422)
    token.refresh_from_db()
    assert token.last_used_at == long_ago

    accepted = client.get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert accepted.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > long_ago
