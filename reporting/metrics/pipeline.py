"""The pipeline of future references (nominations) and the public-use approvals."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from approvals.choices import APPROVAL_OPEN_STATUSES, ApprovalStatus
from approvals.models import Approval
from references.choices import NominationStatus
from references.models import Nomination

from ..periods import Period
from .segments import PROGRAM, Segment, segmented

EXPIRING_WITHIN_DAYS = 30


def nomination_figures(period: Period, segment: Segment = PROGRAM, now=None) -> dict:
    """Nominations received in the period by source, and where each stands now (the funnel:
    submitted, vetting, accepted, rejected); aging = open nominations older than 7 days."""
    start, end = period.bounds()
    noms = segmented(Nomination.objects.all(), segment)
    grouped = (
        noms.filter(created_at__gte=start, created_at__lt=end)
        .values_list("source", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    statuses = list(NominationStatus.values)
    by_source: dict[str, dict] = {}
    funnel = dict.fromkeys(["total", *statuses], 0)
    for source, status, n in grouped:
        row = by_source.setdefault(source, {"source": source, "total": 0, **dict.fromkeys(statuses, 0)})
        row[status] += n
        row["total"] += n
        funnel[status] += n
        funnel["total"] += n
    return {
        "by_source": sorted(by_source.values(), key=lambda r: (-r["total"], r["source"])),
        "funnel": funnel,
        "aging": noms.aging(now).count(),
    }


def approval_figures(period: Period, segment: Segment = PROGRAM, today: dt.date | None = None) -> dict:
    """Approvals waiting for a decision now, valid ones ending within 30 days, and those the
    customer approved or declined in the period."""
    today = today or timezone.localdate()
    start, end = period.bounds()
    return segmented(Approval.objects.all(), segment).aggregate(
        pending=Count("pk", filter=Q(status__in=APPROVAL_OPEN_STATUSES)),
        expiring_30_days=Count(
            "pk",
            filter=Q(
                status=ApprovalStatus.APPROVED,
                expires_on__gte=today,
                expires_on__lte=today + dt.timedelta(days=EXPIRING_WITHIN_DAYS),
            ),
        ),
        declined=Count(
            "pk",
            filter=Q(status=ApprovalStatus.DECLINED, decided_at__gte=start, decided_at__lt=end),
        ),
        approved=Count(
            "pk",
            filter=Q(status=ApprovalStatus.APPROVED, decided_at__gte=start, decided_at__lt=end),
        ),
    )
