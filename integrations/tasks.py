"""Celery tasks of integrations: thin wrappers over services, with the retry policy."""

from __future__ import annotations

from celery import shared_task

from .services import webhooks


@shared_task(bind=True, name="integrations.tasks.webhook_deliver", max_retries=webhooks.MAX_RETRIES)
def webhook_deliver(self, delivery_id: int) -> str:
    """Attempt one webhook delivery; retry with exponential back-off (about 24 hours in all)."""
    result = webhooks.delivery_attempt(
        delivery_id=delivery_id, final=self.request.retries >= self.max_retries
    )
    if result.retry:
        if self.request.is_eager:  # no broker to wait on (development without Redis, tests): at once
            return webhook_deliver.apply(args=(delivery_id,), retries=self.request.retries + 1).result
        raise self.retry(countdown=webhooks.retry_delay(self.request.retries))
    return result.status
