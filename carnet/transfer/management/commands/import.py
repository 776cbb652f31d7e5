"""`carnet import KIND FILE`: import a CSV file, all of it or nothing; --dry-run says what it would do."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from carnet.audit.context import Source, activity
from carnet.transfer.importing import run_import
from carnet.transfer.registry import KINDS

SHOWN_PROBLEMS = 200


class Command(BaseCommand):
    help = (
        "Import a CSV file of customers, addresses, contacts, invoices or payments. Nothing is changed if "
        "any row is wrong: every problem is listed with its row, column and rule (exit status 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="What the file holds.")
        parser.add_argument("file", help="The CSV file (UTF-8).")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; change nothing.")
        parser.add_argument(
            "--company", help="The company's code (new customers' status; documents without a company)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        show = sys.stderr.isatty() and options.get("stderr") is None
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            transient=True,
            disable=not show,
        ) as progress:
            task = progress.add_task(f"Importing {options['kind']}", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            with activity(Source.CLI):
                report = run_import(
                    options["kind"],
                    data,
                    actor=None,
                    dry_run=options["dry_run"],
                    company=options.get("company"),
                    progress=advance,
                )
        for problem in report.sorted_problems()[:SHOWN_PROBLEMS]:
            self.stdout.write(str(problem))
        if len(report.problems) > SHOWN_PROBLEMS:
            self.stdout.write(f"… and {len(report.problems) - SHOWN_PROBLEMS} more problems.")
        if not report.ok:
            raise CommandError(
                f"{len(report.problems)} problem(s) in {path.name}: nothing was imported.", returncode=1
            )
        verb = "Would create" if report.dry_run else "Created"
        self.stderr.write(
            f"{verb} {report.created}, {'would update' if report.dry_run else 'updated'} {report.updated}, "
            f"{report.unchanged} unchanged ({report.rows} rows of {options['kind']})."
            + (" Dry run: nothing was changed." if report.dry_run else "")
        )
