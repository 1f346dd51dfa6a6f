"""Answers from the people outside the reference team: the account owner consents or declines
(on the request page or with a one-click link), the reference contact answers an ask on their
private link (accept, decline — perhaps "not now, ask me again after" — or offer two or three
times), and the requester picks one of the offered times.

Every answer moves the candidate through ``candidates.candidate_move``, the same service as the
manager's buttons: the same state machine, the same ledger writes, the same notifications (and
the manager is told who answered). The links follow ``refprogram.links``'s token rules.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions as perms
from accounts.models import User
from references.services.consents import withdrawal_footer
from refprogram import links
from refprogram.errors import RuleViolation
from refprogram.i18n import contact_language, default_language
from refprogram.validators import validate_date_in_range

from ..choices import (
    ASK_LINK_DAYS,
    CODE_INVALID_TRANSITION,
    CODE_NOT_ACCOUNT_OWNER,
    CODE_SLOT_NOT_OFFERED,
    OWNER_LINK_DAYS,
    SLOTS_MAX,
    SLOTS_MIN,
    CandidateLinkPurpose,
    CandidateState,
)
from ..deals import request_deal
from ..models import Candidate, CandidateLink, default_duration_minutes
from .candidates import candidate_move

ANSWER_REASON_MAX = 2000

# The state a link's candidate must be in for the link to be usable: once the candidate moved
# on (answered some other way, withdrawn), the link is withdrawn.
_LINK_STATE = {
    CandidateLinkPurpose.OWNER: CandidateState.PROPOSED,
    CandidateLinkPurpose.ASK: CandidateState.ASKED,
}


_AFTER_THE_MEETING = (CandidateState.SCHEDULED, CandidateState.COMPLETED, CandidateState.MISSED)
_FEEDBACK_STATES = {
    CandidateLinkPurpose.FEEDBACK_REQUESTER: _AFTER_THE_MEETING,
    CandidateLinkPurpose.FEEDBACK_REFERENCE: _AFTER_THE_MEETING,
}


def _absolute(base_url: str, path: str) -> str:
    base = (base_url or getattr(settings, "SITE_URL", "") or "").rstrip("/")
    return base + path


def candidate_link_issue(
    candidate: Candidate,
    purpose: str,
    *,
    email: str,
    valid_days: int,
    by: User | None = None,
    now: datetime | None = None,
) -> links.IssuedLink:
    """A private link about one candidate for one purpose (owner, ask, feedback): the token rules
    of ``refprogram.links``, and a newer link of the same purpose withdraws the older."""
    return links.link_issue(
        CandidateLink,
        supersedes=CandidateLink.objects.filter(candidate=candidate, purpose=purpose),
        valid_days=valid_days,
        now=now,
        candidate=candidate,
        purpose=purpose,
        email=email,
        sent_by=by,
    )


def _link_url(base_url: str, token: str) -> str:
    return _absolute(base_url, reverse("requests:link", kwargs={"token": token}))


def _mail_after_commit(subject: str, body: str, to: str) -> None:
    subject = " ".join(subject.split())
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=True)
    )


def _lock(candidate: Candidate) -> Candidate:
    return (
        Candidate.objects.select_for_update(of=("self",))
        .select_related(
            "request__activity_type",
            "request__requester",
            "reference__customer__account_owner",
            "reference__contact",
        )
        .get(pk=candidate.pk)
    )


def owner_link_send(
    *, candidate: Candidate, by: User | None, base_url: str = "", now: datetime | None = None
) -> links.IssuedLink | None:
    """E-mail the customer's account owner a one-click link to consent to (or decline) the
    proposal; a newer link withdraws the older. Nothing is sent to an owner without an e-mail."""
    owner = candidate.reference.customer.account_owner
    if owner is None or not owner.email:
        return None
    issued = candidate_link_issue(
        candidate, CandidateLinkPurpose.OWNER, email=owner.email, valid_days=OWNER_LINK_DAYS, by=by, now=now
    )
    request = candidate.request
    url = _link_url(base_url, issued.token)
    words = {
        "name": owner.get_full_name() or owner.username,
        "customer": candidate.reference.customer.name,
        "contact": candidate.reference.contact.name,
        "prospect": request.prospect_name,
        "activity": request.activity_type.name.lower(),
        "days": OWNER_LINK_DAYS,
        "url": url,
    }
    with translation.override(user_language(owner)):
        _mail_after_commit(
            _("Do you consent? %(customer)s as a reference for %(prospect)s") % words,
            _(
                "Hello %(name)s,\n\n"
                "Your customer %(customer)s (%(contact)s) is proposed for a %(activity)s with "
                "%(prospect)s. Please consent or decline here (the link works once, for %(days)s "
                "days):\n\n%(url)s\n"
            )
            % words,
            owner.email,
        )
    return issued


def ask_link_send(
    *, candidate: Candidate, by: User | None, base_url: str = "", now: datetime | None = None
) -> links.IssuedLink | None:
    """E-mail the reference contact the private link to answer the ask (accept, decline, or
    offer times); a newer link withdraws the older. A contact without an e-mail gets nothing
    (the manager asks by phone and records the answer)."""
    contact = candidate.reference.contact
    if not contact.email:
        return None
    issued = candidate_link_issue(
        candidate, CandidateLinkPurpose.ASK, email=contact.email, valid_days=ASK_LINK_DAYS, by=by, now=now
    )
    url = _link_url(base_url, issued.token)
    words = {
        "name": contact.name,
        "activity": candidate.request.activity_type.name.lower(),
        "days": ASK_LINK_DAYS,
        "url": url,
    }
    with translation.override(contact_language(contact)):
        _mail_after_commit(
            _("Would you be a reference? A %(activity)s request") % words,
            _(
                "Hello %(name)s,\n\n"
                "One of our prospects would value your experience: a %(activity)s. Here is what is "
                "asked and how long it takes; you can accept, decline or offer times that suit you "
                "(the link works once, for %(days)s days):\n\n%(url)s\n\nThank you.\n"
            )
            % words
            + withdrawal_footer(contact=contact, base_url=base_url, now=now),
            contact.email,
        )
    return issued


def user_language(user: User | None) -> str:
    """The language an e-mail or link page speaks to a colleague outside a signed-in page (the
    account owner's link, the requester's feedback link): their profile's, else the company's."""
    return getattr(user, "language", "") or default_language()


def candidate_link_language(link: CandidateLink) -> str:
    """The language a candidate link's page speaks: the reference contact's on the ask and the
    reference's feedback link, the account owner's or the requester's on theirs."""
    candidate = link.candidate
    if link.purpose == CandidateLinkPurpose.OWNER:
        return user_language(candidate.reference.customer.account_owner)
    if link.purpose == CandidateLinkPurpose.FEEDBACK_REQUESTER:
        return user_language(candidate.request.requester)
    return contact_language(candidate.reference.contact)


