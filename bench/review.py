#!/usr/bin/env python3
"""The credit review at scale (issue 5): builds a book of N customers and M invoices set-based (INSERT …
SELECT over a series, no Python loop over rows), then times `run_review` (as the installation, saved) with
its peak memory, and the bare aggregate query (the review's own main aggregate SQL, run directly) over the
same data; the ratio shows the review's overhead.

    .venv/bin/python bench/review.py                                   # PostgreSQL, 1,000,000 / 10,000,000
    .venv/bin/python bench/review.py --customers 20000 --invoices 200000
    .venv/bin/python bench/review.py --database sqlite --customers 100000 --invoices 1000000
    .venv/bin/python bench/review.py --compare-without-index           # also times without the index

Targets: <= 60 s and <= 1 GB peak memory on a 2-core machine, within 3x of the bare query.

The book, as of 2026-11-22: invoices dated over two years, 95 % posted and 5 % drafts; old invoices are
nearly all paid, recent ones often open, some partly paid; customers mostly approved, some on warning,
blocked, prospects, closed or not approved; 90 % with a credit limit; one in 500 under a dunning hold; the
company's criteria with both criteria on (grace 90 days; over 60 days above 80 % of the limit) and 50
customers with their own. Each credit account's kept balances are the sums of its invoices (posted open
balances, drafts). Payments are not loaded: the review never reads them.
"""

import argparse
import os
import resource
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import bench_database_url, say, setup_django

AS_OF = date(2026, 11, 22)
DB_NAME = "carnet_bench_review"
INDEX = "invoice_review_open"


def series(vendor: str, n: int) -> str:
    """A FROM clause yielding g = 1..n."""
    if vendor == "postgresql":
        return f"generate_series(1::bigint, {n}::bigint) AS s(g)"
    return f"(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {n}) SELECT g FROM s)"


def days_before(vendor: str, expr: str) -> str:
    if vendor == "postgresql":
        return f"(DATE '{AS_OF.isoformat()}' - ({expr})::int)"
    return f"date('{AS_OF.isoformat()}', printf('%+d days', -({expr})))"


