"""Write-back: a candidate accepted, scheduled and completed for a request with a CRM opportunity
puts one Task (Salesforce) or note (HubSpot) on the opportunity each time, retried after a 500."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import CrmConnection, CrmWriteBack
from integrations.services import crm_sync
from requests_app import services
from requests_app.models import Request
from requests_app.services.opportunities import opportunity_upsert
from tests.integrations import crm_fakes

pytestmark = pytest.mark.django_db
fake_hubspot = crm_fakes.fake_hubspot  # the fixture
fake_salesforce = crm_fakes.fake_salesforce  # the fixture

SF_OPPORTUNITY = "006D000000CsXaBIAV"


@pytest.fixture
def candidate(manager, sales, make_profile, make_request):
    profile = make_profile(name="Nordbank")
    request = make_request(sales, prospect="Globex Corp")
    candidate = services.candidate_propose(request=request, reference=profile, actor=manager)
    for to in ("owner_approved", "asked"):
        services.candidate_transition(candidate=candidate, to=to, actor=manager, note="By phone")
    return candidate


def link(candidate, crm, crm_id):
    opportunity_upsert(crm=crm, crm_id=crm_id, data={"name": "Globex - Core banking"})
    Request.objects.filter(pk=candidate.request_id).update(opportunity_crm_id=crm_id)
    candidate.request.refresh_from_db()


def walk(candidate, manager, capture):
    """accepted → scheduled → completed, each committed (the listeners run after commit)."""
    with capture(execute=True):
        services.candidate_transition(candidate=candidate, to="accepted", actor=manager)
    with capture(execute=True):
        services.candidate_transition(
            candidate=candidate,
            to="scheduled",
            actor=manager,
            scheduled_for=timezone.now() + timedelta(days=2),
            meeting_details="Zoom",
        )
    with capture(execute=True):
        services.candidate_transition(
            candidate=candidate,
            to="completed",
            actor=manager,
            completion_notes="Went well",
            found_useful=True,
        )


def test_salesforce_gets_one_task_per_step(
    candidate, manager, fake_salesforce, django_capture_on_commit_callbacks
):
    CrmConnection.objects.create(kind="salesforce", enabled=True, base_url=fake_salesforce.url)
    link(candidate, "salesforce", SF_OPPORTUNITY)

    walk(candidate, manager, django_capture_on_commit_callbacks)

    assert [t["WhatId"] for t in fake_salesforce.tasks] == [SF_OPPORTUNITY] * 3
    assert [t["Subject"] for t in fake_salesforce.tasks] == [
        "Reference accepted: Nordbank (Reference call)",
        "Reference scheduled: Nordbank (Reference call)",
        "Reference completed: Nordbank (Reference call)",
    ]
    assert fake_salesforce.tasks[0]["Status"] == "Completed"
    assert f"request #{candidate.request_id}" in fake_salesforce.tasks[0]["Description"]
    rows = CrmWriteBack.objects.order_by("id")
    assert [(w.state, w.status, w.attempts, w.crm_record_id) for w in rows] == [
        ("accepted", "succeeded", 1, "00TD000000D6QJDMA3"),
        ("scheduled", "succeeded", 1, "00TD000000D6QJDMA3"),
        ("completed", "succeeded", 1, "00TD000000D6QJDMA3"),
    ]


def test_a_500_is_retried_and_the_task_is_written_once(
    candidate, manager, fake_salesforce, django_capture_on_commit_callbacks
):
    CrmConnection.objects.create(kind="salesforce", enabled=True, base_url=fake_salesforce.url)
    link(candidate, "salesforce", SF_OPPORTUNITY)
    fake_salesforce.codes["task"] = [500]

    with django_capture_on_commit_callbacks(execute=True):
        services.candidate_transition(candidate=candidate, to="accepted", actor=manager)

    task_posts = [r for r in fake_salesforce.requests if "/sobjects/Task" in r["path"]]
    assert len(task_posts) == 2  # the 500, then the retry
    assert len(fake_salesforce.tasks) == 1
    write_back = CrmWriteBack.objects.get()
    assert (write_back.status, write_back.attempts, write_back.error) == ("succeeded", 2, "")


def test_a_crm_that_keeps_failing_fails_the_write_back_after_the_last_retry(
    candidate, manager, fake_salesforce
):
    connection = CrmConnection.objects.create(kind="salesforce", enabled=True, base_url=fake_salesforce.url)
    fake_salesforce.codes["task"] = [500, 500]
    write_back = CrmWriteBack.objects.create(
        crm=connection.kind,
        opportunity_crm_id=SF_OPPORTUNITY,
        candidate=candidate,
        state="accepted",
        subject="Reference accepted: Nordbank (Reference call)",
        body="…",
    )
    assert crm_sync.write_back_attempt(write_back_id=write_back.pk, final=False) is True
    write_back.refresh_from_db()
    assert write_back.status == "retrying"
    assert crm_sync.write_back_attempt(write_back_id=write_back.pk, final=True) is False
    write_back.refresh_from_db()
    assert (write_back.status, write_back.attempts) == ("failed", 2)
    assert "UNKNOWN_EXCEPTION" in write_back.error


def test_retries_back_off_exponentially():
    delays = [crm_sync.write_back_retry_delay(n) for n in range(crm_sync.WRITE_BACK_MAX_RETRIES)]
    assert delays[:3] == [60, 120, 240]
    assert sum(delays) == 60 * (2**8 - 1)  # 4 h 15 min in all


def test_hubspot_gets_a_note_on_the_deal(
    candidate, manager, fake_hubspot, django_capture_on_commit_callbacks
):
    CrmConnection.objects.create(kind="hubspot", enabled=True, base_url=fake_hubspot.url)
    link(candidate, "hubspot", "7001")
    fake_hubspot.codes["note"] = [500]

    with django_capture_on_commit_callbacks(execute=True):
        services.candidate_transition(candidate=candidate, to="accepted", actor=manager)

    assert len(fake_hubspot.notes) == 1
    note = fake_hubspot.notes[0]
    assert note["associations"] == [
        {
            "to": {"id": "7001"},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 214}],
        }
    ]
    assert "Reference accepted: Nordbank (Reference call)" in note["properties"]["hs_note_body"]
    assert "hs_timestamp" in note["properties"]
    assert CrmWriteBack.objects.get().status == "succeeded"


def test_no_opportunity_or_no_crm_means_no_write_back(
    candidate, manager, fake_salesforce, django_capture_on_commit_callbacks
):
    # A request without an opportunity id: nothing to write on.
    CrmConnection.objects.create(kind="salesforce", enabled=True, base_url=fake_salesforce.url)
    with django_capture_on_commit_callbacks(execute=True):
        services.candidate_transition(candidate=candidate, to="accepted", actor=manager)
    assert not CrmWriteBack.objects.exists()
    assert fake_salesforce.tasks == []


def test_the_connection_switched_off_writes_nothing(
    candidate, manager, fake_salesforce, django_capture_on_commit_callbacks
):
    CrmConnection.objects.create(kind="salesforce", enabled=False, base_url=fake_salesforce.url)
    link(candidate, "salesforce", SF_OPPORTUNITY)
    with django_capture_on_commit_callbacks(execute=True):
        services.candidate_transition(candidate=candidate, to="accepted", actor=manager)
    assert not CrmWriteBack.objects.exists()
    assert json.dumps(fake_salesforce.tasks) == "[]"


def test_the_request_s_linked_opportunity_is_the_one_written_on(
    candidate, manager, fake_hubspot, django_capture_on_commit_callbacks
):
    CrmConnection.objects.create(kind="hubspot", enabled=True, base_url=fake_hubspot.url)
    opportunity, *_ = opportunity_upsert(crm="hubspot", crm_id="7002", data={"name": "Acme - Expansion"})
    Request.objects.filter(pk=candidate.request_id).update(opportunity=opportunity, opportunity_crm_id="")
    with django_capture_on_commit_callbacks(execute=True):
        services.candidate_transition(candidate=candidate, to="accepted", actor=manager)
    assert [n["associations"][0]["to"]["id"] for n in fake_hubspot.notes] == ["7002"]
