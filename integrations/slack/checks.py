"""The Slack integration's nightly check (see ``refprogram.nightly``)."""

from datetime import date

from refprogram.nightly import register

from .services import slack_nightly


@register("slack_notices", order=70)
def slack_notices(today: date) -> dict[str, int]:
    """Announce requests due within 72 hours and requests short of supply to their Slack
    channels, once per request and notice."""
    return slack_nightly(today=today)
