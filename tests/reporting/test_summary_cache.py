"""The figures cache: one computation per period for every reader, and one at a time.

When several requests miss the same entry together, one computes and the others wait for its
result; a waiter never waits for a computation that failed or vanished, nor at all when the
cache is down."""

import threading
import time
from datetime import date

import pytest
from django.core.cache import cache

from refprogram.cache import ResilientRedisCache
from reporting import metrics
from reporting.metrics import summary as summary_module
from reporting.periods import Period

MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))
URL = "/api/v1/metrics/summary/?from=2025-03-01&to=2025-03-31"


@pytest.fixture
def cached(settings):
    settings.METRICS_CACHE_SECONDS = 60
    settings.METRICS_CACHE_WAIT_SECONDS = 5
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def slow_summary(monkeypatch):
    """``program_summary`` replaced by a slow stand-in that counts its runs."""
    runs = []
    lock = threading.Lock()

    def summary(period, segment=None, **kwargs):
        with lock:
            runs.append(period)
        time.sleep(summary.seconds)
        if summary.fails:
            raise RuntimeError("the database went away")
        return {"period": str(period.start), "revenue": {"won": 1}, "trends": [{"month": "2025-03"}]}

    summary.seconds, summary.fails = 0.3, False
    monkeypatch.setattr(summary_module, "program_summary", summary)
    summary.runs = runs
    return summary


def test_simultaneous_misses_compute_once(cached, slow_summary):
    results = []

    def read():
        results.append(metrics.program_summary_cached(MARCH))

    threads = [threading.Thread(target=read) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(slow_summary.runs) == 1
    assert len(results) == 6 and all(r == results[0] for r in results)
    assert cache.get(metrics.summary_cache_key(MARCH, metrics.Segment()) + ":computing") is None


def test_a_waiter_computes_itself_when_the_first_never_delivers(cached, slow_summary):
    cached.METRICS_CACHE_WAIT_SECONDS = 0.4
    key = metrics.summary_cache_key(MARCH, metrics.Segment())
    cache.add(f"{key}:computing", "a worker that was killed", 60)
    slow_summary.seconds = 0
    began = time.monotonic()
    summary = metrics.program_summary_cached(MARCH)
    waited = time.monotonic() - began
    assert summary["period"] == "2025-03-01" and len(slow_summary.runs) == 1
    assert 0.4 <= waited < 2
    assert cache.get(key) == summary  # stored for the next reader


def test_a_failed_computation_releases_the_entry_at_once(cached, slow_summary):
    slow_summary.fails = True
    with pytest.raises(RuntimeError):
        metrics.program_summary_cached(MARCH)
    key = metrics.summary_cache_key(MARCH, metrics.Segment())
    assert cache.get(f"{key}:computing") is None
    slow_summary.fails, slow_summary.seconds = False, 0
    began = time.monotonic()
    metrics.program_summary_cached(MARCH)
    assert time.monotonic() - began < 0.2 and len(slow_summary.runs) == 2


def test_with_the_cache_down_every_request_computes_without_waiting(cached, slow_summary, monkeypatch):
    monkeypatch.setattr(ResilientRedisCache, "_down_until", 0.0)
    cached.CACHES = {
        "default": {
            "BACKEND": "refprogram.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    slow_summary.seconds = 0
    began = time.monotonic()
    first = metrics.program_summary_cached(MARCH)
    second = metrics.program_summary_cached(MARCH)
    assert first == second and len(slow_summary.runs) == 2
    assert time.monotonic() - began < 2  # no wait for a lock nobody can take


def test_every_reader_of_a_period_shares_one_computation(
    cached, program, users, api_as, client_as, monkeypatch
):
    """The API, the dashboard and the CSV exports, with and without revenue, read one entry."""
    runs = []
    compute = summary_module.program_summary

    def counted(*args, **kwargs):
        runs.append(args)
        return compute(*args, **kwargs)

    monkeypatch.setattr(summary_module, "program_summary", counted)
    executive = api_as(users["executive"]).get(URL).json()
    admin = api_as(users["admin"]).get(URL).json()
    page = client_as(users["manager"]).get("/dashboard/?from=2025-03-01&to=2025-03-31")
    export = client_as(users["executive"]).get("/dashboard/export/requests.csv?from=2025-03-01&to=2025-03-31")
    assert page.status_code == 200 and export.status_code == 200
    assert len(runs) == 1
    assert executive["revenue"]["current"]["won"] == 2 and admin["revenue"] is None
    assert admin["requests"] == executive["requests"] and admin["trends"] == executive["trends"]


@pytest.mark.django_db
def test_beat_keeps_the_opening_view_computed(cached, slow_summary, client_as, users):
    """``metrics_warm`` (beat, every minute) computes the dashboard's default period, so the
    opening view and the summary API are served without computing anything."""
    from reporting import tasks

    slow_summary.seconds = 0
    tasks.metrics_warm.delay()
    assert len(slow_summary.runs) == 1
    response = client_as(users["executive"]).get("/api/v1/metrics/summary/")  # the default period
    assert response.status_code == 200 and response.json()["revenue"] == {"won": 1}
    assert len(slow_summary.runs) == 1  # the API read the warmed figures
    tasks.metrics_warm.delay()
    assert len(slow_summary.runs) == 2  # each run recomputes, whatever is cached


def test_warming_is_scheduled_every_minute_by_default():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["metrics-warm"]
    assert entry["task"] == "reporting.tasks.metrics_warm" and entry["schedule"] == 60.0
