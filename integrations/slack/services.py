"""Slack: announce requests to channels and their progress to requesters, find who is who, and
file requests from the ``/reference`` modal.

Notices are rows (``SlackNotice``) made when a product event commits (``slack_event``) or by the
nightly check (due within 72 hours, short supply), each once (its ``key``), then posted by a
Celery task that retries while Slack is down (``notice_attempt``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.error import URLError

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from accounts.models import User
from refprogram import events
from refprogram.errors import RuleViolation
from refprogram.tasks_util import enqueue
from refprogram.views import add_service_errors
from requests_app import services as requests_services
from requests_app.choices import Urgency
from requests_app.filters import RequestFilter
from requests_app.forms import RequestForm
from requests_app.models import Request
from requests_app.services.candidates import _NOTIFY_REQUESTER

from . import messages
from .choices import NoticeKind, NoticeStatus
from .models import SlackNotice, SlackRoute, SlackUser

logger = logging.getLogger("refprogram.slack")

TIMEOUT_SECONDS = 10
# Retries of a notice: 30 s, 60 s, 120 s … doubling, six in all (about half an hour).
RETRY_BASE_SECONDS = 30
MAX_RETRIES = 6
# Slack's "try again" answers (besides HTTP 429 and 5xx).
RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def slack_enabled() -> bool:
    """Slack is connected when the bot token is set."""
    return bool(getattr(settings, "SLACK_BOT_TOKEN", ""))


def slack_client() -> WebClient:
    """The Web API client (Slack's, or the local server ``SLACK_API_URL`` names in tests). No
    retries of its own: the Celery task retries, and counts the attempts."""
    base_url = (
        settings.SLACK_API_URL if settings.SLACK_API_URL.endswith("/") else settings.SLACK_API_URL + "/"
    )
    return WebClient(
        token=settings.SLACK_BOT_TOKEN, base_url=base_url, timeout=TIMEOUT_SECONDS, retry_handlers=[]
    )


def retry_delay(retries_so_far: int) -> int:
    """Seconds before the next attempt of a notice, after ``retries_so_far`` retries."""
    return RETRY_BASE_SECONDS * 2**retries_so_far


# --- Who is who ---


def _remember(user: User, slack_id: str) -> None:
    SlackUser.objects.filter(slack_id=slack_id).exclude(user=user).delete()  # the id moved on
    SlackUser.objects.update_or_create(user=user, defaults={"slack_id": slack_id})


def slack_id_for(*, user: User, client: WebClient) -> str | None:
    """The user's Slack member id: the one kept, else Slack's answer for their e-mail
    (``users.lookupByEmail``), kept for next time. None when Slack knows no such e-mail."""
    kept = SlackUser.objects.filter(user=user).values_list("slack_id", flat=True).first()
    if kept:
        return kept
    if not user.email:
        return None
    try:
        answer = client.users_lookupByEmail(email=user.email)
    except SlackApiError as exc:
        if exc.response.get("error") == "users_not_found":
            return None
        raise
    slack_id = answer["user"]["id"]
    _remember(user, slack_id)
    return slack_id


def user_for_slack_id(*, slack_id: str, client: WebClient) -> User | None:
    """The active RefProgram user behind a Slack member: the one kept, else the one whose e-mail
    is the member's e-mail in Slack (``users.info``). None when nobody (or more than one) is."""
    if not slack_id or len(slack_id) > 40:
        return None
    kept = SlackUser.objects.filter(slack_id=slack_id).select_related("user").first()
    if kept:
        return kept.user if kept.user.is_active else None
    try:
        answer = client.users_info(user=slack_id)
    except SlackApiError as exc:
        if exc.response.get("error") == "user_not_found":
            return None
        raise
    email = ((answer.get("user") or {}).get("profile") or {}).get("email") or ""
    if not email:
        return None
    users = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
    if len(users) != 1:
        return None
    _remember(users[0], slack_id)
    return users[0]


# --- Notices ---


def _queue(notice_ids: list[int]) -> None:
    from .tasks import slack_notice_send

    for notice_id in notice_ids:
        enqueue(slack_notice_send, notice_id)


def _create(notices: list[SlackNotice]) -> int:
    """Save the notices not made before (by ``key``) and queue them after commit."""
    if not notices:
        return 0
    made_before = set(
        SlackNotice.objects.filter(key__in=[n.key for n in notices]).values_list("key", flat=True)
    )
    new = [n for n in notices if n.key not in made_before]
    if not new:
        return 0
    with transaction.atomic():
        SlackNotice.objects.bulk_create(new, ignore_conflicts=True)  # a racing run's copy loses
        fresh = list(SlackNotice.objects.filter(key__in=[n.key for n in new]).values_list("pk", flat=True))
        transaction.on_commit(lambda: _queue(fresh))
    return len(fresh)


def channel_notices_create(*, kind: str, requests: Iterable[tuple[int, str | None]], detail=None) -> int:
    """One notice of ``kind`` per request and channel its region routes to
    (``SlackRoute.objects.routing``), made once: a request already announced on
    a channel is not announced there again. ``requests``: ``(request id, region code)`` pairs.
    Returns how many notices were made."""
    channels = SlackRoute.objects.routing(kind)
    notices = []
    for request_id, region_id in requests:
        for channel_id in channels(region_id):
            notices.append(
                SlackNotice(
                    key=f"{kind}:{request_id}:{channel_id}",
                    kind=kind,
                    request_id=request_id,
                    channel_id=channel_id,
                    detail=(detail or {}).get(request_id, {}),
                )
            )
    return _create(notices)


def slack_event(*, event: str, event_id: uuid.UUID, occurred_at: datetime, data: dict[str, Any]) -> int:
    """A product event committed: a new request goes to its region's channel; a candidate's move
    the requester hears about (the same moves as their in-app notices) and a fulfilled request
    go to the requester as a direct message. Returns how many notices were made."""
    if not slack_enabled():
        return 0
    if event == events.REQUEST_SUBMITTED:
        pairs = Request.objects.filter(pk=data["request"]).values_list("pk", "prospect_region_id")
        return channel_notices_create(kind=NoticeKind.NEW_REQUEST, requests=pairs)
    if event == events.CANDIDATE_TRANSITIONED and data.get("to") not in _NOTIFY_REQUESTER:
        return 0
    if event not in (events.CANDIDATE_TRANSITIONED, events.REQUEST_FULFILLED):
        return 0
    requester_id = Request.objects.filter(pk=data["request"]).values_list("requester_id", flat=True).first()
    if requester_id is None:
        return 0
    detail = {"event": event, "to": data.get("to", "")}
    return _create(
        [
            SlackNotice(
                key=f"progress:{event_id}:{requester_id}",
                kind=NoticeKind.PROGRESS,
                request_id=data["request"],
                recipient_id=requester_id,
                detail=detail,
            )
        ]
    )


def slack_nightly(*, today: date | None = None) -> dict[str, int]:
    """Announce open requests due within 72 hours and those short of supply (unmet demand
    recorded) to their channels, once per request and notice."""
    if not slack_enabled():
        return {"due_soon": 0, "short_supply": 0}
    due = RequestFilter().filter_urgency(Request.objects.all(), "urgency", Urgency.DUE_SOON)
    short = Request.objects.open().filter(unmet_demand__isnull=False)
    short_rows = list(short.values_list("pk", "prospect_region_id", "unmet_demand__reason"))
    return {
        "due_soon": channel_notices_create(
            kind=NoticeKind.DUE_SOON, requests=due.values_list("pk", "prospect_region_id")
        ),
        "short_supply": channel_notices_create(
            kind=NoticeKind.SHORT_SUPPLY,
            requests=[(pk, region) for pk, region, _reason in short_rows],
            detail={pk: {"reason": reason} for pk, _region, reason in short_rows},
        ),
    }


@dataclass(frozen=True)
class AttemptResult:
    status: str
    retry: bool


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, SlackApiError):
        code = exc.response.status_code
        return code == 429 or code >= 500 or exc.response.get("error") in RETRYABLE_ERRORS
    return isinstance(exc, (URLError, OSError, TimeoutError))


