"""Reads of requests that lower layers show without importing this app (handed in at start-up)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from .choices import OutcomeResult, RequestStatus
from .deals import deal_result_sql
from .models import CandidateFeedback, Request


def request_facts(request_ids: Iterable[int], viewer, reference_id: int | None = None) -> dict[int, dict]:
    """``{request id: {"prospect", "outcome", "feedback"}}`` of the requests ``viewer`` may see:
    the deal's result (the CRM's for a linked opportunity, ``deals``) when known, else the
    request's status, and what the requester and the
    reference ``reference_id`` said after the activity (a profile's usage history shows them).
    Two queries (one when no reference is named)."""
    statuses, outcomes = dict(RequestStatus.choices), dict(OutcomeResult.choices)
    rows = list(
        Request.objects.visible_to(viewer)
        .filter(pk__in=list(request_ids))
        .annotate(deal_result=deal_result_sql())
        .values_list("pk", "prospect_name", "status", "deal_result")
    )
    said: dict[int, list[str]] = {}
    if reference_id is not None and rows:
        for item in CandidateFeedback.objects.filter(
            candidate__reference_id=reference_id, candidate__request_id__in=[row[0] for row in rows]
        ).select_related("candidate"):
            said.setdefault(item.candidate.request_id, []).append(feedback_in_words(item))
    return {
        pk: {
            "prospect": prospect,
            "outcome": outcomes.get(outcome) or statuses.get(status, status),
            "feedback": "; ".join(said.get(pk, [])),
        }
        for pk, prospect, status, outcome in rows
    }


def feedback_in_words(item: CandidateFeedback) -> str:
    """One side's feedback as a line: "Requester: 4 of 5, “Clear and candid”",
    "Reference: 5 of 5, would do it again", "Requester: did not happen"."""
    side = item.get_side_display()
    if not item.happened:
        return _("%(side)s: did not happen") % {"side": side}
    parts = [_("%(rating)s of 5") % {"rating": item.rating}] if item.rating else []
    if item.would_do_again is not None:
        parts.append(_("would do it again") if item.would_do_again else _("would not do it again"))
    if item.comment:
        parts.append(f"“{item.comment.strip()}”")
    return _("%(side)s: %(feedback)s") % {"side": side, "feedback": ", ".join(parts) or _("happened")}
