"""A Redis cache that degrades instead of failing when Redis is down.

The cache only holds throttling counters and other short-lived values. When Redis is
unreachable, every call answers as a cache miss (throttles let the request through) and the
cache stops trying for a few seconds, so pages keep working at full speed during an outage.

:func:`computed_once` fills a missing entry once for all who need it at the same moment
(single flight), so an expensive computation (the program metrics) is not run by every worker.
"""

from __future__ import annotations

import itertools
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("refprogram.cache")

RETRY_AFTER_SECONDS = 10.0
_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache that treats an unreachable Redis as an empty cache."""

    _down_until: float = 0.0

    def _guard(self, name: str, fallback: Any, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < ResilientRedisCache._down_until:
            return fallback
        try:
            return getattr(super(), name)(*args, **kwargs)
        except _UNAVAILABLE as exc:
            ResilientRedisCache._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning("cache unavailable (%s); serving without it for %d s", exc, RETRY_AFTER_SECONDS)
            return fallback

    def get(self, key, default=None, version=None):
        return self._guard("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._guard("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._guard("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        result = self._guard("incr", None, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return result

    def clear(self):
        return self._guard("clear", None)


SINGLE_FLIGHT_LOCK_SECONDS = 60
SINGLE_FLIGHT_WAIT_SECONDS = 8.0
SINGLE_FLIGHT_POLL_SECONDS = (0.05, 0.1, 0.2, 0.25)


def computed_once(key: str, seconds: int, compute: Callable[[], Any]) -> Any:
    """Compute a missing cache entry once for everyone who needs it at the same moment.

    The first caller takes a lock (``cache.add`` on ``<key>:computing``, which only one caller
    can win), computes, stores the entry and releases the lock. The others poll the cache for
    the entry while the lock is held, for up to ``METRICS_CACHE_WAIT_SECONDS`` (default 8 s);
    if the lock disappears without an entry (the computation failed) or the wait runs out, each
    computes for itself. When the cache is unreachable nobody can take the lock and nobody
    waits: every caller computes, as without a cache (the cache backend turns Redis errors into
    misses), so a cache outage slows the dashboard but never breaks it.
    """
    lock = f"{key}:computing"
    token = uuid.uuid4().hex
    if cache.add(lock, token, SINGLE_FLIGHT_LOCK_SECONDS):
        try:
            value = compute()
            cache.set(key, value, seconds)
            return value
        finally:
            if cache.get(lock) == token:  # not taken over after a computation longer than the lock
                cache.delete(lock)
    deadline = time.monotonic() + getattr(settings, "METRICS_CACHE_WAIT_SECONDS", SINGLE_FLIGHT_WAIT_SECONDS)
    pauses = itertools.chain(SINGLE_FLIGHT_POLL_SECONDS, itertools.repeat(SINGLE_FLIGHT_POLL_SECONDS[-1]))
    while cache.get(lock) is not None and (left := deadline - time.monotonic()) > 0:
        time.sleep(min(next(pauses), left))
        value = cache.get(key)
        if value is not None:
            return value
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value
