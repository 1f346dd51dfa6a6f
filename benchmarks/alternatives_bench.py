#!/usr/bin/env python
"""Scale benchmark of the short-supply alternatives (run on demand, not in CI).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/refprogram_requests_bench \\
        .venv/bin/python benchmarks/alternatives_bench.py --reuse

1. Without ``--reuse``: seeds the database as ``matching_bench.py --inventory-only`` does
   (``--scale`` customers, the ledger topped up to ``--ledger`` rows). With it: the database as it is.
2. Tops the content library up to ``--content`` approved quotes, case studies and videos (one set-based
   INSERT … SELECT over customers picked by id; titled "Bench content …" so they can be told apart;
   none added when that many exist already), then ANALYZEs the approvals.
3. Times ``--samples`` calls of ``requests_app.matching.supply.alternatives()`` as a manager for two
   workloads of 10 unsaved reference-call requests: 3 must-haves (industry, region, product, taken
   from combinations the inventory holds) and 1 (industry). Prints p50 and p95 per workload and per
   part (the approved content, the event meetings), the items per call, the p50 of each request's
   first call (its statements compiled, as on a request's first view) and the load average.
4. ``--explain``: EXPLAIN (ANALYZE, BUFFERS) of each statement of one call per workload.

Goal (issue #13): the whole ``alternatives()`` call under 50 ms p50 at 100,000 customers.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refprogram.settings")


def top_up_content(target: int) -> None:
    """Approved, valid quotes, case studies and videos of ``target`` customers in all (spread over
    the customers by id), one INSERT … SELECT."""
    from django.db import connection

    from approvals.models import Approval

    have = Approval.objects.filter(title__startswith="Bench content").count()
    if have >= target:
        print(f"content library: {have:,} bench approvals (no top-up)")
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO references_approval (customer_id, use, status, title, quote_text, asset_url, scope,
                expires_on, approver_name, approver_title, approver_email, decision_comment, notes,
                document, document_name, document_type, asset_file, asset_file_name, asset_file_type,
                decided_at, created_at, updated_at)
            SELECT c.id, (ARRAY['quote', 'case_study', 'video'])[1 + c.id %% 3], 'approved',
                'Bench content ' || c.id, CASE WHEN c.id %% 3 = 0 THEN c.name || ' loves it.' ELSE '' END,
                CASE WHEN c.id %% 3 = 0 THEN '' ELSE 'https://cdn.example/' || c.id || '.pdf' END,
                '["website"]'::jsonb, CURRENT_DATE + (30 + c.id %% 700)::int, 'Dana Customer', 'CMO',
                '', '', '', '', '', '', '', '', '', now(), now() - (c.id %% 900) * interval '1 day', now()
            FROM references_customer c
            WHERE c.id %% %s = 0
            ORDER BY c.id
            LIMIT %s
            """,
            [max(1, _customers() // target), target - have],
        )
        cursor.execute("ANALYZE references_approval")
    total = Approval.objects.filter(title__startswith="Bench content").count()
    print(f"content library: {have:,} → {total:,} bench approvals in {time.perf_counter() - started:.1f} s")


def _customers() -> int:
    from references.models import Customer

    return Customer.objects.count()


def build_requests(rng: random.Random, n: int, *, must_haves: int) -> list:
    """``n`` unsaved reference-call requests: 3 must-haves (industry, region, product) or 1 (industry),
    from the (industry, region, product) combinations the inventory holds most, as real requests."""
    from django.db.models import Count

    from references.models import ActivityType, ReferenceProfile
    from requests_app.models import Request

    call = ActivityType.objects.get(code="call")
    combos = list(
        ReferenceProfile.products.through.objects.values(
            "referenceprofile__customer__industry_id",
            "referenceprofile__customer__region_id",
            "product__name",
        )
        .annotate(n=Count("id"))
        .order_by("-n")[:40]
    )
    requests = []
    for i in range(n):
        c = combos[(i * 7 + rng.randrange(3)) % len(combos)]
        must = [{"field": "industry", "value": c["referenceprofile__customer__industry_id"]}]
        if must_haves == 3:
            must += [
                {"field": "region", "value": c["referenceprofile__customer__region_id"]},
                {"field": "product", "value": c["product__name"]},
            ]
        requests.append(Request(activity_type=call, criteria={"must": must, "nice": []}))
    return requests


def _stats(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings), timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]


def explain(request, user, policy) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement of one ``alternatives()`` call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from requests_app.matching.supply import alternatives

    with CaptureQueriesContext(connection) as ctx:
        alternatives(request, user=user, policy=policy)
    for query in ctx.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
        print(f"--- {query['time']} s: {sql[:160]}…")
        print("\n".join(plan))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--ledger", type=int, default=None, help="ledger rows (default 10 per customer)")
    parser.add_argument("--content", type=int, default=5_000, help="bench approvals in the content library")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")

    if not args.reuse:
        import subprocess

        subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "matching_bench.py"),
                "--inventory-only",
                "--samples",
                "1",
                "--scale",
                str(args.scale),
                *(["--ledger", str(args.ledger)] if args.ledger else []),
            ],
            check=True,
        )

    import django

    django.setup()
    from accounts.models import User
    from ledger.models import OverusePolicy
    from references.models import ReferenceProfile
    from requests_app.matching import supply

    print(f"profiles: {ReferenceProfile.objects.count():,}")
    top_up_content(args.content)
    # Unsaved: what the alternatives read of a user is their role (and the user table may lag a
    # migration of another app while the bench database is shared).
    manager = User(username="bench_mgr", role="manager", is_active=True)
    # The default policy, unsaved (as the user: the policy table may lag another app's migration).
    policy = OverusePolicy(pk=1)
    rng = random.Random(7)
    workloads = {n: build_requests(rng, 10, must_haves=n) for n in (3, 1)}
    for n, requests in workloads.items():
        first = []  # each request's first call: its statements compiled (supply._cached_rows)
        for request in requests:
            started = time.perf_counter()
            supply.alternatives(request, user=manager, policy=policy)
            first.append((time.perf_counter() - started) * 1000)
        whole, content, events, items = [], [], [], []
        for i in range(args.samples):
            request = requests[i % len(requests)]
            started = time.perf_counter()
            found = supply.alternatives(request, user=manager, policy=policy)
            whole.append((time.perf_counter() - started) * 1000)
            items.append(len(found))
            started = time.perf_counter()
            supply.approved_content(request, user=manager)
            content.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            supply.event_meetings(request, user=manager, policy=policy)
            events.append((time.perf_counter() - started) * 1000)
        (p50, p95), (c50, c95), (e50, e95) = _stats(whole), _stats(content), _stats(events)
        print(
            f"alternatives(), {n} must-have{'s' if n > 1 else ''}, {args.samples} calls: p50 {p50:.1f} ms, "
            f"p95 {p95:.1f} ms (approved content {c50:.1f} / {c95:.1f}, "
            f"event meetings {e50:.1f} / {e95:.1f}); "
            f"items per call {min(items)}–{max(items)}; "
            f"first call of each request p50 {_stats(first)[0]:.1f} ms; "
            f"load {os.getloadavg()[0]:.2f}; goal p50 < 50 ms: {'met' if p50 < 50 else 'NOT met'}"
        )
    if args.explain:
        for n, requests in workloads.items():
            print(f"=== {n} must-have(s): {requests[0].must}")
            explain(requests[0], manager, policy)


if __name__ == "__main__":
    main()
