"""What a person's withdrawal of consent does to the asks (``references.services.consent_withdraw``
runs it at once, inside the same transaction): their open asks are withdrawn through
``candidate_move`` — the same state machine, ledger release and notices to the manager, the
requester and the account owner as the manager's own "withdraw" button."""

from __future__ import annotations

from approvals.services.public_use import person_scopes_for_activity
from references.choices import ConsentScope

from .choices import OPEN_CANDIDATE_STATES, CandidateState
from .models import Candidate
from .services.candidates import candidate_move


def asks_follow_withdrawal(withdrawal) -> dict[str, int]:
    """Withdraw the person's open asks: all of them when they left the program, else those whose
    activity needs a consent they withdrew (a quote, speaking at an event…)."""
    open_asks = (
        Candidate.objects.filter(reference__contact=withdrawal.contact, state__in=OPEN_CANDIDATE_STATES)
        .select_related("request__activity_type")
        .order_by("pk")
    )
    withdrawn_scopes = set(withdrawal.scopes)
    labels = dict(ConsentScope.choices)
    if withdrawal.left_program:
        note = f"{withdrawal.contact.name} left the reference program: this ask is withdrawn."
    else:
        what = ", ".join(labels[s].lower() for s in withdrawal.scopes)
        note = f"{withdrawal.contact.name} withdrew their consent ({what}): this ask is withdrawn."
    moved = 0
    for candidate in open_asks:
        needs = set(person_scopes_for_activity(candidate.request.activity_type))
        if not withdrawal.left_program and not needs.intersection(withdrawn_scopes):
            continue
        candidate_move(
            candidate=candidate,
            to=CandidateState.WITHDRAWN,
            actor=None,
            note=note,
            answered_by="the reference withdrew consent",
            now=withdrawal.at,
        )
        moved += 1
    return {"asks_withdrawn": moved}
