"""Idempotency keys: a retried write (same user, same key, same body) gets the first answer again and does
nothing twice; the same key with another body is refused (IdempotencyKeyReused, 409).

Generic: any write may use it. The API layer wraps the service call:

    answer = run_once(
        user=request.user, key=request.headers.get("Idempotency-Key"), scope="POST /api/v1/orders",
        body=payload_as_json,
        operation=lambda: (201, order_as_json(enter_order(actor=request.user, ...).document)),
    )
    return answer.status, answer.body          # answer.replayed: True when it is the stored answer

Only answers the operation returns are kept. An operation that raises (a refusal, a 409 warning) keeps
nothing: the key is free again, so the client may retry, for example with the warnings acknowledged.
The key is taken before the operation runs, in the same transaction, so two concurrent requests with one
key cannot both run it: the second waits for the first to commit, then gets its answer.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.accounts.models import User
from carnet.errors import IdempotencyKeyReused

from .models import IdempotencyKey

MAX_KEY_LENGTH = 255
KEEP_FOR = timedelta(days=1)


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    replayed: bool = False


def fingerprint(body: Any, scope: str = "") -> str:
    """sha256 of the scope and the canonical JSON of the body (keys sorted, no spaces): two bodies that
    differ only in key order or spacing are the same request."""
    canonical = json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )
    return hashlib.sha256(f"{scope}\n{canonical}".encode()).hexdigest()


def _check_key(key: str) -> str:
    if len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii() or not key.strip():
        raise ValidationError(
            {
                "idempotency_key": _("An Idempotency-Key is 1 to %(n)d printable ASCII characters.")
                % {"n": MAX_KEY_LENGTH}
            }
        )
    return key


def _replay(stored: IdempotencyKey, expected: str) -> Answer:
    if stored.fingerprint != expected:
        raise IdempotencyKeyReused(
            _(
                "This Idempotency-Key was used for another request on %(when)s. Use a new key for a new "
                "request; send the same body to get the first answer again."
            )
            % {"when": timezone.localtime(stored.created_at).strftime("%Y-%m-%d %H:%M")},
        )
    return Answer(stored.response_status, stored.response_body, replayed=True)


@transaction.atomic
def run_once(
    *,
    user: User,
    key: str | None,
    scope: str,
    body: Any,
    operation: Callable[[], tuple[int, Any]],
) -> Answer:
    """Run the operation once per (user, key): its (status, JSON body) is kept and answered again to the
    same body; another body under the key raises IdempotencyKeyReused. Without a key, it just runs."""
    if key is None or key == "":
        status, response = operation()
        return Answer(status, response)
    key = _check_key(key)
    expected = fingerprint(body, scope)
    stored = IdempotencyKey.objects.filter(user=user, key=key).first()
    if stored is not None:
        return _replay(stored, expected)
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                user=user,
                key=key,
                scope=scope[:200],
                fingerprint=expected,
                response_status=0,
                response_body=None,
            )
    except IntegrityError:
        # A concurrent request with this key committed first (we waited for it on the unique index).
        return _replay(IdempotencyKey.objects.get(user=user, key=key), expected)
    status, response = operation()
    record.response_status = status
    record.response_body = json.loads(json.dumps(response, cls=DjangoJSONEncoder))
    record.save(update_fields=["response_status", "response_body"])
    return Answer(status, record.response_body)


def forget_old_keys(*, older_than: timedelta = KEEP_FOR) -> int:
    """Delete keys older than the given age (a day by default); answers how many."""
    deleted, _details = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
