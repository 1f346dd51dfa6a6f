"""Faults: Redis down, a nightly run killed midway, a database error inside a workflow step."""

import logging
import time
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import OperationalError, models, transaction
from django.utils import timezone

from approvals.models import Approval
from ledger.models import OverusePolicy, UsageEntry
from references.models import ReferenceProfile
from refprogram import celery_app, nightly
from refprogram.cache import ResilientRedisCache
from requests_app.models import Candidate, CandidateEvent, Request
from tests.factories import CustomerFactory, ReferenceProfileFactory, UsageEntryFactory
from tests.integrations.slack_fake import slack_fixture  # noqa: F401 (the ``slack`` fixture)

pytestmark = pytest.mark.django_db

CLOSED_REDIS = "redis://127.0.0.1:6390/0"  # nothing listens there
BROKER_LINE = (
    "broker unavailable; task references.tasks.capacity_statuses_refresh will run at the next nightly run"
)


# --- (a) Redis is down -----------------------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    """Broker, cache and health check all point at a port where nothing listens; tasks are queued
    for real (not run in-process), as in production."""
    settings.REDIS_URL = CLOSED_REDIS
    settings.CACHES = {
        "default": {
            "BACKEND": "refprogram.cache.ResilientRedisCache",
            "LOCATION": CLOSED_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    ResilientRedisCache._down_until = 0.0
    conf = celery_app.conf
    previous = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = CLOSED_REDIS, False
    celery_app._pool = None  # connections are pooled per broker URL: start afresh
    celery_app.amqp._producer_pool = None
    yield
    conf.broker_url, conf.task_always_eager = previous
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    ResilientRedisCache._down_until = 0.0


def test_with_redis_down_pages_work_and_the_queued_task_waits_for_the_nightly_run(
    redis_down, users, api_as, client_as, caplog, django_capture_on_commit_callbacks
):
    manager = users["manager"]
    profile = ReferenceProfileFactory()
    UsageEntryFactory(reference=profile, points=5, occurred_on=timezone.localdate() - timedelta(days=3))

    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="refprogram.tasks"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = api_as(manager).patch("/api/v1/policy/", {"reference_cap": 5}, format="json")
    assert time.monotonic() - started < 10
    assert response.status_code == 200, response.content
    assert len(callbacks) == 1  # the refresh task was due to be queued
    assert OverusePolicy.current().reference_cap == 5  # the change itself is saved
    assert BROKER_LINE in caplog.text
    # The task did not run; the nightly run rests the profile at its cap.
    assert ReferenceProfile.objects.get(pk=profile.pk).status == "active"
    nightly.run_all()
    assert ReferenceProfile.objects.get(pk=profile.pk).status == "resting"

    # Pages and the API keep working (the throttles' cache is down too: they let requests through).
    browser = client_as(manager)
    for path in ("/", "/catalog/", "/inventory/", "/policy/", "/dashboard/"):
        assert browser.get(path).status_code == 200, path
    assert api_as(manager).get("/api/v1/requests/").status_code == 200
    health = browser.get("/health/")
    assert health.status_code == 200
    assert health.json() == {"status": "degraded", "database": "ok", "broker": "error"}


def _form_data(form) -> dict:
    """What the browser would post back for an unchanged form (unchecked boxes are left out)."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[form.add_prefix(name)] = "on" if value is True else value
    return data


def _policy_form_data(browser) -> dict:
    """The policy page's form and its activity-type formset, posted back unchanged."""
    page = browser.get("/policy/")
    data = _form_data(page.context["form"])
    formset = page.context["formset"]
    data.update(_form_data(formset.management_form))
    for sub in formset.forms:
        data.update(_form_data(sub))
    return data


