"""The nightly checks: rest references at their cap, wake those whose window freed, flag stale
profiles and ask their account owners once. Running them twice changes nothing the second time."""

import os
import time
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import Notification
from references.models import ProfileEvent, ReferenceProfile
from refprogram import celery_app, nightly
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory, UserFactory


@pytest.fixture
def program(db, ledger, today):
    """A small program where every nightly check has something to do."""
    owner = UserFactory(username="owner1", role="sales", email="owner1@example.com")
    at_cap = ReferenceProfileFactory()
    ledger(at_cap, "email", days_ago=40, points=6)
    freed = ReferenceProfileFactory(status="resting", resting_reason="cap")
    ledger(freed, "email", days_ago=181, points=6)  # left the window yesterday
    still_full = ReferenceProfileFactory(status="resting", resting_reason="cap")
    ledger(still_full, "email", days_ago=100, points=6)
    on_request = ReferenceProfileFactory(status="resting", resting_reason="request")
    stale_customer = CustomerFactory(account_owner=owner)
    stale = [
        ReferenceProfileFactory(
            contact=ContactFactory(customer=stale_customer), last_validated=today - timedelta(days=200)
        )
        for _ in range(2)
    ]
    unhealthy = ReferenceProfileFactory(
        contact=ContactFactory(
            customer=CustomerFactory(account_owner=owner, health_updated=today - timedelta(days=181))
        )
    )
    ownerless_stale = ReferenceProfileFactory(last_validated=None)
    retired_stale = ReferenceProfileFactory(status="retired", last_validated=today - timedelta(days=400))
    fresh = ReferenceProfileFactory()
    return {
        "owner": owner,
        "at_cap": at_cap,
        "freed": freed,
        "still_full": still_full,
        "on_request": on_request,
        "stale": stale,
        "unhealthy": unhealthy,
        "ownerless_stale": ownerless_stale,
        "retired_stale": retired_stale,
        "fresh": fresh,
    }


OURS = ["rest_at_cap", "wake_freed", "flag_stale"]


def statuses():
    return dict(ReferenceProfile.objects.values_list("pk", "status"))


def test_checks_are_registered_in_order():
    names = [check.name for check in nightly.registered()]
    assert names.index("rest_at_cap") < names.index("wake_freed") < names.index("flag_stale")


