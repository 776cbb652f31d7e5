#!/usr/bin/env python3
"""The credit check at scale: builds a book of N customers with their documents (posted invoices, some paid in
part or in full, drafts, open and cancelled orders, payments, credit notes, holds, memos) and the kept
balances of their credit accounts, then measures POST /api/v1/credit-checks through a real gunicorn server:
the latency with one client, and the throughput with concurrent clients. Prints the figures; it is not a test.

    .venv/bin/python bench/credit_check.py               # PostgreSQL, 100,000 and then 10,000 customers
    .venv/bin/python bench/credit_check.py --database sqlite --customers 100000 --invoices 1000000
    .venv/bin/python bench/credit_check.py --customers 20000 --invoices 400000 --no-also-small --verify

Targets: p99 <= 10 ms for one check, >= 500 checks/s on a 2-core machine, whatever the size of the book.

The book is loaded with set-based SQL (INSERT ... SELECT over a generated series), not the ORM row by row;
every credit account's kept balances are then set from the documents in one INSERT ... SELECT ... GROUP BY,
as the document services would have kept them, and `carnet verify` (find_differences) proves it on the
small book (and on the big one with --verify).
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import sys
import time
import urllib.parse
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import (
    bench_database_url,
    cpu_seconds,
    figures,
    process_tree,
    running_server,
    say,
    setup_django,
)

DB_NAME = "carnet_bench_credit"
HEAVY_CUSTOMERS = 10  # customers 1..10 get 3% of every document: thousands each
PATH = "/api/v1/credit-checks"


# --- SQL that differs between PostgreSQL and SQLite ----------------------------------------------------


class Dialect:
    def __init__(self, vendor: str) -> None:
        self.pg = vendor == "postgresql"

    def series(self, n: int) -> str:
        """A FROM item giving the column i = 1..n."""
        if self.pg:
            return f"generate_series(1, {int(n)}) AS s(i)"
        return (
            f"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {int(n)}) "
            "SELECT i FROM s) AS s"
        )

    def rnd(self, k: int) -> str:
        """A random integer in 0..k-1, drawn again on every row."""
        if self.pg:
            return f"floor(random() * {int(k)})::int"
        return f"(abs(random()) % {int(k)})"

    def money(self, cents: str) -> str:
        return f"(({cents})::numeric / 100)::numeric(14, 2)" if self.pg else f"(({cents}) / 100.0)"

    def days_before(self, day: date, days: str) -> str:
        if self.pg:
            return f"(DATE '{day.isoformat()}' - ({days}))"
        return f"date('{day.isoformat()}', printf('%+d days', -({days})))"

    def timestamp_before(self, day: date, days: str) -> str:
        if self.pg:
            return f"(DATE '{day.isoformat()}' - ({days}))::timestamptz"
        return f"datetime('{day.isoformat()}', printf('%+d days', -({days})))"

    def number(self, prefix: str, expr: str) -> str:
        """PREFIX-000123, as documents/common.py numbers them (six digits at least)."""
        if self.pg:
            padded = f"CASE WHEN {expr} < 1000000 THEN lpad(({expr})::text, 6, '0') ELSE ({expr})::text END"
            return f"'{prefix}-' || {padded}"
        return f"printf('{prefix}-%06d', {expr})"

    def text(self, expr: str) -> str:
        return f"({expr})::text" if self.pg else f"CAST({expr} AS TEXT)"


def insert_select(cursor: Any, model: Any, values: dict[str, str], source: str) -> int:
    """INSERT INTO the model's table SELECT ... FROM source, listing every concrete column: `values` gives SQL
    expressions by attribute name; the other columns get the field's Python-side default (a parameter),
    now for auto_now fields, NULL when nullable. A NOT NULL column with no default fails here, not in the
    database."""
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.attname in values:
            columns.append(connection.ops.quote_name(field.column))
            expressions.append(values.pop(field.attname).replace("%", "%%"))  # beside parameters
            continue
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.null and not field.has_default():
            continue
        else:
            value = field.get_default()
            if value is None:
                raise ValueError(f"{model.__name__}.{field.name}: NOT NULL without a default; give it")
        columns.append(connection.ops.quote_name(field.column))
        expressions.append("%s")
        params.append(field.get_db_prep_save(value, connection))
    if values:
        raise ValueError(f"{model.__name__}: no such fields {sorted(values)}")
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} FROM {source.replace('%', '%%')}"
    )
    cursor.execute(sql, params)
    return int(cursor.rowcount)


# --- the book -------------------------------------------------------------------------------------------


def load_book(customers: int, invoices: int) -> dict[str, Any]:
    """Companies MAIN and EAST, `customers` customers, `invoices` invoices and what goes with them. Returns
    the row counts."""
    from django.core.management.color import no_style
    from django.db import DatabaseError, connection, transaction

    from carnet.accounts.models import Company
    from carnet.credit.models import CreditAccount, CreditPolicy, Hold
    from carnet.customers.models import Customer, Note, NoteCategory
    from carnet.documents.models import Allocation, CreditNote, DocumentSequence, Invoice, Order, Payment

    d = Dialect(connection.vendor)
    today = date.today()
    main = Company.objects.get(code="MAIN")
    east, _ = Company.objects.get_or_create(code="EAST", defaults={"name": "Carnet Est", "currency": "CAD"})
    CreditPolicy.objects.update_or_create(company=main, defaults={"limit_enforcement": "warn_at_entry"})
    CreditPolicy.objects.update_or_create(
        company=east, defaults={"limit_enforcement": "block_at_entry", "exposure_method": "invoiced_only"}
    )
    category, _ = NoteCategory.objects.get_or_create(
        code="credit", defaults={"label_en": "Credit", "label_fr": "Crédit"}
    )
    counts: dict[str, Any] = {}
    n_orders = max(1, invoices // 10)
    n_credit_notes = max(1, invoices // 100)
    company_of = f"CASE WHEN {d.rnd(10)} < 8 THEN {main.pk} ELSE {east.pk} END"
    customer_of = (
        f"CASE WHEN {d.rnd(100)} < 3 THEN 1 + {d.rnd(HEAVY_CUSTOMERS)} ELSE 1 + {d.rnd(customers)} END"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if d.pg:
            cursor.execute("SELECT setseed(0.20261124)")
            # The rows reference each other by construction (ids from the series): skip the deferred
            # foreign-key triggers, which would otherwise check millions of rows one by one at COMMIT.
            # Needs a superuser (the local server's postgres); without one, the checks simply run.
            try:
                with transaction.atomic():
                    cursor.execute("SET LOCAL session_replication_role = replica")
            except DatabaseError:
                pass
        # Customers: a mix of statuses (a reason where one is needed), some with a maximum per order.
        status = (
            "CASE WHEN r < 80 THEN 'approved' WHEN r < 85 THEN 'warning' WHEN r < 88 THEN 'blocked' "
            "WHEN r < 93 THEN 'prospect' WHEN r < 97 THEN 'not_approved' ELSE 'closed' END"
        )
        code = d.number("B", "i").replace("'B-", "'B")
        # Draws are stored before use: SQLite flattens a subquery and would draw random() again at each
        # reference of its column.
        cursor.execute("DROP TABLE IF EXISTS bench_customer")
        cursor.execute(
            f"CREATE TABLE bench_customer AS SELECT i, {d.rnd(100)} AS r, {d.rnd(100)} AS r2 "
            f"FROM {d.series(customers)}"
        )
        counts["customers"] = insert_select(
            cursor,
            Customer,
            {
                "id": "i",
                "code": code,
                "name": "'Client ' || " + d.text("i"),
                "name_key": "'client ' || " + d.text("i"),
                "search_text": "'client ' || " + d.text("i"),
                "status": status,
                "status_reason": "CASE WHEN r BETWEEN 80 AND 87 OR r >= 97 THEN 'Invoices over 60 days' "
                "ELSE '' END",
                "max_order_amount": f"CASE WHEN r2 < 10 THEN {d.money('100000 * (1 + r2)')} END",
            },
            "bench_customer",
        )
        cursor.execute("DROP TABLE bench_customer")
        # The invoices' parameters, drawn once so that invoices, payments and allocations agree.
        cursor.execute("DROP TABLE IF EXISTS bench_invoice")
        cursor.execute(
            f"CREATE {'UNLOGGED ' if d.pg else ''}TABLE bench_invoice AS "
            f"SELECT i, {customer_of} AS customer_id, {company_of} AS company_id, "
            f"5000 + {d.rnd(1000000)} AS cents, {d.rnd(730)} AS age, "
            f"CASE WHEN {d.rnd(100)} < 3 THEN 0 ELSE 1 END AS posted, {d.rnd(100)} AS r, "
            f"10 + {d.rnd(80)} AS part, "
            f"CASE WHEN {d.rnd(100)} < 5 THEN 100 * (1 + {d.rnd(500)}) ELSE 0 END AS extra "
            f"FROM {d.series(invoices)}"
        )
        cursor.execute("ALTER TABLE bench_invoice ADD COLUMN paid BIGINT")
        cursor.execute(
            "UPDATE bench_invoice SET paid = CASE WHEN posted = 0 THEN 0 WHEN r < 55 THEN cents "
            "WHEN r < 70 THEN cents * part / 100 ELSE 0 END"
        )
        counts["invoices"] = insert_select(
            cursor,
            Invoice,
            {
                "id": "i",
                "company_id": "company_id",
                "customer_id": "customer_id",
                "number": d.number("INV", "i"),
                "date": d.days_before(today, "age"),
                "due_date": d.days_before(today, "age - 30"),
                "amount": d.money("cents"),
                "currency": "'CAD'",
                "status": "CASE WHEN posted = 1 THEN 'posted' ELSE 'draft' END",
                "open_balance": d.money("cents - paid"),
            },
            "bench_invoice",
        )
        # One payment per paid invoice; some bring more than they pay: money on account.
        counts["payments"] = insert_select(
            cursor,
            Payment,
            {
                "id": "i",
                "company_id": "company_id",
                "customer_id": "customer_id",
                "number": d.number("PAY", "i"),
                "date": d.days_before(today, "age / 2"),
                "amount": d.money("paid + extra"),
                "currency": "'CAD'",
                "method": "'wire'",
                "unallocated": d.money("extra"),
            },
            "bench_invoice WHERE paid > 0",
        )
        counts["allocations"] = insert_select(
            cursor,
            Allocation,
            {
                "id": "i",
                "company_id": "company_id",
                "customer_id": "customer_id",
                "invoice_id": "i",
                "payment_id": "i",
                "amount": d.money("paid"),
            },
            "bench_invoice WHERE paid > 0",
        )
        cursor.execute("DROP TABLE bench_invoice")
        counts["orders"] = insert_select(
            cursor,
            Order,
            {
                "id": "i",
                "company_id": company_of,
                "customer_id": customer_of,
                "number": d.number("ORD", "i"),
                "date": d.days_before(today, d.rnd(60)),
                "amount": d.money(f"5000 + {d.rnd(500000)}"),
                "currency": "'CAD'",
                "status": f"CASE WHEN {d.rnd(10)} < 7 THEN 'open' ELSE 'cancelled' END",
            },
            d.series(n_orders),
        )
        cursor.execute("DROP TABLE IF EXISTS bench_credit_note")
        cursor.execute(
            f"CREATE TABLE bench_credit_note AS SELECT i, {company_of} AS company_id, "
            f"{customer_of} AS customer_id, 1000 + {d.rnd(50000)} AS cents FROM {d.series(n_credit_notes)}"
        )
        counts["credit notes"] = insert_select(
            cursor,
            CreditNote,
            {
                "id": "i",
                "company_id": "company_id",
                "customer_id": "customer_id",
                "number": d.number("CRN", "i"),
                "date": d.days_before(today, d.rnd(365)),
                "amount": d.money("cents"),
                "unallocated": d.money("cents"),
                "currency": "'CAD'",
            },
            "bench_credit_note",
        )
        cursor.execute("DROP TABLE bench_credit_note")
        # Holds: 2% of customers on sale-order hold in MAIN, 1% on invoicing hold in every company; a third
        # of each lifted or ended (on record, no longer applying).
        set_at = d.timestamp_before(today, f"{d.rnd(100)} + 1")
        for percent, salt, kind, company_id in (
            (2, 1, "sale_order", str(main.pk)),
            (1, 7, "invoicing", "NULL"),
        ):
            counts[f"holds {kind}"] = insert_select(
                cursor,
                Hold,
                {
                    "customer_id": "i",
                    "company_id": company_id,
                    "type": f"'{kind}'",
                    "reason_code": "'LATE'",
                    "comment": "'Invoices over 60 days'",
                    "set_at": set_at,
                    "ends_on": f"CASE WHEN r = 1 THEN {d.days_before(today, 1)} "
                    f"WHEN r = 2 THEN {d.days_before(today, -30)} END",
                    "lifted_at": f"CASE WHEN r = 0 THEN {d.timestamp_before(today, '0')} END",
                },
                f"(SELECT i, (i / 100) % 3 AS r FROM {d.series(customers)}) AS h "
                f"WHERE i % 100 < {percent} + {salt} AND i % 100 >= {salt}",
            )
        # The memo: a pinned note for 5% of customers, and unpinned notes that are not in it.
        counts["notes"] = insert_select(
            cursor,
            Note,
            {
                "customer_id": "i",
                "category_id": str(category.pk),
                "text": "CASE WHEN i % 20 = 3 THEN 'Call Marie before any order over 5000' "
                "ELSE 'Visited in spring' END",
                "pinned": "CASE WHEN i % 20 = 3 THEN TRUE ELSE FALSE END" if d.pg else "(i % 20 = 3)",
            },
            f"{d.series(customers)} WHERE i % 20 = 3 OR i % 7 = 0",
        )
        # The kept balances: ONE aggregate over the documents, as the services keep them. Every customer
        # has an account in MAIN (with or without documents); EAST accounts exist where there are documents.
        # Limits: none for 15%, zero for 2%, else 1,000 to 100,000.
        limit = (
            f"CASE WHEN {d.rnd(100)} < 15 THEN NULL WHEN {d.rnd(100)} < 2 THEN 0 "
            f"ELSE {d.money(f'100 * (1000 + {d.rnd(99001)})')} END"
        )
        zero = d.money("0")
        counts["credit accounts"] = insert_select(
            cursor,
            CreditAccount,
            {
                "customer_id": "customer_id",
                "company_id": "company_id",
                "limit": limit,
                "open_orders": "SUM(open_orders)",
                "draft_invoices": "SUM(draft_invoices)",
                "posted_invoices_open": "SUM(posted_invoices_open)",
                "unallocated_credit": "SUM(unallocated_credit)",
            },
            f"""(
                SELECT id AS customer_id, {main.pk} AS company_id, {zero} AS open_orders,
                       {zero} AS draft_invoices, {zero} AS posted_invoices_open, {zero} AS unallocated_credit
                FROM customers_customer
                UNION ALL
                SELECT customer_id, company_id, amount, {zero}, {zero}, {zero}
                FROM documents_order WHERE status = 'open'
                UNION ALL
                SELECT customer_id, company_id, {zero},
                       CASE WHEN status = 'draft' THEN amount ELSE {zero} END,
                       CASE WHEN status = 'posted' THEN open_balance ELSE {zero} END, {zero}
                FROM documents_invoice
                UNION ALL
                SELECT customer_id, company_id, {zero}, {zero}, {zero}, unallocated FROM documents_payment
                UNION ALL
                SELECT customer_id, company_id, {zero}, {zero}, {zero}, unallocated FROM documents_creditnote
            ) AS kept GROUP BY customer_id, company_id""",
        )
        for model, number in ((Customer, customers), (Invoice, invoices)):
            assert model.objects.count() == number, model
        for statement in connection.ops.sequence_reset_sql(
            no_style(), [Customer, Invoice, Payment, Allocation, Order, CreditNote, Hold, Note, CreditAccount]
        ):
            cursor.execute(statement)
        for company in (main, east):
            for kind, model in (
                ("invoice", Invoice),
                ("payment", Payment),
                ("order", Order),
                ("credit_note", CreditNote),
            ):
                DocumentSequence.objects.update_or_create(
                    company=company,
                    document_type=kind,
                    defaults={
                        "next_number": model.objects.order_by("-id").values_list("id", flat=True)[0] + 1
                    },
                )
    return counts


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# --- measuring ------------------------------------------------------------------------------------------


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def random_checks(rng: random.Random, customers: int, n: int) -> list[dict[str, str]]:
    """Random customers (a tenth of the checks on the few customers with thousands of documents), amounts
    from 1.00 to 20,000.00; mostly orders in MAIN."""
    checks = []
    for _ in range(n):
        customer = rng.randint(1, HEAVY_CUSTOMERS) if rng.random() < 0.1 else rng.randint(1, customers)
        checks.append(
            {
                "customer": str(customer),
                "company": "MAIN" if rng.random() < 0.9 else "EAST",
                "kind": "order" if rng.random() < 0.8 else "invoice",
                "amount": f"{rng.randint(100, 2_000_000) / 100:.2f}",
            }
        )
    return checks


def measure_service(user: Any, checks: list[dict[str, str]]) -> tuple[dict[str, float], int, int]:
    """check_credit_dry_run in this process, as the API runs it (without a request transaction: the route
    only reads, see carnet/urls.py); also the queries of one check and of the token lookup."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from carnet.accounts.models import ApiToken
    from carnet.credit.services import check_credit_dry_run

    def one(check: dict[str, str]) -> None:
        check_credit_dry_run(actor=user, **check)

    for check in checks[:50]:
        one(check)
    samples = []
    for check in checks:
        started = time.perf_counter()
        one(check)
        samples.append((time.perf_counter() - started) * 1000)
    plain = next(c for c in checks if int(c["customer"]) > HEAVY_CUSTOMERS)
    with CaptureQueriesContext(connection) as captured:
        check_credit_dry_run(actor=user, **plain)
    with CaptureQueriesContext(connection) as auth:
        ApiToken.authenticate("carnet_not-a-token")
    return figures(samples), len(captured.captured_queries), len(auth.captured_queries)


