"""Idempotency keys: a retry with the same key and body gets the first answer and creates nothing; another
body under the same key is a conflict; a refusal keeps nothing, so the key can be used again."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from carnet.accounts.models import User
from carnet.customers.models import Customer
from carnet.documents import services
from carnet.documents.idempotency import fingerprint, forget_old_keys, run_once
from carnet.documents.models import IdempotencyKey, Order
from carnet.errors import CreditWarningNotAcknowledged, IdempotencyKeyReused

pytestmark = pytest.mark.django_db
SCOPE = "POST /api/v1/orders"


def post_order(user: User, key: str | None, body: dict[str, Any]) -> Any:
    def operation() -> tuple[int, Any]:
        order = services.enter_order(actor=user, **body).document
        return 201, {"id": str(order.pk), "number": order.number, "amount": order.amount}

    return run_once(user=user, key=key, scope=SCOPE, body=body, operation=operation)


@pytest.fixture
def body(customer: Customer) -> dict[str, Any]:
    return {"customer": str(customer.pk), "company": "MAIN", "date": "2026-11-22", "amount": "1500.00"}


def test_the_same_key_and_body_answer_the_first_result_and_create_nothing(
    operator: User, body: dict[str, Any]
) -> None:
    first = post_order(operator, "k-1", body)
    again = post_order(operator, "k-1", dict(reversed(list(body.items()))))  # key order does not matter

    assert (first.status, first.replayed) == (201, False)
    assert (again.status, again.body, again.replayed) == (201, first.body, True)
    assert first.body["amount"] == "1500.00"
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_a_conflict(operator: User, body: dict[str, Any]) -> None:
    post_order(operator, "k-1", body)

    with pytest.raises(IdempotencyKeyReused) as exc:
        post_order(operator, "k-1", body | {"amount": "1600.00"})

    assert exc.value.status == 409
    assert Order.objects.count() == 1


def test_keys_are_per_user(operator: User, controller: User, body: dict[str, Any]) -> None:
    post_order(operator, "k-1", body)
    post_order(controller, "k-1", body)

    assert Order.objects.count() == 2


def test_a_refused_request_keeps_nothing_so_the_retry_runs(
    operator: User, body: dict[str, Any], customer: Customer
) -> None:
    from carnet.credit import services as credit

    credit.set_limit(actor=None, customer=customer, company="MAIN", limit="1000.00")
    with pytest.raises(CreditWarningNotAcknowledged):
        post_order(operator, "k-1", body)
    assert not IdempotencyKey.objects.exists()

    acknowledged = body | {"acknowledge_warnings": True, "override_reason": "Accord"}
    assert post_order(operator, "k-1", acknowledged).status == 201
    assert post_order(operator, "k-1", acknowledged).replayed


def test_without_a_key_every_request_runs(operator: User, body: dict[str, Any]) -> None:
    post_order(operator, None, body)
    post_order(operator, "", body)

    assert Order.objects.count() == 2 and not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["x" * 256, "clé", "a\nb", "   "])
def test_a_malformed_key_is_refused(operator: User, body: dict[str, Any], key: str) -> None:
    with pytest.raises(ValidationError) as exc:
        post_order(operator, key, body)

    assert list(exc.value.message_dict) == ["idempotency_key"]


def test_the_fingerprint_is_the_canonical_body_and_scope() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}, "s") == fingerprint({"b": [1, 2], "a": 1}, "s")
    assert fingerprint({"a": 1}, "s") != fingerprint({"a": 1}, "t")
    assert len(fingerprint({})) == 64


def test_old_keys_are_forgotten(operator: User, body: dict[str, Any]) -> None:
    from datetime import timedelta

    from django.utils import timezone

    post_order(operator, "k-1", body)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(days=2))

    assert forget_old_keys() == 1
