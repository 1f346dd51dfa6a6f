"""The manager's operational view: what needs doing today, not figures of a period."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from ledger import capacity
from ledger.models import OverusePolicy
from references.models import Nomination, ReferenceProfile
from requests_app.choices import DUE_SOON_HOURS
from requests_app.models import Request

OPERATIONS_LIMIT = 50


def operations(now=None, today: dt.date | None = None, limit: int = OPERATIONS_LIMIT) -> dict:
    """What needs the manager today: open requests due within 72 hours and overdue ones, aging
    nominations, references to re-validate (stale, in the catalog), references at or near cap."""
    now = now or timezone.now()
    today = today or timezone.localdate()
    policy = OverusePolicy.current()
    open_requests = Request.objects.open().select_related("activity_type", "requester", "assignee")
    overdue = open_requests.filter(needed_by__lte=now).order_by("needed_by", "id")
    due_soon = open_requests.filter(
        needed_by__gt=now, needed_by__lte=now + dt.timedelta(hours=DUE_SOON_HOURS)
    ).order_by("needed_by", "id")
    aging = (
        Nomination.objects.aging(now).select_related("customer", "nominated_by").order_by("created_at", "id")
    )
    stale = (
        ReferenceProfile.objects.in_catalog()
        .stale(today, policy)
        .select_related("customer", "contact", "customer__account_owner")
        .order_by("last_validated", "id")
    )
    threshold = float(policy.near_cap_ratio) * policy.reference_cap
    capped = (
        ReferenceProfile.objects.in_catalog()
        .with_capacity(today, policy)
        .filter(Q(cap_used__gte=threshold) | capacity.at_cap_q(policy))  # near the cap, or at it
        .select_related("customer", "contact")
        .order_by("-cap_used", "id")
    )
    return {
        "overdue": list(overdue[:limit]),
        "due_soon": list(due_soon[:limit]),
        "aging_nominations": list(aging[:limit]),
        "stale": list(stale[:limit]),
        "capped": list(capped[:limit]),
        "policy": policy,
        "threshold": threshold,
    }
