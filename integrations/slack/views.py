"""Slack's two signed endpoints: the ``/reference`` slash command and the modal's submission.

Every call must carry a valid Slack signature (``X-Slack-Signature`` over
``v0:<timestamp>:<body>`` with ``SLACK_SIGNING_SECRET``, at most five minutes old): anything else
is a 401 and changes nothing. CSRF does not apply: Slack, not a browser session, is the caller,
and the signature is the proof. The one exception is Slack's certificate check of the command's
address (a POST with ``ssl_check=1``, sent when the app's settings are saved and now and then
after): it is answered 200 with an empty body, as Slack's slash-command docs ask, and does nothing
else, so it needs no proof.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from accounts import permissions as perms

from . import messages, services

logger = logging.getLogger("refprogram.slack")

UNKNOWN_USER = (
    "RefProgram has no active user with your Slack e-mail address, so nothing was filed. "
    "Ask your reference team to add you, or use the request form in RefProgram."
)


def _signed(request: HttpRequest) -> bool:
    secret = getattr(settings, "SLACK_SIGNING_SECRET", "")
    if not secret:
        return False
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    try:
        body = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return SignatureVerifier(secret).is_valid(
        body=body,
        timestamp=timestamp,
        signature=request.headers.get("X-Slack-Signature", ""),
    )


def _refused() -> HttpResponse:
    return HttpResponse("Invalid or stale Slack signature.", status=401, content_type="text/plain")


def _ephemeral(text: str) -> JsonResponse:
    return JsonResponse({"response_type": "ephemeral", "text": text})


@csrf_exempt
@require_POST
def slack_command(request: HttpRequest) -> HttpResponse:
    """``/reference [prospect]``: open the request modal for a RefProgram user who may submit."""
    if request.POST.get("ssl_check") == "1" and "command" not in request.POST:
        return HttpResponse(status=200)  # Slack checking the certificate: nothing to do
    if not _signed(request):
        return _refused()
    if not services.slack_enabled():
        return _ephemeral("Slack is not connected to RefProgram yet (no bot token).")
    client = services.slack_client()
    try:
        user = services.user_for_slack_id(slack_id=request.POST.get("user_id", ""), client=client)
        if user is None:
            return _ephemeral(UNKNOWN_USER)
        if not perms.has_capability(user, perms.SUBMIT_REQUESTS):
            return _ephemeral("Your role in RefProgram cannot submit requests.")
        client.views_open(
            trigger_id=request.POST.get("trigger_id", ""),
            view=messages.request_modal(prospect=request.POST.get("text", "").strip()),
        )
    except (SlackApiError, OSError) as exc:
        logger.warning("Slack /reference: %s", exc)
        return _ephemeral("Slack did not let RefProgram open the form; please try again.")
    return HttpResponse(status=200)


@csrf_exempt
@require_POST
def slack_interaction(request: HttpRequest) -> HttpResponse:
    """The modal's submission (``view_submission``): file the request as the Slack user's
    RefProgram user, or answer with the refusals next to the fields (``response_action:
    errors``). Other interactions (the messages' link buttons) need no answer."""
    if not _signed(request):
        return _refused()
    try:
        payload = json.loads(request.POST.get("payload", ""))
    except ValueError:
        return HttpResponse("The payload is not JSON.", status=400, content_type="text/plain")
    if not isinstance(payload, dict) or payload.get("type") != "view_submission":
        return HttpResponse(status=200)
    view = payload.get("view")
    if not isinstance(view, dict) or view.get("callback_id") != messages.MODAL_CALLBACK_ID:
        return HttpResponse(status=200)
    if not services.slack_enabled():
        return JsonResponse(
            {"response_action": "errors", "errors": {"prospect_name": "Slack is not connected."}}
        )
    try:
        user = services.user_for_slack_id(
            slack_id=str(payload["user"].get("id", "")) if isinstance(payload.get("user"), dict) else "",
            client=services.slack_client(),
        )
    except (SlackApiError, OSError) as exc:
        logger.warning("Slack submission: %s", exc)
        user = None
    if user is None:
        return JsonResponse({"response_action": "errors", "errors": {"prospect_name": UNKNOWN_USER}})
    filed, errors = services.request_file_from_slack(requester=user, view=view)
    if filed is None:
        return JsonResponse({"response_action": "errors", "errors": errors})
    return JsonResponse({"response_action": "update", "view": messages.submitted_view(filed)})