def test_the_policy_page_also_survives_the_broker_outage(
    redis_down, users, client_as, caplog, django_capture_on_commit_callbacks
):
    data = _policy_form_data(client_as(users["manager"]))
    data["reference_cap"] = 4
    with caplog.at_level(logging.ERROR, logger="refprogram.tasks"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_as(users["manager"]).post("/policy/", data)
    assert response.status_code in (200, 302), response.content[:500]
    assert OverusePolicy.current().reference_cap == 4
    assert BROKER_LINE in caplog.text


def test_a_dead_cache_costs_one_timeout_then_is_skipped(redis_down):
    from django.core.cache import cache

    started = time.monotonic()
    assert cache.get("anything", "fallback") == "fallback"
    assert cache.set("k", 1) is None
    for _ in range(50):
        cache.get("k")
    assert time.monotonic() - started < 2.0
    assert ResilientRedisCache._down_until > time.monotonic()


# --- (b) a nightly run killed midway ---------------------------------------------------------

APPS = ("accounts", "references", "requests_app", "reporting")


def _state() -> list[tuple]:
    """Every row of the product's tables, without ids and with times reduced to set/unset (a
    rerun writes the same rows with new ids, seconds later), and without private links' token
    hashes (random by design: a rerun's e-mail carries its own link)."""
    rows = []
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key and not isinstance(f, models.DateTimeField) and f.name != "token_hash"
        ]
        times = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]
        for row in model.objects.values(*[f.attname for f in fields], *times):
            rows.append(
                (
                    model._meta.label,
                    tuple(sorted((k, repr(v if k not in times else v is not None)) for k, v in row.items())),
                )
            )
    return sorted(rows)


@pytest.fixture
def nightly_work(users, slack):
    """Something for every registered check to do today."""
    today = timezone.localdate()
    owner = users["manager"]
    at_cap = ReferenceProfileFactory()
    UsageEntryFactory(reference=at_cap, points=OverusePolicy.current().reference_cap, occurred_on=today)
    ReferenceProfileFactory(status="resting", resting_reason="cap")  # nothing used: wakes up
    stale = ReferenceProfileFactory(last_validated=today - timedelta(days=400))
    stale.customer.account_owner = owner
    stale.customer.save()
    customer = CustomerFactory()
    for status, days in (("approved", -3), ("approved", 10)):
        Approval.objects.create(
            customer=customer,
            use="logo",
            status=status,
            scope=["website"],
            expires_on=today + timedelta(days=days),
            approver_name="Dana",
            decided_at=timezone.now(),
        )
    from references.models import ActivityType
    from requests_app.services import request_submit

    due, _ = request_submit(
        requester=users["sales"],
        data={
            "activity_type": ActivityType.objects.get(code="call"),
            "prospect_name": "Due Soon Inc",
            "needed_by": timezone.now() + timedelta(hours=30),
            "references_needed": 1,
            "criteria": {"must": [], "nice": []},
        },
    )
    Request.objects.filter(pk=due.pk).update(assignee=owner)
    # A renewal in 30 days (its customer goes on hold), a call tomorrow (the day-before reminder)
    # and a call three days ago (the feedback links).
    renewing = CustomerFactory(renewal_date=today + timedelta(days=30))
    ReferenceProfileFactory(contact__customer=renewing, customer=renewing)
    from requests_app import services as requests_services
    from requests_app.models import Candidate

    for days in (1, -3):
        profile = ReferenceProfileFactory(activity_types=["call"], last_validated=today)
        candidate = requests_services.candidate_propose(request=due, reference=profile, actor=owner)
        for to in ("owner_approved", "asked", "accepted"):
            requests_services.candidate_transition(candidate=candidate, to=to, actor=owner, note="By phone")
        requests_services.candidate_transition(
            candidate=candidate,
            to="scheduled",
            actor=owner,
            scheduled_for=timezone.now() + timedelta(days=1),
            meeting_details="Room 1",
        )
        Candidate.objects.filter(pk=candidate.pk).update(scheduled_for=timezone.now() + timedelta(days=days))
    # A contact added three years ago and never active (retention: due for review), and one from
    # the CRM not yet told (the Art. 14 notice, sent by the nightly check when the policy says so).
    from references.models import Contact
    from tests.factories import ContactFactory

    quiet = ContactFactory(phone="+1 555 0111")
    Contact.objects.filter(pk=quiet.pk).update(created_at=timezone.now() - timedelta(days=3 * 365))
    ContactFactory(crm_id="003FAULTS", phone="+1 555 0112")
    OverusePolicy.objects.filter(pk=OverusePolicy.current().pk).update(notice_auto_send=True)
    # A Slack channel for every region (a local Slack: ``slack``): the due-soon request is announced.
    from integrations.slack.models import SlackRoute

    SlackRoute.objects.create(region=None, channel_id="C0DEFAULT")
    return today


