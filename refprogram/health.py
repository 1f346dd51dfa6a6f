"""``GET /health/`` for load balancers and monitors: is the database up, is the broker up.

No log-in and nothing about the data: only ``{"status", "database", "broker"}``. The answer
is 200 while the database answers (``degraded`` when the broker does not: pages work, tasks
wait for the next nightly run) and 503 when the database is down.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("refprogram.health")

BROKER_TIMEOUT_SECONDS = 1.0


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.error("health: database unavailable: %s", exc)
        return "error"
    return "ok"


def broker_status() -> str:
    """``in-process`` without ``REDIS_URL`` (tasks run eagerly), else a PING with a 1 s timeout."""
    if not settings.REDIS_URL:
        return "in-process"
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except (redis.exceptions.RedisError, OSError) as exc:
        logger.warning("health: broker unavailable: %s", exc)
        return "error"
    finally:
        client.close()
    return "ok"


@never_cache
@require_GET
def health(request):
    database = database_status()
    broker = broker_status()
    if database != "ok":
        state, code = "error", 503
    elif broker == "error":
        state, code = "degraded", 200
    else:
        state, code = "ok", 200
    return JsonResponse({"status": state, "database": database, "broker": broker}, status=code)
