#!/usr/bin/env python3
"""Type-ahead search at scale: builds a book of N customers with contacts and addresses, then measures
the search latency through the HTTP API (a real gunicorn server) and the create rate.

    .venv/bin/python bench/search.py --database postgresql --customers 100000
    .venv/bin/python bench/search.py --database sqlite --customers 100000

Prints the figures; target: p95 <= 50 ms at 100,000 customers on PostgreSQL.
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

FIRST = [
    "Marie",
    "Jean",
    "Luc",
    "Sophie",
    "Pierre",
    "Julie",
    "Marc",
    "Nathalie",
    "Éric",
    "Isabelle",
    "John",
    "Emily",
    "Michael",
    "Sarah",
    "David",
    "Laura",
    "Olivier",
    "Camille",
    "Hugo",
    "Léa",
]
LAST = [
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Martin",
    "Bernard",
    "Dubois",
    "Smith",
    "Johnson",
    "Brown",
    "Wilson",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "Girard",
]
TRADES = [
    "Transports",
    "Distribution",
    "Construction",
    "Fabrication",
    "Logistique",
    "Entrepôts",
    "Matériaux",
    "Services",
    "Industries",
    "Équipements",
    "Freight",
    "Supply",
    "Builders",
    "Manufacturing",
    "Trucking",
]
PLACES = [
    "Laurentides",
    "Beauce",
    "Estrie",
    "Mauricie",
    "Outaouais",
    "Saguenay",
    "Gaspésie",
    "Montérégie",
    "Lanaudière",
    "Abitibi",
    "Ontario",
    "Niagara",
    "Atlantique",
    "Nord",
    "Sud",
    "Rive-Sud",
    "Capitale",
]
SUFFIX = ["inc.", "ltée", "SENC", "Ltd", "Corp.", "SAS", "SARL", ""]
CITIES = [
    ("Montréal", "QC", "H2X 1Y4"),
    ("Québec", "QC", "G1R 4P5"),
    ("Sherbrooke", "QC", "J1H 1A1"),
    ("Gatineau", "QC", "J8X 3X2"),
    ("Toronto", "ON", "M5V 2T6"),
    ("Ottawa", "ON", "K1P 5J9"),
    ("Hamilton", "ON", "L8P 4R5"),
    ("Laval", "QC", "H7N 5H9"),
    ("Lévis", "QC", "G6V 6Z9"),
    ("Trois-Rivières", "QC", "G9A 5H1"),
    ("Saguenay", "QC", "G7H 5B1"),
    ("Kingston", "ON", "K7L 2N8"),
]


def make_rows(n: int, start: int, rng: random.Random):  # type: ignore[no-untyped-def]
    """Customers with one address and two contacts each, search text computed as the services do."""
    from carnet.customers.models import Address, Contact, Customer
    from carnet.customers.search import build_search_text, fold, name_key

    customers, addresses, contacts = [], [], []
    for i in range(start, start + n):
        name = f"{rng.choice(TRADES)} {rng.choice(PLACES)} {rng.choice(LAST)} {rng.choice(SUFFIX)}".strip()
        city, province, postal = rng.choice(CITIES)
        phone = f"+1 819-{rng.randint(200, 999)}-{i % 10000:04d}"
        people = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(2)]
        customer = Customer(
            code=f"B{i:07d}",
            name=name,
            phone=phone,
            status="approved",
            external_code=rng.choice(["EST", "OUEST", "NORD", ""]),
        )
        customer.name_key = name_key(name)
        extra = [fold(p) for p in people] + [fold(city)]
        customer.search_text = " | ".join([build_search_text(customer), *extra])
        customers.append(customer)
        addresses.append(
            Address(
                line1=f"{rng.randint(1, 9999)} rue Principale",
                city=city,
                province=province,
                postal_code=postal,
                country="CA",
                main=True,
            )
        )
        contacts.append([Contact(name=p, email=f"{p.split()[0].lower()}{i}@example.ca") for p in people])
    return customers, addresses, contacts


def bulk_load(total: int, rng: random.Random) -> float:
    from django.db import transaction

    from carnet.customers.models import Address, Contact, Customer

    started = time.perf_counter()
    batch = 5000
    for start in range(0, total, batch):
        customers, addresses, contacts = make_rows(min(batch, total - start), start, rng)
        with transaction.atomic():
            Customer.objects.bulk_create(customers, batch_size=1000)
            for customer, address, people in zip(customers, addresses, contacts, strict=True):
                address.customer = customer
                for person in people:
                    person.customer = customer
            Address.objects.bulk_create(addresses, batch_size=1000)
            Contact.objects.bulk_create([p for people in contacts for p in people], batch_size=1000)
        say(f"  loaded {start + len(customers):,} / {total:,}")
    return time.perf_counter() - started


def api_creates(base_url: str, token: str, n: int, rng: random.Random) -> dict[str, float]:
    """Create customers through the HTTP API: customer, then its address and contact (3 requests each)."""
    parts = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    started = time.perf_counter()
    for i in range(n):
        body = {
            "name": f"Nouveau client {rng.choice(PLACES)} {i}",
            "status": "approved",
            "acknowledge_duplicates": True,
        }
        conn.request("POST", "/api/v1/customers", json.dumps(body), headers)
        response = conn.getresponse()
        created = json.loads(response.read())
        if response.status != 201:
            raise RuntimeError(f"create answered {response.status}: {created}")
        cid = created["id"]
        conn.request(
            "POST",
            f"/api/v1/customers/{cid}/addresses",
            json.dumps(
                {
                    "line1": "1 rue du Port",
                    "city": "Québec",
                    "province": "QC",
                    "postal_code": "G1K 4E4",
                    "country": "CA",
                    "billing": True,
                    "delivery": True,
                    "main": True,
                }
            ),
            headers,
        )
        assert conn.getresponse().read() is not None
        conn.request(
            "POST",
            f"/api/v1/customers/{cid}/contacts",
            json.dumps(
                {
                    "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    "email": f"c{i}@example.ca",
                    "phone": "+1 819 555 0100",
                    "default": True,
                    "billing": True,
                    "invoice_copy": False,
                }
            ),
            headers,
        )
        assert conn.getresponse().read() is not None
    elapsed = time.perf_counter() - started
    return {"customers": n, "seconds": elapsed, "per_second": n / elapsed}


def query_mix(rng: random.Random, n: int) -> list[str]:
    pool: list[str] = []
    for _ in range(n):
        kind = rng.randrange(7)
        if kind == 0:
            pool.append(rng.choice(TRADES)[:3])  # the first keystrokes of a name
        elif kind == 1:
            pool.append(f"{rng.choice(TRADES)} {rng.choice(PLACES)[:4]}")
        elif kind == 2:
            pool.append(rng.choice(LAST))  # a contact or a name
        elif kind == 3:
            pool.append(rng.choice(CITIES)[0])
        elif kind == 4:
            pool.append(f"B{rng.randrange(100000):07d}")  # a code
        elif kind == 5:
            pool.append(f"{rng.randint(200, 999)}-{rng.randrange(10000):04d}")  # phone digits
        else:
            pool.append(f"{rng.choice(FIRST)} {rng.choice(LAST)}")
    return pool


def measure_search(base_url: str, token: str, queries: list[str]) -> dict[str, float]:
    parts = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Authorization": f"Bearer {token}"}
    samples: list[float] = []
    for warm in queries[:20]:  # warm the server's connections and the database cache
        conn.request(
            "GET", "/api/v1/customers?" + urllib.parse.urlencode({"q": warm, "limit": 20}), headers=headers
        )
        conn.getresponse().read()
    for q in queries:
        started = time.perf_counter()
        conn.request(
            "GET", "/api/v1/customers?" + urllib.parse.urlencode({"q": q, "limit": 20}), headers=headers
        )
        response = conn.getresponse()
        response.read()
        samples.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise RuntimeError(f"search {q!r} answered {response.status}")
    return figures(samples)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--api-creates", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(20261124)

    url = bench_database_url(args.database, "carnet_bench_search")
    setup_django(url)
    from django.db import connection

    from carnet.accounts.models import ApiToken, User

    user = User.objects.create_user("bench", password="bench-password-1", role="credit_controller")
    _token, token = ApiToken.issue(user=user, name="bench")
    say(f"building {args.customers:,} customers on {args.database}")
    load_seconds = bulk_load(args.customers, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()

    with running_server(url) as base_url:
        created = api_creates(base_url, token, args.api_creates, rng)
        search = measure_search(base_url, token, query_mix(rng, args.queries))

    print(f"database            {args.database}")
    print(
        f"customers           {args.customers:,} (+{args.api_creates} through the API), "
        "2 contacts, 1 address each"
    )
    print(f"bulk load           {load_seconds:.1f} s")
    print(
        f"API create rate     {created['per_second']:.1f} customers/s "
        "(customer + address + contact: 3 requests)"
    )
    print(f"search queries      {search['n']:.0f}")
    print(f"search median       {search['median']:.1f} ms")
    print(f"search p95          {search['p95']:.1f} ms")
    print(f"search p99          {search['p99']:.1f} ms")
    print(f"search max          {search['max']:.1f} ms")


if __name__ == "__main__":
    main()
