"""`carnet createuser NAME --role ROLE [--company CODE]... [--password P] [--email E] [--update]`."""

import sys
from getpass import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from carnet.accounts import services
from carnet.accounts.models import User
from carnet.accounts.roles import Role

from ._common import refusals_as_errors

OPTIONS = {
    "username": "NAME",
    "role": "--role",
    "companies": "--company",
    "password": "--password",
    "email": "--email",
}
PROMPT_ATTEMPTS = 3


class Command(BaseCommand):
    help = (
        "Create a user with a role and companies (no --company: MAIN; an admin sees every company). "
        "Without --password, asks for one on a terminal, or else generates one and prints it alone on "
        "the last line of standard output. With --update, changes what is given of an existing user."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", metavar="NAME")
        parser.add_argument("--role", help=f"One of: {', '.join(Role.values)}. Required unless --update.")
        parser.add_argument(
            "--company",
            dest="companies",
            action="append",
            metavar="CODE",
            help="A company the user belongs to; repeat for several (default: MAIN).",
        )
        parser.add_argument("--password", help="The password (default: asked for, or generated).")
        parser.add_argument("--email", help="The user's email address.")
        parser.add_argument(
            "--update",
            action="store_true",
            help="Change an existing user's role, companies, password or email instead of refusing.",
        )

    def handle(
        self,
        *args: Any,
        username: str,
        role: str | None,
        companies: list[str] | None,
        password: str | None,
        email: str | None,
        update: bool,
        **options: Any,
    ) -> None:
        existing = User.objects.filter(username=username.strip()).first()
        if existing is not None and not update:
            raise CommandError(
                f"A user named {existing.username} already exists; add --update to change its role, "
                "companies or password."
            )
        if existing is not None:
            self._update(username, role, companies, password, email)
            return
        if not role:
            raise CommandError(f"--role is required to create a user: one of {', '.join(Role.values)}.")
        generated = False
        if password is None:
            if sys.stdin.isatty():
                # Refuse a bad role or company before asking for a password that would then be wasted.
                with refusals_as_errors(OPTIONS):
                    services.check_new_user(
                        username=username, role=role, company_codes=companies, email=email or ""
                    )
                password = self._ask_password(username, email)
            else:
                password, generated = services.generate_password(), True
        with refusals_as_errors(OPTIONS):
            user = services.create_user(
                actor=None,
                username=username,
                role=role,
                company_codes=companies,
                password=password,
                email=email or "",
            )
        codes = ", ".join(user.visible_companies().values_list("code", flat=True))
        self.stderr.write(f"Created {user.username} ({user.role}), companies: {codes}.")
        if generated:
            self.stderr.write("Generated password (shown once):")
            self.stdout.write(password)

    def _update(
        self,
        username: str,
        role: str | None,
        companies: list[str] | None,
        password: str | None,
        email: str | None,
    ) -> None:
        with refusals_as_errors(OPTIONS):
            user = services.update_user(
                actor=None,
                username=username,
                role=role,
                company_codes=companies,
                password=password,
                email=email,
            )
        codes = ", ".join(user.visible_companies().values_list("code", flat=True))
        changed = [name for name, value in (("password", password), ("email", email)) if value is not None]
        extra = f"; changed {' and '.join(changed)}" if changed else ""
        self.stderr.write(f"Updated {user.username} ({user.role}), companies: {codes}{extra}.")

    def _ask_password(self, username: str, email: str | None) -> str:
        for _attempt in range(PROMPT_ATTEMPTS):
            password = getpass(f"Password for {username}: ")
            if password != getpass("Again: "):
                self.stderr.write("The two passwords differ; try again.")
                continue
            try:
                # Check the password now, so that a weak one is asked again rather than ending the command.
                services.check_new_password(password=password, username=username, email=email or "")
            except ValidationError as exc:
                self.stderr.write("\n".join(exc.messages))
                continue
            return password
        raise CommandError("No acceptable password was given; nothing was created.")
