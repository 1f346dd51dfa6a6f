#!/usr/bin/env python
"""Scale benchmark of overuse protection on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/refprogram_overuse_bench \\
        .venv/bin/python benchmarks/overuse_bench.py

1. (Re)creates the database named in DATABASE_URL (its name must contain "bench", so a real
   database is never dropped by mistake) and migrates it.
2. Seeds ``--scale`` profiles (default 100,000) with ``seed_demo`` (or, if the seeder fails, with
   minimal bulk rows), then tops the usage ledger up to ``--ledger`` rows (default 1,000,000) with
   one ``INSERT … SELECT generate_series`` spread over three years (mostly light activities,
   a realistic mix of done, declined, withdrawn, asked and reserved).
3. Times the full nightly run (``refprogram.nightly.run_all``: rest at cap, wake freed, flag
   stale, and whatever other apps registered), then a second run (must change nothing).
4. Times computing capacity for a page of 50 references (``with_capacity`` list page, one query)
   over ``--pages`` random pages; prints p50 and p95 and checks it is one query.

Goals: nightly run under 20 s; a page's capacity under 50 ms. ``--reuse`` skips steps 1-2;
``--explain`` prints EXPLAIN ANALYZE of the page query and of the nightly aggregates.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refprogram.settings")

# Mostly light activities, as in a real program; codes repeat to weight the draw.
LEDGER_MIX = (
    ["call"] * 6
    + ["email"] * 5
    + ["name_drop"] * 4
    + ["quote"] * 2
    + ["logo"] * 2
    + ["event_meeting", "site_visit", "case_study", "video", "press_release", "speaking", "analyst_briefing"]
)


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to drop {name!r}: the benchmark database's name must contain 'bench'.")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    print(f"created database {name}")


def seed_minimal(scale: int) -> None:
    """Customers, contacts and profiles in bulk when ``seed_demo`` is not usable."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO references_customer (name, crm_id, industry_id, region_id, country, size_band,
                employees, revenue_band, strategic_segment, is_marquee, health_score, health_updated,
                created_at, updated_at)
            SELECT 'Customer ' || g, 'B-' || g, 'finance', 'emea', 'DE', 'enterprise', 2500, '', '', false,
                   50, current_date - (random() * 240)::int, now(), now()
            FROM generate_series(1, %s) g
            """,
            [scale],
        )
        cur.execute(
            """
            INSERT INTO references_contact (customer_id, name, title, seniority, email, phone, time_zone,
                created_at, updated_at)
            SELECT id, 'Contact ' || id, 'VP of IT', 'vp', '', '', '', now(), now() FROM references_customer
            """
        )
        cur.execute(
            """
            INSERT INTO references_referenceprofile (customer_id, contact_id, status, resting_reason,
                headline, story, deployment, competitor, outcomes, private_only, last_validated,
                search_document,
                created_at, updated_at)
            SELECT customer_id, id, 'active', '', '', '', 'cloud', '', '', false,
                   current_date - (random() * 240)::int, '', now(), now()
            FROM references_contact
            """
        )


def top_up_ledger(rows: int) -> int:
    """Add ledger rows until it holds ``rows`` (one INSERT … SELECT generate_series)."""
    from django.db import connection

    from ledger.models import UsageEntry

    missing = rows - UsageEntry.objects.count()
    if missing <= 0:
        return 0
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH ids AS (
                SELECT array_agg(id ORDER BY id) AS a, count(*) AS n FROM references_referenceprofile
            ),
            mix AS (SELECT %s::text[] AS codes),
            picks AS (
                SELECT g,
                       ids.a[1 + floor(random() * ids.n)::int] AS pid,
                       mix.codes[1 + floor(random() * cardinality(mix.codes))::int] AS code,
                       random() AS r,
                       (random() * 1095)::int AS ago
                FROM generate_series(1, %s) g, ids, mix
            )
            INSERT INTO references_usageentry (reference_id, customer_id, activity_type_id, status, points,
                occurred_on, request_ref, source, asked_by_id, override, override_reason, note,
                created_at, updated_at)
            SELECT picks.pid, p.customer_id, picks.code,
                   CASE WHEN picks.r < 0.70 THEN 'done' WHEN picks.r < 0.82 THEN 'declined'
                        WHEN picks.r < 0.92 THEN 'withdrawn' WHEN picks.r < 0.97 THEN 'asked'
                        ELSE 'reserved' END,
                   t.weight, current_date - picks.ago, NULL, 'bench:' || picks.g, NULL, false, '', '',
                   now(), now()
            FROM picks
            JOIN references_referenceprofile p ON p.id = picks.pid
            JOIN references_activitytype t ON t.code = picks.code
            """,
            [LEDGER_MIX, missing],
        )
        cur.execute("ANALYZE")
    return missing


