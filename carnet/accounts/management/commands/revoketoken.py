"""`carnet revoketoken NAME LABEL_OR_HINT`: revoke a user's API token(s) by name or by hint."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from carnet.accounts import services

from ._common import refusals_as_errors, user_named


class Command(BaseCommand):
    help = (
        "Revoke a user's API tokens: every unrevoked token with that name, or the one with that hint "
        "(as `carnet tokens NAME` shows it). A revoked token stops working at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", metavar="NAME")
        parser.add_argument("label_or_hint", metavar="LABEL_OR_HINT")

    def handle(self, *args: Any, username: str, label_or_hint: str, **options: Any) -> None:
        user = user_named(username)
        with refusals_as_errors({}):
            revoked = services.revoke_tokens(actor=None, user=user, name_or_hint=label_or_hint)
        for token in revoked:
            self.stderr.write(f"Revoked {token.name!r} ({token.hint}…) of {user.username}.")
