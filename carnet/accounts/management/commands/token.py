"""`carnet token NAME [--name LABEL] [--expires-days N | --never]`: a new API token, alone on its line."""

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
        lifetime = parser.add_mutually_exclusive_group()
        lifetime.add_argument(
            "--expires-days",
            type=int,
            metavar="N",
            default=services.DEFAULT_TOKEN_DAYS,
            help=f"The token stops working after N days (1 to {services.MAX_TOKEN_DAYS}; "
            f"default: {services.DEFAULT_TOKEN_DAYS}).",
        )
        lifetime.add_argument(
            "--never",
            action="store_true",
            help="The token never expires (revoke it when it is no longer used).",
        )

    def handle(
        self,
        *args: Any,
        username: str,
        name: str | None,
        expires_days: int,
        never: bool,
        **options: Any,
    ) -> None:
        user = user_named(username)
        label = name if name is not None else f"cli {timezone.localdate().isoformat()}"
        days = None if never else expires_days
        with refusals_as_errors({"name": "--name", "expires_days": "--expires-days", "user": "NAME"}):
            token, raw = services.issue_token(actor=None, user=user, name=label, expires_days=days)
        expiry = (
            timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M") if token.expires_at else "never"
        )
        self.stderr.write(
            f"Token {token.name!r} for {user.username} ({user.role}); expires: {expiry}. "
            "Copy it now: it is not shown again."
        )
        self.stdout.write(raw)
