"""Celery tasks of the Slack integration: thin wrappers over its services, with the retry policy."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(bind=True, name="integrations.slack.tasks.slack_notice_send", max_retries=services.MAX_RETRIES)
def slack_notice_send(self, notice_id: int) -> str:
    """Post one notice to Slack; retry with exponential back-off while Slack is down."""
    result = services.notice_attempt(notice_id=notice_id, final=self.request.retries >= self.max_retries)
    if result.retry:
        if self.request.is_eager:  # no broker to wait on (development without Redis, tests): at once
            return slack_notice_send.apply(args=(notice_id,), retries=self.request.retries + 1).result
        raise self.retry(countdown=services.retry_delay(self.request.retries))
    return result.status