def candidate_link_get(*, token: str, purpose: str | None = None, for_update: bool = False) -> CandidateLink:
    """The usable candidate link for ``token`` (of ``purpose`` when given), or
    ``links.LinkInvalid``: a link of another purpose is unknown here; a link whose candidate has
    moved on, whose request closed, or whose account owner changed is withdrawn."""
    qs = CandidateLink.objects.select_related(
        "candidate__request__activity_type",
        "candidate__request__prospect_industry",
        "candidate__reference__customer__account_owner",
        "candidate__reference__contact",
    )
    link = links.link_get(qs, token, for_update=for_update)
    if purpose is not None and link.purpose != purpose:
        raise links.LinkInvalid("unknown")
    candidate = link.candidate
    if link.purpose in _FEEDBACK_STATES:
        # Feedback comes after the activity, whatever became of the request since.
        if candidate.state not in _FEEDBACK_STATES[link.purpose]:
            raise links.LinkInvalid("withdrawn")
    elif candidate.state != _LINK_STATE[link.purpose] or not candidate.request.is_open:
        raise links.LinkInvalid("withdrawn")
    if link.purpose == CandidateLinkPurpose.OWNER:
        owner = candidate.reference.customer.account_owner
        if owner is None or not owner.is_active or (owner.email or "").lower() != link.email.lower():
            raise links.LinkInvalid("withdrawn")
    return link


def _withdraw_links(candidate: Candidate, purpose: str, now: datetime) -> None:
    links.links_withdraw(CandidateLink.objects.filter(candidate=candidate, purpose=purpose), now)


