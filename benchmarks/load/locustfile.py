"""Load scenario: sales reps search the catalog and submit requests, managers rank matches and
read the program summary, and two probe groups measure the matches endpoint against a trivial
authenticated one back to back. Run it through ``run.py`` (which prepares users, tokens and
requests and starts gunicorn); the tokens and request ids come from ``LOAD_FIXTURE``.
"""

import itertools
import json
import os
import random
from datetime import UTC, datetime, timedelta

from locust import HttpUser, between, constant, task

# Seconds a person pauses between two actions (reading results, typing): LOAD_THINK="2,6".
THINK = between(*(float(x) for x in os.environ.get("LOAD_THINK", "2,6").split(",")))

FIXTURE = json.loads(open(os.environ["LOAD_FIXTURE"]).read())
_sales_tokens = itertools.cycle(FIXTURE["sales_tokens"])
_manager_tokens = itertools.cycle(FIXTURE["manager_tokens"])
_manager_logins = iter(FIXTURE["manager_logins"])  # (token, session key): one per Manager
REQUEST_IDS = FIXTURE["request_ids"]
INDUSTRIES = FIXTURE["industries"]
REGIONS = FIXTURE["regions"]
PRODUCTS = FIXTURE["products"]
WORDS = ["cloud", "migration", "security", "fast", "support", "bank", "retail", "analytics", "cost"]
SIZE_BANDS = ["smb", "midmarket", "enterprise", "global"]
ACTIVITIES = ["call", "email", "site_visit"]


class _TokenUser(HttpUser):
    abstract = True
    tokens = _sales_tokens

    def on_start(self):
        self.client.headers["Authorization"] = f"Token {next(self.tokens)}"


class SalesRep(_TokenUser):
    """Searches the catalog with filters and free text, submits requests, reads a managed list."""

    weight = 30
    wait_time = THINK

    @task(6)
    def catalog_search(self):
        params = {
            "industry": random.choice(INDUSTRIES),
            "region": random.choice(REGIONS),
            random.choice(["product", "size_band", "activity_type"]): None,
            "search": random.choice(WORDS),
            "page_size": 20,
        }
        for key in ("product", "size_band", "activity_type"):
            if key in params:
                params[key] = {
                    "product": random.choice(PRODUCTS),
                    "size_band": random.choice(SIZE_BANDS),
                    "activity_type": random.choice(ACTIVITIES),
                }[key]
        self.client.get("/api/v1/references/", params=params, name="catalog search")

    @task(2)
    def submit_request(self):
        needed_by = datetime.now(UTC) + timedelta(days=random.randint(10, 60))
        body = {
            "activity_type": random.choice(ACTIVITIES),
            "prospect": {
                "name": "Load Prospect",
                "industry": random.choice(INDUSTRIES),
                "size_band": "enterprise",
            },
            "criteria": {
                "must": [{"field": "industry", "value": random.choice(INDUSTRIES)}],
                "nice": [{"field": "region", "value": random.choice(REGIONS), "weight": 3}],
            },
            "references_needed": 1,
            "needed_by": needed_by.isoformat(),
            "notes": "Submitted by the load test.",
        }
        with self.client.post(
            "/api/v1/requests/", json=body, name="submit request", catch_response=True
        ) as r:
            if r.status_code != 201:
                r.failure(f"{r.status_code}: {r.text[:200]}")

    @task(2)
    def industries(self):
        self.client.get("/api/v1/industries/", name="industries (trivial)")


class Manager(_TokenUser):
    """Ranks matches for open requests and reads the program summary and the dashboard."""

    weight = 10
    wait_time = THINK

    def on_start(self):
        """The API with the manager's token; the dashboard page with the session of a manager
        who logged in earlier (``run.py`` prepares one per manager)."""
        token, session = next(_manager_logins)
        self.client.headers["Authorization"] = f"Token {token}"
        self.client.cookies.set(FIXTURE["session_cookie"], session)

    @task(4)
    def matches(self):
        pk = random.choice(REQUEST_IDS)
        self.client.get(f"/api/v1/requests/{pk}/matches/", name="matches")

    @task(1)
    def summary(self):
        self.client.get("/api/v1/metrics/summary/", name="metrics summary")

    @task(1)
    def dashboard(self):
        with self.client.get(
            "/dashboard/", name="dashboard page", catch_response=True, allow_redirects=False
        ) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} (not logged in?)")

    @task(1)
    def industries(self):
        self.client.get("/api/v1/industries/", name="industries (trivial)")


class MatchesProbe(_TokenUser):
    """Back to back, no pause, run alone after the mixed load (``run.py`` names it): its rate
    against ``TrivialProbe``'s, run the same way, is the throughput ratio."""

    fixed_count = 5
    wait_time = constant(0)
    tokens = _manager_tokens

    @task
    def matches(self):
        self.client.get(f"/api/v1/requests/{random.choice(REQUEST_IDS)}/matches/", name="probe: matches")


class TrivialProbe(_TokenUser):
    fixed_count = 5
    wait_time = constant(0)
    tokens = _manager_tokens

    @task
    def industries(self):
        self.client.get("/api/v1/industries/", name="probe: industries")
