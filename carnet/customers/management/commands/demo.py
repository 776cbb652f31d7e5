"""`carnet demo [--force] [--count N] [--seed S]`: load the demo customer book and one user per role."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from carnet.audit.commands import RecordedCommand
from carnet.customers import demo
from carnet.customers.models import Customer
from carnet.errors import CarnetError


class Command(RecordedCommand):
    help = (
        "Load a realistic demo book (customers in Québec, Ontario, France and the US with addresses, "
        "contacts and notes) and one user per role with the password carnet-demo. Refuses a database "
        "that already holds customers unless --force, which adds the demo book beside them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Add the demo book even when customers already exist."
        )
        parser.add_argument(
            "--count",
            type=int,
            default=demo.DEFAULT_COUNT,
            help=f"Customers to make (default {demo.DEFAULT_COUNT}).",
        )
        parser.add_argument("--seed", type=int, default=demo.SEED, help="Another seed makes another book.")

    def handle(self, *args: Any, force: bool, count: int, seed: int, **options: Any) -> None:
        if count < len(demo.REGIONS):
            raise CommandError(f"--count: at least {len(demo.REGIONS)}, one customer per region.")
        existing = Customer.objects.count()
        if existing and not force:
            raise CommandError(
                f"The database already holds {existing} customers; demo data goes into an empty database. "
                "Add --force to add the demo customers beside them."
            )
        self.stderr.write(f"Loading {count} demo customers…")
        try:
            result = demo.load_demo(count=count, seed=seed, progress=self.stderr.write)
        except (ValidationError, CarnetError) as exc:
            # A demo record that breaks a rule is a bug of the demo data: say which rule, keep nothing.
            raise CommandError(f"The demo data was refused, nothing was loaded: {exc}") from exc
        self.stderr.write(
            f"Loaded {result.customers} customers, {result.addresses} addresses, {result.contacts} contacts "
            f"and {result.notes} notes, {result.invoices} invoices, {result.payments} payments, "
            f"{result.orders} open orders and {result.holds} holds in {result.seconds:.1f} s."
        )
        self.stderr.write("")
        self.stderr.write("Demo users (sign in at /):")
        rows = [("user", "role", "password")] + [
            (username, role, demo.DEMO_PASSWORD if created else "(already there, unchanged)")
            for username, role, created in result.users
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            self.stderr.write(
                "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
