"""The sync on a schedule: beat runs each enabled CRM every 15 minutes, one run at a time, and a
run whose worker died stops blocking after two hours."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from integrations.models import CrmConnection, CrmSyncRun
from integrations.tasks import crm_sync_scheduled
from tests.integrations import crm_fakes

pytestmark = pytest.mark.django_db
fake_salesforce = crm_fakes.fake_salesforce  # the fixture


def test_beat_syncs_every_fifteen_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["crm-sync"]
    assert (entry["task"], entry["schedule"]) == ("integrations.tasks.crm_sync_scheduled", 900.0)


def test_the_scheduled_task_syncs_enabled_crms_and_skips_a_busy_one(fake_salesforce):
    sf = CrmConnection.objects.create(
        kind="salesforce", enabled=True, base_url=fake_salesforce.url, mapping={"regions": {"US": "na"}}
    )
    CrmConnection.objects.create(kind="hubspot", enabled=False)
    assert crm_sync_scheduled() == {"salesforce": "partial"}  # Germany and France are not mapped here
    CrmSyncRun.objects.create(connection=sf, status="running")
    assert crm_sync_scheduled() == {"salesforce": "crm_sync_running"}


def test_an_abandoned_run_stops_blocking(fake_salesforce):
    sf = CrmConnection.objects.create(kind="salesforce", enabled=True, base_url=fake_salesforce.url)
    stuck = CrmSyncRun.objects.create(connection=sf, status="running")
    CrmSyncRun.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=3))
    assert crm_sync_scheduled()["salesforce"] in ("succeeded", "partial")
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error) == ("failed", "Abandoned: its worker stopped.")
