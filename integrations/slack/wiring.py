"""Connect Slack to the product (called once from ``IntegrationsConfig.ready``)."""


def connect() -> None:
    """Listen to product events, register the nightly check, the admin pages and the task."""
    from refprogram import events

    from . import admin, checks, tasks  # noqa: F401 (registered on import)
    from .services import slack_event

    events.subscribe(slack_event)
