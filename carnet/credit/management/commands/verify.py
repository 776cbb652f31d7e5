"""`carnet verify`: recompute every kept credit balance from the documents and report what differs."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from carnet.credit.decision import money
from carnet.credit.verification import find_differences

COLUMNS = ("customer", "company", "balance", "kept", "recomputed")


class Command(BaseCommand):
    help = (
        "Recompute every customer's kept credit balances (open orders, draft invoices, open posted invoices, "
        "unallocated credit, and each document's open or unallocated amount) from the documents. Prints "
        "each difference and exits 1 if there is any."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        compared, differences = find_differences()
        if not differences:
            self.stderr.write(f"all {compared} balances agree")
            return
        rows = [COLUMNS] + [
            (d.customer_code, d.company_code, d.field, money(d.kept), money(d.recomputed))
            for d in differences
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        raise CommandError(
            f"{len(differences)} of {compared} balances differ from the documents.", returncode=1
        )
