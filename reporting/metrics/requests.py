"""Requests: received, fulfilled, unfulfilled and cancelled, times to fulfil, influenced
revenue and the requesters' satisfaction (see :mod:`reporting.metrics` for which period a
request counts in)."""

from __future__ import annotations

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual

from requests_app.choices import CandidateState, OutcomeResult, RequestStatus
from requests_app.deals import deal_decided_in, deal_result_sql, deal_revenue_sql
from requests_app.models import Candidate, CandidateFeedback, Request

from ..periods import Period
from .expressions import SECONDS_PER_DAY, PercentileCont, SecondsBetween, days, money, ratio
from .segments import PROGRAM, Segment, segmented


def request_figures(period: Period, segment: Segment = PROGRAM) -> dict:
    """Received, fulfilled, closed unfulfilled (by reason), cancelled, the fulfilment rate,
    the median and 90th percentile time to fulfil (days) and the share fulfilled on time
    (closed on or before the needed-by date)."""
    start, end = period.bounds()
    qs = segmented(Request.objects.all(), segment)
    closed_in = Q(closed_at__gte=start, closed_at__lt=end)
    fulfilled_in = closed_in & Q(status=RequestStatus.FULFILLED)
    row = qs.filter(Q(created_at__gte=start, created_at__lt=end) | closed_in).aggregate(
        received=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        fulfilled=Count("pk", filter=fulfilled_in),
        unfulfilled=Count("pk", filter=closed_in & Q(status=RequestStatus.UNFULFILLED)),
        cancelled=Count("pk", filter=closed_in & Q(status=RequestStatus.CANCELLED)),
        on_time=Count("pk", filter=fulfilled_in & Q(closed_at__lte=F("needed_by"))),
    )
    reasons = (
        qs.filter(closed_in, status=RequestStatus.UNFULFILLED)
        .values(reason=Coalesce("unmet_demand__reason", Value("unspecified")))
        .annotate(n=Count("pk"))
        .order_by("reason")
    )
    timing = fulfilment_times(period, segment)
    decided = row["fulfilled"] + row["unfulfilled"]
    return {
        "received": row["received"],
        "fulfilled": row["fulfilled"],
        "unfulfilled": row["unfulfilled"],
        "cancelled": row["cancelled"],
        "unfulfilled_by_reason": {r["reason"]: r["n"] for r in reasons},
        "fulfilment_rate": ratio(row["fulfilled"], decided),
        "median_days_to_fulfil": timing["median_days"],
        "p90_days_to_fulfil": timing["p90_days"],
        "fulfilled_on_time": row["on_time"],
        "on_time_share": ratio(row["on_time"], row["fulfilled"]),
        "by_activity_type": timing["by_activity_type"],
    }


def fulfilment_times(period: Period, segment: Segment = PROGRAM) -> dict:
    """Median and p90 days from received to fulfilled for the requests fulfilled in the period,
    overall and per activity type against its lead time (share fulfilled within it):
    ``percentile_cont`` computes them in the database (two grouped queries).
    """
    start, end = period.bounds()
    fulfilled = segmented(Request.objects.all(), segment).filter(
        status=RequestStatus.FULFILLED, closed_at__gte=start, closed_at__lt=end
    )
    secs = SecondsBetween(F("closed_at"), F("created_at"))
    within = LessThanOrEqual(secs, F("activity_type__lead_time_days") * SECONDS_PER_DAY)
    overall = fulfilled.aggregate(median=PercentileCont(secs, 0.5), p90=PercentileCont(secs, 0.9))
    grouped = list(
        fulfilled.values("activity_type_id", "activity_type__name", "activity_type__lead_time_days")
        .annotate(
            n=Count("pk"),
            within=Count("pk", filter=within),
            median=PercentileCont(secs, 0.5),
            p90=PercentileCont(secs, 0.9),
        )
        .order_by("activity_type__position", "activity_type_id")
    )
    return {
        "median_days": days(overall["median"]),
        "p90_days": days(overall["p90"]),
        "by_activity_type": [
            {
                "activity_type": g["activity_type_id"],
                "name": g["activity_type__name"],
                "lead_time_days": g["activity_type__lead_time_days"],
                "fulfilled": g["n"],
                "median_days": days(g["median"]),
                "p90_days": days(g["p90"]),
                "within_lead_time": g["within"],
                "within_lead_time_share": ratio(g["within"], g["n"]),
            }
            for g in grouped
        ],
    }


