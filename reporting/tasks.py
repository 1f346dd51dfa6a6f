"""Celery tasks of program metrics."""

from __future__ import annotations

from celery import shared_task

from . import metrics, services
from .periods import DEFAULT_PRESET, period_from_params


@shared_task(name="reporting.tasks.metrics_warm")
def metrics_warm() -> str:
    """Keep the daily aggregates current and the dashboard's opening view computed. Beat runs
    it every ``METRICS_WARM_SECONDS``: it recomputes the days whose ledger rows changed and
    recounts today's inventory (``services.daily_figures_refresh``), so any period or segment
    reads the aggregates, then stores the default period's figures for ``METRICS_CACHE_SECONDS``."""
    services.daily_figures_refresh()
    period = period_from_params({"preset": DEFAULT_PRESET})
    metrics.program_summary_refresh(period, metrics.PROGRAM)
    return f"{period.start}..{period.end}"
