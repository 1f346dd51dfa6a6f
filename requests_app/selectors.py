"""Reads of requests that lower layers show without importing this app (handed in at start-up)."""

from __future__ import annotations

from collections.abc import Iterable

from .choices import OutcomeResult, RequestStatus
from .models import Request


def request_facts(request_ids: Iterable[int], viewer) -> dict[int, dict]:
    """``{request id: {"prospect", "outcome"}}`` of the requests ``viewer`` may see: the deal's
    outcome when reported, else the request's status (a profile's usage history shows them)."""
    statuses, outcomes = dict(RequestStatus.choices), dict(OutcomeResult.choices)
    rows = (
        Request.objects.visible_to(viewer)
        .filter(pk__in=list(request_ids))
        .values_list("pk", "prospect_name", "status", "outcome_result")
    )
    return {
        pk: {"prospect": prospect, "outcome": outcomes.get(outcome) or statuses.get(status, status)}
        for pk, prospect, status, outcome in rows
    }
