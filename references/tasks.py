"""Celery tasks of the reference inventory: thin wrappers over the nightly registry and services."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from refprogram import nightly


@shared_task(name="references.tasks.nightly_checks_run")
def nightly_checks_run(day: str | None = None, only: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Run every registered nightly check once (Celery beat schedules it at 02:00)."""
    return nightly.run_all(today=date.fromisoformat(day) if day else None, only=only)


@shared_task(name="references.tasks.capacity_statuses_refresh")
def capacity_statuses_refresh() -> dict[str, dict[str, int]]:
    """Rest and wake profiles right away after the caps or window of the policy changed."""
    return nightly.run_all(only=["rest_at_cap", "wake_freed"])
