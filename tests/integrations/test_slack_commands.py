"""The ``/reference`` command and its modal, end to end: Slack's signed calls (recorded payloads
from Slack's docs, signed here as Slack signs them) → the request filed through the same form
and service as the page, with Slack's Web API played by a local server."""

import json
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from accounts.models import User
from integrations.models import SlackUser
from requests_app.models import Request
from tests.factories import UserFactory
from tests.integrations.slack_fake import FIXTURES, fixture, signed_headers, slack_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

SPENGLER = "spengler@ghostbusters.example.com"  # W012A3CDE's e-mail in Slack's documented answers
COMMAND = (FIXTURES / "slash_command.txt").read_text().strip()
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def rep():
    return UserFactory(username="spengler", role="sales", email=SPENGLER)


def post_signed(client, path, body, **sign):
    return client.post(path, body, content_type=FORM, **signed_headers(body, **sign))


def test_a_signed_command_opens_the_modal(client, slack, rep):
    response = post_signed(client, "/slack/commands/", COMMAND)

    assert response.status_code == 200, response.content
    assert response.content == b""
    assert [c["args"]["user"] for c in slack.called("users.info")] == ["W012A3CDE"]
    opened = slack.called("views.open")
    assert len(opened) == 1
    assert opened[0]["args"]["trigger_id"] == "13345224609.738474920.8088930838d88f008e0"
    view = opened[0]["args"]["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == "refprogram_request"
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["prospect_name"]["element"]["initial_value"] == "Acme Corp"  # the command's text
    assert {"call", "email"} <= {o["value"] for o in blocks["activity_type"]["element"]["options"]}
    assert SlackUser.objects.get(slack_id="W012A3CDE").user == rep
    # The second time the Slack id is known: no users.info.
    post_signed(client, "/slack/commands/", COMMAND)
    assert len(slack.called("users.info")) == 1
    assert len(slack.called("views.open")) == 2


@pytest.mark.parametrize(
    "sign",
    [
        {"secret": "not-the-signing-secret"},
        {"timestamp": int(time.time()) - 600},  # ten minutes old: a replay
        {"timestamp": int(time.time()) + 600},
    ],
    ids=["wrong-secret", "stale", "future"],
)
def test_a_bad_or_stale_signature_is_refused_with_no_side_effects(client, slack, rep, sign):
    response = post_signed(client, "/slack/commands/", COMMAND, **sign)
    assert response.status_code == 401
    body = urlencode({"payload": json.dumps(_submission())})
    response = post_signed(client, "/slack/interactions/", body, **sign)
    assert response.status_code == 401
    assert slack.calls == []
    assert Request.objects.count() == 0
    assert SlackUser.objects.count() == 0


def test_an_unsigned_call_and_a_changed_body_are_refused(client, slack, rep):
    assert client.post("/slack/commands/", COMMAND, content_type=FORM).status_code == 401
    headers = signed_headers(COMMAND)
    tampered = COMMAND.replace("Acme%20Corp", "Evil%20Corp")
    assert client.post("/slack/commands/", tampered, content_type=FORM, **headers).status_code == 401
    not_a_time = {**headers, "HTTP_X_SLACK_REQUEST_TIMESTAMP": "soon"}
    assert client.post("/slack/commands/", COMMAND, content_type=FORM, **not_a_time).status_code == 401
    assert slack.calls == []


def test_slacks_certificate_check_is_answered_and_does_nothing(client, slack, rep):
    """Slack checks the command address's certificate with an unsigned POST of ``ssl_check=1``
    and a token; the answer is an empty 200, and nothing is looked up or opened. A command that
    carries ``ssl_check=1`` is still a command: it needs its signature."""
    check = urlencode({"ssl_check": "1", "token": "gIkuvaNzQIHg97ATvDxqgjtO"})
    response = client.post("/slack/commands/", check, content_type=FORM)
    assert response.status_code == 200
    assert response.content == b""
    assert slack.calls == []
    sneaked = COMMAND + "&ssl_check=1"
    assert client.post("/slack/commands/", sneaked, content_type=FORM).status_code == 401
    assert slack.calls == []
    assert SlackUser.objects.count() == 0


def test_no_signing_secret_refuses_everything(client, slack, settings, rep):
    settings.SLACK_SIGNING_SECRET = ""
    assert post_signed(client, "/slack/commands/", COMMAND, secret="").status_code == 401
    assert slack.calls == []


def test_a_slack_user_unknown_to_refprogram_gets_an_ephemeral_answer(client, slack):
    UserFactory(username="someone", email="someone@example.com")
    response = post_signed(client, "/slack/commands/", COMMAND)
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    assert "no active user with your Slack e-mail" in answer["text"]
    assert slack.called("views.open") == []


def test_a_role_that_cannot_submit_is_told_so(client, slack):
    UserFactory(username="spengler", role="executive", email=SPENGLER)
    answer = post_signed(client, "/slack/commands/", COMMAND).json()
    assert answer["response_type"] == "ephemeral"
    assert "cannot submit requests" in answer["text"]
    assert slack.called("views.open") == []


def _submission(**values) -> dict:
    """Slack's documented view_submission payload with our modal's answers filled in."""
    payload = fixture("view_submission.json")
    state = payload["view"]["state"]["values"]
    for field, value in values.items():
        entry = state[field]["value"]
        if entry["type"] == "static_select":
            entry["selected_option"] = {"text": {"type": "plain_text", "text": value}, "value": value}
        elif entry["type"] == "datetimepicker":
            entry["selected_date_time"] = value
        else:
            entry["value"] = value
    return payload


def submit(client, payload, **sign):
    return post_signed(client, "/slack/interactions/", urlencode({"payload": json.dumps(payload)}), **sign)


def test_a_submission_files_exactly_one_request(client, slack, rep):
    needed_by = timezone.now().replace(second=0, microsecond=0) + timedelta(days=20)
    payload = _submission(
        activity_type="call",
        prospect_region="emea",
        references_needed="2",
        needed_by=int(needed_by.timestamp()),
        notes="Security questions",
    )
    response = submit(client, payload)

    assert response.status_code == 200, response.content
    answer = response.json()
    request = Request.objects.get()
    assert answer["response_action"] == "update"
    assert f"https://refs.example.com/requests/{request.pk}/" in json.dumps(answer["view"])
    assert request.requester == rep
    assert request.activity_type_id == "call" or request.activity_type.code == "call"
    assert (request.prospect_name, request.prospect_region_id, request.references_needed) == (
        "Acme Corp",
        "emea",
        2,
    )
    assert request.needed_by == needed_by
    assert request.notes == "Security questions"
    assert request.events.filter(kind="submitted").count() == 1


def test_refusals_come_back_next_to_the_fields_and_nothing_is_filed(client, slack, rep):
    yesterday = int((timezone.now() - timedelta(days=1)).timestamp())
    response = submit(client, _submission(needed_by=yesterday, prospect_name=""))
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"activity_type", "prospect_name"}  # the form's own checks
    assert Request.objects.count() == 0

    # The service's refusal (a needed-by date already past) lands on its field too.
    answer = submit(client, _submission(activity_type="call", needed_by=yesterday)).json()
    assert answer == {
        "response_action": "errors",
        "errors": {"needed_by": "This date and time is already past: choose a later one."},
    }
    assert Request.objects.count() == 0


