"""Nightly checks of requests (registered in the nightly registry, see ``refprogram.nightly``)."""

from datetime import date

from refprogram.nightly import register

from .services import deadline_reminders_send


@register("request_deadlines", order=50)
def request_deadlines(today: date) -> dict[str, int]:
    """Remind assignees of requests due within 72 hours and flag overdue ones, once each."""
    return deadline_reminders_send(today=today)