def page_capacity_times(pages: int, rng: random.Random) -> dict[str, tuple[list[float], int]]:
    """Milliseconds (and queries) to compute the capacity of a page of 50 references:

    - ``page``: the 50 references of a page (ids known, as after pagination): one query;
    - ``first list page``: the inventory's first page, ordered by customer name: one query;
    - ``deep list page``: a page in the middle of the whole inventory by OFFSET (PostgreSQL
      computes the annotations of every skipped row too, so this grows with the offset).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from ledger.models import OverusePolicy
    from references.models import ReferenceProfile

    today, policy = timezone.localdate(), OverusePolicy.current()
    ids = list(ReferenceProfile.objects.order_by("id").values_list("id", flat=True))
    total = len(ids)

    def measure(make, runs):
        times, queries = [], 0
        for _ in range(runs):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                page = list(make())
                capacities = [p.capacity(today=today, policy=policy) for p in page]
            times.append((time.perf_counter() - start) * 1000)
            queries = max(queries, len(captured))
            assert len(capacities) == 50
        return times, queries

    def a_page():
        offset = rng.randrange(0, total - 50)
        return ReferenceProfile.objects.with_capacity(today, policy).filter(pk__in=ids[offset : offset + 50])

    return {
        "page": measure(a_page, pages),
        "first list page": measure(
            lambda: ReferenceProfile.objects.with_capacity(today, policy).order_by("customer__name", "id")[
                :50
            ],
            max(5, pages // 5),
        ),
        "deep list page": measure(
            lambda: ReferenceProfile.objects.with_capacity(today, policy).order_by("id")[
                total // 2 : total // 2 + 50
            ],
            3,
        ),
    }


def explain(sql_queryset_pairs) -> None:
    from django.db import connection

    for label, queryset in sql_queryset_pairs:
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print(f"\n--- EXPLAIN ANALYZE: {label}")
            for (line,) in cur.fetchall():
                print(line)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--ledger", type=int, default=1_000_000)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="Use the already seeded database.")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")
    if not args.reuse:
        recreate_database(url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from ledger.models import OverusePolicy, UsageEntry
    from references.models import ReferenceProfile
    from refprogram import nightly

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # no console flood

    if not args.reuse:
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        try:
            call_command("seed_demo", scale=args.scale, verbosity=1)
            how = "seed_demo"
        except Exception as exc:  # the seeder is another piece of work; fall back to minimal rows
            print(f"seed_demo failed ({exc!r}); seeding minimal rows")
            recreate_database(url)
            from django.db import connection

            connection.close()
            call_command("migrate", verbosity=0)
            seed_minimal(args.scale)
            how = "minimal bulk rows"
        print(
            f"seeded {ReferenceProfile.objects.count():,} profiles with {how} "
            f"in {time.perf_counter() - start:.1f} s"
        )
        start = time.perf_counter()
        added = top_up_ledger(args.ledger)
        print(f"added {added:,} ledger rows in {time.perf_counter() - start:.1f} s")

    print(
        f"database: {ReferenceProfile.objects.count():,} profiles, "
        f"{UsageEntry.objects.count():,} ledger rows, "
        f"{ReferenceProfile.objects.filter(status='active').count():,} active"
    )

    if args.reuse:
        call_command("migrate", verbosity=0)
        # Undo an earlier run's work, so this first run has as much to do as on a fresh seed.
        ReferenceProfile.objects.filter(status="resting", resting_reason="cap").update(
            status="active", resting_reason=""
        )
        ReferenceProfile.objects.update(stale_notified_on=None)

    nightly_s, first = 0.0, {}
    for check in nightly.registered():
        start = time.perf_counter()
        first.update(nightly.run_all(only=[check.name]))
        took = time.perf_counter() - start
        nightly_s += took
        print(f"  {check.name}: {took:.2f} s  {first[check.name]}")
    print(f"nightly run: {nightly_s:.2f} s")
    start = time.perf_counter()
    second = nightly.run_all()
    second_s = time.perf_counter() - start
    changed = sum(v for changes in second.values() for v in changes.values())
    print(f"second nightly run: {second_s:.2f} s, {changed} changes  {second}")

    results = page_capacity_times(args.pages, random.Random(7))
    for label, (times, queries) in results.items():
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(
            f"capacity of a {label} of 50: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
            f"{queries} query per page"
        )
    p50 = statistics.median(results["page"][0])
    queries = results["page"][1]

    if args.explain:
        from ledger.services import _at_cap

        today, policy = timezone.localdate(), OverusePolicy.current()
        explain(
            [
                (
                    "page of 50 with capacity",
                    ReferenceProfile.objects.with_capacity(today, policy).filter(
                        pk__in=list(
                            ReferenceProfile.objects.order_by("id").values_list("id", flat=True)[5000:5050]
                        )
                    ),
                ),
                (
                    "rest_at_cap candidates",
                    _at_cap(today, policy, ReferenceProfile.objects.filter(status="active")).values("pk"),
                ),
            ]
        )

    ok = nightly_s < 20 and p50 < 50 and queries == 1 and changed == 0
    print(
        "GOALS MET" if ok else "GOALS NOT MET",
        f"(nightly < 20 s: {nightly_s:.2f}; page p50 < 50 ms: {p50:.1f})",
    )


if __name__ == "__main__":
    main()
