"""Celery tasks of integrations: thin wrappers over services, with the retry policy."""

from __future__ import annotations

from celery import shared_task

from .services import crm_sync, webhooks


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


@shared_task(name="integrations.tasks.crm_sync_run")
def crm_sync_run(run_id: int) -> str:
    """Run one queued CRM sync (the "Sync now" button)."""
    from .models import CrmSyncRun

    run = CrmSyncRun.objects.select_related("connection").get(pk=run_id)
    return crm_sync.crm_sync_run(run=run).status


@shared_task(name="integrations.tasks.crm_sync_scheduled")
def crm_sync_scheduled() -> dict[str, str]:
    """Beat, every 15 minutes: an incremental sync of each enabled CRM not already syncing."""
    from refprogram.errors import RuleViolation

    from .models import CrmConnection

    done = {}
    for connection in CrmConnection.objects.filter(enabled=True):
        try:
            run = crm_sync.crm_sync_start(connection=connection)
        except RuleViolation as exc:
            done[connection.kind] = exc.code
            continue
        done[connection.kind] = crm_sync.crm_sync_run(run=run).status
    return done


@shared_task(bind=True, name="integrations.tasks.crm_write_back", max_retries=crm_sync.WRITE_BACK_MAX_RETRIES)
def crm_write_back(self, write_back_id: int) -> bool:
    """Write one note on a CRM opportunity; retry with exponential back-off while the CRM fails."""
    retry = crm_sync.write_back_attempt(
        write_back_id=write_back_id, final=self.request.retries >= self.max_retries
    )
    if retry:
        if self.request.is_eager:  # no broker to wait on (development without Redis, tests): at once
            return crm_write_back.apply(args=(write_back_id,), retries=self.request.retries + 1).result
        raise self.retry(countdown=crm_sync.write_back_retry_delay(self.request.retries))
    return True
