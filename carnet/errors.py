"""Errors that services raise and every entry point (UI, API, CLI) turns into its own answer.

Field-level problems are Django's ValidationError with a dict of field → messages. The classes below
are the refusals that are not about one field's value.
"""

from typing import Any


class CarnetError(Exception):
    """A refusal with a stable code a client can rely on, a message for people and optional details."""

    status = 400
    code = "error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(CarnetError):
    status = 404
    code = "not_found"


class Conflict(CarnetError):
    status = 409
    code = "conflict"


class StaleVersion(Conflict):
    code = "stale_version"


class CodeTaken(Conflict):
    code = "code_taken"


class DuplicatesFound(Conflict):
    code = "possible_duplicates"


class InUse(Conflict):
    code = "in_use"


class FileTooLarge(CarnetError):
    """An uploaded file above the size an import reads (413)."""

    status = 413
    code = "file_too_large"


class RuleViolation(CarnetError):
    status = 422
    code = "rule_violation"


class InvalidState(RuleViolation):
    """The document (or hold) is not in a state that allows this: posting a posted invoice, cancelling an
    invoiced order, lifting a lifted hold."""

    code = "invalid_state"


class CreditRefused(RuleViolation):
    """The credit check blocked the document; nothing was saved. `decision` is the Decision
    (credit/decision.py); `extra["decision"]` its JSON, which the API sends as the problem's `decision`
    member (422)."""

    code = "credit_refused"

    def __init__(self, detail: str, *, decision: Any) -> None:
        super().__init__(detail, decision=decision.as_json())
        self.decision = decision


class CreditWarningNotAcknowledged(Conflict):
    """The credit check gave warnings and the request did not acknowledge them (with a reason); nothing was
    saved. The same request with acknowledge_warnings and an override_reason goes through (409)."""

    code = "credit_warning"

    def __init__(self, detail: str, *, decision: Any) -> None:
        super().__init__(detail, decision=decision.as_json())
        self.decision = decision


class IdempotencyKeyReused(Conflict):
    """An Idempotency-Key already answered a request with another body (409)."""

    code = "idempotency_key_reused"