def insert_select(model: Any, given: dict[str, str], source: str) -> None:
    """INSERT INTO model's table every NOT NULL column: the `given` SQL expressions, and the model's Python
    defaults for the others (Django defaults are Python-side, the table has none); nullable columns not
    given are left NULL."""
    from django.db import connection

    columns: list[str] = []
    values: list[str] = []
    params: list[Any] = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.column in given:
            columns.append(field.column)
            values.append(given[field.column].replace("%", "%%"))  # no placeholders in them
        elif not field.null:
            columns.append(field.column)
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                values.append("CURRENT_TIMESTAMP")
                continue
            default = field.get_default() if field.has_default() else ""
            values.append("%s")
            params.append(field.get_db_prep_save(default, connection))
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {model._meta.db_table} ({quoted}) SELECT {', '.join(values)} FROM {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def load(vendor: str, customers: int, invoices: int) -> dict[str, float]:
    from django.db import connection, transaction

    from carnet.accounts.models import Company
    from carnet.credit import review_criteria
    from carnet.credit.models import CreditAccount, Hold
    from carnet.customers.models import Customer
    from carnet.documents.models import Invoice

    company = Company.objects.get(code="MAIN")
    timings: dict[str, float] = {}
    numeric = "::numeric" if vendor == "postgresql" else ""

    started = time.perf_counter()
    with transaction.atomic():
        status = (
            "CASE WHEN g % 100 < 2 THEN 'prospect' WHEN g % 100 = 2 THEN 'closed' "
            "WHEN g % 100 = 3 THEN 'not_approved' WHEN g % 100 < 7 THEN 'warning' "
            "WHEN g % 100 < 10 THEN 'blocked' ELSE 'approved' END"
        )
        insert_select(
            Customer,
            {
                "code": "'B' || g",
                "name": "'Client ' || g",
                "external_code": "CASE g % 3 WHEN 0 THEN 'EST' WHEN 1 THEN 'OUEST' ELSE '' END",
                "status": status,
                "status_reason": "CASE WHEN g % 100 IN (2, 4, 5, 6, 7, 8, 9) THEN 'Set by hand' ELSE '' END",
                "status_changed_at": "CURRENT_TIMESTAMP",
            },
            series(vendor, customers),
        )
        first = Customer.objects.order_by("pk").values_list("pk", flat=True)[0]
        say(f"  {customers:,} customers in {time.perf_counter() - started:.1f} s")

        # Invoices: customer by g, date spread over two years (731 days), 95 % posted. Age decides whether
        # it is open: older than 90 days 0.5 %, 30-90 days 30 %, recent 70 %; a third of the open ones
        # partly paid (half open).
        mark = time.perf_counter()
        age = "((g * 7919) % 731)"
        paid = "((g * 104729) % 1000)"
        amount = f"(100 + ((g * 31) % 5000)){numeric}"
        open_ = (
            f"CASE WHEN g % 20 = 0 THEN {amount} "  # a draft: its whole amount
            f"WHEN ({age} > 90 AND {paid} >= 5) OR ({age} BETWEEN 30 AND 90 AND {paid} >= 300) "
            f"OR ({age} < 30 AND {paid} >= 700) THEN 0 "
            f"WHEN {paid} % 3 = 0 THEN round({amount} / 2, 2) ELSE {amount} END"
        )
        insert_select(
            Invoice,
            {
                "company_id": str(company.pk),
                "customer_id": f"({first} + (g % {customers}))",
                "number": "'F' || g",
                "date": days_before(vendor, age),
                "amount": amount,
                "currency": "'CAD'",
                "status": "CASE WHEN g % 20 = 0 THEN 'draft' ELSE 'posted' END",
                "due_date": days_before(vendor, f"{age} - 30"),
                "open_balance": open_,
                "posted_at": "CASE WHEN g % 20 = 0 THEN NULL ELSE CURRENT_TIMESTAMP END",
            },
            series(vendor, invoices),
        )
        say(f"  {invoices:,} invoices in {time.perf_counter() - mark:.1f} s")

        # One credit account per customer, its kept balances the sums of its invoices; limits 1,000 to
        # 50,000 for nine customers in ten.
        mark = time.perf_counter()
        insert_select(
            CreditAccount,
            {
                "customer_id": f"({first} - 1 + g)",
                "company_id": str(company.pk),
                "limit": f"CASE WHEN g % 10 = 0 THEN NULL ELSE (1000 + ((g * 37) % 50) * 1000){numeric} END",
            },
            series(vendor, customers),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE credit_creditaccount SET
                    posted_invoices_open = t.posted, draft_invoices = t.draft
                FROM (
                    SELECT customer_id,
                        SUM(CASE WHEN status = 'posted' THEN open_balance ELSE 0 END) AS posted,
                        SUM(CASE WHEN status = 'draft' THEN amount ELSE 0 END) AS draft
                    FROM documents_invoice WHERE company_id = {company.pk} GROUP BY customer_id
                ) AS t
                WHERE credit_creditaccount.customer_id = t.customer_id
                    AND credit_creditaccount.company_id = {company.pk}
                """
            )
        say(f"  credit accounts and kept balances in {time.perf_counter() - mark:.1f} s")

        insert_select(
            Hold,
            {
                "customer_id": f"({first} - 1 + g * 500)",
                "company_id": str(company.pk),
                "type": "'dunning'",
                "reason_code": "'LITIGE'",
                "set_at": "CURRENT_TIMESTAMP",
            },
            series(vendor, max(1, customers // 500)),
        )
        review_criteria.set_company_criteria(
            actor=None,
            company=company,
            data={
                "reason": "Factures impayées",
                "grace_days": 90,
                "limit_days": 60,
                "limit_percent": "80",
            },
        )
        # A few customers with their own criteria (two other overdue-days groups).
        for n in range(50):
            review_criteria.set_customer_criteria(
                actor=None,
                customer=first + 10 + n * (customers // 50),
                company=company,
                data={"reason": "Conditions particulières", "grace_days": 45 if n % 2 else 120},
            )
    timings["load"] = time.perf_counter() - started
    mark = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
    timings["analyze"] = time.perf_counter() - mark
    return timings


class QueryLog:
    """Every SQL statement of a run with its time (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str, Any]] = []

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - started, sql, params))


