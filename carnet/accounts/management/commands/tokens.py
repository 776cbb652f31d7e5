"""`carnet tokens NAME`: the user's API tokens, one a line (the tokens themselves are never shown)."""

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from carnet.accounts import services

from ._common import user_named

COLUMNS = ("name", "hint", "created", "expires", "last used", "state")


def _when(moment: datetime | None, empty: str) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else empty


class Command(BaseCommand):
    help = (
        "List a user's API tokens: name, hint, created, expires, last used, state (usable, expired, revoked)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", metavar="NAME")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = user_named(username)
        rows = [
            (
                token.name,
                token.hint + "…",
                _when(token.created_at, ""),
                _when(token.expires_at, "never"),
                _when(token.last_used_at, "never"),
                services.token_state(token) + (f" {_when(token.revoked_at, '')}" if token.revoked_at else ""),
            )
            for token in services.list_tokens(actor=None, user=user)
        ]
        if not rows:
            self.stderr.write(
                f"{user.username} has no API tokens; make one with: carnet token {user.username}"
            )
            return
        widths = [max(len(str(r[i])) for r in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
        for row in [COLUMNS, *rows]:
            self.stdout.write(
                "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
