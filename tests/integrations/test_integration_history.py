"""Webhook subscriptions and CRM connections keep a history the audit log reads: who subscribed
which URL and who removed it (never the secret), who changed a connection's switch, address or
mapping; a sync run's own bookkeeping writes no line."""

import importlib

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from integrations.models import CrmConnection, WebhookSubscription
from integrations.services.crm_sync import crm_sync
from tests.integrations import crm_fakes
from tests.integrations.test_crm_sync_hubspot import MAPPING
from tests.reporting.test_audit_subjects import _entries as _audit

pytestmark = pytest.mark.django_db
fake_hubspot = crm_fakes.fake_hubspot  # the fixture


def test_a_removed_webhook_stays_in_the_audit_log_with_who_removed_it(users):
    manager = APIClient()
    manager.force_authenticate(users["manager"])
    created = manager.post(
        "/api/v1/webhooks/",
        {"url": "https://hooks.example.com/out", "events": ["request.submitted"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk, secret = created.json()["id"], created.json()["secret"]
    admin = APIClient()
    admin.force_authenticate(users["admin"])
    assert admin.delete(f"/api/v1/webhooks/{pk}/").status_code == 204
    assert not WebhookSubscription.objects.filter(pk=pk).exists()

    entries = _audit(users["admin"], object_type="webhook", object_id=pk)

    assert [(e["action"], e["actor"]) for e in entries] == [("deleted", "admin1"), ("created", "manager1")]
    assert entries[1]["changes"]["url"] == [None, "https://hooks.example.com/out"]
    assert entries[1]["changes"]["events"] == [None, ["request.submitted"]]
    assert secret not in str(entries)
    assert "secret" not in {f.name for f in WebhookSubscription.history.model._meta.fields}


def test_a_crm_connection_change_shows_who_and_what_and_a_sync_run_adds_nothing(
    client_as, users, fake_hubspot
):
    admin = client_as(users["admin"])
    saved = admin.post(
        "/integrations/hubspot/settings/",
        {
            "hubspot-enabled": "on",
            "hubspot-base_url": fake_hubspot.url,
            "hubspot-mapping": '{"industries": {"BANKING": "finance"}}',
        },
    )
    assert saved.status_code == 302
    connection = CrmConnection.objects.get(kind="hubspot")
    lines_before = connection.history.count()
    connection.mapping = MAPPING
    connection._history_user = users["admin"]
    connection.save()

    run = crm_sync(kind="hubspot")

    assert run.status == "succeeded", run.error
    connection.refresh_from_db()
    assert connection.cursor and connection.last_success_at is not None  # the run's bookkeeping
    assert connection.history.count() == lines_before + 1  # the mapping change only, not the run
    entries = _audit(users["admin"], object_type="crm_connection")
    assert [(e["action"], e["actor"]) for e in entries][:2] == [("changed", "admin1"), ("created", "admin1")]
    assert entries[0]["changes"]["mapping"][1] == MAPPING
    assert entries[1]["changes"]["base_url"] == [None, fake_hubspot.url]
    assert entries[1]["changes"]["enabled"] == [None, True]


def test_webhooks_and_connections_made_before_the_history_get_their_created_line(users):
    """Migration 0005 gives each existing subscription and connection its "created" line, dated
    and signed as the row says."""
    hook = WebhookSubscription.objects.create(
        url="https://hooks.example.com/old",
        events=["request.submitted"],
        secret="s3cret",
        created_by=users["manager"],
    )
    crm = CrmConnection.objects.create(kind="salesforce", enabled=True)
    WebhookSubscription.history.all().delete()
    CrmConnection.history.all().delete()
    migration = importlib.import_module(
        "integrations.migrations.0005_history_of_webhooks_and_crm_connections"
    )

    migration.created_lines(apps, None)

    line = WebhookSubscription.history.get()
    assert (line.id, line.history_type, line.history_user, line.history_date, line.url) == (
        hook.pk,
        "+",
        users["manager"],
        hook.created_at,
        "https://hooks.example.com/old",
    )
    assert line.history_change_reason == "existing before its history was kept"
    crm_line = CrmConnection.history.get()
    assert (crm_line.id, crm_line.history_type, crm_line.history_user, crm_line.enabled) == (
        crm.pk,
        "+",
        None,
        True,
    )
    entry = _audit(users["admin"], object_type="webhook")[0]
    assert (entry["action"], entry["actor"], entry["reason"]) == (
        "created",
        "manager1",
        "existing before its history was kept",
    )
