"""Celery tasks of program metrics."""

from __future__ import annotations

from celery import shared_task

from . import metrics
from .periods import DEFAULT_PRESET, period_from_params


@shared_task(name="reporting.tasks.metrics_warm")
def metrics_warm() -> str:
    """Keep the dashboard's opening view (the default period, whole program) computed, so that
    nobody opening the dashboard or the summary API waits for it. Beat runs it every
    ``METRICS_WARM_SECONDS``; each run stores fresh figures for ``METRICS_CACHE_SECONDS``."""
    period = period_from_params({"preset": DEFAULT_PRESET})
    metrics.program_summary_refresh(period, metrics.PROGRAM)
    return f"{period.start}..{period.end}"
