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
PROBE_USERS = 5


def prepare() -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import api_token_create, api_tokens_revoke_all
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
        # A fresh token each run (valid for API_TOKEN_HOURS); an earlier run's tokens are revoked.
        api_tokens_revoke_all(user=account)
        return account, api_token_create(user=account)[1]

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
    # In production, beat recomputes the dashboard's opening view every minute (reporting.tasks.
    # metrics_warm); this runner starts no beat, so it runs that task once, as beat would.
    from reporting.tasks import metrics_warm

    started = time.monotonic()
    metrics_warm()
    print(f"dashboard figures warmed as beat does ({time.monotonic() - started:.1f} s)")
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "sales_tokens": [token for _, token in sales],
        "manager_tokens": [token for _, token in managers],
        # (API token, signed-in session): one per simulated manager.
        "manager_logins": [[token, signed_in_session(account)] for account, token in managers],
        "request_ids": request_ids,
        "industries": industries,
        "regions": regions,
        "products": products,
    }


def signed_in_session(user) -> str:
    """A session of ``user`` as the log-in page would leave it (a manager who logged in earlier
    today): the dashboard page needs one, and logging 13 people in at the same second would
    measure the password hasher, not the product."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


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


def _stats(stats_csv: Path) -> dict[str, dict]:
    return {row["Name"]: row for row in csv.DictReader(stats_csv.open())}


def report(mixed_csv: Path, matches_csv: Path, trivial_csv: Path, think: str) -> int:
    by_name = _stats(mixed_csv)
    columns = ("requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms")
    print("\n" + f"{'endpoint':28}" + "".join(f"{c:>10}" for c in columns))
    for name, row in by_name.items():
        print(
            f"{name:28}{int(row['Request Count']):>10,}{int(row['Failure Count']):>10}"
            f"{float(row['Requests/s']):>10.1f}{row['50%']:>10}{row['95%']:>10}{row['99%']:>10}"
        )
    total = by_name["Aggregated"]
    errors = int(total["Failure Count"])
    worst = max((int(r["95%"]), name) for name, r in by_name.items() if name not in ("Aggregated", "login"))
    print(f"\nmixed load: {float(total['Requests/s']):.1f} requests/s (think time {think} s between actions)")
    print(f"errors: {errors}")
    verdict = "met" if worst[0] < GOAL_P95_MS else "NOT met"
    print(f"slowest p95: {worst[0]} ms ({worst[1]}); goal p95 < {GOAL_P95_MS} ms: {verdict}")

    matches = _stats(matches_csv)["probe: matches"]
    trivial = _stats(trivial_csv)["probe: industries"]
    errors += int(matches["Failure Count"]) + int(trivial["Failure Count"])
    m_rate, t_rate = float(matches["Requests/s"]), float(trivial["Requests/s"])
    print(
        f"throughput, {PROBE_USERS} back-to-back users each, same server right after the mixed load: "
        f"matches {m_rate:.1f} req/s (p50 {matches['50%']} ms), trivial endpoint {t_rate:.1f} req/s "
        f"(p50 {trivial['50%']} ms): ratio {m_rate / t_rate:.2f}"
    )
    return errors


def run_locust(
    bin_dir: Path, host: str, csv_prefix: Path, env: dict, users: int, seconds: int, classes, spawn_rate=None
):
    """One headless locust run of ``classes`` (user class names in locustfile.py)."""
    subprocess.run(
        [
            str(bin_dir / "locust"),
            "-f",
            str(Path(__file__).with_name("locustfile.py")),
            "--headless",
            f"--users={users}",
            f"--spawn-rate={spawn_rate or users}",
            f"--run-time={seconds}s",
            f"--host={host}",
            f"--csv={csv_prefix}",
            "--only-summary",
            "--stop-timeout=5",
            "--loglevel=WARNING",
            *classes,
        ],
        cwd=ROOT,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    return Path(f"{csv_prefix}_stats.csv")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--time", type=int, default=60, help="seconds of mixed load")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (README: 2 x cores + 1)")
    parser.add_argument("--think", default="2,6", help="seconds between a user's actions: min,max")
    parser.add_argument("--probe-time", type=int, default=15, help="seconds of each throughput probe")
    parser.add_argument("--warmup", type=int, default=10, help="seconds of the same load first, not measured")
    parser.add_argument(
        "--spawn-rate", type=int, default=10, help="users starting per second (managers log in as they start)"
    )
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
        "LOAD_THINK": args.think,
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
        print(
            f"gunicorn up on {host} with {args.workers} workers; {args.warmup} s warm-up (not measured), "
            f"{args.users} users for {args.time} s, "
            f"then {PROBE_USERS} back-to-back users on matches and on a trivial endpoint for "
            f"{args.probe_time} s each"
        )
        if args.warmup:
            # Every gunicorn worker loads the app and opens its database connection; not measured.
            run_locust(
                bin_dir,
                host,
                workdir / "warmup",
                env,
                args.users,
                args.warmup,
                ["SalesRep", "Manager"],
                spawn_rate=args.spawn_rate,
            )
        mixed = run_locust(
            bin_dir,
            host,
            workdir / "mixed",
            env,
            args.users,
            args.time,
            ["SalesRep", "Manager"],
            spawn_rate=args.spawn_rate,
        )
        matches = run_locust(
            bin_dir, host, workdir / "matches", env, PROBE_USERS, args.probe_time, ["MatchesProbe"]
        )
        trivial = run_locust(
            bin_dir, host, workdir / "trivial", env, PROBE_USERS, args.probe_time, ["TrivialProbe"]
        )
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        gunicorn_log.close()
    errors = report(mixed, matches, trivial, args.think)
    print(f"\nlocust CSVs and the gunicorn log: {workdir}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
