"""What the request and candidate services share: links, notifications, status moves, the
triage gate."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import permissions as perms
from accounts.models import User
from accounts.services import notification_send
from refprogram.errors import RuleViolation
from refprogram.i18n import moment

from ..choices import (
    CODE_INVALID_TRANSITION,
    CODE_REQUEST_CLOSED,
    RequestEventKind,
    RequestStatus,
)
from ..models import Request, RequestEvent


def _link(request: Request) -> str:
    return reverse("requests:detail", args=[request.pk])


def _notify(users: Iterable[User | None], *, key: str, subject, body, link: str) -> None:
    """Notify each distinct user once (the actor is told nothing they just did themselves).
    ``subject`` and ``body`` may be functions: each person then reads them in their own language
    (``accounts.services.notification_send``)."""
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        notification_send(user=user, key=key, subject=subject, body=body, link=link)


def lead_time_warning(request: Request, now=None) -> str:
    """A warning (not a refusal) when the request is needed sooner than the activity usually takes."""
    if not request.lead_time_short(now):
        return ""
    at = request.activity_type
    return ngettext(
        "%(activity)s usually takes %(days)s day; this request is needed by %(when)s. "
        "It is accepted, but may not be met in time.",
        "%(activity)s usually takes %(days)s days; this request is needed by %(when)s. "
        "It is accepted, but may not be met in time.",
        at.lead_time_days,
    ) % {"activity": at.name, "days": at.lead_time_days, "when": moment(request.needed_by)}


def _set_status(request: Request, to: str, *, actor: User | None, note: str = "") -> None:
    if not request.can_transition_to(to):
        raise RuleViolation(
            CODE_INVALID_TRANSITION,
            _("A %(status)s request cannot become %(to)s.")
            % {"status": request.get_status_display().lower(), "to": RequestStatus(to).label.lower()},
        )
    before = request.status
    request.status = to
    if to in (RequestStatus.FULFILLED, RequestStatus.UNFULFILLED, RequestStatus.CANCELLED):
        request.closed_at = timezone.now()
    request.save()
    RequestEvent.objects.create(
        request=request,
        kind=RequestEventKind.STATUS,
        from_status=before,
        to_status=to,
        actor=actor,
        note=note,
    )


def _require_triage(user: User) -> None:
    if not perms.has_capability(user, perms.TRIAGE_REQUESTS):
        raise PermissionDenied(_("Only a reference manager may do this."))


def _require_open(request: Request) -> None:
    if not request.is_open:
        raise RuleViolation(
            CODE_REQUEST_CLOSED,
            _("This request is %(status)s.") % {"status": request.get_status_display().lower()},
        )
