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


class RuleViolation(CarnetError):
    status = 422
    code = "rule_violation"
