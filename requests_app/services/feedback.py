"""After the activity: a day after a meeting ends, the requester and the reference each get a
private feedback link (did it happen, 1–5, one comment; the reference also: would you do it
again, how often is too often). "Did not happen" moves the candidate to ``missed`` (the ask
still counts, not as a completed use). The links follow ``refprogram.links``'s token rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from references.services.consents import withdrawal_footer
from refprogram import links

from ..choices import (
    FEEDBACK_AFTER_HOURS,
    FEEDBACK_LINK_DAYS,
    CandidateLinkPurpose,
    CandidateState,
    TooOften,
)
from ..models import Candidate, CandidateFeedback, CandidateLink
from .answers import _link_url, _mail_after_commit, candidate_link_get, candidate_link_issue
from .candidates import candidate_move
from .common import _link, _notify

COMMENT_MAX = 4000
FEEDBACK_PURPOSES = (CandidateLinkPurpose.FEEDBACK_REQUESTER, CandidateLinkPurpose.FEEDBACK_REFERENCE)
_SIDE = {
    CandidateLinkPurpose.FEEDBACK_REQUESTER: CandidateFeedback.Side.REQUESTER,
    CandidateLinkPurpose.FEEDBACK_REFERENCE: CandidateFeedback.Side.REFERENCE,
}


def _issue(candidate: Candidate, purpose: str, email: str, base_url: str, now: datetime) -> str:
    issued = candidate_link_issue(candidate, purpose, email=email, valid_days=FEEDBACK_LINK_DAYS, now=now)
    return _link_url(base_url, issued.token)


@transaction.atomic
def feedback_links_send(*, now: datetime | None = None, base_url: str = "") -> dict[str, int]:
    """E-mail the feedback links of every scheduled meeting that ended at least a day ago, once
    per candidate (a candidate with a feedback link is never asked again): the nightly check."""
    now = now or timezone.now()
    asked = CandidateLink.objects.filter(candidate=OuterRef("pk"), purpose__in=FEEDBACK_PURPOSES)
    due = (
        Candidate.objects.filter(
            state=CandidateState.SCHEDULED, scheduled_for__lte=now - timedelta(hours=FEEDBACK_AFTER_HOURS)
        )
        .exclude(Exists(asked))
        .select_related(
            "request__activity_type", "request__requester", "reference__customer", "reference__contact"
        )
        .select_for_update(of=("self",), skip_locked=True)
        .order_by("scheduled_for", "pk")
    )
    sent = 0
    for candidate in due:
        if candidate.ends_at + timedelta(hours=FEEDBACK_AFTER_HOURS) > now:
            continue  # a long meeting that ended less than a day ago: tomorrow night
        request = candidate.request
        what = f"the {request.activity_type.name.lower()} with {candidate.reference.customer.name}"
        if request.requester.email:
            url = _issue(
                candidate, CandidateLinkPurpose.FEEDBACK_REQUESTER, request.requester.email, base_url, now
            )
            _mail_after_commit(
                f"How did it go? {request.activity_type.name} for {request.prospect_name}",
                f"Did {what} happen, and how useful was it? Two questions, one click:\n\n{url}\n",
                request.requester.email,
            )
            sent += 1
        contact = candidate.reference.contact
        if contact.email:
            url = _issue(candidate, CandidateLinkPurpose.FEEDBACK_REFERENCE, contact.email, base_url, now)
            _mail_after_commit(
                "How did it go? Your reference activity",
                f"Hello {contact.name},\n\nThank you for your time. Did the "
                f"{request.activity_type.name.lower()} happen, and how was it for you? "
                f"A few questions, one page:\n\n{url}\n"
                + withdrawal_footer(contact=contact, base_url=base_url, now=now),
                contact.email,
            )
            sent += 1
    return {"feedback_links_sent": sent}


def _feedback_clean(
    side: str, *, rating, comment: str, would_do_again, too_often: str, happened: bool
) -> dict:
    errors: dict[str, str] = {}
    if rating in ("", None):
        rating = None
        if happened:
            errors["rating"] = _("Rate it from 1 to 5.")
    elif isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = _("Rate it from 1 to 5.")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX or "\x00" in comment:
        errors["comment"] = _("At most %(limit)s characters, no null character.") % {"limit": COMMENT_MAX}
    if side == CandidateFeedback.Side.REFERENCE:
        if would_do_again is not None and not isinstance(would_do_again, bool):
            errors["would_do_again"] = _("Yes, no, or leave it empty.")
        if too_often and too_often not in TooOften.values:
            errors["too_often"] = _("Choose one of the answers.")
    else:
        would_do_again, too_often = None, ""
    if errors:
        raise ValidationError(errors)
    return {
        "rating": rating,
        "comment": comment,
        "would_do_again": would_do_again,
        "too_often": too_often or "",
    }


@transaction.atomic
def candidate_feedback_give(
    *,
    token: str,
    happened: bool,
    rating: int | None = None,
    comment: str = "",
    would_do_again: bool | None = None,
    too_often: str = "",
    now: datetime | None = None,
) -> CandidateFeedback:
    """Record one side's feedback through its link (spent by it). "Did not happen" on a
    scheduled candidate moves it to ``missed`` through ``candidate_move`` (the manager,
    requester and account owner are told); otherwise the manager is told about the feedback."""
    now = now or timezone.now()
    link = candidate_link_get(token=token, for_update=True)
    if link.purpose not in FEEDBACK_PURPOSES:
        raise links.LinkInvalid("unknown")
    side = _SIDE[link.purpose]
    fields = _feedback_clean(
        side,
        rating=rating,
        comment=comment,
        would_do_again=would_do_again,
        too_often=too_often,
        happened=bool(happened),
    )
    links.link_spend(link, now)
    try:
        with transaction.atomic():
            feedback = CandidateFeedback.objects.create(
                candidate=link.candidate, side=side, happened=bool(happened), created_at=now, **fields
            )
    except IntegrityError:
        raise links.LinkInvalid("used") from None
    candidate = link.candidate
    if not happened and candidate.state == CandidateState.SCHEDULED:
        candidate_move(
            candidate=candidate,
            to=CandidateState.MISSED,
            actor=None,
            note=f"The {side} said it did not happen."
            + (f" {fields['comment']}" if fields["comment"] else ""),
            now=now,
            answered_by=gettext_lazy("said by the requester")
            if side == CandidateFeedback.Side.REQUESTER
            else gettext_lazy("said by the reference"),
        )
    else:
        request = candidate.request
        _notify(
            [request.assignee],
            key=f"candidate:{candidate.pk}:feedback:{side}",
            subject=lambda: (
                (
                    _("Request #%(number)s: feedback from the requester")
                    if side == CandidateFeedback.Side.REQUESTER
                    else _("Request #%(number)s: feedback from the reference")
                )
                % {"number": request.pk}
            ),
            body=lambda: (
                (_("Happened: yes") if happened else _("Happened: no"))
                + (_(", rated %(rating)s/5") % {"rating": fields["rating"]} if fields["rating"] else "")
                + (f"\n{fields['comment']}" if fields["comment"] else "")
            ),
            link=_link(request),
        )
    return feedback