def test_a_nightly_run_killed_midway_and_rerun_ends_as_one_clean_run(nightly_work, monkeypatch):
    today = nightly_work
    names = [check.name for check in nightly.registered()]
    assert len(names) >= 4
    victim = nightly.registered()[len(names) // 2]  # killed halfway through the list

    before = transaction.savepoint()
    clean_results = nightly.run_all(today)
    clean = _state()
    transaction.savepoint_rollback(before)
    assert _state() != clean  # the checks do change something

    def killed(day):
        victim.func(day)  # its writes happen, then the process dies before it commits
        raise RuntimeError("worker killed")

    monkeypatch.setitem(
        nightly._REGISTRY, victim.name, nightly.RegisteredCheck(victim.name, victim.order, killed)
    )
    with pytest.raises(RuntimeError):
        nightly.run_all(today)
    partial = _state()
    assert partial != clean
    monkeypatch.undo()

    rerun_results = nightly.run_all(today)
    assert _state() == clean
    # The checks before the kill had nothing left to do; the rest did what the clean run did.
    done_before = names[: names.index(victim.name)]
    for name in names:
        if name in done_before:
            assert not any(rerun_results[name].values()), (name, rerun_results[name])
        else:
            assert rerun_results[name] == clean_results[name], name
    assert all(any(clean_results[name].values()) for name in names), clean_results


# --- (c) a database error inside a workflow step ---------------------------------------------


def _submit(api):
    body = {
        "activity_type": "call",
        "prospect": {
            "name": "Prospect AG",
            "industry": "finance",
            "region": "emea",
            "size_band": "enterprise",
        },
        "criteria": {"must": [], "nice": []},
        "references_needed": 1,
        "needed_by": (timezone.now() + timedelta(days=20)).isoformat(),
    }
    response = api.post("/api/v1/requests/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _lose_the_database(monkeypatch, manager_obj):
    def boom(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(manager_obj, "create", boom)


def test_a_database_error_while_proposing_leaves_no_ledger_row(users, api_as, monkeypatch):
    manager = api_as(users["manager"])
    request_id = _submit(api_as(users["sales"]))
    reference = ReferenceProfileFactory()
    ledger_before = UsageEntry.objects.count()

    # The candidate and its ledger reservation are written, then the event write fails.
    _lose_the_database(monkeypatch, CandidateEvent.objects)
    response = manager.post(
        f"/api/v1/requests/{request_id}/candidates/", {"reference": reference.pk}, format="json"
    )
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
    assert "nothing was saved" in response.json()["detail"]
    assert response["Retry-After"]
    assert UsageEntry.objects.count() == ledger_before
    assert not Candidate.objects.filter(request_id=request_id).exists()
    request = Request.objects.get(pk=request_id)
    assert request.status == "submitted" and request.assignee_id is None

    monkeypatch.undo()  # the database is back: the same call works
    again = manager.post(
        f"/api/v1/requests/{request_id}/candidates/", {"reference": reference.pk}, format="json"
    )
    assert again.status_code == 201
    assert UsageEntry.objects.count() == ledger_before + 1


def test_a_database_error_in_a_transition_leaves_the_ledger_as_it_was(users, api_as, monkeypatch):
    manager = api_as(users["manager"])
    request_id = _submit(api_as(users["sales"]))
    reference = ReferenceProfileFactory()
    candidate_id = manager.post(
        f"/api/v1/requests/{request_id}/candidates/", {"reference": reference.pk}, format="json"
    ).json()["id"]
    approved = manager.post(
        f"/api/v1/candidates/{candidate_id}/transition/",
        {"to": "owner_approved", "note": "Agreed by phone."},
        format="json",
    )
    assert approved.status_code == 200, approved.content
    entry = UsageEntry.objects.get(source=f"candidate:{candidate_id}")
    assert entry.status == "reserved"
    events = CandidateEvent.objects.filter(candidate_id=candidate_id).count()

    # Asking writes the ledger (reserved → asked), then the candidate's history write fails.
    _lose_the_database(monkeypatch, CandidateEvent.objects)
    response = manager.post(f"/api/v1/candidates/{candidate_id}/transition/", {"to": "asked"}, format="json")
    assert response.status_code == 503
    entry.refresh_from_db()
    assert entry.status == "reserved"
    assert Candidate.objects.get(pk=candidate_id).state == "owner_approved"
    assert CandidateEvent.objects.filter(candidate_id=candidate_id).count() == events


def test_a_database_error_on_a_page_is_a_plain_503(users, client_as, monkeypatch):
    def boom(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("ledger.views.services.policy_update", boom)
    browser = client_as(users["manager"])
    response = browser.post("/policy/", _policy_form_data(browser))
    assert response.status_code == 503
    assert b"The database is unavailable, so nothing was saved" in response.content
    assert response["X-Request-ID"].encode() in response.content
