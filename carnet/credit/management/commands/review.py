"""`carnet review`: run the credit review of a company and print the proposal; `--apply` applies it."""

import sys
from io import StringIO
from typing import Any

from django.core.management.base import CommandParser
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from carnet.accounts.management.commands._common import refusals_as_errors
from carnet.audit.commands import RecordedCommand
from carnet.credit.models import CreditReview
from carnet.credit.review import apply_review, review_lines, run_review

OPTIONS = {"as_of": "--as-of", "company": "--company", "external_code": "--external-code"}


def _table(review: CreditReview) -> str:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for column, justify in (
        ("customer", "left"),
        ("name", "left"),
        ("action", "left"),
        ("status", "left"),
        ("new status", "left"),
        ("criteria", "left"),
        ("overdue", "right"),
        ("oldest days", "right"),
        ("% of limit", "right"),
        ("applied", "left"),
    ):
        table.add_column(column, justify=justify, no_wrap=column != "name")  # type: ignore[arg-type]
    for line in review_lines(review):
        table.add_row(
            line.customer.code,
            line.customer.name,
            line.action,
            line.status_before,
            line.new_status,
            ", ".join(line.criteria),
            f"{line.overdue_balance:.2f}",
            "" if line.oldest_days is None else str(line.oldest_days),
            "" if line.percent_of_limit is None else f"{line.percent_of_limit:.2f}",
            line.result or ("-" if review.applied_at is None else ""),
        )
    out = StringIO()
    Console(file=out, width=200, color_system=None, highlight=False).print(table)
    return "\n".join(line.rstrip() for line in out.getvalue().rstrip("\n").splitlines())


class Command(RecordedCommand):
    help = (
        "Run the credit review of a company as of a day (today by default): print the customers to block "
        "and those to release, with why. --apply applies every line at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", dest="as_of", help="The review's day, YYYY-MM-DD (default: today).")
        parser.add_argument("--company", default="MAIN", help="The company's code (default: MAIN).")
        parser.add_argument(
            "--external-code", dest="external_code", help="Only customers with this external code."
        )
        parser.add_argument("--apply", action="store_true", help="Apply every proposed line.")

    def handle(self, *args: Any, **options: Any) -> None:
        # A bar with the current step and the time so far, on a terminal; nothing when standard error is a
        # file or a pipe. The run is a few set-based queries, so the bar pulses rather than counts rows.
        show = sys.stderr.isatty() and options.get("stderr") is None
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            transient=True,
            disable=not show,
        ) as progress:
            task = progress.add_task("Credit review", total=None)

            def step(message: str) -> None:
                progress.update(task, description=message)

            with refusals_as_errors(OPTIONS):
                review = run_review(
                    actor=None,
                    company=options["company"],
                    as_of=options["as_of"],
                    external_code=options["external_code"],
                    progress=step,
                )
                if options["apply"]:
                    step("Applying")
                    review = apply_review(actor=None, review_id=review.pk)
        if review.to_block_count or review.to_release_count:
            self.stdout.write(_table(review))
        summary = (
            f"Credit review #{review.pk} of {review.company.code} as of {review.as_of.isoformat()}"
            + (f" (external code {review.external_code})" if review.external_code else "")
            + f": {review.to_block_count} to block, {review.to_release_count} to release."
        )
        self.stderr.write(summary)
        if options["apply"]:
            self.stderr.write(f"Applied: {review.applied_count} changed, {review.skipped_count} skipped.")
        elif review.to_block_count or review.to_release_count:
            self.stderr.write(
                f"Not applied: run `carnet review --apply`, or apply review #{review.pk} in Carnet."
            )