def _reason_clean(reason: str, *, required: bool, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({field: _("Please say why.")})
    if len(reason) > ANSWER_REASON_MAX:
        raise ValidationError({field: _("At most %(max)s characters.") % {"max": ANSWER_REASON_MAX}})
    if "\x00" in reason:
        raise ValidationError({field: _("Remove the null character.")})
    return reason


def can_owner_decide(user, candidate: Candidate) -> bool:
    """The account owner of the candidate's customer, while the proposal waits for them."""
    return (
        candidate.state == CandidateState.PROPOSED
        and getattr(user, "pk", None) is not None
        and user.pk == candidate.reference.customer.account_owner_id
    )


@transaction.atomic
def candidate_owner_decide(
    *, candidate: Candidate, actor: User, consent: bool, reason: str = "", now: datetime | None = None
) -> Candidate:
    """The account owner consents to their customer being asked (→ owner_approved) or declines
    with a reason (→ withdrawn, the reservation released, the reason recorded); the manager and
    the requester are told. Only the customer's account owner may (409 ``not_account_owner``)."""
    now = now or timezone.now()
    candidate = _lock(candidate)
    if getattr(actor, "pk", None) != candidate.reference.customer.account_owner_id:
        raise RuleViolation(
            CODE_NOT_ACCOUNT_OWNER, _("Only the customer's account owner can answer for them.")
        )
    if candidate.state != CandidateState.PROPOSED:
        raise RuleViolation(
            CODE_INVALID_TRANSITION,
            _("This candidate is %(state)s: the consent was already given or refused.")
            % {"state": candidate.get_state_display().lower()},
        )
    reason = _reason_clean(reason, required=not consent)
    _withdraw_links(candidate, CandidateLinkPurpose.OWNER, now)
    if consent:
        return candidate_move(
            candidate=candidate,
            to=CandidateState.OWNER_APPROVED,
            actor=actor,
            note=reason,
            now=now,
            answered_by=gettext_lazy("by the account owner"),
        )
    Candidate.objects.filter(pk=candidate.pk).update(answer_reason=reason)
    return candidate_move(
        candidate=candidate,
        to=CandidateState.WITHDRAWN,
        actor=actor,
        note=f"The account owner declined: {reason}",
        now=now,
        answered_by=gettext_lazy("the account owner declined"),
    )


@transaction.atomic
def candidate_owner_decide_by_link(*, token: str, consent: bool, reason: str = "") -> Candidate:
    """The account owner's answer through their one-click link (spent by it)."""
    link = candidate_link_get(token=token, purpose=CandidateLinkPurpose.OWNER, for_update=True)
    reason = _reason_clean(reason, required=not consent)
    links.link_spend(link)
    owner = link.candidate.reference.customer.account_owner
    return candidate_owner_decide(candidate=link.candidate, actor=owner, consent=consent, reason=reason)


def _slots_clean(slots, *, now: datetime) -> list[datetime]:
    """Two or three distinct aware start times, in the future, within the dates users may send."""
    chosen: list[datetime] = []
    for value in slots:
        if value in (None, ""):
            continue
        if not isinstance(value, datetime) or timezone.is_naive(value):
            raise ValidationError({"slots": _("Give each time with its date and time zone.")})
        try:
            validate_date_in_range(value)
        except ValidationError as exc:
            raise ValidationError({"slots": exc.messages[0]}) from None
        if value <= now:
            raise ValidationError({"slots": _("Every time you offer must be in the future.")})
        if value not in chosen:
            chosen.append(value)
    if not SLOTS_MIN <= len(chosen) <= SLOTS_MAX:
        raise ValidationError(
            {"slots": _("Offer %(min)s or %(max)s different times.") % {"min": SLOTS_MIN, "max": SLOTS_MAX}}
        )
    return sorted(chosen)


class Answer:
    """What the reference can answer on their link."""

    ACCEPT = "accept"
    DECLINE = "decline"
    SLOTS = "slots"
    ALL = (ACCEPT, DECLINE, SLOTS)


def reference_hold_request(*, candidate: Candidate, until: date) -> None:
    """The reference said "not now, ask me again after ``until``": the date is recorded on the
    candidate (``ask_again_after``, on the request page and in the API) and the reference goes on
    hold through that day (``ledger.holds``; the candidate is its source, so it is made once)."""
    from ledger import holds

    try:
        holds.hold_from_reference_answer(
            reference=candidate.reference,
            until=until,
            reason=candidate.answer_reason[:300],
            source=f"candidate:{candidate.pk}",
        )
    except ValidationError as exc:
        raise ValidationError({"ask_again_after": exc.messages}) from None


@transaction.atomic
def candidate_ask_answer(
    *,
    token: str,
    answer: str,
    slots=(),
    reason: str = "",
    ask_again_after: date | None = None,
    now: datetime | None = None,
) -> Candidate:
    """The reference contact answers the ask on their private link (spent by it):

    - ``accept`` → accepted (the manager or requester arranges the time);
    - ``slots`` → offered_times with 2–3 future start times for the requester to pick;
    - ``decline`` → declined, with an optional reason and an optional "ask me again after"
      date (in the future), recorded on the candidate and passed to the holds hook.

    The move is ``candidate_move``'s: the ledger is written and the manager, requester and
    account owner are told."""
    now = now or timezone.now()
    if answer not in Answer.ALL:
        raise ValidationError({"answer": _("Accept, decline or offer times.")})
    link = candidate_link_get(token=token, purpose=CandidateLinkPurpose.ASK, for_update=True)
    candidate = _lock(link.candidate)
    fields: dict = {}
    if answer == Answer.SLOTS:
        fields["offered_slots"] = [s.isoformat() for s in _slots_clean(slots, now=now)]
        to = CandidateState.OFFERED_TIMES
    elif answer == Answer.ACCEPT:
        to = CandidateState.ACCEPTED
    else:
        to = CandidateState.DECLINED
        fields["answer_reason"] = _reason_clean(reason, required=False)
        if ask_again_after is not None:
            if not isinstance(ask_again_after, date) or ask_again_after <= timezone.localdate(now):
                raise ValidationError({"ask_again_after": _("Give a date after today.")})
            try:
                validate_date_in_range(ask_again_after)
            except ValidationError as exc:
                raise ValidationError({"ask_again_after": exc.messages[0]}) from None
            fields["ask_again_after"] = ask_again_after
    links.link_spend(link, now)
    if fields:
        Candidate.objects.filter(pk=candidate.pk).update(**fields)
    note = fields.get("answer_reason", "")
    candidate = candidate_move(
        candidate=candidate,
        to=to,
        actor=None,
        note=note,
        now=now,
        answered_by=gettext_lazy("answered by the reference"),
    )
    if candidate.ask_again_after:
        reference_hold_request(candidate=candidate, until=candidate.ask_again_after)
    return candidate


def can_pick_slot(user, candidate: Candidate) -> bool:
    """The requester (or a reference manager) picks one of the times the reference offered."""
    if candidate.state != CandidateState.OFFERED_TIMES:
        return False
    uid = getattr(user, "pk", None)
    return uid is not None and (
        uid == candidate.request.requester_id or perms.has_capability(user, perms.TRIAGE_REQUESTS)
    )


@transaction.atomic
def candidate_slot_pick(
    *,
    candidate: Candidate,
    actor: User,
    slot: datetime,
    meeting_details: str,
    duration_minutes: int | None = None,
    now: datetime | None = None,
) -> Candidate:
    """The requester picks one of the offered times: the candidate is scheduled with the meeting
    details and everyone gets the calendar invitation (``candidate_move`` → scheduled). A time
    the reference did not offer is 409 ``slot_not_offered``."""
    candidate = _lock(candidate)
    if candidate.state != CandidateState.OFFERED_TIMES:
        raise RuleViolation(
            CODE_INVALID_TRANSITION,
            _("This candidate is %(state)s: there are no offered times to pick.")
            % {"state": candidate.get_state_display().lower()},
        )
    if not can_pick_slot(actor, candidate):
        raise PermissionDenied(_("Only the requester or a reference manager picks the time."))
    if not isinstance(slot, datetime) or timezone.is_naive(slot) or slot not in candidate.slots:
        raise RuleViolation(CODE_SLOT_NOT_OFFERED, _("Pick one of the times the reference offered."))
    return candidate_move(
        candidate=candidate,
        to=CandidateState.SCHEDULED,
        actor=actor,
        scheduled_for=slot,
        duration_minutes=duration_minutes,
        meeting_details=meeting_details,
        note="Picked from the times the reference offered.",
        now=now,
    )


def ask_summary(candidate: Candidate) -> dict:
    """What the reference's link page may show: the activity, the prospect's industry, size and
    the role of the person they would talk to, how long it takes — and the deal data only when
    the manager ticked "share" when asking. Never the prospect's name otherwise, nor anyone's
    contact details."""
    request = candidate.request
    facts = {
        "activity": request.activity_type.name,
        "industry": request.prospect_industry.name if request.prospect_industry_id else "",
        "size": request.get_prospect_size_band_display() if request.prospect_size_band else "",
        "role": request.prospect_contact_title or request.get_prospect_seniority_display(),
        "minutes": candidate.duration_minutes or default_duration_minutes(request.activity_type_id),
        "customer": candidate.reference.customer.name,
        "contact_name": candidate.reference.contact.name,
        "deal": None,
    }
    if candidate.deal_shared:
        facts["deal"] = {
            "prospect": request.prospect_name,
            "stage": request_deal(request).stage,
            "needed_by": request.needed_by,
        }
    return facts
