#!/usr/bin/env python
"""Scale benchmark of the reference inventory on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/refprogram_bench \\
        .venv/bin/python benchmarks/inventory_bench.py

1. (Re)creates the database named in DATABASE_URL (its name must contain "bench", so a real
   database is never dropped by mistake) and migrates it.
2. Seeds ``--scale`` customers (default 100,000) with ``seed_demo`` and prints the seed time.
3. Runs ``--queries`` (default 50) catalog searches, each with three filters and free text,
   as a sales rep through ``GET /api/v1/references/`` when that endpoint exists (else through
   ``ReferenceProfileFilter`` over ``visible_to(user).with_capacity(...)`` evaluated for one
   page of 50 plus its count, which is what the endpoint runs), and prints p50 and p95.

Goals: seed under 3 minutes, search p50 under 100 ms. ``--reuse`` skips steps 1-2 and
searches an already seeded database; ``--explain`` prints EXPLAIN ANALYZE of the slowest search.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Django settings refuse to start without a secret key outside DEBUG; this one never signs anything real.
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refprogram.settings")

TEXTS = [
    "patching",
    "ransomware",
    "incident response",
    "cloud migration",
    "replaced legacy",
    "audit",
    "hours saved",
    "vulnerability",
    "onboarding devices",
    "payback",
    "sites console",
    "threat",
]


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to drop {name!r}: the benchmark database's name must contain 'bench'.")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    print(f"created database {name}")


def search_params(rng: random.Random) -> list[dict[str, str]]:
    from references.models import ActivityType, Industry, Product, Region

    industries = sorted(Industry.objects.values_list("code", flat=True))
    regions = sorted(Region.objects.values_list("code", flat=True))
    products = sorted(Product.objects.values_list("name", flat=True))
    activities = ["call", "email", "name_drop", "quote", "logo"]
    assert ActivityType.objects.filter(code__in=activities).count() == len(activities)
    params = []
    for _ in range(60):
        choice = {
            "industry": rng.choice(industries),
            "region": rng.choice(regions),
            "product": rng.choice(products),
            "activity_type": rng.choice(activities),
            "size_band": rng.choice(["smb", "midmarket", "enterprise", "global"]),
        }
        keys = rng.sample(sorted(choice), 3)
        query = {k: choice[k] for k in keys}
        query["search"] = rng.choice(TEXTS)
        params.append(query)
    return params


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="search the existing database, do not re-seed")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest search")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/refprogram_bench"
        )
    if not args.reuse:
        recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if not args.reuse:
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        print(f"migrate: {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        call_command("seed_demo", scale=args.scale, seed=args.seed, verbosity=1)
        seed_seconds = time.monotonic() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"SEED: {args.scale:,} customers in {seed_seconds:.1f} s (goal < 180 s)")

    from accounts.models import User
    from ledger.models import UsageEntry
    from references.models import Customer, ReferenceProfile

    print(
        f"rows: {Customer.objects.count():,} customers, {ReferenceProfile.objects.count():,} profiles, "
        f"{UsageEntry.objects.count():,} usage entries"
    )
    user = User.objects.get(username="sales")
    run = make_runner(user)
    params = search_params(random.Random(args.seed))
    for warm in params[:3]:
        run(warm)
    timings = []
    for query in params[3 : 3 + args.queries]:
        started = time.perf_counter()
        count = run(query)
        timings.append(((time.perf_counter() - started) * 1000, count, query))
    ms = sorted(t for t, _, _ in timings)
    p50 = statistics.median(ms)
    p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)]
    print(f"SEARCH via {run.how}: {len(ms)} queries (3 filters + free text)")
    print(f"  p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms (goal p50 < 100 ms)")
    print(f"  matches per query: median {statistics.median(c for _, c, _ in timings):.0f}")
    slowest = max(timings, key=lambda t: t[0])
    print(f"  slowest: {slowest[0]:.1f} ms for {urlencode(slowest[2])}")
    if args.explain:
        explain(user, slowest[2])


def page_queryset(user, query: dict):
    from django.http import QueryDict
    from django.utils import timezone

    from ledger.models import OverusePolicy
    from references.filters import ReferenceProfileFilter
    from references.models import ReferenceProfile

    policy = OverusePolicy.current()
    base = ReferenceProfile.objects.visible_to(user).with_capacity(timezone.localdate(), policy)
    base = base.select_related("customer__industry", "customer__region", "contact")
    data = QueryDict(mutable=True)
    data.update(query)
    return ReferenceProfileFilter(data, queryset=base).qs


def make_runner(user):
    from django.test import Client
    from django.urls import Resolver404, resolve

    try:
        resolve("/api/v1/references/")
        has_api = True
    except Resolver404:
        has_api = False
    if has_api:
        client = Client()
        client.force_login(user)

        def run(query: dict) -> int:
            response = client.get("/api/v1/references/", {**query, "page_size": 50})
            assert response.status_code == 200, (response.status_code, response.content[:300])
            return response.json()["count"]

        run.how = "GET /api/v1/references/"
        return run

    def run(query: dict) -> int:
        qs = page_queryset(user, query)
        count = qs.count()
        list(qs[:50])
        return count

    run.how = "ReferenceProfileFilter + with_capacity (no API endpoint yet)"
    return run


def explain(user, query: dict) -> None:
    qs = page_queryset(user, query)
    print("\nEXPLAIN ANALYZE (page of 50):")
    print(qs[:50].explain(analyze=True, buffers=True))
    print("\nEXPLAIN ANALYZE (count):")
    from django.db import connection

    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) FROM ({sql}) AS sub", params)
        print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
