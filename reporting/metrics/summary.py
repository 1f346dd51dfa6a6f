"""Every figure of the dashboard at once (:func:`program_summary`), the monthly trends from the
nightly snapshots, what a snapshot stores, and the summary kept in the cache."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from ledger.models import OverusePolicy
from references.models import Nomination
from refprogram.cache import computed_once

from ..models import MetricSnapshot
from ..periods import Period
from .deals import with_vs_without
from .inventory import inventory_figures, inventory_stock, most_used, usage_by_period, usage_figures
from .pipeline import approval_figures, nomination_figures
from .requests import request_figures, revenue_figures, satisfaction_figures
from .segments import PROGRAM, Segment
from .supply import coverage, demand_heatmap, supply_demand

TREND_MONTHS = 12
TREND_FLOWS = ("received", "fulfilled", "unfulfilled", "cancelled", "over_asks", "overrides")
TREND_STOCKS = ("active", "resting", "stale", "near_cap", "at_cap", "approvals_pending")


def monthly_trends(until: dt.date, months: int = TREND_MONTHS) -> list[dict]:
    """Month by month from the nightly snapshots: the flows of the days in the month added up,
    the stock as the month's last snapshot saw it. One query over at most a year of snapshots."""
    first = (until.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    snapshots = MetricSnapshot.objects.filter(date__gte=first, date__lte=until + dt.timedelta(days=1))
    trend: dict[str, dict] = {}
    for day, figures in snapshots.order_by("date").values_list("date", "figures"):
        flow_day = dt.date.fromisoformat(figures.get("flows_for", day.isoformat()))
        if flow_day < first or flow_day > until:
            continue
        month = trend.setdefault(
            flow_day.strftime("%Y-%m"),
            {"month": flow_day.strftime("%Y-%m"), "days": 0, **dict.fromkeys(TREND_FLOWS, 0)},
        )
        month["days"] += 1
        for key in TREND_FLOWS:
            month[key] += int(figures.get(key) or 0)
        for key in TREND_STOCKS:
            month[key] = figures.get(key)
    return [trend[k] for k in sorted(trend)]


def bucket_size(period: Period) -> str:
    """Enough points for a trend: days for a period up to 31 days, weeks up to 26 weeks, else months."""
    if period.days <= 31:
        return "day"
    if period.days <= 182:
        return "week"
    return "month"


def _bucket_start(day: dt.date, size: str) -> dt.date:
    if size == "week":
        return day - dt.timedelta(days=day.weekday())
    if size == "month":
        return day.replace(day=1)
    return day


def period_series(period: Period, segment: Segment = PROGRAM, *, include_revenue: bool = True) -> dict:
    """The period's trend, bucket by bucket (:func:`bucket_size`): requests received and
    fulfilled, asks in the ledger and (for roles that may see it) influenced revenue. Grouped
    queries by day (the asks from ``DailyUsage`` when it is built), added up into buckets here."""
    from django.db.models import Count, Exists, OuterRef, Sum
    from django.db.models.functions import TruncDate

    from requests_app.choices import CandidateState, OutcomeResult, RequestStatus
    from requests_app.deals import deal_decided_in, deal_decided_on_sql, deal_result_sql, deal_revenue_sql
    from requests_app.models import Candidate, Request

    from .inventory import _usage_built_through
    from .segments import segmented

    size = bucket_size(period)
    start, end = period.bounds()
    buckets: dict[dt.date, dict] = {}
    day = period.start
    while day <= period.end:
        key = _bucket_start(day, size)
        buckets.setdefault(
            key,
            {
                "start": max(key, period.start).isoformat(),
                "received": 0,
                "fulfilled": 0,
                "asks": 0,
                "influenced_revenue": 0.0,
            },
        )
        day += dt.timedelta(days=1)

    def add(rows, figure):
        for day_, n in rows:
            if day_ is not None and period.start <= day_ <= period.end:
                buckets[_bucket_start(day_, size)][figure] += (
                    float(n or 0) if figure == "influenced_revenue" else n
                )

    requests = segmented(Request.objects.all(), segment)
    add(
        requests.filter(created_at__gte=start, created_at__lt=end)
        .annotate(d=TruncDate("created_at"))
        .values("d")
        .annotate(n=Count("pk"))
        .values_list("d", "n")
        .order_by(),
        "received",
    )
    add(
        requests.filter(status=RequestStatus.FULFILLED, closed_at__gte=start, closed_at__lt=end)
        .annotate(d=TruncDate("closed_at"))
        .values("d")
        .annotate(n=Count("pk"))
        .values_list("d", "n")
        .order_by(),
        "fulfilled",
    )
    policy = OverusePolicy.current()
    if _usage_built_through(policy) is not None:
        from ..models import DailyUsage

        filters = {"product_line": segment.product_line or ""}
        filters.update(
            {k: getattr(segment, k) for k in ("industry", "region", "activity_type") if getattr(segment, k)}
        )
        add(
            DailyUsage.objects.filter(date__gte=period.start, date__lte=period.end, **filters)
            .values("date")
            .annotate(n=Sum("asks"))
            .values_list("date", "n")
            .order_by(),
            "asks",
        )
    else:
        from ledger.choices import USAGE_COUNTING
        from ledger.models import UsageEntry

        add(
            segmented(UsageEntry.objects.all(), segment)
            .filter(status__in=USAGE_COUNTING, occurred_on__gte=period.start, occurred_on__lte=period.end)
            .values("occurred_on")
            .annotate(n=Count("pk"))
            .values_list("occurred_on", "n")
            .order_by(),
            "asks",
        )
    if include_revenue:
        # The deal's rule (requests_app.deals): a linked request's CRM close date and amount.
        used = Candidate.objects.filter(request=OuterRef("pk"), state=CandidateState.COMPLETED)
        add(
            requests.filter(Exists(used), deal_decided_in(period.start, period.end))
            .annotate(deal_result=deal_result_sql(), d=deal_decided_on_sql())
            .filter(deal_result=OutcomeResult.WON)
            .values("d")
            .annotate(n=Sum(deal_revenue_sql()))
            .values_list("d", "n")
            .order_by(),
            "influenced_revenue",
        )
    rows = [buckets[k] for k in sorted(buckets)]
    if not include_revenue:
        for row in rows:
            row.pop("influenced_revenue")
    return {"bucket": size, "points": rows}


def program_summary(
    period: Period,
    segment: Segment = PROGRAM,
    *,
    include_revenue: bool = True,
    include_trends: bool = True,
    today: dt.date | None = None,
) -> dict:
    """Every figure of the dashboard for the period, compared with the previous period of the
    same length. ``revenue`` is ``None`` for roles that may not see it.

    The ledger's figures of both periods are one computation, and so is the inventory today
    (shared by the inventory health, supply against demand, the heatmap and the coverage)."""
    today = today or timezone.localdate()
    policy = OverusePolicy.current()
    previous = period.previous()
    usage_now, usage_before = usage_by_period([period, previous], segment, policy)
    stock = inventory_stock(segment, today, policy)
    inventory = inventory_figures(period, segment, today, policy, stock=stock)
    inventory.update(
        over_asks=usage_now["over_asks"], overrides=usage_now["overrides"], asks=usage_now["asks"]
    )
    return {
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "days": period.days,
            "previous_from": previous.start.isoformat(),
            "previous_to": previous.end.isoformat(),
        },
        "segment": segment.as_dict(),
        "requests": {
            "current": request_figures(period, segment),
            "previous": request_figures(previous, segment),
        },
        "revenue": (
            {"current": revenue_figures(period, segment), "previous": revenue_figures(previous, segment)}
            if include_revenue
            else None
        ),
        # Win rate and sales cycle of closed CRM deals with references against without (revenue).
        "with_vs_without": with_vs_without(period, segment) if include_revenue else None,
        "supply_demand": supply_demand(period, segment, today, policy, stock=stock),
        "heatmap": demand_heatmap(period, segment, today, policy, stock=stock),
        "coverage": coverage(stock=stock),
        "inventory": {
            "current": inventory,
            "previous": {
                "asks": usage_before["asks"],
                "over_asks": usage_before["over_asks"],
                "overrides": usage_before["overrides"],
            },
        },
        "most_used": most_used(period, segment),
        "nominations": nomination_figures(period, segment),
        "approvals": approval_figures(period, segment, today),
        "satisfaction": {
            "current": satisfaction_figures(period, segment),
            "previous": satisfaction_figures(previous, segment),
        },
        "trends": monthly_trends(period.end) if include_trends else [],
        "series": period_series(period, segment, include_revenue=include_revenue),
    }