def revenue_figures(period: Period, segment: Segment = PROGRAM) -> dict:
    """Influenced revenue: the won amounts of requests that used a reference (at least one
    completed candidate), by the period the deal was decided in; the win rate of those
    referenced opportunities and their average deal size.

    The deal is :mod:`requests_app.deals`'s rule: a request linked to a CRM opportunity counts
    the CRM's closed-won or closed-lost, its amount, in the period of its close date; an unlinked
    one its reported outcome (the amount reported with it, or else the opportunity's amount typed
    on the request) in the period it was reported."""
    used = Candidate.objects.filter(request=OuterRef("pk"), state=CandidateState.COMPLETED)
    won = Q(deal_result=OutcomeResult.WON)
    row = (
        segmented(Request.objects.all(), segment)
        .filter(Exists(used), deal_decided_in(period.start, period.end))
        .annotate(deal_result=deal_result_sql(), deal_revenue=deal_revenue_sql())
        .aggregate(
            won=Count("pk", filter=won),
            lost=Count("pk", filter=Q(deal_result=OutcomeResult.LOST)),
            revenue=Sum("deal_revenue", filter=won),
        )
    )
    revenue = money(row["revenue"])
    return {
        "influenced_revenue": revenue,
        "won": row["won"],
        "lost": row["lost"],
        "win_rate": ratio(row["won"], row["won"] + row["lost"]),
        "average_deal_size": round(revenue / row["won"], 2) if row["won"] else None,
    }


def satisfaction_figures(period: Period, segment: Segment = PROGRAM) -> dict:
    """Requesters' ratings (1–5) of the reference experience, for requests closed in the period,
    and the feedback both sides gave after the activity in the period (two queries)."""
    start, end = period.bounds()
    row = (
        segmented(Request.objects.all(), segment)
        .filter(rating__isnull=False, closed_at__gte=start, closed_at__lt=end)
        .aggregate(
            count=Count("pk"),
            average=Avg("rating"),
            **{f"r{n}": Count("pk", filter=Q(rating=n)) for n in range(1, 6)},
        )
    )
    said = CandidateFeedback.objects.filter(
        created_at__gte=start,
        created_at__lt=end,
        candidate__request__in=segmented(Request.objects.all(), segment).values("pk"),
    ).aggregate(
        requester_count=Count("pk", filter=Q(side="requester", rating__isnull=False)),
        requester_average=Avg("rating", filter=Q(side="requester")),
        reference_count=Count("pk", filter=Q(side="reference", rating__isnull=False)),
        reference_average=Avg("rating", filter=Q(side="reference")),
        again=Count("pk", filter=Q(side="reference", would_do_again=True)),
        answered_again=Count("pk", filter=Q(side="reference", would_do_again__isnull=False)),
        missed=Count("pk", filter=Q(happened=False)),
    )

    def average(value):
        return None if value is None else round(float(value), 2)

    return {
        "count": row["count"],
        "average": average(row["average"]),
        "distribution": {str(n): row[f"r{n}"] for n in range(1, 6)},
        # What both sides said a day after the activity (feedback given in the period).
        "after_activity": {
            "requester_count": said["requester_count"],
            "requester_average": average(said["requester_average"]),
            "reference_count": said["reference_count"],
            "reference_average": average(said["reference_average"]),
            "would_do_again": ratio(said["again"], said["answered_again"]),
            "did_not_happen": said["missed"],
        },
    }
