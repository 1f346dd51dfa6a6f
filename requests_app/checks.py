"""Nightly checks of requests (registered in the nightly registry, see ``refprogram.nightly``)."""

from datetime import date

from refprogram.nightly import register

from .services import deadline_reminders_send


@register("request_deadlines", order=50)
def request_deadlines(today: date) -> dict[str, int]:
    """Remind assignees of requests due within 72 hours and flag overdue ones, once each."""
    return deadline_reminders_send(today=today)


@register("meeting_reminders", order=55)
def meeting_reminders(today: date) -> dict[str, int]:
    """Remind everyone invited to a meeting starting tomorrow, once per meeting start."""
    from .services.meetings import meeting_reminders_send

    return meeting_reminders_send(today=today)


@register("feedback_links", order=56)
def feedback_links(today: date) -> dict[str, int]:
    """A day after each meeting, send the requester and the reference their feedback links, once."""
    from .services.feedback import feedback_links_send

    return feedback_links_send()


@register("retention", order=90)
def retention(today: date) -> dict[str, int]:
    """Personal data kept no longer than the policy: list people inactive, without a valid consent,
    for its months for review; erase those still due after the grace period (once each)."""
    from references.services.retention import retention_check

    from .retention_activity import ACTIVITY

    return retention_check(today=today, active_since=ACTIVITY)


@register("art14_notices", order=95)
def art14_notices(today: date) -> dict[str, int]:
    """When the policy says so, send the Art. 14 notice to imported and CRM contacts, once each."""
    from references.services.notices import notices_check

    return notices_check(today=today)
