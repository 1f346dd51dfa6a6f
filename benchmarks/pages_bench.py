#!/usr/bin/env python
"""The working day's pages at scale (run on demand, not in CI).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/refprogram_requests_bench \\
        .venv/bin/python benchmarks/pages_bench.py [--samples 5] [--slowest 3]

Reads the database as it is: seed it first with ``matching_bench.py --scale 100000 --ledger 1000000
--inventory-only`` (it builds its bench requests; run it once before this). Collects the static
files if they are missing (the pages need their manifest). Then opens, in one process through
Django's test client, each page a manager or a sales rep opens in a day (home, work queue,
operations, a request with its matches, the inventory and the catalog with and without filters,
the usage ledger, approvals, the content library, nominations, the audit log, the dashboard) and
prints for each its median time over ``--samples`` views after a first one, its number of queries
and, with ``--slowest N``, its N slowest statements.

Goal (PRODUCT.md, "Scale to plan for"): every page stays fast at 100,000 customers and 1,000,000
ledger rows; figures in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refprogram.settings")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--slowest", type=int, default=0, metavar="N")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if "bench" not in url:
        sys.exit("Set DATABASE_URL to a seeded PostgreSQL database whose name contains 'bench'.")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from references.models import Customer, ReferenceProfile
    from requests_app.models import Request

    settings.ALLOWED_HOSTS = ["*"]
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    requests = {
        n: Request.objects.filter(prospect_name__startswith=f"Bench prospect {n}-").order_by("-pk").first()
        for n in (3, 1)
    }
    if None in requests.values():
        sys.exit("No bench requests: run matching_bench.py once on this database first.")
    manager = Client()
    manager.force_login(User.objects.filter(role="manager").first())
    sales = Client()
    sales.force_login(User.objects.filter(role="sales").first())
    profile = ReferenceProfile.objects.order_by("pk").first()
    customer = Customer.objects.order_by("pk").first()
    pages = [
        ("manager", manager, "/"),
        ("manager", manager, "/requests/queue/"),
        ("manager", manager, "/dashboard/operations/"),
        ("manager", manager, f"/requests/{requests[3].pk}/"),
        ("manager", manager, f"/requests/{requests[1].pk}/"),
        ("manager", manager, "/inventory/"),
        ("manager", manager, "/inventory/?industry=finance&region=emea"),
        ("manager", manager, f"/references/{profile.pk}/"),
        ("manager", manager, f"/customers/{customer.pk}/"),
        ("manager", manager, "/usage/"),
        ("manager", manager, "/approvals/"),
        ("manager", manager, "/library/"),
        ("manager", manager, "/nominations/"),
        ("manager", manager, "/audit/"),
        ("manager", manager, "/dashboard/"),
        ("sales", sales, "/"),
        ("sales", sales, "/catalog/"),
        ("sales", sales, "/catalog/?industry=finance&activity_type=call"),
        ("sales", sales, "/catalog/?search=cloud"),
        ("sales", sales, "/requests/new/"),
        ("sales", sales, "/requests/mine/"),
    ]
    print(
        f"{ReferenceProfile.objects.count():,} profiles; {args.samples} views of each page after a first one"
    )
    for role, client, url in pages:
        client.get(url)
        timings, statements = [], []

        def timed(execute, sql, params, many, context, statements=statements):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                statements.append(((time.perf_counter() - started) * 1000, sql))

        for _ in range(args.samples):
            statements.clear()
            with connection.execute_wrapper(timed):
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{role:8} {url:55} p50 {statistics.median(timings):7.1f} ms  {len(statements):3} queries")
        for ms, sql in sorted(statements, reverse=True)[: args.slowest]:
            print(f"{'':12}{ms:7.1f} ms  {' '.join(sql.split())[:110]}")


if __name__ == "__main__":
    main()