def bare(sql: str, params: Any) -> tuple[float, int]:
    """The aggregate run directly: execute, fetch every row; seconds and rows."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = len(cursor.fetchall())
    return time.perf_counter() - started, rows


def run(label: str, with_tracemalloc: bool) -> dict[str, Any]:
    from django.db import connection

    from carnet.credit.review import run_review

    log = QueryLog()
    if with_tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    with connection.execute_wrapper(log):
        review = run_review(actor=None, company="MAIN", as_of=AS_OF, save=True)
    seconds = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] if with_tracemalloc else None
    if with_tracemalloc:
        tracemalloc.stop()
    # The first aggregate is the company's criteria group (credit/review.py runs it first): the main one.
    # (Statement times are not summed: a streamed query's rows are fetched after its execute returns.)
    main = next(q for q in log.queries if "GROUP BY" in q[1])
    return {
        "label": label,
        "seconds": seconds,
        "review": review,
        "queries": len(log.queries),
        "main": main,
        "traced": traced,
    }


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def explain(sql: str, params: Any) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def measure(vendor: str, label: str, show_plan: bool) -> dict[str, Any]:
    say(f"timing the review ({label})")
    first = run(label, with_tracemalloc=False)
    rss = maxrss_mb()
    _seconds, sql, params = first["main"]
    bare(sql, params)  # the same cache state for the bare query as the review had: warm
    bare_seconds, bare_rows = min((bare(sql, params) for _ in range(2)), key=lambda r: r[0])
    say("again under tracemalloc (Python allocations)")
    traced = run(label, with_tracemalloc=True)
    first.update(
        maxrss=rss,
        traced=traced["traced"],
        traced_seconds=traced["seconds"],
        bare_seconds=bare_seconds,
        bare_rows=bare_rows,
        plan=explain(sql, params) if show_plan and vendor == "postgresql" else "",
    )
    return first


def report(result: dict[str, Any]) -> None:
    review = result["review"]
    label = result["label"]
    print(f"--- {label}")
    print(
        f"review run                {result['seconds']:.2f} s  (review #{review.pk}: "
        f"{review.to_block_count:,} to block, {review.to_release_count:,} to release; "
        f"{result['queries']} SQL statements)"
    )
    print(f"bare main aggregate       {result['bare_seconds']:.2f} s  ({result['bare_rows']:,} rows fetched)")
    print(f"ratio review / bare       {result['seconds'] / result['bare_seconds']:.2f}x")
    print(f"peak RSS of the process   {result['maxrss']:.0f} MB  (ru_maxrss: whole process, so far)")
    print(
        f"peak Python allocations   {result['traced'] / 1024 / 1024:.0f} MB  (tracemalloc, during a second "
        f"run: {result['traced_seconds']:.2f} s under tracing)"
    )
    if result["plan"]:
        print("plan of the main aggregate:")
        print(result["plan"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--customers", type=int, default=None, help="default 1,000,000 (SQLite 100,000)")
    parser.add_argument("--invoices", type=int, default=None, help="default 10,000,000 (SQLite 1,000,000)")
    parser.add_argument(
        "--compare-without-index",
        action="store_true",
        help=f"then drop the partial index {INDEX} and time again (the before/after of the migration)",
    )
    parser.add_argument("--plan", action="store_true", help="print the main aggregate's plan (PostgreSQL)")
    args = parser.parse_args()
    small = args.database == "sqlite"
    customers = args.customers or (100_000 if small else 1_000_000)
    invoices = args.invoices or (1_000_000 if small else 10_000_000)

    load_before = os.getloadavg()
    url = bench_database_url(args.database, DB_NAME)
    setup_django(url)
    from django.db import connection

    say(f"loading {customers:,} customers and {invoices:,} invoices on {args.database}")
    timings = load(connection.vendor, customers, invoices)
    results = [measure(connection.vendor, f"with the partial index {INDEX}", args.plan)]
    if args.compare_without_index:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
            cursor.execute("ANALYZE documents_invoice")
        results.append(measure(connection.vendor, f"without {INDEX}", args.plan))
    load_after = os.getloadavg()

    print(f"database                  {args.database}")
    print(f"book                      {customers:,} customers, {invoices:,} invoices, as of {AS_OF}")
    print(f"load (set-based)          {timings['load']:.1f} s, then ANALYZE {timings['analyze']:.1f} s")
    print(f"load average before       {' '.join(f'{x:.2f}' for x in load_before)}  (2 cores, shared machine)")
    print(f"load average after        {' '.join(f'{x:.2f}' for x in load_after)}")
    for result in results:
        report(result)
    print("targets: review <= 60 s, peak memory <= 1 GB, review within 3x of the bare aggregate")


if __name__ == "__main__":
    main()