def _connection(base_url: str) -> http.client.HTTPConnection:
    parts = urllib.parse.urlsplit(base_url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)


def _post(conn: http.client.HTTPConnection, headers: dict[str, str], check: dict[str, str]) -> dict[str, Any]:
    conn.request("POST", PATH, json.dumps(check), headers)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"{PATH} {check} answered {response.status}: {body[:300]!r}")
    return json.loads(body)  # type: ignore[no-any-return]


def measure_latency(base_url: str, token: str, checks: list[dict[str, str]]) -> tuple[dict[str, float], dict]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn = _connection(base_url)
    for check in checks[:100]:  # warm the workers' connections and the database cache
        _post(conn, headers, check)
    samples: list[float] = []
    outcomes: dict[str, int] = {}
    for check in checks:
        started = time.perf_counter()
        answer = _post(conn, headers, check)
        samples.append((time.perf_counter() - started) * 1000)
        outcomes[answer["outcome"]] = outcomes.get(answer["outcome"], 0) + 1
    conn.close()
    return figures(samples), outcomes


def _client(
    job: tuple[str, str, list[dict[str, str]], float, float],
) -> tuple[int, list[float], int, float]:
    """One concurrent client: its own keep-alive connection, checks until the deadline. Also returns the
    CPU time it used while checking (the load generator shares the machine's two cores)."""
    base_url, token, checks, start_at, seconds = job
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn = _connection(base_url)
    _post(conn, headers, checks[0])
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = time.perf_counter() + seconds
    cpu_before = time.process_time()
    samples: list[float] = []
    errors = 0
    i = 0
    while True:
        started = time.perf_counter()
        if started >= deadline:
            break
        try:
            _post(conn, headers, checks[i % len(checks)])
        except Exception:  # counted, and a fresh connection
            errors += 1
            conn.close()
            conn = _connection(base_url)
        samples.append((time.perf_counter() - started) * 1000)
        i += 1
    cpu = time.process_time() - cpu_before
    conn.close()
    return len(samples), samples, errors, cpu


