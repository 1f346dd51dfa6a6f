"""Block Kit for RefProgram's Slack messages and the request modal.

Messages name the request (its number, activity and prospect company) and link to its page; they
never carry a customer contact's name, e-mail or phone, nor the request's free-text notes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from references.models import ActivityType, Industry, Region
from requests_app.choices import CandidateState, UnmetReason
from requests_app.models import Request

from .choices import NoticeKind

MODAL_CALLBACK_ID = "refprogram_request"
MODAL_FIELDS = (
    "activity_type",
    "prospect_name",
    "prospect_industry",
    "prospect_region",
    "references_needed",
    "needed_by",
    "opportunity_crm_id",
    "notes",
)
SELECT_LIMIT = 100  # Slack's most options in one static select
_DEV_SITE = "http://localhost:8000"


def request_url(request_id: int) -> str:
    """The request's page, absolute (``SITE_URL``; a development address when it is unset)."""
    base = (getattr(settings, "SITE_URL", "") or _DEV_SITE).rstrip("/")
    return base + reverse("requests:detail", args=[request_id])


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150]}


def _title(request: Request) -> str:
    return f"#{request.pk} {request.activity_type.name} for {request.prospect_name}"


def _facts(request: Request) -> list[dict[str, str]]:
    needed_by = timezone.localtime(request.needed_by)
    facts = [
        ("Activity", request.activity_type.name),
        ("Prospect", request.prospect_name),
        ("Region", request.prospect_region.name if request.prospect_region else "—"),
        ("Needed by", f"{needed_by:%d %b %Y %H:%M}"),
        ("References needed", str(request.references_needed)),
    ]
    return [{"type": "mrkdwn", "text": f"*{label}*\n{_escape(value)}"} for label, value in facts]


def _escape(value: str) -> str:
    """Slack's three control characters, so a prospect name cannot mention @channel or link."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link_button(request: Request) -> dict[str, Any]:
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": _text("Open the request"),
                "url": request_url(request.pk),
                "action_id": "open_request",
            }
        ],
    }


def notice_message(*, kind: str, request: Request, detail: dict[str, Any]) -> tuple[str, list[dict]]:
    """``(text, blocks)`` for a notice: the text is the notification's fallback."""
    title = _title(request)
    if kind == NoticeKind.NEW_REQUEST:
        text = f"New reference request {title}"
    elif kind == NoticeKind.DUE_SOON:
        text = f"Request {title} is due within 72 hours"
    elif kind == NoticeKind.SHORT_SUPPLY:
        reason = detail.get("reason", "")
        label = UnmetReason(reason).label if reason in UnmetReason.values else "supply is short"
        text = f"Supply is short for request {title}: {label}"
    elif detail.get("event") == "request.fulfilled":
        text = f"Your request {title} is fulfilled"
    else:
        state = detail.get("to", "")
        label = CandidateState(state).label if state in CandidateState.values else state
        text = f"Your request {title}: a reference candidate is now {label}"
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": _escape(text)}},
        {"type": "section", "fields": _facts(request)},
        _link_button(request),
    ]
    return text, blocks


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _text(label[:75]), "value": value}


def _select(block_id: str, label: str, options: list[dict], *, optional: bool) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": _text(label),
        "element": {"type": "static_select", "action_id": "value", "options": options},
    }


def _plain(block_id: str, label: str, *, optional: bool, initial: str = "", multiline=False) -> dict:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": multiline}
    if initial:
        element["initial_value"] = initial[:150]
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": _text(label),
        "element": element,
    }


def request_modal(*, prospect: str = "") -> dict[str, Any]:
    """The ``/reference`` modal: a request's main fields (the rest can be added on its page).
    Block ids are the request form's field names; each element's action id is ``value``."""
    activities = [_option(a.code, a.name) for a in ActivityType.objects.order_by("name")[:SELECT_LIMIT]]
    industries = [_option(i.code, i.name) for i in Industry.objects.order_by("name")[:SELECT_LIMIT]]
    regions = [_option(r.code, r.name) for r in Region.objects.order_by("name")[:SELECT_LIMIT]]
    blocks = [
        _select("activity_type", "Activity", activities, optional=False),
        _plain("prospect_name", "Prospect company", optional=False, initial=prospect),
    ]
    if industries:
        blocks.append(_select("prospect_industry", "Prospect industry", industries, optional=True))
    if regions:
        blocks.append(_select("prospect_region", "Prospect region", regions, optional=True))
    blocks += [
        {
            "type": "input",
            "block_id": "references_needed",
            "label": _text("References needed"),
            "element": {
                "type": "number_input",
                "action_id": "value",
                "is_decimal_allowed": False,
                "min_value": "1",
                "initial_value": "1",
            },
        },
        {
            "type": "input",
            "block_id": "needed_by",
            "label": _text("Needed by"),
            "element": {"type": "datetimepicker", "action_id": "value"},
        },
        _plain("opportunity_crm_id", "CRM opportunity id", optional=True),
        _plain("notes", "Notes for the reference team", optional=True, multiline=True),
    ]
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK_ID,
        "title": _text("Request a reference"),
        "submit": _text("Submit"),
        "close": _text("Cancel"),
        "blocks": blocks,
    }


def submitted_view(request: Request) -> dict[str, Any]:
    """What the modal turns into once the request is filed."""
    return {
        "type": "modal",
        "title": _text("Request submitted"),
        "close": _text("Done"),
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"Request {_escape(_title(request))} is submitted. "
                    f"<{request_url(request.pk)}|Follow it in RefProgram>.",
                },
            }
        ],
    }
