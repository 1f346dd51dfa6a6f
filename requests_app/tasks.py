"""Celery tasks of requests: thin wrappers over services (the nightly registry runs them too)."""

from __future__ import annotations

from celery import shared_task

from .services.meetings import meeting_reminders_send


@shared_task(name="requests_app.tasks.meeting_reminders_run")
def meeting_reminders_run() -> dict[str, int]:
    """Send the day-before reminders of scheduled meetings (idempotent: safe to run hourly)."""
    return meeting_reminders_send()
