"""The nightly metrics snapshot, registered with ``refprogram.nightly``."""

from __future__ import annotations

from datetime import date

from refprogram.nightly import register

from .services import daily_figures_refresh, metrics_snapshot_take


@register("metrics_snapshot", order=90)
def metrics_snapshot(today: date) -> dict[str, int]:
    """Snapshot the program's figures for the trends; one row per day, runs after the other checks
    so the stock it records is the one they left."""
    return metrics_snapshot_take(day=today)


@register("metrics_daily_figures", order=85)
def metrics_daily_figures(today: date) -> dict[str, int]:
    """Bring the daily aggregates the dashboard reads up to date (the days whose ledger rows
    changed, and today's inventory). A second run recomputes no day."""
    return daily_figures_refresh(today=today)
