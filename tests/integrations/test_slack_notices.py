"""Slack notices end to end: a product event or the nightly check → a Block Kit message posted
through slack_sdk to a local Slack, to the region's channel or the requester's DMs, once each;
retries while Slack answers 500."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import user_role_apply
from integrations.models import SlackNotice, SlackRoute, SlackUser
from integrations.slack.services import slack_nightly
from references.models import Region
from refprogram.nightly import run_all
from requests_app import services
from requests_app.models import UnmetDemand
from tests.factories import ContactFactory, UserFactory
from tests.integrations.slack_fake import slack_fixture  # noqa: F401 (the ``slack`` fixture)

pytestmark = pytest.mark.django_db

SPENGLER = "spengler@ghostbusters.example.com"  # the e-mail of Slack's documented user W012A3CDE


@pytest.fixture
def routes():
    SlackRoute.objects.create(region=Region.objects.get(code="emea"), channel_id="C0EMEA")
    SlackRoute.objects.create(region=None, channel_id="C0DEFAULT")


@pytest.fixture
def rep():
    return UserFactory(username="spengler", role="sales", email=SPENGLER)


def _texts(call) -> str:
    """Everything a posted message says (its fallback text and its blocks)."""
    return call["args"]["text"] + json.dumps(call["args"]["blocks"])


def test_a_new_request_goes_once_to_its_regions_channel(
    slack, routes, rep, make_request, django_capture_on_commit_callbacks
):
    contact = ContactFactory(email="jane.doe@customer.example", name="Jane Doe")
    with django_capture_on_commit_callbacks(execute=True):
        request = make_request(rep, prospect="Globex Corp", region="emea", needed_in_days=20)

    posts = slack.called("chat.postMessage")
    assert len(posts) == 1
    assert posts[0]["args"]["channel"] == "C0EMEA"
    assert posts[0]["headers"]["Authorization"] == "Bearer xoxb-test-token"
    said = _texts(posts[0])
    assert f"#{request.pk}" in said and "Globex Corp" in said
    assert f"https://refs.example.com/requests/{request.pk}/" in said
    assert contact.email not in said and "Jane Doe" not in said
    notice = SlackNotice.objects.get()
    assert (notice.kind, notice.status, notice.attempts, notice.message_ts) == (
        "new_request",
        "sent",
        1,
        "1503435956.000247",
    )


def test_a_region_without_a_route_goes_to_the_default_channel(
    slack, routes, rep, make_request, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_request(rep, region="apac")
        make_request(rep, region=None)
    assert [c["args"]["channel"] for c in slack.called("chat.postMessage")] == ["C0DEFAULT", "C0DEFAULT"]


def test_without_a_bot_token_nothing_is_sent(
    slack, settings, routes, rep, make_request, django_capture_on_commit_callbacks
):
    settings.SLACK_BOT_TOKEN = ""
    with django_capture_on_commit_callbacks(execute=True):
        make_request(rep, region="emea")
    assert slack.calls == []
    assert SlackNotice.objects.count() == 0


def _candidate(manager, rep, make_profile, make_request, capture):
    profile = make_profile(name="Nordbank")
    with capture(execute=True):
        request = make_request(rep, prospect="Globex Corp")  # no region: no route, no channel notice
        candidate = services.candidate_propose(request=request, reference=profile, actor=manager)
    return request, candidate


def test_the_requester_hears_of_progress_by_direct_message_found_by_email(
    slack, manager, rep, make_profile, make_request, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    request, candidate = _candidate(manager, rep, make_profile, make_request, capture)
    assert slack.calls == []  # proposed: the requester is not told (as in RefProgram)
    with capture(execute=True):
        for to in ("owner_approved", "asked", "accepted"):
            services.candidate_transition(candidate=candidate, to=to, actor=manager, note="By phone")
    with capture(execute=True):
        services.candidate_transition(
            candidate=candidate,
            to="scheduled",
            actor=manager,
            scheduled_for=timezone.now() + timedelta(days=1),
            meeting_details="Room 1",
        )
    with capture(execute=True):
        services.candidate_transition(
            candidate=candidate, to="completed", actor=manager, completion_notes="Done."
        )

    # Looked up once by e-mail, then remembered.
    lookups = slack.called("users.lookupByEmail")
    assert [c["args"]["email"] for c in lookups] == [SPENGLER]
    assert SlackUser.objects.get(user=rep).slack_id == "W012A3CDE"
    posts = slack.called("chat.postMessage")
    # The moves the requester is told about in RefProgram too (not owner_approved, not asked),
    # then the request fulfilled by the completion: four direct messages, one each.
    assert [c["args"]["channel"] for c in posts] == ["W012A3CDE"] * 4
    texts = [c["args"]["text"] for c in posts]
    assert ["Accepted" in texts[0], "Scheduled" in texts[1], "Completed" in texts[2]] == [True] * 3
    assert "fulfilled" in texts[3]
    assert all(f"#{request.pk}" in text for text in texts)
    assert "Nordbank" not in json.dumps([c["args"] for c in posts])  # the reference is not named


def test_a_requester_unknown_to_slack_is_skipped(
    slack, manager, rep, make_profile, make_request, django_capture_on_commit_callbacks
):
    slack.answer("users.lookupByEmail", (200, {"ok": False, "error": "users_not_found"}))
    request, candidate = _candidate(
        manager, rep, make_profile, make_request, django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        for to in ("owner_approved", "asked", "accepted"):
            services.candidate_transition(candidate=candidate, to=to, actor=manager, note="By phone")
    assert slack.called("chat.postMessage") == []
    notice = SlackNotice.objects.get(request=request)
    assert (notice.kind, notice.status) == ("progress", "skipped")


def test_a_500_is_retried_until_slack_takes_it(
    slack, routes, rep, make_request, django_capture_on_commit_callbacks
):
    slack.answer(
        "chat.postMessage",
        (500, "Internal Server Error"),
        (503, "Service Unavailable"),
        (200, {"ok": True, "channel": "C0EMEA", "ts": "1503435956.000247"}),
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_request(rep, region="emea")
    posts = slack.called("chat.postMessage")
    assert len(posts) == 3
    assert len({json.dumps(c["args"], sort_keys=True) for c in posts}) == 1  # the same message each time
    notice = SlackNotice.objects.get()
    assert (notice.status, notice.attempts) == ("sent", 3)


def test_slack_down_for_good_fails_the_notice_after_the_last_retry(
    slack, routes, rep, make_request, django_capture_on_commit_callbacks
):
    slack.answer("chat.postMessage", (500, "Internal Server Error"))
    with django_capture_on_commit_callbacks(execute=True):
        make_request(rep, region="emea")
    notice = SlackNotice.objects.get()
    # The first attempt and six retries.
    assert (notice.status, notice.attempts) == ("failed", 7)
    assert len(slack.called("chat.postMessage")) == 7
    assert "500" in notice.error


def test_a_channel_the_app_cannot_post_to_fails_at_once(
    slack, routes, rep, make_request, django_capture_on_commit_callbacks
):
    slack.answer("chat.postMessage", (200, {"ok": False, "error": "channel_not_found"}))
    with django_capture_on_commit_callbacks(execute=True):
        make_request(rep, region="emea")
    notice = SlackNotice.objects.get()
    assert (notice.status, notice.attempts) == ("failed", 1)
    assert "channel_not_found" in notice.error


def test_the_nightly_check_announces_due_soon_and_short_supply_once(
    slack, settings, rep, make_request, django_capture_on_commit_callbacks
):
    SlackRoute.objects.create(region=None, channel_id="C0DEFAULT", new_requests=False)
    due = make_request(rep, prospect="Due Soon Inc", needed_in_days=2)
    later = make_request(rep, prospect="Later Inc", needed_in_days=30)
    # make_request matched against an empty inventory: both already have unmet demand.
    assert set(UnmetDemand.objects.values_list("request", flat=True)) == {due.pk, later.pk}
    UnmetDemand.objects.filter(request=due).delete()  # only "later" is short of supply

    with django_capture_on_commit_callbacks(execute=True):
        first = run_all(only=["slack_notices"])
    with django_capture_on_commit_callbacks(execute=True):
        second = run_all(only=["slack_notices"])

    assert first == {"slack_notices": {"due_soon": 1, "short_supply": 1}}
    assert second == {"slack_notices": {"due_soon": 0, "short_supply": 0}}
    posts = slack.called("chat.postMessage")
    assert len(posts) == 2
    by_kind = {n.kind: n.request_id for n in SlackNotice.objects.all()}
    assert by_kind == {"due_soon": due.pk, "short_supply": later.pk}
    texts = sorted(c["args"]["text"] for c in posts)
    assert "Due Soon Inc" in texts[0] and "due within 72 hours" in texts[0]
    assert "Later Inc" in texts[1] and "Supply is short" in texts[1]


def test_a_route_can_leave_out_a_kind_of_notice(slack, rep, make_request, django_capture_on_commit_callbacks):
    SlackRoute.objects.create(region=None, channel_id="C0DEFAULT", new_requests=False, short_supply=False)
    with django_capture_on_commit_callbacks(execute=True):
        make_request(rep, needed_in_days=30)
        run_all(only=["slack_notices"])
    assert slack.called("chat.postMessage") == []


def test_a_closed_request_is_not_announced_as_due_soon(slack, rep, make_request):
    SlackRoute.objects.create(region=None, channel_id="C0DEFAULT")
    request = make_request(rep, needed_in_days=1)
    services.request_cancel(request=request, actor=rep, reason="The deal moved on.")
    assert run_all(only=["slack_notices"]) == {"slack_notices": {"due_soon": 0, "short_supply": 0}}
    assert timezone.now() + timedelta(days=1) > request.needed_by


@pytest.mark.parametrize("due", [1, 4])
def test_the_nightly_check_takes_the_same_queries_for_one_request_or_many(
    slack, rep, make_request, django_assert_num_queries, due
):
    SlackRoute.objects.create(region=None, channel_id="C0DEFAULT")
    for n in range(due):
        make_request(rep, prospect=f"Prospect {n}", needed_in_days=2)
    # The short-of-supply rows (1); due soon: its routes, the requests, the notices made before,
    # a savepoint, the insert, the read-back of the new notices, its release (7); short supply: the
    # same without the requests, read already (6) = 14, whatever the number of requests. The
    # posting is queued after commit: the task's queries, not the check's.
    with django_assert_num_queries(14):
        assert slack_nightly() == {"due_soon": due, "short_supply": due}


def test_a_region_with_its_own_route_never_falls_back_to_the_default_channel(
    slack, rep, make_request, django_capture_on_commit_callbacks
):
    SlackRoute.objects.create(region=None, channel_id="C0DEFAULT")
    SlackRoute.objects.create(region=Region.objects.get(code="emea"), channel_id="C0EMEA", new_requests=False)
    SlackRoute.objects.create(region=Region.objects.get(code="apac"), channel_id="C0APAC", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        make_request(rep, region="emea")  # its route leaves new requests out: nobody hears
        make_request(rep, region="apac")  # its only route is switched off: the default channel
    assert [c["args"]["channel"] for c in slack.called("chat.postMessage")] == ["C0DEFAULT"]


def test_managers_and_admins_manage_routes_in_django_admin(client, users):
    for role in ("manager", "admin", "sales"):  # the admin access each role gets (accounts)
        user_role_apply(user=users[role], role=role)
        users[role].save()
    client.force_login(users["manager"])
    assert client.get("/admin/integrations/slackroute/").status_code == 200
    response = client.post(
        "/admin/integrations/slackroute/add/",
        {"region": "emea", "channel_id": "C0EMEA", "new_requests": "on", "is_active": "on"},
    )
    assert response.status_code == 302, response.content
    route = SlackRoute.objects.get()
    assert (route.region_id, route.channel_id, route.new_requests, route.due_soon) == (
        "emea",
        "C0EMEA",
        True,
        False,
    )
    assert client.get("/admin/integrations/slacknotice/").status_code == 200
    assert client.get("/admin/integrations/slacknotice/add/").status_code == 403

    client.force_login(users["sales"])  # not staff: the admin's log-in page
    assert client.get("/admin/integrations/slackroute/").status_code == 302
    client.force_login(users["admin"])
    assert client.get("/admin/integrations/slackroute/").status_code == 200
