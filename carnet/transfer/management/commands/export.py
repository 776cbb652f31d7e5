"""`carnet export KIND`: write the CSV of every customer, address, contact, invoice or payment."""

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from carnet.errors import CarnetError
from carnet.transfer.exporting import export_lines
from carnet.transfer.registry import KINDS


class Command(BaseCommand):
    help = "Export customers, addresses, contacts, invoices or payments as CSV (UTF-8), to stdout or a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="What to export.")
        parser.add_argument("--output", "-o", help="The file to write (default: standard output).")
        parser.add_argument("--company", help="Only this company's invoices or payments.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            lines = export_lines(options["kind"], actor=None, company=options.get("company"))
            if options.get("output"):
                with open(options["output"], "w", encoding="utf-8", newline="") as out:
                    out.writelines(lines)
            else:
                for line in lines:
                    self.stdout.write(line, ending="")
        except CarnetError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if options.get("output"):
            sys.stderr.write(f"Wrote {options['output']}.\n")
