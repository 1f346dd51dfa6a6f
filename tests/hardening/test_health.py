"""GET /health/: database and broker status for monitors, without a log-in or any data."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
CLOSED_REDIS = "redis://127.0.0.1:6390/0"  # nothing listens there
LIVE_REDIS = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

pytestmark = pytest.mark.django_db


def _redis_is_up() -> bool:
    try:
        return bool(redis.Redis.from_url(LIVE_REDIS, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def test_without_a_broker_tasks_run_in_process(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "in-process"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.skipif(not _redis_is_up(), reason="no Redis at REDIS_URL or 127.0.0.1:6379")
def test_with_redis_up_everything_is_ok(client, settings):
    settings.REDIS_URL = LIVE_REDIS
    assert client.get("/health/").json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_broker_down_is_degraded_but_200_and_quick(client, settings):
    settings.REDIS_URL = CLOSED_REDIS
    started = time.monotonic()
    response = client.get("/health/")
    assert time.monotonic() - started < 2.5
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "error"}


def test_needs_no_login_and_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/").status_code == 200
    assert client.get("/login/").status_code == 301  # everything else goes to HTTPS


def test_only_get(client):
    assert client.post("/health/").status_code == 405


def test_database_down_is_503():
    """A fresh process whose DATABASE_URL points at a closed port asks /health/."""
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/health/'); print(json.dumps([r.status_code, json.loads(r.content)]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "refprogram.settings",
        "DEBUG": "1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5999/nothing_here",
        "REDIS_URL": "",
        "LOG_LEVEL": "CRITICAL",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    status, body = json.loads(out.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body == {"status": "error", "database": "error", "broker": "in-process"}
