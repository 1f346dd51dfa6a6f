#!/usr/bin/env python
"""Scale benchmark of the program metrics (``reporting.metrics.program_summary``) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/refprogram_requests_bench \\
        .venv/bin/python benchmarks/reporting_bench.py --runs 7

Reads an already seeded database (``seed_demo``, ``overuse_bench.py`` or ``matching_bench.py``
leave one behind); it never seeds, migrates or drops anything. Like the other benchmarks it
refuses a database whose name lacks "bench", and it runs every read in a read-only
transaction, so it cannot change what it measures.

1. Computes ``program_summary`` for the dashboard's default period (``--preset``, default the
   dashboard's: the last 90 days ending today) and segment (``--industry`` …), straight, never
   through ``program_summary_cached``: every run is a cache miss. ``--warmup`` runs (default 1)
   fill PostgreSQL's buffers first and are not counted.
2. Prints p50, p95 and the slowest of ``--runs`` runs (default 7), and per selector the median
   of its time inside those runs (a selector called for both periods is the sum of its calls).

Goal: the whole summary under 1 s on 123,402 profiles and 1,000,000 ledger rows.

``--explain NAME`` prints ``EXPLAIN ANALYZE`` of every query one selector runs
(``usage_by_period`` and ``inventory_stock`` are the two statements of
``reporting.metrics.statements``). The figures themselves are checked by hand in
tests/reporting/test_statements.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refprogram.settings")

# The selectors program_summary calls, timed where it calls them (usage_by_period and
# inventory_stock compute for several of the others; a name the code lacks is skipped).
SELECTORS = (
    "usage_by_period",
    "inventory_stock",
    "request_figures",
    "revenue_figures",
    "supply_demand",
    "demand_heatmap",
    "coverage",
    "usage_figures",
    "inventory_figures",
    "most_used",
    "nomination_figures",
    "approval_figures",
    "satisfaction_figures",
    "monthly_trends",
)


def database_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


@contextmanager
def timed_selectors(module, spent: dict[str, float]):
    """Replace each selector in ``module`` with a wrapper that adds its time to ``spent`` (a
    selector that ``program_summary`` did not call has no entry)."""
    originals = {name: getattr(module, name) for name in SELECTORS if hasattr(module, name)}

    def wrap(name, fn):
        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - began

        return timed

    for name, fn in originals.items():
        setattr(module, name, wrap(name, fn))
    try:
        yield
    finally:
        for name, fn in originals.items():
            setattr(module, name, fn)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--preset", default=None, help="period preset (default: the dashboard's)")
    for dimension in ("industry", "region", "product_line", "activity_type"):
        parser.add_argument(f"--{dimension.replace('_', '-')}", dest=dimension, default=None)
    parser.add_argument("--explain", metavar="SELECTOR", choices=SELECTORS, default=None)
    parser.add_argument(
        "--reuse", action="store_true", help="accepted for symmetry: this benchmark always reuses"
    )
    parser.add_argument(
        "--seed",
        action="store_true",
        help="drop, re-create and seed the database first (seed_demo --scale, then the ledger topped up)",
    )
    parser.add_argument("--scale", type=int, default=100_000, help="customers to seed (with --seed)")
    parser.add_argument("--ledger", type=int, default=1_000_000, help="ledger rows to reach (with --seed)")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or "bench" not in database_name(url):
        sys.exit("Set DATABASE_URL to a seeded PostgreSQL database whose name contains 'bench'.")

    if args.seed:
        from matching_bench import recreate_database

        recreate_database(url)

    import django

    django.setup()

    if args.seed:
        seed(args.scale, args.ledger)

    from django.db import connection, transaction

    from ledger.models import OverusePolicy, UsageEntry
    from references.models import ReferenceProfile
    from reporting import metrics
    from reporting.metrics import summary
    from reporting.periods import DEFAULT_PRESET, period_from_params

    period = period_from_params({"preset": args.preset or DEFAULT_PRESET})
    segment = metrics.Segment(
        industry=args.industry,
        region=args.region,
        product_line=args.product_line,
        activity_type=args.activity_type,
    )
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET TRANSACTION READ ONLY")
        if not OverusePolicy.objects.filter(pk=1).exists():
            sys.exit("No overuse policy row: seed the database first (this benchmark never writes).")
        print(
            f"database {database_name(url)}: {ReferenceProfile.objects.count():,} profiles, "
            f"{UsageEntry.objects.count():,} ledger rows"
        )
        print(
            f"period {period.start} … {period.end} ({period.preset}, {period.days} days), "
            f"previous {period.previous().start} … {period.previous().end}; segment {segment.as_dict()}"
        )

        if args.explain:
            explain(metrics, args.explain, period, segment)
            return

        totals: list[float] = []
        per_selector: dict[str, list[float]] = defaultdict(list)
        for run in range(args.warmup + args.runs):
            spent: dict[str, float] = defaultdict(float)
            with timed_selectors(summary, spent):  # the names program_summary calls
                began = time.perf_counter()
                summary.program_summary(period, segment)
                took = time.perf_counter() - began
            counted = run >= args.warmup
            print(f"  run {run + 1}: {ms(took)}{'' if counted else ' (warm-up)'}")
            if counted:
                totals.append(took)
                for name, seconds in spent.items():
                    per_selector[name].append(seconds)

        print(
            f"\nprogram_summary over {len(totals)} runs: p50 {ms(statistics.median(totals))}, "
            f"p95 {ms(p95(totals))}, slowest {ms(max(totals))}"
        )
        print("per selector (median of the runs; both periods where it is called twice):")
        called = [name for name in SELECTORS if name in per_selector]
        for name in sorted(called, key=lambda n: -statistics.median(per_selector[n])):
            print(f"  {name:<22} {ms(statistics.median(per_selector[name])):>10}")


def seed(scale: int, ledger: int) -> None:
    """Migrate, ``seed_demo --scale``, top the ledger up (as ``matching_bench.py`` does) and fill
    the daily aggregates the way the nightly check keeps them."""
    from django.core.management import call_command
    from matching_bench import top_up_ledger

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    call_command("seed_demo", scale=scale, seed=1)
    print(f"seed_demo --scale {scale}: {time.perf_counter() - began:.1f} s")
    top_up_ledger(ledger)
    rebuild = getattr(__import__("reporting.services", fromlist=["x"]), "daily_figures_rebuild", None)
    if rebuild is not None:
        began = time.perf_counter()
        print(f"daily figures: {rebuild()} in {time.perf_counter() - began:.1f} s")


def explain(metrics, name: str, period, segment) -> None:
    """Run one selector as program_summary calls it and print EXPLAIN ANALYZE of its queries."""
    from django.db import connection
    from django.utils import timezone

    from ledger.models import OverusePolicy

    policy = OverusePolicy.current()
    today = timezone.localdate()
    calls = {
        "usage_by_period": lambda: metrics.usage_by_period([period, period.previous()], segment, policy),
        "inventory_stock": lambda: metrics.inventory_stock(segment, today, policy),
        "request_figures": lambda: metrics.request_figures(period, segment),
        "revenue_figures": lambda: metrics.revenue_figures(period, segment),
        "supply_demand": lambda: metrics.supply_demand(period, segment, today, policy),
        "demand_heatmap": lambda: metrics.demand_heatmap(period, segment, today, policy),
        "coverage": lambda: metrics.coverage(),
        "usage_figures": lambda: metrics.usage_figures(period, segment, policy),
        "inventory_figures": lambda: metrics.inventory_figures(period, segment, today, policy),
        "most_used": lambda: metrics.most_used(period, segment),
        "nomination_figures": lambda: metrics.nomination_figures(period, segment),
        "approval_figures": lambda: metrics.approval_figures(period, segment, today),
        "satisfaction_figures": lambda: metrics.satisfaction_figures(period, segment),
        "monthly_trends": lambda: metrics.monthly_trends(period.end),
    }
    queries: list[tuple[str, tuple]] = []

    def record(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        calls[name]()
    for sql, params in queries:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n" + sql[:400] + (" …" if len(sql) > 400 else ""))
            print("\n".join(row[0] for row in cur.fetchall()))


if __name__ == "__main__":
    main()
