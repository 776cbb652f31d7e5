#!/usr/bin/env python3
"""Filtering the customer list by a custom field at scale, next to the same kind of filter on a built-in
field: builds a book of N customers with a choice field (segment) and a text field (note), then measures
GET /api/v1/customers?cf_segment=… against ?status=… through the HTTP API (a real gunicorn server).

    .venv/bin/python bench/custom_fields.py --database postgresql --customers 100000
    .venv/bin/python bench/custom_fields.py --database sqlite --customers 100000

Both fields take values of similar spread, from common (about half the book) to rare (1 %), so that the two
filters answer comparable pages. On PostgreSQL the custom filter is a containment test, which the GIN index
on custom_fields can serve (the plan of the rare value is printed); SQLite compares json_extract() row by
row.
"""

import argparse
import http.client
import json
import random
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import bench_database_url, figures, running_server, say, setup_django

# (value, share of the book); what is left has no segment.
SEGMENTS = [("pme", 0.45), ("grand_compte", 0.25), ("ose", 0.15), ("public", 0.10), ("rare", 0.01)]
# (status, share of the book), a spread like the segments'.
STATUSES = [
    ("approved", 0.50),
    ("prospect", 0.25),
    ("not_approved", 0.14),
    ("warning", 0.10),
    ("blocked", 0.01),
]
WORDS = ["Livraison", "matin", "quai", "réfrigéré", "appeler", "avant", "palette", "hayon", "portail", "code"]
TRADES = ["Transports", "Distribution", "Construction", "Fabrication", "Logistique", "Services", "Industries"]
PLACES = ["Laurentides", "Beauce", "Estrie", "Mauricie", "Outaouais", "Saguenay", "Gaspésie", "Montérégie"]
LAST = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Martin"]


def pick(rng: random.Random, spread: list[tuple[str, float]]) -> str | None:
    roll, total = rng.random(), 0.0
    for value, share in spread:
        total += share
        if roll < total:
            return value
    return None


def define_fields() -> None:
    from carnet.customfields import services

    services.create_field(
        actor=None,
        data={
            "key": "segment",
            "label_fr": "Segment",
            "label_en": "Segment",
            "type": "choice",
            "options": [value for value, _share in SEGMENTS],
            "show_in_list": True,
            "filterable": True,
        },
    )
    services.create_field(
        actor=None,
        data={"key": "note", "label_fr": "Note de livraison", "label_en": "Delivery note", "type": "text"},
    )


def bulk_load(total: int, rng: random.Random) -> float:
    from django.db import transaction

    from carnet.customers.models import Customer

    started = time.perf_counter()
    batch = 5000
    for start in range(0, total, batch):
        rows = []
        for i in range(start, min(start + batch, total)):
            status = pick(rng, STATUSES) or "approved"
            values: dict[str, str] = {"note": " ".join(rng.sample(WORDS, 4))}
            segment = pick(rng, SEGMENTS)
            if segment is not None:
                values["segment"] = segment
            rows.append(
                Customer(
                    code=f"F{i:07d}",
                    name=f"{rng.choice(TRADES)} {rng.choice(PLACES)} {rng.choice(LAST)} {i}",
                    status=status,
                    status_reason="Retards de paiement" if status in ("warning", "blocked") else "",
                    custom_fields=values,
                )
            )
        with transaction.atomic():
            Customer.objects.bulk_create(rows, batch_size=1000)
        say(f"  loaded {start + len(rows):,} / {total:,}")
    return time.perf_counter() - started


def measure(base_url: str, token: str, params: list[dict[str, str]]) -> dict[str, float]:
    parts = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}

    def get(query: dict[str, str]) -> int:
        conn.request("GET", "/api/v1/customers?" + urllib.parse.urlencode(query), headers=headers)
        response = conn.getresponse()
        body = json.loads(response.read())
        if response.status != 200:
            raise RuntimeError(f"{query} answered {response.status}: {body}")
        return len(body["items"])

    for query in params[:10]:  # warm the server's connections and the database cache
        get(query)
    samples: list[float] = []
    for query in params:
        started = time.perf_counter()
        count = get(query)
        samples.append((time.perf_counter() - started) * 1000)
        if count == 0:
            raise RuntimeError(f"{query} found nothing")
    return figures(samples)


def rare_plan() -> str:
    """PostgreSQL's plan for the list filtered by the rare segment, as the API runs it."""
    from django.db import connection

    from carnet.customers.queries import CustomerFilters, filter_customers

    queryset = filter_customers(CustomerFilters(custom={"cf_segment": "rare"})).order_by("name", "id")[:51]
    sql, sql_params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, sql_params)
        return "\n".join(f"    {row[0]}" for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="per kind of filter")
    args = parser.parse_args()
    rng = random.Random(20261127)

    url = bench_database_url(args.database, "carnet_bench_custom_fields")
    setup_django(url)
    from django.db import connection

    from carnet.accounts.models import ApiToken, User

    user = User.objects.create_user("bench", password="bench-password-1", role="credit_controller")
    _token, token = ApiToken.issue(user=user, name="bench")
    define_fields()
    say(f"building {args.customers:,} customers on {args.database}")
    load_seconds = bulk_load(args.customers, rng)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    plan = rare_plan() if connection.vendor == "postgresql" else ""
    connection.close()

    segments = [value for value, _share in SEGMENTS]
    statuses = [value for value, _share in STATUSES]
    kinds = {
        "custom field   cf_segment=…": [{"cf_segment": segments[i % 5]} for i in range(args.queries)],
        "built-in field status=…": [{"status": statuses[i % 5]} for i in range(args.queries)],
        "rare custom    cf_segment=rare (1 %)": [{"cf_segment": "rare"}] * args.queries,
        "rare built-in  status=blocked (1 %)": [{"status": "blocked"}] * args.queries,
        "both           cf_segment=… & status=…": [
            {"cf_segment": segments[i % 4], "status": statuses[(i // 4) % 4]} for i in range(args.queries)
        ],
    }
    results = {}
    with running_server(url) as base_url:
        for name, params in kinds.items():
            say(f"  measuring {name.split()[0]} {name.split()[1]}")
            results[name] = measure(base_url, token, params)

    print(f"database            {args.database}")
    print(f"customers           {args.customers:,} (choice field 'segment', text field 'note')")
    print(f"bulk load           {load_seconds:.1f} s")
    print("filter (50 a page, through the HTTP API)             median      p95      max")
    for name, found in results.items():
        print(f"  {name:<48} {found['median']:6.1f} ms {found['p95']:6.1f} ms {found['max']:6.1f} ms")
    if plan:
        print("plan of the rare custom filter (PostgreSQL):")
        print(plan)


if __name__ == "__main__":
    main()