def test_nightly_run_rests_wakes_and_flags(program, today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        results = nightly.run_all(today=today)

    assert results["rest_at_cap"] == {"rested": 1}
    assert results["wake_freed"] == {"woken": 1}
    assert results["flag_stale"] == {"flagged": 4, "cleared": 0, "notified": 1}
    now = statuses()
    assert now[program["at_cap"].pk] == "resting"
    assert now[program["freed"].pk] == "active"
    assert now[program["still_full"].pk] == "resting"
    assert now[program["on_request"].pk] == "resting"
    assert ReferenceProfile.objects.get(pk=program["on_request"].pk).resting_reason == "request"
    events = ProfileEvent.objects.filter(actor=None, kind="transition").exclude(from_status="")
    assert sorted(events.values_list("profile_id", "to_status")) == sorted(
        [(program["at_cap"].pk, "resting"), (program["freed"].pk, "active")]
    )
    flagged = set(ReferenceProfile.objects.filter(stale_notified_on=today).values_list("pk", flat=True))
    expected = {p.pk for p in program["stale"]} | {program["unhealthy"].pk, program["ownerless_stale"].pk}
    assert flagged == expected
    # One email and one in-app notification for the owner, naming all three of their profiles.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner1@example.com"]
    for profile in [*program["stale"], program["unhealthy"]]:
        assert profile.contact.name in mail.outbox[0].body
    assert Notification.objects.filter(user=program["owner"]).count() == 1


def test_second_run_changes_nothing(program, today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        nightly.run_all(today=today)
    before = (statuses(), ProfileEvent.objects.count(), Notification.objects.count(), len(mail.outbox))

    with django_capture_on_commit_callbacks(execute=True):
        second = nightly.run_all(today=today)
    with django_capture_on_commit_callbacks(execute=True):
        # The next night nothing of ours changed either (other apps' checks, e.g. the day's metric
        # snapshot, legitimately do something every new day).
        next_night = nightly.run_all(today=today + timedelta(days=1), only=OURS)

    print("second run:", second)  # shown in full when the assertion below fails
    assert all(value == 0 for changes in second.values() for value in changes.values()), second
    assert all(value == 0 for changes in next_night.values() for value in changes.values()), next_night
    after = (statuses(), ProfileEvent.objects.count(), Notification.objects.count(), len(mail.outbox))
    assert after == before


def test_a_profile_that_goes_stale_again_is_asked_about_again(
    program, today, manager, django_capture_on_commit_callbacks
):
    from references import services

    with django_capture_on_commit_callbacks(execute=True):
        nightly.run_all(today=today)
        services.profile_reconfirm(profile=program["stale"][0], actor=program["owner"])
    sent = len(mail.outbox)

    later = today + timedelta(days=181)
    with django_capture_on_commit_callbacks(execute=True):
        result = nightly.run_all(today=later, only=["flag_stale"])

    assert result["flag_stale"]["flagged"] >= 1
    assert len(mail.outbox) == sent + 1
    assert program["stale"][0].contact.name in mail.outbox[-1].body


def test_command_runs_every_check_and_prints_what_changed(program, today):
    out = StringIO()
    call_command("run_nightly_checks", "--date", today.isoformat(), stdout=out)

    text = out.getvalue()
    assert "rest_at_cap: rested=1" in text
    assert "wake_freed: woken=1" in text
    assert "flag_stale: flagged=4" in text
    assert statuses()[program["at_cap"].pk] == "resting"


def test_command_refuses_a_bad_date_and_unknown_checks(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--date"):
        call_command("run_nightly_checks", "--date", "31/01/2025")
    with pytest.raises(CommandError, match="Unknown check"):
        call_command("run_nightly_checks", "--only", "nope")


def test_task_runs_the_checks_eagerly_without_a_broker(program, today):
    from references.tasks import nightly_checks_run

    result = nightly_checks_run.delay(today.isoformat()).get()

    assert result["rest_at_cap"] == {"rested": 1}
    assert statuses()[program["at_cap"].pk] == "resting"


def test_changing_the_caps_rests_and_wakes_right_away(
    db, ledger, api_as, manager, django_capture_on_commit_callbacks
):
    profile = ReferenceProfileFactory()
    ledger(profile, "email", days_ago=3, points=5)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(manager).patch("/api/v1/policy/", {"reference_cap": 5}, format="json")
    assert response.status_code == 200
    assert ReferenceProfile.objects.get(pk=profile.pk).status == "resting"

    with django_capture_on_commit_callbacks(execute=True):
        api_as(manager).patch("/api/v1/policy/", {"reference_cap": 6}, format="json")
    assert ReferenceProfile.objects.get(pk=profile.pk).status == "active"


@pytest.mark.django_db(transaction=True)
def test_nightly_task_runs_on_a_real_celery_worker_against_redis(shipped_lists, today):
    """The beat schedule's task name, through the real broker and a real worker (CI has Redis)."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: this test needs the real Redis broker (CI sets it)")
    broker = celery_app.conf.broker_url or ""
    if not broker.startswith("redis://"):
        pytest.skip(f"the Celery broker is {broker!r}, not the real Redis")
    from celery.contrib.testing.worker import start_worker

    from references.tasks import nightly_checks_run

    profile = ReferenceProfileFactory()
    from ledger.models import UsageEntry
    from references.models import ActivityType

    UsageEntry.objects.create(
        reference=profile,
        customer=profile.customer,
        activity_type=ActivityType.objects.get(code="email"),
        points=6,
        status="done",
        occurred_on=today,
    )
    # A queue of its own, so a worker of another test run on the same Redis cannot take the task.
    queue = f"refprogram-test-{uuid.uuid4().hex[:12]}"
    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30, queues=[queue]):
        nightly_checks_run.apply_async(args=[today.isoformat()], queue=queue)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if ReferenceProfile.objects.get(pk=profile.pk).status == "resting":
                break
            time.sleep(0.2)
    assert ReferenceProfile.objects.get(pk=profile.pk).status == "resting"
    assert ProfileEvent.objects.filter(profile=profile, to_status="resting").count() == 1
    assert celery_app.conf.task_always_eager is False  # it really went through the broker
