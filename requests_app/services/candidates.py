"""Candidates: propose a reference for a request (reserving its capacity) and walk it through the
account owner's consent and the customer's answer to a completed activity."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from approvals import services as approvals
from ledger import services as ledger
from references.models import ReferenceProfile
from refprogram.errors import RuleViolation

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
from ..models import Candidate, CandidateEvent, Request
from .common import _link, _notify, _require_open, _require_triage, _set_status


@transaction.atomic
def candidate_propose(
    *,
    request: Request,
    reference: ReferenceProfile,
    actor: User,
    override_reason: str = "",
    score: float | None = None,
) -> Candidate:
    """Propose a reference for a request: reserves its capacity in the usage ledger (refused
    with the overuse service's reason code when it cannot be asked), tells the requester, and
    asks the account owner for consent."""
    _require_triage(actor)
    request = Request.objects.select_for_update().select_related("activity_type").get(pk=request.pk)
    _require_open(request)
    if request.activity_type.is_public and reference.private_only:
        raise RuleViolation(CODE_PRIVATE_ONLY, "This reference is kept for private (sales) use only.")
    # Public use of a customer's name needs its valid approval, before the ask and again at completion.
    approvals.approval_require_for_activity(
        customer=reference.customer, activity_type=request.activity_type, reference=reference
    )
    if request.candidates.filter(reference=reference, state__in=OPEN_CANDIDATE_STATES).exists():
        raise RuleViolation(CODE_ALREADY_PROPOSED, "This reference is already proposed for this request.")
    if request.candidates.filter(reference=reference, state=CandidateState.COMPLETED).exists():
        raise RuleViolation(CODE_ALREADY_PROPOSED, "This reference already completed this request.")
    try:
        with transaction.atomic():
            candidate = Candidate.objects.create(
                request=request, reference=reference, proposed_by=actor, score=score
            )
    except IntegrityError:
        raise RuleViolation(
            CODE_ALREADY_PROPOSED, "This reference is already proposed for this request."
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
        subject=f"A reference was proposed for your request #{request.pk}",
        body=f"{customer.name} is proposed for the {request.activity_type.name.lower()} "
        f"with {request.prospect_name}.",
        link=_link(request),
    )
    _notify(
        [customer.account_owner],
        key=f"candidate:{candidate.pk}:proposed:owner",
        subject=f"Your customer {customer.name} was proposed as a reference",
        body=(
            f"{reference.contact.name} is proposed for a {request.activity_type.name.lower()} with "
            f"{request.prospect_name}. Please tell the reference manager whether you consent."
        ),
        link=_link(request),
    )
    return candidate


# Who hears about each candidate move: the requester follows their request; the account owner
# hears about everything that touches their customer.
_NOTIFY_REQUESTER = {
    CandidateState.ACCEPTED,
    CandidateState.DECLINED,
    CandidateState.SCHEDULED,
    CandidateState.COMPLETED,
    CandidateState.WITHDRAWN,
}
_NOTIFY_OWNER = {
    CandidateState.ASKED,
    CandidateState.ACCEPTED,
    CandidateState.DECLINED,
    CandidateState.SCHEDULED,
    CandidateState.COMPLETED,
    CandidateState.WITHDRAWN,
}


@transaction.atomic
def candidate_transition(
    *, candidate: Candidate, to: str, actor: User, note: str = "", scheduled_for=None
) -> Candidate:
    """Move a candidate one step in its state machine (``choices.CANDIDATE_TRANSITIONS``),
    writing the usage ledger as the customer is asked, declines or completes; a withdrawal
    before the ask releases the reservation. The request is fulfilled when it has as many
    completed references as it asked for."""
    _require_triage(actor)
    candidate = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("request__activity_type", "reference__customer", "reference__contact", "usage")
        .get(pk=candidate.pk)
    )
    request = candidate.request
    if to not in CANDIDATE_TRANSITIONS:
        raise ValidationError({"to": f"Unknown state {to!r}; valid: {', '.join(CandidateState.values)}."})
    if not candidate.can_transition_to(to):
        allowed = ", ".join(candidate.next_states) or "none"
        raise RuleViolation(
            CODE_INVALID_TRANSITION,
            f"A candidate that is {candidate.get_state_display().lower()} cannot move to {to} "
            f"(allowed: {allowed}).",
        )
    if to != CandidateState.WITHDRAWN:
        _require_open(request)
    if to == CandidateState.COMPLETED:
        # The approval may have expired or been revoked since the proposal.
        approvals.approval_require_for_activity(
            customer=candidate.reference.customer,
            activity_type=request.activity_type,
            reference=candidate.reference,
        )
    before = candidate.state
    usage_to = CANDIDATE_USAGE.get(to)
    if to == CandidateState.WITHDRAWN and before in NOT_YET_ASKED:
        usage_to = "withdrawn"
    if usage_to and candidate.usage is not None:
        candidate.usage = ledger.usage_transition(entry=candidate.usage, to=usage_to, actor=actor, note=note)
    candidate.state = to
    if to == CandidateState.SCHEDULED and scheduled_for:
        candidate.scheduled_for = scheduled_for
    candidate.save()
    CandidateEvent.objects.create(candidate=candidate, from_state=before, to_state=to, actor=actor, note=note)

    label = CandidateState(to).label.lower()
    customer = candidate.reference.customer
    if to in _NOTIFY_REQUESTER:
        _notify(
            [request.requester],
            key=f"candidate:{candidate.pk}:{to}:requester",
            subject=f"Request #{request.pk}: {customer.name} — {label}",
            body=note,
            link=_link(request),
        )
    if to in _NOTIFY_OWNER:
        _notify(
            [customer.account_owner],
            key=f"candidate:{candidate.pk}:{to}:owner",
            subject=f"Your customer {customer.name}: reference for {request.prospect_name} — {label}",
            body=note,
            link=_link(request),
        )
    if to == CandidateState.COMPLETED and request.is_open:
        done = request.candidates.filter(state=CandidateState.COMPLETED).count()
        if done >= request.references_needed:
            _set_status(request, RequestStatus.FULFILLED, actor=actor, note=f"{done} reference(s) completed.")
            _notify(
                [request.requester],
                key=f"request:{request.pk}:fulfilled",
                subject=f"Your request #{request.pk} is fulfilled",
                body="Please report the outcome of the deal and rate the reference experience.",
                link=_link(request),
            )
    return candidate


def _withdraw_open_candidates(request: Request, *, actor: User, note: str) -> None:
    for candidate in request.candidates.filter(state__in=OPEN_CANDIDATE_STATES).order_by("pk"):
        candidate_transition(candidate=candidate, to=CandidateState.WITHDRAWN, actor=actor, note=note)


def _withdraw_as_system(candidate: Candidate, *, note: str) -> None:
    candidate = Candidate.objects.select_for_update(of=("self",)).select_related("usage").get(pk=candidate.pk)
    before = candidate.state
    if before in NOT_YET_ASKED and candidate.usage is not None:
        ledger.usage_transition(entry=candidate.usage, to="withdrawn", actor=None, note=note)
    candidate.state = CandidateState.WITHDRAWN
    candidate.save(update_fields=["state", "updated_at"])
    CandidateEvent.objects.create(
        candidate=candidate, from_state=before, to_state=CandidateState.WITHDRAWN, note=note
    )


@transaction.atomic
def candidate_feedback_record(*, candidate: Candidate, actor: User, feedback: str) -> Candidate:
    """Record what the reference (the customer side) said about the experience."""
    _require_triage(actor)
    candidate.customer_feedback = (feedback or "").strip()
    candidate.save(update_fields=["customer_feedback", "updated_at"])
    return candidate