def notice_attempt(*, notice_id: int, final: bool) -> AttemptResult:
    """Post one notice to Slack (``chat.postMessage``) and record the attempt. Slack being down
    (5xx, 429, a connection error) is retried unless ``final``; any other refusal (a channel
    the app is not in, a revoked token) fails the notice. A requester without a Slack account
    is skipped."""
    notice = (
        SlackNotice.objects.select_related("request__activity_type", "request__prospect_region", "recipient")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None:  # its request was deleted meanwhile
        return AttemptResult(NoticeStatus.SKIPPED, retry=False)
    if notice.status in (NoticeStatus.SENT, NoticeStatus.FAILED, NoticeStatus.SKIPPED):
        return AttemptResult(notice.status, retry=False)  # already settled
    client = slack_client()
    notice.attempts += 1
    try:
        channel = notice.channel_id
        if notice.kind == NoticeKind.PROGRESS:
            channel = slack_id_for(user=notice.recipient, client=client) or ""
        if not channel:
            notice.status, notice.error = NoticeStatus.SKIPPED, "No Slack account has the requester's e-mail."
        else:
            text, blocks = messages.notice_message(
                kind=notice.kind, request=notice.request, detail=notice.detail
            )
            answer = client.chat_postMessage(channel=channel, text=text, blocks=blocks, unfurl_links=False)
            notice.status, notice.error = NoticeStatus.SENT, ""
            notice.message_ts = str(answer.get("ts") or "")
            notice.sent_at = timezone.now()
    except (SlackApiError, URLError, OSError) as exc:
        retry = _retryable(exc) and not final
        notice.status = NoticeStatus.RETRYING if retry else NoticeStatus.FAILED
        reason = exc.response.get("error") if isinstance(exc, SlackApiError) else ""
        code = exc.response.status_code if isinstance(exc, SlackApiError) else None
        notice.error = (
            f"Slack answered {code}: {reason or 'no reason'}" if code else f"{type(exc).__name__}: {exc}"
        )[:500]
        logger.warning("Slack notice %s: %s", notice.pk, notice.error)
    notice.save()
    return AttemptResult(notice.status, retry=notice.status == NoticeStatus.RETRYING)


# --- The /reference command ---


def _state_value(entry: Any) -> str:
    if not isinstance(entry, dict):
        return ""
    kind = entry.get("type")
    if kind == "static_select":
        return ((entry.get("selected_option") or {}).get("value")) or ""
    if kind == "datetimepicker":
        moment = entry.get("selected_date_time")
        if not moment:
            return ""
        try:
            local = timezone.localtime(datetime.fromtimestamp(int(moment), tz=UTC))
        except (TypeError, ValueError, OverflowError, OSError):
            return str(moment)  # the form refuses it as a date
        return f"{local:%Y-%m-%d %H:%M}"
    if kind == "datepicker":
        return entry.get("selected_date") or ""
    return entry.get("value") or ""


def modal_values(view: dict[str, Any]) -> QueryDict:
    """The modal's answers as the request form's input (block id = field name)."""
    values = QueryDict(mutable=True)
    state = view.get("state") if isinstance(view, dict) else None
    state = state.get("values") if isinstance(state, dict) else None
    state = state if isinstance(state, dict) else {}
    for field in messages.MODAL_FIELDS:
        block = state.get(field)
        values[field] = str(_state_value(block.get("value") if isinstance(block, dict) else None))[:5000]
    return values


def _slack_errors(form: RequestForm) -> dict[str, str]:
    """Form errors as Slack's ``response_action: errors``: by block id; an error of a field the
    modal lacks, or of the whole form, is shown on the prospect block."""
    errors: dict[str, list[str]] = {}
    for field, messages_ in form.errors.items():
        block = field if field in messages.MODAL_FIELDS else "prospect_name"
        prefix = (
            ""
            if block == field
            else (f"{field.replace('_', ' ').capitalize()}: " if field != "__all__" else "")
        )
        errors.setdefault(block, []).extend(prefix + m for m in messages_)
    return {block: " ".join(texts)[:2000] for block, texts in errors.items()}


def request_file_from_slack(
    *, requester: User, view: dict[str, Any]
) -> tuple[Request | None, dict[str, str]]:
    """File a request from the modal through the request form and ``request_submit`` (the page's
    and the API's path). Returns ``(request, {})``, or ``(None, errors by block id)``."""
    form = RequestForm(modal_values(view))
    if form.is_valid():
        try:
            request, _warnings = requests_services.request_submit(
                requester=requester, data=form.service_data()
            )
        except (ValidationError, RuleViolation) as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return request, {}
    return None, _slack_errors(form)
