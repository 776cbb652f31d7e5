"""`carnet token NAME [--name LABEL] [--expires-days N]`: a new API token, alone on the last line."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from carnet.accounts import services

from ._common import refusals_as_errors, user_named


class Command(BaseCommand):
    help = (
        "Make a new API token for a user and print it alone on the last line of standard output "
        "(messages go to standard error). Only a hash is kept: the token cannot be shown again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", metavar="NAME", help="The user the token acts for.")
        parser.add_argument(
            "--name",
            metavar="LABEL",
            help="What the token is for, e.g. erp-sync (default: cli and today's date).",
        )
        parser.add_argument(
            "--expires-days",
            type=int,
            metavar="N",
            help="The token stops working after N days (default: never).",
        )

    def handle(
        self, *args: Any, username: str, name: str | None, expires_days: int | None, **options: Any
    ) -> None:
        user = user_named(username)
        label = name if name is not None else f"cli {timezone.localdate().isoformat()}"
        with refusals_as_errors({"name": "--name", "expires_days": "--expires-days", "user": "NAME"}):
            token, raw = services.issue_token(actor=None, user=user, name=label, expires_days=expires_days)
        expiry = (
            timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M") if token.expires_at else "never"
        )
        self.stderr.write(
            f"Token {token.name!r} for {user.username} ({user.role}); expires: {expiry}. "
            "Copy it now: it is not shown again."
        )
        self.stdout.write(raw)
