"""Queueing background work from a web request without depending on the broker being up."""

from __future__ import annotations

import logging

from celery import Task
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

logger = logging.getLogger("refprogram.tasks")


def enqueue(task: Task, *args, **kwargs) -> bool:
    """Queue ``task``; when the broker is down, log it and carry on (the page still works).

    Only tasks whose work the nightly run also does are queued this way, so nothing is lost:
    it happens at the next nightly run at the latest. Returns whether the task was queued.
    """
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except (BrokerError, RedisError, OSError) as exc:
        logger.error(
            "broker unavailable; task %s will run at the next nightly run (%s)",
            task.name,
            exc,
            extra={"task": task.name},
        )
        return False
    return True