def database_backends() -> list[int]:
    """The PostgreSQL server processes serving the benchmark's database (the server's pooled connections)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def measure_throughput(
    base_url: str,
    token: str,
    checks: list[dict[str, str]],
    clients: int,
    seconds: float,
    server_pid: int,
    database: str,
) -> dict[str, float]:
    """Checks per second with concurrent clients, and where the CPU went: the server (gunicorn workers),
    the database's processes for this database (PostgreSQL) and the clients, in ms per check."""
    per_client = [checks[k::clients] for k in range(clients)]
    start_at = time.time() + 1.0
    context = multiprocessing.get_context("fork")
    server = process_tree(server_pid)
    backends = database_backends() if database == "postgresql" else []
    before = cpu_seconds(server), cpu_seconds(backends)
    with context.Pool(clients) as pool:
        results = pool.map(_client, [(base_url, token, mine, start_at, seconds) for mine in per_client])
    backends_after = database_backends() if database == "postgresql" else []
    # Connections opened during the run count from zero; those open before count from their reading.
    new_backends = [pid for pid in backends_after if pid not in backends]
    server_cpu = cpu_seconds(server) - before[0]
    database_cpu = cpu_seconds(backends) - before[1] + cpu_seconds(new_backends)
    samples = [s for _, mine, _, _ in results for s in mine]
    done = sum(n for n, _, _, _ in results)
    stats = figures(samples)
    stats["per_second"] = done / seconds
    stats["errors"] = sum(e for _, _, e, _ in results)
    stats["cpu_server"] = server_cpu * 1000 / done
    stats["cpu_database"] = database_cpu * 1000 / done
    stats["cpu_clients"] = sum(c for _, _, _, c in results) * 1000 / done
    return stats


