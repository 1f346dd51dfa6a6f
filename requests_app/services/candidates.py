"""Candidates: propose a reference for a request (reserving its capacity) and walk it through the
account owner's consent and the customer's answer to a completed activity."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from approvals import services as approvals
from ledger import services as ledger
from references.models import ReferenceProfile
from references.services.consents import withdrawal_footer
from refprogram import events
from refprogram.errors import RuleViolation
from refprogram.i18n import day, default_language, for_contact, moment
from refprogram.validators import validate_date_in_range, validate_no_nul, validate_single_line

from .. import calendar
from ..choices import (
    CANDIDATE_TRANSITIONS,
    CANDIDATE_USAGE,
    CODE_ALREADY_PROPOSED,
    CODE_INVALID_TRANSITION,
    CODE_PRIVATE_ONLY,
    NOT_YET_ASKED,
    OPEN_CANDIDATE_STATES,
    CandidateState,
    RequestStatus,
)
from ..models import (
    COMPLETION_NOTES_MAX,
    MEETING_DETAILS_MAX,
    MEETING_MINUTES_MAX,
    MEETING_MINUTES_MIN,
    Candidate,
    CandidateEvent,
    Request,
)
from .common import _link, _notify, _require_open, _require_triage, _set_status


def _match_score(request: Request, reference: ReferenceProfile) -> int | None:
    """The reference's match score for the request as the matches show it before the proposal
    reserves capacity; None when it does not meet the must-haves (it is not a match). One query."""
    from ledger.models import OverusePolicy

    from ..matching import rank_queryset  # late: matching reads the models

    ranked = rank_queryset(request, policy=OverusePolicy.current(), today=timezone.localdate())
    return ranked.filter(pk=reference.pk).values_list("score", flat=True).first()


@transaction.atomic
def candidate_propose(
    *,
    request: Request,
    reference: ReferenceProfile,
    actor: User,
    override_reason: str = "",
    score: float | None = None,
    base_url: str = "",
) -> Candidate:
    """Propose a reference for a request: reserves its capacity in the usage ledger (refused
    with the overuse service's reason code when it cannot be asked), tells the requester, and
    asks the account owner for consent."""
    _require_triage(actor)
    request = Request.objects.select_for_update().select_related("activity_type").get(pk=request.pk)
    _require_open(request)
    if request.activity_type.is_public and reference.private_only:
        raise RuleViolation(CODE_PRIVATE_ONLY, _("This reference is kept for private (sales) use only."))
    # Public use of a customer's name needs its valid approval, before the ask and again at completion.
    approvals.approval_require_for_activity(
        customer=reference.customer, activity_type=request.activity_type, reference=reference
    )
    if request.candidates.filter(reference=reference, state__in=OPEN_CANDIDATE_STATES).exists():
        raise RuleViolation(CODE_ALREADY_PROPOSED, _("This reference is already proposed for this request."))
    if request.candidates.filter(reference=reference, state=CandidateState.COMPLETED).exists():
        raise RuleViolation(CODE_ALREADY_PROPOSED, _("This reference already completed this request."))
    if score is None:
        score = _match_score(request, reference)
    try:
        with transaction.atomic():
            candidate = Candidate.objects.create(
                request=request, reference=reference, proposed_by=actor, score=score
            )
    except IntegrityError:
        raise RuleViolation(
            CODE_ALREADY_PROPOSED, _("This reference is already proposed for this request.")
        ) from None
    candidate.usage = ledger.capacity_reserve(
        reference=reference,
        activity_type=request.activity_type,
        actor=actor,
        source=f"candidate:{candidate.pk}",
        request_ref=request.pk,
        override_reason=override_reason,
    )
    candidate.save(update_fields=["usage", "updated_at"])
    CandidateEvent.objects.create(candidate=candidate, to_state=CandidateState.PROPOSED, actor=actor)
    if request.assignee_id is None:
        request.assignee = actor
        request.save(update_fields=["assignee", "updated_at"])
    if request.status == RequestStatus.SUBMITTED:
        _set_status(request, RequestStatus.IN_PROGRESS, actor=actor)
    customer = reference.customer
    _notify(
        [request.requester],
        key=f"candidate:{candidate.pk}:proposed:requester",
        subject=lambda: _("A reference was proposed for your request #%(number)s") % {"number": request.pk},
        body=lambda: (
            _("%(customer)s is proposed for the %(activity)s with %(prospect)s.")
            % {
                "customer": customer.name,
                "activity": request.activity_type.name.lower(),
                "prospect": request.prospect_name,
            }
        ),
        link=_link(request),
    )
    _notify(
        [customer.account_owner],
        key=f"candidate:{candidate.pk}:proposed:owner",
        subject=lambda: (
            _("Your customer %(customer)s was proposed as a reference") % {"customer": customer.name}
        ),
        body=lambda: (
            _(
                "%(contact)s is proposed for a %(activity)s with %(prospect)s. Please consent or decline on "
                "the request page, or with the one-click link we e-mailed you."
            )
            % {
                "contact": reference.contact.name,
                "activity": request.activity_type.name.lower(),
                "prospect": request.prospect_name,
            }
        ),
        link=_link(request),
    )
    from .answers import owner_link_send  # the owner's link lives with the other answers

    owner_link_send(candidate=candidate, by=actor, base_url=base_url)
    return candidate


# Who hears about each candidate move: the requester follows their request; the account owner
# hears about everything that touches their customer.
_NOTIFY_REQUESTER = {
    CandidateState.ACCEPTED,
    CandidateState.OFFERED_TIMES,
    CandidateState.DECLINED,
    CandidateState.SCHEDULED,
    CandidateState.COMPLETED,
    CandidateState.MISSED,
    CandidateState.WITHDRAWN,
}
_NOTIFY_OWNER = {
    CandidateState.ASKED,
    CandidateState.ACCEPTED,
    CandidateState.OFFERED_TIMES,
    CandidateState.DECLINED,
    CandidateState.SCHEDULED,
    CandidateState.COMPLETED,
    CandidateState.MISSED,
    CandidateState.WITHDRAWN,
}


def _schedule_clean(
    candidate: Candidate, *, scheduled_for, duration_minutes, meeting_details: str, now
) -> tuple:
    """The meeting a scheduling move must give: a start (time-zone aware, in the future, within
    the date range users may send), a duration (the activity's usual one when not given) and
    where it happens (one line). Field errors as a ``ValidationError`` (400)."""
    errors: dict[str, str] = {}
    if scheduled_for is None:
        errors["scheduled_for"] = _("Give the date and time the activity starts.")
    elif timezone.is_naive(scheduled_for):
        errors["scheduled_for"] = _("Give the start with its time zone (e.g. 2026-12-01T10:00:00+01:00).")
    else:
        try:
            validate_date_in_range(scheduled_for)
        except ValidationError as exc:
            errors["scheduled_for"] = exc.messages[0]
        else:
            if scheduled_for <= now:
                errors["scheduled_for"] = _("The start must be in the future.")
    if duration_minutes in (None, ""):
        duration_minutes = candidate.default_duration_minutes
    elif (
        isinstance(duration_minutes, bool)
        or not isinstance(duration_minutes, int)
        or not MEETING_MINUTES_MIN <= duration_minutes <= MEETING_MINUTES_MAX
    ):
        errors["duration_minutes"] = _("Give the duration in minutes, from %(low)s to %(high)s.") % {
            "low": MEETING_MINUTES_MIN,
            "high": MEETING_MINUTES_MAX,
        }
    meeting_details = (meeting_details or "").strip()
    if not meeting_details:
        errors["meeting_details"] = _("Say where it happens: a video or phone link, or a place.")
    elif len(meeting_details) > MEETING_DETAILS_MAX:
        errors["meeting_details"] = _("At most %(limit)s characters.") % {"limit": MEETING_DETAILS_MAX}
    else:
        try:
            validate_single_line(meeting_details)
        except ValidationError as exc:
            errors["meeting_details"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    return scheduled_for, duration_minutes, meeting_details


def _completion_clean(completion_notes: str, found_useful) -> tuple[str, bool | None]:
    notes = (completion_notes or "").strip()
    if not notes:
        raise ValidationError({"completion_notes": _("Say what happened.")})
    if len(notes) > COMPLETION_NOTES_MAX:
        raise ValidationError(
            {"completion_notes": _("At most %(limit)s characters.") % {"limit": COMPLETION_NOTES_MAX}}
        )
    try:
        validate_no_nul(notes)
    except ValidationError as exc:
        raise ValidationError({"completion_notes": exc.messages[0]}) from None
    if found_useful is not None and not isinstance(found_useful, bool):
        raise ValidationError({"found_useful": _("Yes, no, or leave it empty.")})
    return notes, found_useful


def _meeting_text(candidate: Candidate) -> str:
    """The meeting in words, in the active language ("04 Mar 2031 09:00 (30 min), Room 4")."""
    return _("%(when)s (%(minutes)s min), %(place)s") % {
        "when": moment(candidate.scheduled_for),
        "minutes": candidate.meeting_minutes,
        "place": candidate.meeting_details,
    }


def _thank_the_reference(candidate: Candidate) -> None:
    """Recognition, not points: a thank-you to the reference contact when the activity is done."""
    contact = candidate.reference.contact
    if not contact.email:
        return
    request = candidate.request
    with for_contact(contact):
        subject = _("Thank you for being a reference")
        body = _(
            "Hello %(name)s,\n\nThank you for the %(activity)s you gave for %(customer)s. Your "
            "experience helps other companies decide with confidence, and we do not take your time "
            "for granted.\n\nWith our thanks.\n"
        ) % {
            "name": contact.name,
            "activity": request.activity_type.name.lower(),
            "customer": candidate.reference.customer.name,
        } + withdrawal_footer(contact=contact)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [contact.email], fail_silently=True)
    )


def _answer_text(candidate: Candidate, note: str) -> str:
    """What the reference (or the account owner) answered, for the people told about it."""
    parts = [note]
    if candidate.state == CandidateState.OFFERED_TIMES:
        times = "; ".join(moment(slot) for slot in candidate.slots)
        parts.append(_("Times offered: %(times)s") % {"times": times})
    if candidate.ask_again_after and candidate.state == CandidateState.DECLINED:
        parts.append(_("Ask again after %(date)s.") % {"date": day(candidate.ask_again_after)})
    return "\n".join(p for p in parts if p)


def _contact_text(candidate: Candidate) -> str:
    contact = candidate.reference.contact
    parts = [contact.name, contact.title, contact.email, contact.phone]
    return _("Contact: %(contact)s") % {"contact": ", ".join(p for p in parts if p)}


@transaction.atomic
def candidate_transition(
    *,
    candidate: Candidate,
    to: str,
    actor: User,
    note: str = "",
    scheduled_for=None,
    duration_minutes: int | None = None,
    meeting_details: str = "",
    completion_notes: str = "",
    found_useful: bool | None = None,
    deal_shared: bool = False,
    base_url: str = "",
    now=None,
) -> Candidate:
    """Move a candidate one step in its state machine (``choices.CANDIDATE_TRANSITIONS``),
    writing the usage ledger as the customer is asked, declines or completes; a withdrawal
    before the ask releases the reservation. The request is fulfilled when it has as many
    completed references as it asked for.

    Fulfilment captures what happened:

    - ``scheduled`` needs the meeting: ``scheduled_for`` (aware, after ``now``),
      ``duration_minutes`` (default: the activity's usual length) and ``meeting_details`` (a link
      or a place, one line). Moving a scheduled candidate to ``scheduled`` again reschedules it.
      Either sends the calendar invitation (the same UID, the next SEQUENCE) to the requester,
      the reference's contact and the account owner. Withdrawing a scheduled candidate cancels it.
    - ``completed`` needs ``completion_notes`` (what happened); ``found_useful`` is optional.

    A move the state machine (or a rule, such as a revoked approval) refuses is a 409 before any
    field is checked; missing or invalid meeting or completion fields are field errors (400). ``now`` is
    the moment the move happens (the demo's seeding replays past moments).

    The manager's ``owner_approved`` is an override of the account owner's own consent
    (``answers.candidate_owner_decide``): unless the manager is the account owner, it needs a
    ``note`` saying why. ``asked`` e-mails the reference contact the private ask link
    (``answers.ask_link_send``); ``deal_shared`` lets that page show the prospect's deal data."""
    _require_triage(actor)
    return candidate_move(
        candidate=candidate,
        to=to,
        actor=actor,
        note=note,
        scheduled_for=scheduled_for,
        duration_minutes=duration_minutes,
        meeting_details=meeting_details,
        completion_notes=completion_notes,
        found_useful=found_useful,
        deal_shared=deal_shared,
        base_url=base_url,
        now=now,
        override=True,
    )


def candidate_move(
    *,
    candidate: Candidate,
    to: str,
    actor: User | None,
    note: str = "",
    scheduled_for=None,
    duration_minutes: int | None = None,
    meeting_details: str = "",
    completion_notes: str = "",
    found_useful: bool | None = None,
    deal_shared: bool = False,
    base_url: str = "",
    now=None,
    override: bool = False,
    answered_by: str = "",
) -> Candidate:
    """The one place a candidate moves, whoever moves it: the manager's buttons
    (``candidate_transition``), the account owner's consent and the reference's answer on their
    link (``answered_by`` names who answered; the manager is then told). Call inside a transaction."""
    now = now or timezone.now()
    candidate = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related(
            "request__activity_type",
            "request__requester",
            "request__assignee",
            "reference__customer__account_owner",
            "reference__contact",
            "usage",
            "scheduled_by",
        )
        .get(pk=candidate.pk)
    )
    request = candidate.request
    if to not in CANDIDATE_TRANSITIONS:
        raise ValidationError(
            {
                "to": _("Unknown state “%(to)s”; valid: %(valid)s.")
                % {"to": to, "valid": ", ".join(CandidateState.values)}
            }
        )
    before = candidate.state
    rescheduling = before == CandidateState.SCHEDULED and to == CandidateState.SCHEDULED
    if not rescheduling and not candidate.can_transition_to(to):
        allowed = ", ".join(candidate.next_states) or _("none")
        raise RuleViolation(
            CODE_INVALID_TRANSITION,
            _("A candidate that is %(state)s cannot move to %(to)s (allowed: %(allowed)s).")
            % {"state": candidate.get_state_display().lower(), "to": to, "allowed": allowed},
        )
    if to != CandidateState.WITHDRAWN:
        _require_open(request)
    if (
        override
        and to == CandidateState.OWNER_APPROVED
        and getattr(actor, "pk", None) != candidate.reference.customer.account_owner_id
        and not (note or "").strip()
    ):
        raise ValidationError(
            {
                "note": _(
                    "Consenting for the account owner is an override: say why (e.g. they agreed by phone)."
                )
            }
        )
    if to == CandidateState.COMPLETED:
        # The approval may have expired or been revoked since the proposal.
        approvals.approval_require_for_activity(
            customer=candidate.reference.customer,
            activity_type=request.activity_type,
            reference=candidate.reference,
        )
        completion_notes, found_useful = _completion_clean(completion_notes, found_useful)
    if to == CandidateState.SCHEDULED:
        scheduled_for, duration_minutes, meeting_details = _schedule_clean(
            candidate,
            scheduled_for=scheduled_for,
            duration_minutes=duration_minutes,
            meeting_details=meeting_details,
            now=now,
        )
    if rescheduling:
        return _reschedule(
            candidate,
            actor=actor,
            note=note,
            scheduled_for=scheduled_for,
            duration_minutes=duration_minutes,
            meeting_details=meeting_details,
        )
    usage_to = CANDIDATE_USAGE.get(to)
    if to == CandidateState.WITHDRAWN and before in NOT_YET_ASKED:
        usage_to = "withdrawn"
    if usage_to and candidate.usage is not None:
        candidate.usage = ledger.usage_transition(entry=candidate.usage, to=usage_to, actor=actor, note=note)
    candidate.state = to
    if to == CandidateState.SCHEDULED:
        candidate.scheduled_for = scheduled_for
        candidate.duration_minutes = duration_minutes
        candidate.meeting_details = meeting_details
        candidate.scheduled_by = actor
    if to == CandidateState.COMPLETED:
        candidate.completion_notes = completion_notes
        candidate.found_useful = found_useful
    cancel_meeting = (
        to == CandidateState.WITHDRAWN
        and before == CandidateState.SCHEDULED
        and candidate.scheduled_for is not None
    )
    if cancel_meeting:
        candidate.calendar_sequence += 1
    if to == CandidateState.ASKED:
        candidate.deal_shared = bool(deal_shared)
    candidate.save()
    event_note = note
    if to == CandidateState.SCHEDULED:
        with translation.override(default_language()):  # the history reads the same for everyone
            event_note = " — ".join(p for p in (_meeting_text(candidate), note) if p)
    CandidateEvent.objects.create(
        candidate=candidate, from_state=before, to_state=to, actor=actor, note=event_note
    )
    events.publish(
        events.CANDIDATE_TRANSITIONED,
        {"candidate": candidate.pk, "request": request.pk, "from": before, "to": to},
    )

    customer = candidate.reference.customer

    def label() -> str:
        """The new state in the reader's words, with who answered ("declined (answered by …)")."""
        state = str(CandidateState(to).label).lower()
        return f"{state} ({answered_by})" if answered_by else state

    def subject() -> str:
        return _("Request #%(number)s: %(customer)s — %(state)s") % {
            "number": request.pk,
            "customer": customer.name,
            "state": label(),
        }

    if answered_by:
        _notify(
            [request.assignee],
            key=f"candidate:{candidate.pk}:{to}:manager",
            subject=subject,
            body=lambda: _answer_text(candidate, note),
            link=_link(request),
        )
    if to in _NOTIFY_REQUESTER:

        def requester_body() -> str:
            if to == CandidateState.OFFERED_TIMES:
                parts = (
                    _answer_text(candidate, note),
                    _("Pick one on the request page."),
                    _contact_text(candidate),
                )
            elif to == CandidateState.ACCEPTED:
                parts = (note, _contact_text(candidate))
            elif to == CandidateState.SCHEDULED:
                parts = (note, _meeting_text(candidate), _contact_text(candidate))
            else:
                parts = (note,)
            return "\n".join(p for p in parts if p)

        _notify(
            [request.requester],
            key=f"candidate:{candidate.pk}:{to}:requester",
            subject=subject,
            body=requester_body,
            link=_link(request),
        )
    if to in _NOTIFY_OWNER:

        def owner_body() -> str:
            if to == CandidateState.SCHEDULED:
                return "\n".join(p for p in (note, _meeting_text(candidate)) if p)
            return _answer_text(candidate, note) if answered_by else note

        _notify(
            [customer.account_owner],
            key=f"candidate:{candidate.pk}:{to}:owner",
            subject=lambda: (
                _("Your customer %(customer)s: reference for %(prospect)s — %(state)s")
                % {"customer": customer.name, "prospect": request.prospect_name, "state": label()}
            ),
            body=owner_body,
            link=_link(request),
        )
    if to == CandidateState.ASKED:
        from .answers import ask_link_send  # the ask link's home; it needs this module's moves

        ask_link_send(candidate=candidate, by=actor, base_url=base_url, now=now)
    if to == CandidateState.COMPLETED:
        _thank_the_reference(candidate)
    if to == CandidateState.SCHEDULED:
        calendar.invitation_send(candidate, link=_link(request))
    elif cancel_meeting:
        calendar.invitation_send(candidate, method=calendar.METHOD_CANCEL, link=_link(request))
    if to == CandidateState.COMPLETED and request.is_open:
        done = request.candidates.filter(state=CandidateState.COMPLETED).count()
        if done >= request.references_needed:
            _set_status(request, RequestStatus.FULFILLED, actor=actor, note=f"{done} reference(s) completed.")
            events.publish(events.REQUEST_FULFILLED, {"request": request.pk, "completed": done})
            _notify(
                [request.requester],
                key=f"request:{request.pk}:fulfilled",
                subject=lambda: _("Your request #%(number)s is fulfilled") % {"number": request.pk},
                body=lambda: _("Please report the outcome of the deal and rate the reference experience."),
                link=_link(request),
            )
    return candidate


def _reschedule(
    candidate: Candidate,
    *,
    actor: User,
    note: str,
    scheduled_for,
    duration_minutes: int,
    meeting_details: str,
) -> Candidate:
    """Move a scheduled meeting: the same invitation with the next SEQUENCE, to the same people."""
    request = candidate.request
    candidate.scheduled_for = scheduled_for
    candidate.duration_minutes = duration_minutes
    candidate.meeting_details = meeting_details
    candidate.scheduled_by = actor
    candidate.calendar_sequence += 1
    candidate.save()
    with translation.override(default_language()):  # the history reads the same for everyone
        meeting = _meeting_text(candidate)
    CandidateEvent.objects.create(
        candidate=candidate,
        from_state=CandidateState.SCHEDULED,
        to_state=CandidateState.SCHEDULED,
        actor=actor,
        note=" — ".join(p for p in ("Rescheduled: " + meeting, note) if p),
    )
    customer = candidate.reference.customer
    sequence = candidate.calendar_sequence
    _notify(
        [request.requester, customer.account_owner],
        key=f"candidate:{candidate.pk}:rescheduled:{sequence}",
        subject=lambda: (
            _("Request #%(number)s: %(customer)s — rescheduled")
            % {
                "number": request.pk,
                "customer": customer.name,
            }
        ),
        body=lambda: "\n".join(p for p in (note, _meeting_text(candidate)) if p),
        link=_link(request),
    )
    calendar.invitation_send(candidate, link=_link(request))
    return candidate


def _withdraw_open_candidates(request: Request, *, actor: User, note: str) -> None:
    for candidate in request.candidates.filter(state__in=OPEN_CANDIDATE_STATES).order_by("pk"):
        candidate_transition(candidate=candidate, to=CandidateState.WITHDRAWN, actor=actor, note=note)


def _withdraw_as_system(candidate: Candidate, *, note: str) -> None:
    candidate = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related(
            "usage",
            "request__activity_type",
            "request__requester",
            "request__assignee",
            "reference__customer__account_owner",
            "reference__contact",
            "scheduled_by",
        )
        .get(pk=candidate.pk)
    )
    before = candidate.state
    if before in NOT_YET_ASKED and candidate.usage is not None:
        ledger.usage_transition(entry=candidate.usage, to="withdrawn", actor=None, note=note)
    candidate.state = CandidateState.WITHDRAWN
    cancel_meeting = before == CandidateState.SCHEDULED and candidate.scheduled_for is not None
    if cancel_meeting:
        candidate.calendar_sequence += 1
    candidate.save(update_fields=["state", "calendar_sequence", "updated_at"])
    CandidateEvent.objects.create(
        candidate=candidate, from_state=before, to_state=CandidateState.WITHDRAWN, note=note
    )
    if cancel_meeting:
        calendar.invitation_send(candidate, method=calendar.METHOD_CANCEL, link=_link(candidate.request))


@transaction.atomic
def candidate_feedback_record(*, candidate: Candidate, actor: User, feedback: str) -> Candidate:
    """Record what the reference (the customer side) said about the experience."""
    _require_triage(actor)
    candidate.customer_feedback = (feedback or "").strip()
    candidate.save(update_fields=["customer_feedback", "updated_at"])
    return candidate
