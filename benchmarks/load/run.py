"""Load test, on demand: 50 concurrent users for 60 s against gunicorn on 127.0.0.1 with the
seeded 100,000-customer PostgreSQL database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/refprogram_load \\
        .venv/bin/python benchmarks/load/run.py [--users 50] [--time 60] [--workers 3]

Needs ``pip install -e '.[load]'`` (locust) and a database seeded with
``benchmarks/inventory_bench.py`` (or ``manage.py seed_demo --scale 100000``); the name must
contain ``bench`` or ``load``, because the runner writes users, tokens and requests into it.

1. Creates (or reuses) the load users with API tokens (sales reps and managers) and five open
   requests with must-haves and nice-to-haves for the matches endpoint; removes the requests an
   earlier run submitted.
2. Starts gunicorn (``--workers 3``, production settings: ``DEBUG`` off, a throwaway
   ``SECRET_KEY``, ``CONN_MAX_AGE=60``) on a free loopback port and waits for ``/health/``.
3. Runs ``locustfile.py`` headless: sales reps search the catalog (filters + free text),
   submit requests and read a managed list; managers rank matches, read the metrics summary
   and open the dashboard page; two probe groups of 5 users call the matches endpoint and a
   trivial authenticated endpoint (``GET /api/v1/industries/``) back to back.
4. Prints p50/p95 per endpoint, the error count, and the matches throughput as a ratio to the
   trivial endpoint's (the probes' requests per second). Exit status 1 on any error.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refprogram.settings")
os.environ.setdefault("SECRET_KEY", "load-test-" + secrets.token_hex(16))

PASSWORD = "load-pass-123"
SALES, MANAGERS = 40, 20
GOAL_P95_MS = 500


def prepare() -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from references.models import ActivityType, Industry, Product, ReferenceProfile, Region
    from requests_app import services
    from requests_app.models import Request

    name = connection.settings_dict["NAME"]
    if "bench" not in name and "load" not in name:
        sys.exit(f"Refusing to write load-test users into {name!r}: use a *bench* or *load* database.")
    profiles = ReferenceProfile.objects.count()
    print(f"database {name}: {profiles:,} reference profiles")
    if profiles < 100_000:
        print("  warning: fewer than 100,000 profiles; seed with benchmarks/inventory_bench.py")

    def user(username: str, role: str) -> tuple[User, str]:
        account, created = User.objects.get_or_create(username=username, defaults={"role": role})
        if created or not account.check_password(PASSWORD):
            account.set_password(PASSWORD)
            account.save()
        return account, Token.objects.get_or_create(user=account)[0].key

    sales = [user(f"load_sales_{i}", "sales") for i in range(1, SALES + 1)]
    managers = [user(f"load_manager_{i}", "manager") for i in range(1, MANAGERS + 1)]
    requester = sales[0][0]
    removed = Request.objects.filter(
        requester__username__startswith="load_sales_", prospect_name="Load Prospect"
    )
    print(f"removed {removed.delete()[0]:,} rows of an earlier run's submitted requests")

    industries = list(Industry.objects.values_list("code", flat=True))
    regions = list(Region.objects.values_list("code", flat=True))
    products = list(Product.objects.order_by("name").values_list("name", flat=True)[:20])
    request_ids = []
    for i, (industry, product) in enumerate(zip(industries[:5], products[:5], strict=False), start=1):
        prospect = f"Load match {i}"
        existing = Request.objects.filter(requester=requester, prospect_name=prospect).first()
        if existing is None:
            existing, _ = services.request_submit(
                requester=requester,
                data={
                    "activity_type": ActivityType.objects.get(code="call"),
                    "prospect_name": prospect,
                    "prospect_size_band": "enterprise",
                    "needed_by": timezone.now() + timedelta(days=60),
                    "criteria": {
                        "must": [{"field": "industry", "value": industry}],
                        "nice": [
                            {"field": "product", "value": product, "weight": 5},
                            {"field": "region", "value": regions[i % len(regions)], "weight": 3},
                            {"field": "size_band", "value": "enterprise", "weight": 2},
                        ],
                    },
                },
            )
        request_ids.append(existing.pk)
    return {
        "sales_tokens": [token for _, token in sales],
        "manager_tokens": [token for _, token in managers],
        "manager_logins": [[account.username, PASSWORD, token] for account, token in managers],
        "request_ids": request_ids,
        "industries": industries,
        "regions": regions,
        "products": products,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"gunicorn did not answer {url} within {timeout:.0f} s")


def report(stats_csv: Path) -> int:
    rows = list(csv.DictReader(stats_csv.open()))
    columns = ("requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms")
    print("\n" + f"{'endpoint':28}" + "".join(f"{c:>10}" for c in columns))
    by_name = {}
    for row in rows:
        by_name[row["Name"]] = row
        print(
            f"{row['Name']:28}{int(row['Request Count']):>10,}{int(row['Failure Count']):>10}"
            f"{float(row['Requests/s']):>10.1f}{row['50%']:>10}{row['95%']:>10}{row['99%']:>10}"
        )
    total = by_name["Aggregated"]
    errors = int(total["Failure Count"])
    matches = float(by_name["probe: matches"]["Requests/s"])
    trivial = float(by_name["probe: industries"]["Requests/s"])
    worst = max((int(r["95%"]), r["Name"]) for r in rows if r["Name"] not in ("Aggregated", "login"))
    print(f"\nerrors: {errors}")
    print(
        f"matches throughput: {matches:.1f} req/s against {trivial:.1f} req/s for the trivial endpoint "
        f"(5 back-to-back users each): ratio {matches / trivial:.2f}"
    )
    verdict = "met" if worst[0] < GOAL_P95_MS else "NOT met"
    print(f"slowest p95: {worst[0]} ms ({worst[1]}); goal p95 < {GOAL_P95_MS} ms: {verdict}")
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--time", type=int, default=60, help="seconds")
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    fixture = prepare()
    workdir = Path(tempfile.mkdtemp(prefix="refprogram-load-"))
    fixture_file = workdir / "fixture.json"
    fixture_file.write_text(json.dumps(fixture))
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DEBUG": "0",
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        "LOAD_FIXTURE": str(fixture_file),
    }
    bin_dir = Path(sys.executable).parent
    # Production serves hashed static names from STATIC_ROOT (whitenoise): collect them first.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    gunicorn_log = (workdir / "gunicorn.log").open("w")
    gunicorn = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "refprogram.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={args.workers}",
            "--timeout=60",
        ],
        cwd=ROOT,
        env=env,
        stdout=gunicorn_log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"{host}/health/")
        print(f"gunicorn up on {host} with {args.workers} workers; {args.users} users for {args.time} s")
        subprocess.run(
            [
                str(bin_dir / "locust"),
                "-f",
                str(Path(__file__).with_name("locustfile.py")),
                "--headless",
                f"--users={args.users}",
                f"--spawn-rate={args.users}",
                f"--run-time={args.time}s",
                f"--host={host}",
                f"--csv={workdir / 'load'}",
                "--only-summary",
                "--stop-timeout=5",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
        )
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        gunicorn_log.close()
    errors = report(workdir / "load_stats.csv")
    print(f"\nlocust CSVs and the gunicorn log: {workdir}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