def snapshot_figures(day: dt.date) -> dict:
    """What the nightly snapshot of ``day`` stores: the flows of the day that just ended
    (``flows_for`` = the day before) and the stock as it stands."""
    policy = OverusePolicy.current()
    flows_day = day - dt.timedelta(days=1)
    one_day = Period(flows_day, flows_day)
    requests = request_figures(one_day)
    usage = usage_figures(one_day, policy=policy)
    inventory = inventory_figures(one_day, today=day, policy=policy)
    approvals = approval_figures(one_day, today=day)
    return {
        "flows_for": flows_day.isoformat(),
        **{k: requests[k] for k in ("received", "fulfilled", "unfulfilled", "cancelled")},
        "over_asks": usage["over_asks"],
        "overrides": usage["overrides"],
        **{k: inventory[k] for k in ("active", "resting", "stale", "near_cap", "at_cap")},
        "approvals_pending": approvals["pending"],
        "nominations_aging": Nomination.objects.aging().count(),
    }


def program_summary_cached(
    period: Period,
    segment: Segment = PROGRAM,
    *,
    include_revenue: bool = True,
    include_trends: bool = True,
) -> dict:
    """``program_summary`` kept for ``METRICS_CACHE_SECONDS`` (default two minutes) per period,
    segment and day. On a program of a million ledger rows a full computation takes seconds;
    executives reading the same period share one, at most a few minutes old.

    One entry serves every reader of the period: it holds the revenue and the trends, and each
    caller gets a copy without what it did not ask for (revenue is ``None`` for roles that may
    not see it), so the dashboard, its CSV exports and the API share a computation.

    When several requests miss the same entry at once, one computes it and the others wait for
    its result (single flight, see :func:`refprogram.cache.computed_once`), instead of all
    running the same seconds-long queries on the same few workers."""
    seconds = getattr(settings, "METRICS_CACHE_SECONDS", 0)
    if seconds <= 0:
        return program_summary(
            period, segment, include_revenue=include_revenue, include_trends=include_trends
        )
    key = summary_cache_key(period, segment)
    summary = cache.get(key)
    if summary is None:
        summary = computed_once(key, seconds, lambda: program_summary(period, segment))
    copy = {
        **summary,
        "revenue": summary["revenue"] if include_revenue else None,
        "trends": summary["trends"] if include_trends else [],
    }
    if "with_vs_without" in summary and not include_revenue:
        copy["with_vs_without"] = None
    if "series" in summary and not include_revenue:
        copy["series"] = _without_revenue(summary["series"])
    return copy


def _without_revenue(series: dict | None) -> dict | None:
    if series is None:
        return None
    points = [{k: v for k, v in point.items() if k != "influenced_revenue"} for point in series["points"]]
    return {**series, "points": points}


def program_summary_refresh(period: Period, segment: Segment = PROGRAM) -> None:
    """Compute a period's figures now and store them for ``METRICS_CACHE_SECONDS``, whatever is
    cached (the beat task ``metrics_warm`` keeps the dashboard's opening view this way)."""
    seconds = getattr(settings, "METRICS_CACHE_SECONDS", 0)
    if seconds > 0:
        cache.set(summary_cache_key(period, segment), program_summary(period, segment), seconds)


def summary_cache_key(period: Period, segment: Segment) -> str:
    """The cache key of a period's figures: its days, today (the inventory figures are today's)
    and the segment (hashed: product line names may hold spaces, which some caches refuse)."""
    slice_ = hashlib.sha256(json.dumps(segment.as_dict(), sort_keys=True).encode()).hexdigest()[:16]
    return f"metrics-summary:{period.start}:{period.end}:{timezone.localdate()}:{slice_}"