def test_a_submission_from_an_unknown_slack_user_files_nothing(client, slack):
    slack.answer("users.info", (200, {"ok": False, "error": "user_not_found"}))
    in_20_days = int((timezone.now() + timedelta(days=20)).timestamp())
    answer = submit(client, _submission(activity_type="call", needed_by=in_20_days)).json()
    assert answer["response_action"] == "errors"
    assert "nothing was filed" in answer["errors"]["prospect_name"]
    assert Request.objects.count() == 0
    assert User.objects.filter(email=SPENGLER).count() == 0


def test_other_interactions_are_acknowledged_and_ignored(client, slack, rep):
    payload = {
        "type": "block_actions",
        "user": {"id": "W012A3CDE"},
        "actions": [{"action_id": "open_request"}],
    }
    response = submit(client, payload)
    assert (response.status_code, response.content) == (200, b"")
    assert Request.objects.count() == 0


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        "[]",
        '{"type": "view_submission", "view": []}',
        '{"type": "view_submission", "user": "x", "view": {"callback_id": "refprogram_request", '
        '"state": []}}',
    ],
)
def test_a_malformed_payload_is_answered_without_a_server_error(client, slack, rep, payload):
    body = urlencode({"payload": payload})
    response = post_signed(client, "/slack/interactions/", body)
    assert response.status_code in (200, 400)
    assert Request.objects.count() == 0


def test_the_endpoints_take_only_post(client, slack):
    assert client.get("/slack/commands/").status_code == 405
    assert client.get("/slack/interactions/").status_code == 405