# --- one run --------------------------------------------------------------------------------------------


def fresh_database(kind: str) -> str:
    """Drop and create the benchmark's database (a new SQLite file), point Django at it and migrate."""
    if "DJANGO_SETTINGS_MODULE" not in os.environ:
        url = bench_database_url(kind, DB_NAME)
        setup_django(url)
        return url
    import dj_database_url
    from django.core.management import call_command
    from django.db import connection, connections

    connections.close_all()
    url = bench_database_url(kind, DB_NAME)
    os.environ["DATABASE_URL"] = url
    connection.settings_dict["NAME"] = dj_database_url.parse(url)["NAME"]
    call_command("migrate", verbosity=0, interactive=False)
    return url


def run(args: argparse.Namespace, customers: int, invoices: int, verify: bool) -> None:
    from django.db import connections

    url = fresh_database(args.database)

    from carnet.accounts.models import ApiToken, Company, User

    user = User.objects.create_user("bench", password="bench-password-1", role="credit_controller")
    _token, token = ApiToken.issue(user=user, name="bench")

    say(f"building {customers:,} customers and {invoices:,} invoices on {args.database}")
    started = time.perf_counter()
    counts = load_book(customers, invoices)
    user.companies.set(Company.objects.all())
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    analyze()
    analyzed = time.perf_counter() - started
    verified = None
    if verify:
        from carnet.credit.verification import find_differences

        say("verifying the kept balances against the documents")
        started = time.perf_counter()
        compared, differences = find_differences()
        verified = (compared, len(differences), time.perf_counter() - started)
        # On SQLite, verify sums binary floats: a customer with thousands of invoices may come out a
        # millionth of a cent off. Reported, but only a difference of half a cent or more is a wrong book.
        real = [x for x in differences if abs(x.kept - x.recomputed) >= Decimal("0.005")]
        for difference in differences[:10]:
            say(f"  {difference}")
        if real:
            raise SystemExit(f"{len(real)} of {compared} balances differ: the loaded book is wrong")

    rng = random.Random(20261124 + customers)
    print(f"\n=== {args.database}: {customers:,} customers, {invoices:,} invoices ===")
    print("rows loaded         " + ", ".join(f"{name} {n:,}" for name, n in counts.items()))
    print(
        f"load                {loaded:.1f} s "
        f"(+ {'VACUUM ANALYZE' if args.database == 'postgresql' else 'ANALYZE'} {analyzed:.1f} s)"
    )
    if verified:
        print(
            f"verify              {verified[0]:,} balances agree ({verified[2]:.1f} s)"
            + (f"; {verified[1]} within a cent (float sums)" if verified[1] else "")
        )

    say("service time in process")
    print(f"service             {load()} before")
    service, queries, auth_queries = measure_service(user, random_checks(rng, customers, args.requests))
    print(f"service             {load()} after")
    print(
        f"service (in process) check_credit_dry_run median {service['median']:.2f} ms, "
        f"p95 {service['p95']:.2f} ms, "
        f"p99 {service['p99']:.2f} ms over {service['n']:.0f}; {queries} queries per check "
        f"(+ {auth_queries} for the token)"
    )
    connections.close_all()
    if args.service_only:
        return

    server_pids: list[int] = []
    with running_server(url, workers=args.workers, threads=args.threads, pids=server_pids) as base_url:
        print(
            f"server              carnet serve (gunicorn gthread), "
            f"{args.workers} workers x {args.threads} threads"
        )
        say("latency, one client")
        print(f"latency             {load()} before")
        latency, outcomes = measure_latency(base_url, token, random_checks(rng, customers, args.requests))
        print(f"latency             {load()} after")
        print(
            f"latency (1 client)  median {latency['median']:.2f} ms, p95 {latency['p95']:.2f} ms, "
            f"p99 {latency['p99']:.2f} ms, max {latency['max']:.1f} ms over {latency['n']:.0f} checks "
            f"({', '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))})"
        )
        say(f"throughput, {args.clients} clients for {args.seconds:.0f} s")
        print(f"throughput          {load()} before")
        load_checks = random_checks(rng, customers, 50_000)
        throughput = measure_throughput(
            base_url, token, load_checks, args.clients, args.seconds, server_pids[0], args.database
        )
        print(f"throughput          {load()} after")
        print(
            f"throughput ({args.clients} clients) {throughput['per_second']:.0f} checks/s "
            f"over {args.seconds:.0f} s; "
            f"latency median {throughput['median']:.2f} ms, p95 {throughput['p95']:.2f} ms, "
            f"p99 {throughput['p99']:.2f} ms, max {throughput['max']:.1f} ms; "
            f"errors {throughput['errors']:.0f}"
        )
        spent = throughput["cpu_server"] + throughput["cpu_database"] + throughput["cpu_clients"]
        print(
            f"CPU per check       server {throughput['cpu_server']:.2f} ms, "
            f"database {throughput['cpu_database']:.2f} ms, clients {throughput['cpu_clients']:.2f} ms: "
            f"{spent:.2f} ms, so at most {2000 / spent:.0f} checks/s on 2 cores with the clients on them "
            f"({2000 / (spent - throughput['cpu_clients']):.0f} without)"
        )
    print(
        f"targets             p99 <= 10 ms (1 client): {'met' if latency['p99'] <= 10 else 'NOT met'}; "
        f">= 500 checks/s: {'met' if throughput['per_second'] >= 500 else 'NOT met'}"
    )
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=2_000_000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for the throughput")
    parser.add_argument("--seconds", type=float, default=20, help="how long the throughput runs")
    parser.add_argument("--requests", type=int, default=3000, help="checks for the one-client latency")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--also-small",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="then again at 10,000 customers, same invoices per customer (verified)",
    )
    parser.add_argument("--service-only", action="store_true", help="load and time the service; no server")
    parser.add_argument("--verify", action="store_true", help="run carnet verify on the big book too (timed)")
    args = parser.parse_args()

    run(args, args.customers, args.invoices, verify=args.verify or not args.also_small)
    if args.also_small:
        small = 10_000
        run(args, small, args.invoices * small // args.customers, verify=True)


if __name__ == "__main__":
    main()
