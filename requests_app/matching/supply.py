"""Is supply short for a request, and what else could help (nearest misses, alternatives)."""

from __future__ import annotations

from datetime import date

from django.db.models import (
    Count,
)
from django.utils import timezone

from ledger.models import OverusePolicy
from references.choices import ProfileStatus
from references.models import (
    ActivityType,
    ReferenceProfile,
)

from ..choices import UnmetReason
from .ranking import any_can_be_proposed, matches_for_request, nearest_misses
from .scoring import MatchSpec, criterion_q

# Alternatives to a one-to-one activity when supply is short.
ALTERNATIVE_TYPES = ("event_meeting", "case_study", "video", "quote")


def alternatives(request) -> list[dict]:
    """Other ways to get the prospect a customer voice: an event meeting, or public content
    (case study, video, quote) from customers that meet the must-haves."""
    spec = MatchSpec.for_request(request)
    fitting = ReferenceProfile.objects.filter(status__in=(ProfileStatus.ACTIVE, ProfileStatus.RESTING))
    for c in spec.must:
        fitting = fitting.filter(criterion_q(c))
    through = ReferenceProfile.activity_types.through
    counts = dict(
        through.objects.filter(
            activitytype_id__in=ALTERNATIVE_TYPES, referenceprofile__in=fitting.values("pk")
        )
        .exclude(activitytype_id=request.activity_type_id)
        .values("activitytype_id")
        .annotate(n=Count("referenceprofile__customer_id", distinct=True))
        .values_list("activitytype_id", "n")
    )
    names = dict(ActivityType.objects.filter(code__in=counts).values_list("code", "name"))
    result = []
    for code in ALTERNATIVE_TYPES:
        if not counts.get(code):
            continue
        n = counts[code]
        if code == "event_meeting":
            note = f"{n} matching customer(s) would meet the prospect at an event."
        else:
            note = (
                f"{n} matching customer(s) do {names[code].lower()}s. "
                "Public use needs the customer's valid approval for it (see Approvals)."
            )
        result.append({"activity_type": code, "name": names[code], "customers": n, "note": note})
    return result


def _not_short() -> dict:
    return {"short": False, "reason": "", "message": "", "nearest_misses": [], "alternatives": []}


def supply_for_request(
    request, *, today: date | None = None, policy=None, matches: list[dict] | None = None
) -> dict:
    """Is supply short for this request? ``{"short", "reason", "message", "nearest_misses",
    "alternatives"}``. Short means no reference meets the must-haves, or none that does can be
    proposed now."""
    today = today or timezone.localdate()
    policy = policy or OverusePolicy.current()
    if matches is None:
        if any_can_be_proposed(request, policy=policy, today=today):
            return _not_short()
        matches = matches_for_request(request, today=today, policy=policy)
    if matches and any(m["available"] for m in matches):
        return _not_short()
    if not matches:
        reason = UnmetReason.NO_MATCH
        message = "No reference meets every must-have for this request."
    else:
        reason = UnmetReason.ALL_UNAVAILABLE
        message = (
            f"{len(matches)} reference(s) meet the must-haves, but every one is resting, stale or at its cap "
            "and cannot be proposed now."
        )
    return {
        "short": True,
        "reason": str(reason),
        "message": message,
        "nearest_misses": nearest_misses(request, today=today, policy=policy),
        "alternatives": alternatives(request),
    }
