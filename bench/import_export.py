#!/usr/bin/env python3
"""CSV import and export at scale: generates N customers with one address and two contacts each (as three
files, the way `carnet import` takes them), imports them into a fresh database, then exports them back.

    .venv/bin/python bench/import_export.py --database postgresql --customers 100000
    .venv/bin/python bench/import_export.py --database sqlite --customers 100000

Prints the time and peak Python memory (tracemalloc) of each step, and the export's peak memory at
--small customers against N, to show that it does not grow with the rows. Targets at 100,000 customers:
import <= 60 s, export <= 20 s.
"""

import argparse
import csv
import io
import os
import random
import resource
import sys
import time
import tracemalloc
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import bench_database_url, say, setup_django
from bench.search import CITIES, FIRST, LAST, PLACES, SUFFIX, TRADES


def make_files(n: int, rng: random.Random) -> dict[str, bytes]:
    """Customers, addresses and contacts; every customer and one contact in two have a phone number."""
    files = {}
    for kind, header, rows in (
        ("customers", ["code", "name", "phone", "email", "status", "external_code"], _customers(n, rng)),
        (
            "addresses",
            ["customer_code", "line1", "city", "province", "postal_code", "country"],
            _addresses(n, rng),
        ),
        ("contacts", ["customer_code", "name", "email", "phone", "default"], _contacts(n, rng)),
    ):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        files[kind] = out.getvalue().encode("utf-8")
    return files


def _customers(n: int, rng: random.Random):  # type: ignore[no-untyped-def]
    for i in range(n):
        name = f"{rng.choice(TRADES)} {rng.choice(PLACES)} {rng.choice(LAST)} {rng.choice(SUFFIX)}".strip()
        phone = f"+1 819-{rng.randint(200, 999)}-{i % 10000:04d}"
        yield [f"B{i:07d}", name, phone, f"info{i}@example.ca", "approved", rng.choice(["EST", "OUEST", ""])]


def _addresses(n: int, rng: random.Random):  # type: ignore[no-untyped-def]
    for i in range(n):
        city, province, postal = rng.choice(CITIES)
        yield [f"B{i:07d}", f"{rng.randint(1, 9999)} rue Principale", city, province, postal, "CA"]


def _contacts(n: int, rng: random.Random):  # type: ignore[no-untyped-def]
    for i in range(n):
        for k in range(2):
            person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            phone = f"+1 514-{rng.randint(200, 999)}-{i % 10000:04d}" if k == 0 else ""
            yield [
                f"B{i:07d}",
                person,
                f"{_ascii(person.split()[0].lower())}{i}.{k}@example.ca",
                phone,
                str(k == 0).lower(),
            ]


def _ascii(text: str) -> str:
    """Éric → eric: the local part of an address in ASCII, as most mail systems still want it."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def cpu_seconds() -> float:
    """CPU seconds of this process and of the processes it started and waited for (an import checks its
    phone numbers in a second process)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(step):  # type: ignore[no-untyped-def]
    """The result, the seconds, the CPU seconds (this process's and its children's), and this process's
    peak resident memory so far (MB). On a shared, loaded machine the CPU time says what the step costs
    better than the wall clock does; the database server's CPU is not in it."""
    started, cpu = time.perf_counter(), cpu_seconds()
    result = step()
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return result, seconds, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def measured(step):  # type: ignore[no-untyped-def]
    """The result, the seconds, and the peak Python memory of the step alone (tracemalloc: slower)."""
    tracemalloc.start()
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, peak / 1e6


def export_size(kind: str) -> int:
    from carnet.transfer.exporting import export_lines

    return sum(len(line) for line in export_lines(kind, actor=None))


def export_peak(kind: str, limit: int) -> float:
    """Peak memory of exporting the first `limit` customers (the same code path, fewer rows)."""
    from carnet.transfer.exporting import export_lines
    from carnet.transfer.kinds import customers

    original = customers.CustomerKind.export_queryset

    def first(self, actor, company):  # type: ignore[no-untyped-def]
        return original(self, actor, company).filter(code__lt=f"B{limit:07d}")

    customers.CustomerKind.export_queryset = first  # type: ignore[method-assign]
    try:
        _, _, peak = measured(lambda: sum(len(x) for x in export_lines(kind, actor=None)))
    finally:
        customers.CustomerKind.export_queryset = original  # type: ignore[method-assign]
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000, help="Rows of the small export (memory).")
    args = parser.parse_args()
    setup_django(bench_database_url(args.database, "carnet_bench_transfer"))
    from carnet.transfer.importing import run_import

    files = make_files(args.customers, random.Random(7))
    print(f"import/export on {args.database}, {args.customers:,} customers ({load()})", flush=True)
    total = total_cpu = 0.0
    for kind in ("customers", "addresses", "contacts"):
        say(f"  importing {kind}")
        report, seconds, cpu, peak = timed(lambda k=kind: run_import(k, files[k], actor=None))
        if not report.ok:
            raise SystemExit(f"{kind}: {report.sorted_problems()[:5]}")
        total, total_cpu = total + seconds, total_cpu + cpu
        print(
            f"  import {kind:<10} {report.rows:>8,} rows  {seconds:7.1f} s (CPU {cpu:6.1f} s)  "
            f"process peak RSS {peak:7.1f} MB",
            flush=True,
        )
    print(f"  import total                      {total:7.1f} s (CPU {total_cpu:6.1f} s)  (target <= 60 s)")
    total = total_cpu = 0.0
    for kind in ("customers", "addresses", "contacts"):
        size, seconds, cpu, _rss = timed(lambda k=kind: export_size(k))
        total, total_cpu = total + seconds, total_cpu + cpu
        print(
            f"  export {kind:<10} {size / 1e6:>7.1f} MB of CSV  {seconds:7.1f} s (CPU {cpu:6.1f} s)",
            flush=True,
        )
    print(f"  export total                      {total:7.1f} s (CPU {total_cpu:6.1f} s)  (target <= 20 s)")
    small = export_peak("customers", args.small)
    large = export_peak("customers", args.customers)
    print(
        f"  export memory (tracemalloc peak): {args.small:,} customers {small:.1f} MB; "
        f"{args.customers:,} customers {large:.1f} MB"
    )
    print(f"  ({load()})")


if __name__ == "__main__":
    main()
