#!/usr/bin/env python
"""Scale benchmark of the matching engine on PostgreSQL (run on demand, not in CI).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/refprogram_requests_bench \\
        .venv/bin/python benchmarks/matching_bench.py --scale 100000 --ledger 1000000

1. (Re)creates the database named in DATABASE_URL (its name must contain "bench"), migrates it,
   seeds ``--scale`` customers with ``seed_demo`` and tops the usage ledger up to ``--ledger``
   rows with one set-based INSERT … SELECT, then VACUUMs and ANALYZEs.
2. Times ``--samples`` calls of ``GET /api/v1/requests/{id}/matches/`` (top 20) as a manager,
   in this process back to back, for two workloads: requests with 3 must-haves (industry,
   region, product) and with 1 (industry), each with 4 nice-to-haves and the prospect's
   industry, region and products (implicit preferences), each call followed by one of the trivial
   authenticated ``GET /api/v1/industries/`` (so both see the same load when other processes share
   the machine). Prints p50, p95 and calls per second (back to back, from the calls' own times),
   and the matches' rate as a share of the trivial endpoint's.

Goals (matching v2): p50 under 20 ms with 3 must-haves and under 35 ms with 1 at 100,000
customers and 1,000,000 ledger rows; matches at 0.3 or more of the trivial endpoint's rate;
growth from 10,000 to 100,000 under 2× (run it at both scales). ``--reuse`` skips step 1;
``--explain`` prints the one-row read's plan.

3. ``--paired N``: N calls of each workload alternating, call by call on the same requests, the
   candidate read from the narrow matching row (``references.MatchingRow``, the code) and from the
   profile's own row (the read before it, ``ranking._meeting_must_haves``), in one process: the
   drift of the machine's load cancels out of the paired differences. Prints both medians and the
   median of the paired differences, with the trivial endpoint's median in the same calls.
4. ``--reads N``: the candidate read alone (the first page, through ``refprogram.statements``), N
   times for each request of both workloads, from each table in turn; asserts the two return the
   same rows (ids and base scores, in order) and prints median and minimum of each.
5. ``--floor N``: what the matches call costs without matching: N calls of each workload with the
   match list answered from a memo of its first result (the request read, its access check, the
   policy, the twenty matches as JSON, the session and the framework), beside the trivial endpoint;
   prints the share of the trivial endpoint's rate that call leaves, and how long matching itself
   may take for the rate goal.
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


def top_up_ledger(target: int) -> None:
    """Bring the ledger to ``target`` rows: spread over every profile and the last two years,
    mixed activity types and outcomes (set-based, no save() per row)."""
    from django.db import connection

    from ledger.models import UsageEntry

    have = UsageEntry.objects.count()
    missing = max(0, target - have)
    started = time.perf_counter()
    if missing:
        with connection.cursor() as cur:
            cur.execute(
                f"""
                WITH p AS (
                    SELECT id, customer_id, row_number() OVER (ORDER BY id) AS rn, count(*) OVER () AS n
                    FROM references_referenceprofile
                )
                INSERT INTO references_usageentry
                    (reference_id, customer_id, activity_type_id, status, points, occurred_on,
                     override, override_reason, note, created_at, updated_at)
                SELECT p.id, p.customer_id,
                       (ARRAY['call','email','name_drop','quote','event_meeting'])[1 + g % 5],
                       (ARRAY['done','declined','asked','withdrawn','done','done','done'])[1 + g % 7],
                       (ARRAY[2,1,1,1,2])[1 + g % 5],
                       CURRENT_DATE - ((g::bigint * 7919) % 730)::int,
                       false, '', '', now(), now()
                FROM generate_series(1, {int(missing)}) AS g
                JOIN p ON p.rn = 1 + ((g::bigint * 104729) % (SELECT max(n) FROM p))
                """
            )
    # VACUUM, not only ANALYZE: it sets the visibility map, without which the ledger's index-only
    # scans (the per-reference and per-customer sums) visit the heap for every row, as they never
    # do on a live database where autovacuum has run.
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)")
    print(f"ledger: {have:,} → {UsageEntry.objects.count():,} rows in {time.perf_counter() - started:.1f} s")


def build_requests(rng: random.Random, n: int, *, must_haves: int):
    """``n`` reference-call requests shaped like real ones: the prospect's industry, region and
    products on the request (implicit preferences), 3 must-haves (industry, region, product) or
    1 (industry), 4 nice-to-haves, half of them needing two references."""
    from datetime import timedelta

    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import User
    from references.models import ActivityType, Product, ReferenceProfile
    from requests_app.models import Request

    requester = User.objects.filter(role="sales").first() or User.objects.create(
        username="bench_sales", role="sales"
    )
    call = ActivityType.objects.get(code="call")
    # Pick (industry, region, product) triples the inventory actually holds, as real requests do.
    through = ReferenceProfile.products.through
    combos = list(
        through.objects.values(
            "referenceprofile__customer__industry_id",
            "referenceprofile__customer__region_id",
            "product__name",
            "product_id",
        )
        .annotate(n=Count("id"))
        .order_by("-n")[:40]
    )
    use_cases = list(
        ReferenceProfile.use_cases.through.objects.values_list("usecase__name", flat=True).distinct()[:20]
    )
    products = list(Product.objects.values_list("pk", flat=True))
    requests = []
    for i in range(n):
        c = combos[i % len(combos)]
        needed_by = timezone.now() + timedelta(days=20)
        nice = [
            {"field": "deployment", "value": rng.choice(["cloud", "hybrid", "on_premises"]), "weight": 5},
            {"field": "seniority", "value": rng.choice(["vp", "director", "c_level"]), "weight": 4},
            {"field": "language", "value": rng.choice(["en", "de", "fr"]), "weight": 3},
            {"field": "use_case", "value": rng.choice(use_cases), "weight": 2}
            if use_cases
            else {"field": "country", "value": "US", "weight": 2},
        ]
        must = [{"field": "industry", "value": c["referenceprofile__customer__industry_id"]}]
        if must_haves == 3:
            must += [
                {"field": "region", "value": c["referenceprofile__customer__region_id"]},
                {"field": "product", "value": c["product__name"]},
            ]
        request = Request.objects.create(
            requester=requester,
            activity_type=call,
            prospect_name=f"Bench prospect {must_haves}-{i}",
            prospect_industry_id=c["referenceprofile__customer__industry_id"],
            prospect_region_id=c["referenceprofile__customer__region_id"],
            prospect_size_band=rng.choice(["midmarket", "enterprise", "global"]),
            prospect_seniority=rng.choice(["vp", "director", "manager"]),
            references_needed=1 + i % 2,
            criteria={"must": must, "nice": nice},
            needed_by=needed_by,
            start_by=needed_by - timedelta(days=call.lead_time_days),
        )
        request.products.set([c["product_id"], rng.choice(products)])
        requests.append(request)
    return requests


TRIVIAL = "/api/v1/industries/"


def _stats(timings: list[float]) -> tuple[float, float, float]:
    """p50 and p95 in ms, and calls per second back to back (the sum of the calls' times)."""
    timings = sorted(timings)
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    return statistics.median(timings), p95, len(timings) / (sum(timings) / 1000)


def _time(client, urls: list[str], samples: int) -> tuple[tuple, tuple, list]:
    """``samples`` GETs of ``urls`` in turn, each followed by one GET of the trivial endpoint, so that
    both are measured under the same load from moment to moment (other processes on the machine
    slow both alike): the stats (:func:`_stats`) of the matches, of the trivial endpoint, and the
    matches' bodies."""
    for url in urls[:3]:  # warm up caches and connections
        client.get(url)
        client.get(TRIVIAL)
    timings, trivial, bodies = [], [], []
    for i in range(samples):
        started = time.perf_counter()
        response = client.get(urls[i % len(urls)])
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
        bodies.append(response.json())
        started = time.perf_counter()
        assert client.get(TRIVIAL).status_code == 200
        trivial.append((time.perf_counter() - started) * 1000)
    return _stats(timings), _stats(trivial), bodies


def paired(client, workloads: dict, calls: int) -> None:
    """``calls`` calls of each workload, alternating the profile-table read and the narrow one."""
    from requests_app.matching import ranking

    narrow, profile_table = ranking.candidate_rows, ranking._meeting_must_haves
    for n, requests in workloads.items():
        urls = [f"/api/v1/requests/{r.pk}/matches/" for r in requests]
        old, new, trivial = [], [], []
        for i in range(calls + 4):
            url = urls[i % len(urls)]
            order = [("old", profile_table), ("new", narrow)]
            if i % 2:
                order.reverse()  # neither always runs first
            times = {}
            for name, read in order:
                ranking.candidate_rows = read
                started = time.perf_counter()
                response = client.get(url)
                times[name] = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.content[:300]
            ranking.candidate_rows = narrow
            started = time.perf_counter()
            client.get(TRIVIAL)
            if i >= 4:  # the first calls warm up both statements
                old.append(times["old"])
                new.append(times["new"])
                trivial.append((time.perf_counter() - started) * 1000)
        diff = statistics.median(b - a for a, b in zip(old, new, strict=True))
        print(
            f"paired, {n} must-have{'s' if n > 1 else ''}, {calls} calls each: profile table p50 "
            f"{statistics.median(old):.1f} ms, matching row p50 {statistics.median(new):.1f} ms, "
            f"paired difference median {diff:+.1f} ms; "
            f"trivial endpoint p50 {statistics.median(trivial):.1f} ms"
        )


def floor(client, workloads: dict, calls: int) -> None:
    """The matches endpoint with matching replaced by a memo of each request's first answer."""
    from requests_app import matching

    computed = matching.matches_for_request
    memo: dict = {}

    def remembered(request, **kwargs):
        if request.pk not in memo:
            memo[request.pk] = computed(request, **kwargs)
        return memo[request.pk]

    matching.matches_for_request = remembered
    try:
        for n, requests in workloads.items():
            urls = [f"/api/v1/requests/{r.pk}/matches/" for r in requests]
            for url in urls:  # fill the memo
                client.get(url)
            (p50, _, rate), (trivial_p50, _, trivial_rate), _ = _time(client, urls, calls)
            share = rate / trivial_rate
            budget = 1000 / (0.3 * trivial_rate) - 1000 / rate  # ms a call may spend matching
            print(
                f"floor, {n} must-have{'s' if n > 1 else ''}, {calls} calls: the call without matching "
                f"p50 {p50:.1f} ms, {rate:.0f} calls/s = {share:.2f} of the trivial endpoint's "
                f"{trivial_rate:.0f} calls/s (p50 {trivial_p50:.1f} ms); for a share of 0.3 matching "
                f"itself may take {budget:.1f} ms a call"
            )
    finally:
        matching.matches_for_request = computed


def reads(workloads: dict, times: int) -> None:
    """The candidate read alone, from the profile table and from the matching row, on the same
    requests: the same rows, and the time of each."""
    from django.utils import timezone

    from ledger.models import OverusePolicy
    from refprogram import statements
    from requests_app.matching import ranking, scoring

    policy, today = OverusePolicy.current(), timezone.localdate()
    for n, requests in workloads.items():
        timings: dict[str, list[float]] = {"profile table": [], "matching row": []}
        for _ in range(times):
            for request in requests:
                spec = scoring.MatchSpec.for_request(request, policy=policy)
                found = {}
                for name, read in (
                    ("profile table", ranking._meeting_must_haves),
                    ("matching row", ranking.candidate_rows),
                ):
                    qs = read(request.activity_type, spec).annotate(base_score=scoring.base_sql(spec, today))
                    qs = qs.order_by("-base_score", "pk").values_list("pk", "base_score")[: ranking.READ_PAGE]
                    started = time.perf_counter()
                    found[name] = statements.rows(qs)
                    timings[name].append((time.perf_counter() - started) * 1000)
                assert found["profile table"] == found["matching row"], f"request {request.pk}: reads differ"
        print(
            f"read alone, {n} must-have{'s' if n > 1 else ''}, {len(timings['matching row'])} reads each, "
            "the same rows: "
            + "; ".join(
                f"{k} median {statistics.median(v):.1f} ms, min {min(v):.1f} ms" for k, v in timings.items()
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--ledger", type=int, default=None, help="ledger rows (default 10 per customer)")
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--paired", type=int, default=0, metavar="N", help="also N paired calls (see 3.)")
    parser.add_argument("--reads", type=int, default=0, metavar="N", help="also time the read alone (see 4.)")
    parser.add_argument(
        "--floor", type=int, default=0, metavar="N", help="also time the call without matching (see 5.)"
    )
    parser.add_argument(
        "--inventory-only",
        action="store_true",
        help="seed the inventory only, not the demo's requests (which match against it on submission: "
        "minutes at 100,000 customers); the benchmark builds its own requests",
    )
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
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    from accounts.models import User
    from ledger.models import OverusePolicy
    from references.models import ReferenceProfile

    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        if args.inventory_only:
            from demo.inventory import seed_demo

            result = seed_demo(scale=args.scale, seed=1)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(f"inventory of {args.scale} customers: {result.seconds:.1f} s")
        else:
            call_command("seed_demo", scale=args.scale, seed=1)
        print(f"seed_demo --scale {args.scale}: {time.perf_counter() - started:.1f} s")
        top_up_ledger(args.ledger or args.scale * 10)
    print(f"profiles: {ReferenceProfile.objects.count():,}")

    rng = random.Random(7)
    manager = User.objects.filter(role="manager").first() or User.objects.create(
        username="bench_mgr", role="manager"
    )
    client = Client()
    client.force_login(manager)
    workloads = {n: build_requests(rng, 10, must_haves=n) for n in (3, 1)}
    goals = {3: 20.0, 1: 35.0}
    met = True
    for n, requests in workloads.items():
        urls = [f"/api/v1/requests/{r.pk}/matches/" for r in requests]
        (p50, p95, rate), (trivial_p50, _, trivial_rate), bodies = _time(client, urls, args.samples)
        ratio = rate / trivial_rate
        sizes = [len(b) for b in bodies]
        ok = p50 < goals[n] and ratio >= 0.3
        met &= ok
        print(
            f"matches, {n} must-have{'s' if n > 1 else ''}, 4 nice-to-haves, prospect facts, top 20, "
            f"over {len(bodies)} calls: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {rate:.0f} calls/s = "
            f"{ratio:.2f} of the trivial endpoint's {trivial_rate:.0f} calls/s (p50 {trivial_p50:.1f} ms, "
            f"called after each); matches per call {min(sizes)}–{max(sizes)}; "
            f"goal p50 < {goals[n]:.0f} ms and ratio >= 0.3: {'met' if ok else 'NOT met'}"
        )
    print("all goals met" if met else "goals NOT met")
    if args.paired:
        paired(client, workloads, args.paired)
    if args.reads:
        reads(workloads, args.reads)
    if args.floor:
        floor(client, workloads, args.floor)
    requests = workloads[3]
    if args.explain:
        from django.utils import timezone

        from requests_app.matching import ranking, scoring

        policy, today = OverusePolicy.current(), timezone.localdate()
        spec = scoring.MatchSpec.for_request(requests[0], policy=policy)
        qs = ranking.candidate_rows(requests[0].activity_type, spec)
        qs = qs.annotate(base_score=scoring.base_sql(spec, today)).order_by("-base_score", "pk")
        sql, params = qs.values_list("pk", "base_score")[:2000].query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute("EXPLAIN ANALYZE " + sql, params)
            print("\n".join(row[0] for row in cur.fetchall()))


if __name__ == "__main__":
    main()
