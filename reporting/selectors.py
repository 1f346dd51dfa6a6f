"""Program metrics, read from the other apps' tables with aggregate queries.

Every function here is a read: one aggregate (or grouped) query per family of figures, never a
loop over requests, references or ledger rows in Python. The dashboard, the CSV exports, the
summary API and the nightly snapshot all take their numbers from :func:`program_summary`, so they
always agree.

At scale (a million ledger rows) two families dominate: the ledger's asks and over-asks of the
period and the one before, and the inventory as it stands today, which the inventory health,
supply against demand, the heatmap and the coverage all count. On PostgreSQL each is one
statement (:mod:`reporting.postgres`); the portable queries below stay as the definition, are
what SQLite runs, and are checked against the statements in the tests.

Which period a request counts in
    A request counts as *received* in the period it was created, and as *fulfilled*,
    *closed unfulfilled* or *cancelled* in the period it was closed (``closed_at``). A request
    created in March and fulfilled in April is received in March and fulfilled in April; its
    time to fulfil (created → closed) is reported with April's fulfilled requests. Ratings count
    in the period the request was closed (requests carry no rating date); outcomes (won, lost)
    in the period the outcome was reported.

Rates
    ``fulfilment_rate`` = fulfilled / (fulfilled + closed unfulfilled) closed in the period;
    cancelled requests are left out (the requester withdrew the need). ``win_rate`` = won /
    (won + lost). Any rate, median or average with nothing to divide by is ``None`` (shown
    as "—"), never a division by zero.

Supply
    Available references are those that can be asked *today* (active, fresh, outside a rest
    period), whatever the period: supply is the inventory the program holds now. Coverage
    against strategic targets uses the catalog (active and resting references).

Segments
    ``Segment`` filters (industry, region, product_line, activity_type) apply to requests (the
    prospect's industry and region, a product of interest in the line), unmet demand, the
    inventory (the customer's industry and region, a product in the line, willing to do the
    activity type), the usage ledger, nominations (industry, region, product line) and
    approvals (industry, region). Coverage against targets is always program-wide.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import math
import time
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DecimalField,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from references.approval_choices import APPROVAL_OPEN_STATUSES, ApprovalStatus
from references.approval_models import Approval
from references.choices import USAGE_COUNTING, NominationStatus, ProfileStatus, RestingReason
from references.models import (
    Industry,
    Nomination,
    OverusePolicy,
    ProfileEvent,
    ReferenceProfile,
    Region,
    UsageEntry,
    counting_usage,
    stale_condition,
)
from requests_app.choices import DUE_SOON_HOURS, CandidateState, OutcomeResult, RequestStatus
from requests_app.models import Candidate, Request, UnmetDemand

from . import postgres
from .models import MetricSnapshot, StrategicTarget, TargetDimension
from .periods import Period
from .postgres import InventoryStock

EXPIRING_WITHIN_DAYS = 30
MOST_USED_LIMIT = 10
OPERATIONS_LIMIT = 50
TREND_MONTHS = 12
SECONDS_PER_DAY = 86400.0
SEGMENT_DIMENSIONS = ("industry", "product_line", "region", "activity_type")
# From this many days of asks in all, PostgreSQL finds over-asks with window sums over the
# ledger rather than by summing each ask's window (see usage_by_period). On a million ledger
# rows the two cost the same for two periods of 30 days; shorter spans favour the per-ask sums.
WINDOWED_FROM_DAYS = 60


@dataclass(frozen=True)
class Segment:
    """An optional slice of the program: one industry, region, product line or activity type."""

    industry: str | None = None
    region: str | None = None
    product_line: str | None = None
    activity_type: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)

    def __bool__(self) -> bool:
        return any(self.as_dict().values())


# --- Expressions that work on PostgreSQL and SQLite ----------------------------------------


class SecondsBetween(Func):
    """``end - start`` in seconds, as a float."""

    output_field = FloatField()

    def __init__(self, end, start):
        super().__init__(end, start)

    def as_sql(self, compiler, connection, **extra):
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return f"((julianday({end}) - julianday({start})) * 86400.0)", [*end_params, *start_params]

    def as_postgresql(self, compiler, connection, **extra):
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return f"EXTRACT(EPOCH FROM ({end} - {start}))::double precision", [*end_params, *start_params]


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(f) WITHIN GROUP (ORDER BY x)``: the interpolated percentile."""

    function = "percentile_cont"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        self.fraction = float(fraction)
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra):
        expr, params = compiler.compile(self.source_expressions[0])
        return f"percentile_cont({self.fraction!r}) WITHIN GROUP (ORDER BY {expr})", params


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """The same interpolation as ``percentile_cont`` (used where the database has none)."""
    if not sorted_values:
        return None
    pos = fraction * (len(sorted_values) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _ratio(part, whole) -> float | None:
    return None if not whole else round(float(part) / float(whole), 4)


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / SECONDS_PER_DAY, 2)


def _money(amount) -> float:
    return round(float(amount or 0), 2)


def _on_postgresql() -> bool:
    """Whether the heaviest figures can use the single statements of :mod:`reporting.postgres`."""
    return connection.vendor == "postgresql"


# --- Segment filters -------------------------------------------------------------------------


def _line_products(through, owner_field: str, line: str):
    return through.objects.filter(**{owner_field: OuterRef("pk"), "product__product_line": line})


def segment_requests(segment: Segment, qs=None):
    qs = Request.objects.all() if qs is None else qs
    if segment.industry:
        qs = qs.filter(prospect_industry_id=segment.industry)
    if segment.region:
        qs = qs.filter(prospect_region_id=segment.region)
    if segment.activity_type:
        qs = qs.filter(activity_type_id=segment.activity_type)
    if segment.product_line:
        qs = qs.filter(Exists(_line_products(Request.products.through, "request_id", segment.product_line)))
    return qs


def segment_unmet(segment: Segment, qs=None):
    qs = UnmetDemand.objects.all() if qs is None else qs
    if segment.industry:
        qs = qs.filter(industry_id=segment.industry)
    if segment.region:
        qs = qs.filter(region_id=segment.region)
    if segment.activity_type:
        qs = qs.filter(activity_type_id=segment.activity_type)
    if segment.product_line:
        qs = qs.filter(product__product_line=segment.product_line)
    return qs


def segment_profiles(segment: Segment, qs=None):
    qs = ReferenceProfile.objects.all() if qs is None else qs
    if segment.industry:
        qs = qs.filter(customer__industry_id=segment.industry)
    if segment.region:
        qs = qs.filter(customer__region_id=segment.region)
    if segment.activity_type:
        willing = ReferenceProfile.activity_types.through.objects.filter(
            referenceprofile_id=OuterRef("pk"), activitytype_id=segment.activity_type
        )
        qs = qs.filter(Exists(willing))
    if segment.product_line:
        qs = qs.filter(
            Exists(
                _line_products(ReferenceProfile.products.through, "referenceprofile_id", segment.product_line)
            )
        )
    return qs


def segment_usage(segment: Segment, qs=None):
    qs = UsageEntry.objects.all() if qs is None else qs
    if segment.industry:
        qs = qs.filter(customer__industry_id=segment.industry)
    if segment.region:
        qs = qs.filter(customer__region_id=segment.region)
    if segment.activity_type:
        qs = qs.filter(activity_type_id=segment.activity_type)
    if segment.product_line:
        in_line = ReferenceProfile.products.through.objects.filter(
            referenceprofile_id=OuterRef("reference_id"), product__product_line=segment.product_line
        )
        qs = qs.filter(Exists(in_line))
    return qs


def segment_nominations(segment: Segment, qs=None):
    qs = Nomination.objects.all() if qs is None else qs
    if segment.industry:
        qs = qs.filter(customer__industry_id=segment.industry)
    if segment.region:
        qs = qs.filter(customer__region_id=segment.region)
    if segment.product_line:
        qs = qs.filter(
            Exists(_line_products(Nomination.products.through, "nomination_id", segment.product_line))
        )
    return qs


def segment_approvals(segment: Segment, qs=None):
    qs = Approval.objects.all() if qs is None else qs
    if segment.industry:
        qs = qs.filter(customer__industry_id=segment.industry)
    if segment.region:
        qs = qs.filter(customer__region_id=segment.region)
    return qs


# --- Requests ---------------------------------------------------------------------------------


def request_figures(period: Period, segment: Segment = Segment()) -> dict:
    """Received, fulfilled, closed unfulfilled (by reason), cancelled, the fulfilment rate,
    the median and 90th percentile time to fulfil (days) and the share fulfilled on time
    (closed on or before the needed-by date)."""
    start, end = period.bounds()
    qs = segment_requests(segment)
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
        "fulfilment_rate": _ratio(row["fulfilled"], decided),
        "median_days_to_fulfil": timing["median_days"],
        "p90_days_to_fulfil": timing["p90_days"],
        "fulfilled_on_time": row["on_time"],
        "on_time_share": _ratio(row["on_time"], row["fulfilled"]),
        "by_activity_type": timing["by_activity_type"],
    }


def fulfilment_times(period: Period, segment: Segment = Segment()) -> dict:
    """Median and p90 days from received to fulfilled for the requests fulfilled in the period,
    overall and per activity type against its lead time (share fulfilled within it).

    On PostgreSQL ``percentile_cont`` computes them in the database (two grouped queries); SQLite
    has no percentile function, so there the durations come back in one query, sorted by the
    database, and are interpolated the same way.
    """
    start, end = period.bounds()
    fulfilled = segment_requests(segment).filter(
        status=RequestStatus.FULFILLED, closed_at__gte=start, closed_at__lt=end
    )
    secs = SecondsBetween(F("closed_at"), F("created_at"))
    within = LessThanOrEqual(secs, F("activity_type__lead_time_days") * SECONDS_PER_DAY)
    if connection.vendor == "postgresql":
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
    else:
        rows = list(
            fulfilled.annotate(s=secs)
            .order_by("s")
            .values_list(
                "activity_type_id",
                "activity_type__name",
                "activity_type__lead_time_days",
                "activity_type__position",
                "s",
            )
        )
        every = [r[4] for r in rows]
        overall = {"median": percentile(every, 0.5), "p90": percentile(every, 0.9)}
        per: dict[str, list] = defaultdict(list)
        meta: dict[str, tuple] = {}
        for code, name, lead, position, secs in rows:
            per[code].append(secs)
            meta[code] = (position, name, lead)
        grouped = []
        for code in sorted(per, key=lambda c: (meta[c][0], c)):
            values, (_, name, lead) = per[code], meta[code]
            grouped.append(
                {
                    "activity_type_id": code,
                    "activity_type__name": name,
                    "activity_type__lead_time_days": lead,
                    "n": len(values),
                    "within": sum(1 for v in values if v <= lead * SECONDS_PER_DAY),
                    "median": percentile(values, 0.5),
                    "p90": percentile(values, 0.9),
                }
            )
    return {
        "median_days": _days(overall["median"]),
        "p90_days": _days(overall["p90"]),
        "by_activity_type": [
            {
                "activity_type": g["activity_type_id"],
                "name": g["activity_type__name"],
                "lead_time_days": g["activity_type__lead_time_days"],
                "fulfilled": g["n"],
                "median_days": _days(g["median"]),
                "p90_days": _days(g["p90"]),
                "within_lead_time": g["within"],
                "within_lead_time_share": _ratio(g["within"], g["n"]),
            }
            for g in grouped
        ],
    }


def revenue_figures(period: Period, segment: Segment = Segment()) -> dict:
    """Influenced revenue: the won amounts of requests that used a reference (at least one
    completed candidate), by the period the outcome was reported in; the win rate of those
    referenced opportunities and their average deal size. A won amount is the amount reported
    with the outcome, or else the opportunity's amount."""
    start, end = period.bounds()
    used = Candidate.objects.filter(request=OuterRef("pk"), state=CandidateState.COMPLETED)
    won = Q(outcome_result=OutcomeResult.WON)
    amount = Coalesce(
        "outcome_amount", "opportunity_amount", Value(Decimal(0)), output_field=DecimalField(max_digits=16)
    )
    row = (
        segment_requests(segment)
        .filter(Exists(used), outcome_reported_at__gte=start, outcome_reported_at__lt=end)
        .aggregate(
            won=Count("pk", filter=won),
            lost=Count("pk", filter=Q(outcome_result=OutcomeResult.LOST)),
            revenue=Sum(amount, filter=won),
        )
    )
    revenue = _money(row["revenue"])
    return {
        "influenced_revenue": revenue,
        "won": row["won"],
        "lost": row["lost"],
        "win_rate": _ratio(row["won"], row["won"] + row["lost"]),
        "average_deal_size": round(revenue / row["won"], 2) if row["won"] else None,
    }


def satisfaction_figures(period: Period, segment: Segment = Segment()) -> dict:
    """Requesters' ratings (1–5) of the reference experience, for requests closed in the period."""
    start, end = period.bounds()
    row = (
        segment_requests(segment)
        .filter(rating__isnull=False, closed_at__gte=start, closed_at__lt=end)
        .aggregate(
            count=Count("pk"),
            average=Avg("rating"),
            **{f"r{n}": Count("pk", filter=Q(rating=n)) for n in range(1, 6)},
        )
    )
    return {
        "count": row["count"],
        "average": None if row["average"] is None else round(float(row["average"]), 2),
        "distribution": {str(n): row[f"r{n}"] for n in range(1, 6)},
    }


# --- Supply against demand --------------------------------------------------------------------


def supply_demand(
    period: Period,
    segment: Segment = Segment(),
    today: dt.date | None = None,
    policy=None,
    *,
    stock: InventoryStock | None = None,
    portable: bool = False,
) -> list[dict]:
    """Per industry, product line, region and activity type: requests received in the period,
    references available today, unmet demand recorded in the period, and the shortfall
    (requests minus available references). Ranked where recruiting is most needed: most unmet
    demand first, then the largest shortfall, then the most requests.

    The available references come from ``stock`` (the inventory counted once, see
    :func:`inventory_stock`) when given or when on PostgreSQL; ``portable`` forces the ORM
    queries SQLite runs (one grouped count per dimension)."""
    today = today or timezone.localdate()
    policy = policy or OverusePolicy.current()
    if stock is None and not portable:
        stock = inventory_stock(segment, today, policy)
    start, end = period.bounds()
    received = segment_requests(segment).filter(created_at__gte=start, created_at__lt=end)
    unmet = segment_unmet(segment).filter(created_at__gte=start, created_at__lt=end)
    product_through = Request.products.through.objects.filter(request__in=received.values("pk"))
    supply = (
        _available_by_dimension(stock) if stock is not None else _available_queries(segment, today, policy)
    )
    # (dimension, demand, supply, unmet): each a grouped count keyed by (value, label).
    sources = {
        "industry": (
            received.values(v=F("prospect_industry_id"), label=F("prospect_industry__name")).annotate(
                n=Count("pk")
            ),
            supply["industry"],
            unmet.values(v=F("industry_id"), label=F("industry__name")).annotate(n=Count("pk")),
        ),
        "product_line": (
            product_through.values(v=F("product__product_line"), label=F("product__product_line")).annotate(
                n=Count("request_id", distinct=True)
            ),
            supply["product_line"],
            unmet.values(v=F("product__product_line"), label=F("product__product_line")).annotate(
                n=Count("pk")
            ),
        ),
        "region": (
            received.values(v=F("prospect_region_id"), label=F("prospect_region__name")).annotate(
                n=Count("pk")
            ),
            supply["region"],
            unmet.values(v=F("region_id"), label=F("region__name")).annotate(n=Count("pk")),
        ),
        "activity_type": (
            received.values(v=F("activity_type_id"), label=F("activity_type__name")).annotate(n=Count("pk")),
            supply["activity_type"],
            unmet.values(v=F("activity_type_id"), label=F("activity_type__name")).annotate(n=Count("pk")),
        ),
    }
    rows = []
    for dimension, (demand_q, supply_q, unmet_q) in sources.items():
        cells: dict[str, dict] = {}
        for key, query in (("requests", demand_q), ("available", supply_q), ("unmet", unmet_q)):
            for r in query.order_by() if isinstance(query, QuerySet) else query:
                if r["v"] is None:
                    continue
                cell = cells.setdefault(
                    r["v"],
                    {
                        "dimension": dimension,
                        "value": r["v"],
                        "label": r["label"] or r["v"],
                        "requests": 0,
                        "available": 0,
                        "unmet": 0,
                    },
                )
                cell[key] = r["n"]
        rows.extend(cells.values())
    for row in rows:
        row["shortfall"] = row["requests"] - row["available"]
        row["requests_per_reference"] = _ratio(row["requests"], row["available"])
    rows.sort(key=lambda r: (-r["unmet"], -r["shortfall"], -r["requests"], r["dimension"], str(r["value"])))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def _available_queries(segment: Segment, today: dt.date, policy) -> dict:
    """References available today per dimension, one grouped query each (the portable way)."""
    available = segment_profiles(segment, ReferenceProfile.objects.available(today, policy))
    profile_products = ReferenceProfile.products.through.objects.filter(
        referenceprofile__in=available.values("pk")
    )
    profile_activities = ReferenceProfile.activity_types.through.objects.filter(
        referenceprofile__in=available.values("pk")
    )
    return {
        "industry": available.values(
            v=F("customer__industry_id"), label=F("customer__industry__name")
        ).annotate(n=Count("pk")),
        "product_line": profile_products.values(
            v=F("product__product_line"), label=F("product__product_line")
        ).annotate(n=Count("referenceprofile_id", distinct=True)),
        "region": available.values(v=F("customer__region_id"), label=F("customer__region__name")).annotate(
            n=Count("pk")
        ),
        "activity_type": profile_activities.values(
            v=F("activitytype_id"), label=F("activitytype__name")
        ).annotate(n=Count("referenceprofile_id", distinct=True)),
    }


def _available_by_dimension(stock: InventoryStock) -> dict[str, list[dict]]:
    """The same rows as :func:`_available_queries`, read from the counted inventory."""
    return {
        "industry": [
            {"v": code, "label": stock.industry_names.get(code), "n": n}
            for code, n in stock.by_industry("available").items()
        ],
        "product_line": [
            {"v": line, "label": line, "n": n} for line, n in stock.available_by_product_line.items()
        ],
        "region": [
            {"v": code, "label": stock.region_names.get(code), "n": n}
            for code, n in stock.by_region("available").items()
        ],
        "activity_type": [
            {"v": code, "label": name, "n": n} for code, (name, n) in stock.available_by_activity_type.items()
        ],
    }


def demand_heatmap(
    period: Period,
    segment: Segment = Segment(),
    today=None,
    policy=None,
    *,
    stock: InventoryStock | None = None,
    portable: bool = False,
) -> dict:
    """Industry × region: requests received in the period against references available today.
    Cells with more requests than references are where to recruit. The available references
    come from ``stock`` as in :func:`supply_demand`."""
    today = today or timezone.localdate()
    policy = policy or OverusePolicy.current()
    if stock is None and not portable:
        stock = inventory_stock(segment, today, policy)
    start, end = period.bounds()
    demand = (
        segment_requests(segment)
        .filter(created_at__gte=start, created_at__lt=end)
        .exclude(prospect_industry=None)
        .exclude(prospect_region=None)
        .values_list("prospect_industry_id", "prospect_region_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if stock is not None:
        supply = [(*cell, n["available"]) for cell, n in stock.cells.items() if n["available"]]
    else:
        supply = (
            segment_profiles(segment, ReferenceProfile.objects.available(today, policy))
            .values_list("customer__industry_id", "customer__region_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    cells: dict[tuple[str, str], dict] = defaultdict(lambda: {"requests": 0, "available": 0})
    for industry, region, n in demand:
        cells[(industry, region)]["requests"] = n
    for industry, region, n in supply:
        cells[(industry, region)]["available"] = n
    industries = dict(Industry.objects.filter(code__in={k[0] for k in cells}).values_list("code", "name"))
    regions = dict(Region.objects.filter(code__in={k[1] for k in cells}).values_list("code", "name"))
    industry_order = sorted(industries, key=lambda c: industries[c])
    region_order = sorted(regions, key=lambda c: regions[c])
    matrix = []
    for ind in industry_order:
        line = []
        for reg in region_order:
            cell = cells.get((ind, reg), {"requests": 0, "available": 0})
            gap = cell["requests"] - cell["available"]
            line.append({**cell, "gap": gap, "heat": max(0, min(4, gap))})
        matrix.append({"industry": ind, "label": industries[ind], "cells": line})
    return {"regions": [{"region": r, "label": regions[r]} for r in region_order], "rows": matrix}


# --- Coverage against strategic targets ---------------------------------------------------------


def coverage(targets=None, *, stock: InventoryStock | None = None) -> list[dict]:
    """Each strategic target against the share of the catalog (active and resting references)
    that holds it. Product-line shares can add up to more than 100 %: a reference who runs
    products of two lines counts for both. The catalog per industry and region is one grouped
    count (or read from ``stock`` when it was counted program-wide)."""
    targets = list(StrategicTarget.objects.all() if targets is None else targets)
    if not targets:
        return []
    catalog = ReferenceProfile.objects.in_catalog()
    if stock is not None and stock.program_wide:
        cells = [(industry, region, cell["in_catalog"]) for (industry, region), cell in stock.cells.items()]
    else:
        cells = list(
            catalog.values_list("customer__industry_id", "customer__region_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    total = sum(n for _, _, n in cells)
    actual: dict[str, dict[str, int]] = {"industry": defaultdict(int), "region": defaultdict(int)}
    for industry, region, n in cells:
        actual["industry"][industry] += n
        actual["region"][region] += n
    if TargetDimension.PRODUCT_LINE in {t.dimension for t in targets}:
        actual["product_line"] = dict(
            ReferenceProfile.products.through.objects.filter(referenceprofile__in=catalog.values("pk"))
            .values_list("product__product_line")
            .annotate(n=Count("referenceprofile_id", distinct=True))
            .order_by()
        )
    rows = []
    for t in targets:
        held = actual.get(t.dimension, {}).get(t.value, 0)
        share = None if not total else round(100.0 * held / total, 1)
        rows.append(
            {
                "id": t.pk,
                "dimension": t.dimension,
                "value": t.value,
                "target_share": float(t.target_share),
                "references": held,
                "actual_share": share,
                "gap": None if share is None else round(share - float(t.target_share), 1),
            }
        )
    return rows


# --- Inventory health ---------------------------------------------------------------------------


def over_ask_condition(policy: OverusePolicy):
    """Annotations for a ledger row: the reference's and the customer's counted points in the
    window ending on its day, itself included (same-day rows in id order). Above the cap
    without an override, the row is an over-ask: the promise to the customer was broken."""
    window = dt.timedelta(days=policy.window_days)

    def window_sum(field: str):
        return Subquery(
            UsageEntry.objects.filter(
                **{field: OuterRef(field)},
                status__in=USAGE_COUNTING,
                occurred_on__lte=OuterRef("occurred_on"),
                occurred_on__gt=OuterRef("occurred_on") - window,
            )
            .filter(Q(occurred_on__lt=OuterRef("occurred_on")) | Q(pk__lte=OuterRef("pk")))
            .order_by()
            .values(field)
            .annotate(s=Sum("points"))
            .values("s")[:1]
        )

    return window_sum("reference"), window_sum("customer")


def usage_figures(
    period: Period, segment: Segment = Segment(), policy=None, *, portable: bool = False
) -> dict:
    """Asks recorded in the period, overrides among them, and over-asks (asks that took a
    reference or customer above its cap without an override; must be zero)."""
    return usage_by_period([period], segment, policy, portable=portable)[0]


def usage_by_period(
    periods: list[Period], segment: Segment = Segment(), policy=None, *, portable: bool = False
) -> list[dict]:
    """:func:`usage_figures` for several periods (the dashboard's and the one before it).

    The portable query sums each ask's window twice (reference and customer), which is cheap
    for a few thousand asks and slow for a program's hundreds of thousands. So on PostgreSQL,
    the whole program's asks over at least ``WINDOWED_FROM_DAYS`` days in all are counted in
    one statement with window sums (:func:`reporting.postgres.usage_by_period`). A segment's
    asks are few (and the nightly snapshot's day is short): they keep the per-ask sums, which
    then cost less than reading the whole ledger. ``portable`` forces the portable query."""
    policy = policy or OverusePolicy.current()
    days = sum(period.days for period in periods)
    if not portable and not segment and _on_postgresql() and days >= WINDOWED_FROM_DAYS:
        return postgres.usage_by_period(periods, policy)
    return [_usage_figures_portable(period, segment, policy) for period in periods]


def _usage_figures_portable(period: Period, segment: Segment, policy: OverusePolicy) -> dict:
    ref_sum, cust_sum = over_ask_condition(policy)
    return (
        segment_usage(segment)
        .filter(status__in=USAGE_COUNTING, occurred_on__gte=period.start, occurred_on__lte=period.end)
        .annotate(ref_points=ref_sum, cust_points=cust_sum)
        .aggregate(
            asks=Count("pk"),
            overrides=Count("pk", filter=Q(override=True)),
            over_asks=Count(
                "pk",
                filter=Q(override=False)
                & (Q(ref_points__gt=policy.reference_cap) | Q(cust_points__gt=policy.customer_cap)),
            ),
        )
    )


def inventory_stock(
    segment: Segment = Segment(), today: dt.date | None = None, policy=None
) -> InventoryStock | None:
    """The inventory today counted once for the inventory health, supply against demand, the
    heatmap and (program-wide) the coverage: one statement on PostgreSQL
    (:func:`reporting.postgres.inventory_stock`); ``None`` elsewhere, where each figure keeps
    its own portable query."""
    if not _on_postgresql():
        return None
    today = today or timezone.localdate()
    policy = policy or OverusePolicy.current()
    return postgres.inventory_stock(
        today, policy, segment_profiles(segment).values("pk") if segment else None
    )


def inventory_figures(
    period: Period,
    segment: Segment = Segment(),
    today: dt.date | None = None,
    policy=None,
    *,
    stock: InventoryStock | None = None,
    portable: bool = False,
) -> dict:
    """The inventory today (active, resting and why, near or at cap, stale) and its movement in
    the period (references activated and retired). The inventory comes from ``stock`` as in
    :func:`supply_demand`."""
    today = today or timezone.localdate()
    policy = policy or OverusePolicy.current()
    if stock is None and not portable:
        stock = inventory_stock(segment, today, policy)
    profiles = segment_profiles(segment)
    if stock is not None:
        now = {
            figure: stock.total(figure)
            for figure in ("active", "resting", "resting_at_cap", "stale", "near_cap", "at_cap")
        }
    else:
        now = _inventory_now_portable(profiles, today, policy)
    start, end = period.bounds()
    moves = ProfileEvent.objects.filter(
        profile__in=profiles.values("pk"), created_at__gte=start, created_at__lt=end
    ).aggregate(
        activated=Count(
            "pk",
            filter=Q(to_status=ProfileStatus.ACTIVE)
            & Q(from_status__in=(ProfileStatus.NOMINATED, ProfileStatus.VETTING)),
        ),
        retired=Count("pk", filter=Q(to_status=ProfileStatus.RETIRED)),
    )
    return {
        **{k: now[k] for k in ("active", "resting", "resting_at_cap", "stale")},
        "in_catalog": now["active"] + now["resting"],
        "near_cap": now["near_cap"],
        "at_cap": now["at_cap"],
        "activated": moves["activated"],
        "retired": moves["retired"],
        "net_growth": moves["activated"] - moves["retired"],
    }


def _inventory_now_portable(profiles, today: dt.date, policy: OverusePolicy) -> dict:
    """The inventory today figure by figure (what SQLite runs)."""
    catalog_q = Q(status__in=(ProfileStatus.ACTIVE, ProfileStatus.RESTING))
    counts = profiles.aggregate(
        active=Count("pk", filter=Q(status=ProfileStatus.ACTIVE)),
        resting=Count("pk", filter=Q(status=ProfileStatus.RESTING)),
        resting_at_cap=Count("pk", filter=Q(status=ProfileStatus.RESTING, resting_reason=RestingReason.CAP)),
        stale=Count("pk", filter=catalog_q & stale_condition(policy.stale_cutoff(today))),
    )
    threshold = float(policy.near_cap_ratio) * policy.reference_cap
    points = (
        counting_usage(today, policy)
        .filter(reference__in=profiles.filter(catalog_q).values("pk"))
        .order_by()
        .values("reference")
        .annotate(s=Sum("points"))
    )
    counts["near_cap"] = points.filter(s__gte=threshold, s__lt=policy.reference_cap).count()
    counts["at_cap"] = profiles.filter(catalog_q).at_cap(today, policy).count()
    return counts


def most_used(period: Period, segment: Segment = Segment(), limit: int = MOST_USED_LIMIT) -> list[dict]:
    """The references asked most in the period, by counted points (asks declined count too).
    The asks are grouped by reference alone; names are looked up for the few that make the list
    (PostgreSQL evaluates them after the limit)."""
    profile = ReferenceProfile.objects.filter(pk=OuterRef("reference_id")).order_by()
    rows = (
        segment_usage(segment)
        .filter(status__in=USAGE_COUNTING, occurred_on__gte=period.start, occurred_on__lte=period.end)
        .values("reference_id")
        .annotate(asks=Count("pk"), points=Sum("points"))
        .order_by("-points", "-asks", "reference_id")
        .annotate(
            contact=Subquery(profile.values("contact__name")[:1]),
            customer=Subquery(profile.values("customer__name")[:1]),
        )[:limit]
    )
    return [
        {
            "reference": r["reference_id"],
            "contact": r["contact"],
            "customer": r["customer"],
            "asks": r["asks"],
            "points": r["points"],
        }
        for r in rows
    ]


# --- Pipeline and approvals --------------------------------------------------------------------


def nomination_figures(period: Period, segment: Segment = Segment(), now=None) -> dict:
    """Nominations received in the period by source, and where each stands now (the funnel:
    submitted, vetting, accepted, rejected); aging = open nominations older than 7 days."""
    start, end = period.bounds()
    noms = segment_nominations(segment)
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


def approval_figures(period: Period, segment: Segment = Segment(), today: dt.date | None = None) -> dict:
    """Approvals waiting for a decision now, valid ones ending within 30 days, and those the
    customer approved or declined in the period."""
    today = today or timezone.localdate()
    start, end = period.bounds()
    return segment_approvals(segment).aggregate(
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


# --- Trends -------------------------------------------------------------------------------------

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


# --- Everything at once ---------------------------------------------------------------------------


def program_summary(
    period: Period,
    segment: Segment = Segment(),
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


# --- The manager's operational view -----------------------------------------------------------------


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
        .filter(Q(cap_used__gte=threshold) | Q(customer_cap_used__gte=policy.customer_cap))
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


def program_summary_cached(
    period: Period,
    segment: Segment = Segment(),
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
    its result (single flight, see :func:`_computed_once`), instead of all running the same
    seconds-long queries on the same few workers."""
    from django.conf import settings
    from django.core.cache import cache

    seconds = getattr(settings, "METRICS_CACHE_SECONDS", 0)
    if seconds <= 0:
        return program_summary(
            period, segment, include_revenue=include_revenue, include_trends=include_trends
        )
    key = summary_cache_key(period, segment)
    summary = cache.get(key)
    if summary is None:
        summary = _computed_once(key, seconds, lambda: program_summary(period, segment))
    return {
        **summary,
        "revenue": summary["revenue"] if include_revenue else None,
        "trends": summary["trends"] if include_trends else [],
    }


def program_summary_refresh(period: Period, segment: Segment = Segment()) -> None:
    """Compute a period's figures now and store them for ``METRICS_CACHE_SECONDS``, whatever is
    cached (the beat task ``metrics_warm`` keeps the dashboard's opening view this way)."""
    from django.conf import settings
    from django.core.cache import cache

    seconds = getattr(settings, "METRICS_CACHE_SECONDS", 0)
    if seconds > 0:
        cache.set(summary_cache_key(period, segment), program_summary(period, segment), seconds)


def summary_cache_key(period: Period, segment: Segment) -> str:
    """The cache key of a period's figures: its days, today (the inventory figures are today's)
    and the segment (hashed: product line names may hold spaces, which some caches refuse)."""
    slice_ = hashlib.sha256(json.dumps(segment.as_dict(), sort_keys=True).encode()).hexdigest()[:16]
    return f"metrics-summary:{period.start}:{period.end}:{timezone.localdate()}:{slice_}"


# How long a computation may hold the right to compute an entry (then another may take it over),
# how long the others wait for its result, and how often they look.
SINGLE_FLIGHT_LOCK_SECONDS = 60
SINGLE_FLIGHT_WAIT_SECONDS = 8.0
SINGLE_FLIGHT_POLL_SECONDS = (0.05, 0.1, 0.2, 0.25)


def _computed_once(key: str, seconds: int, compute):
    """Compute a missing cache entry once for everyone who needs it at the same moment.

    The first caller takes a lock (``cache.add`` on ``<key>:computing``, which only one caller
    can win), computes, stores the entry and releases the lock. The others poll the cache for
    the entry while the lock is held, for up to ``METRICS_CACHE_WAIT_SECONDS`` (default 8 s);
    if the lock disappears without an entry (the computation failed) or the wait runs out, each
    computes for itself. When the cache is unreachable nobody can take the lock and nobody
    waits: every caller computes, as without a cache (the cache backend turns Redis errors into
    misses), so a cache outage slows the dashboard but never breaks it.
    """
    from django.conf import settings
    from django.core.cache import cache

    lock = f"{key}:computing"
    token = uuid.uuid4().hex
    if cache.add(lock, token, SINGLE_FLIGHT_LOCK_SECONDS):
        try:
            value = compute()
            cache.set(key, value, seconds)
            return value
        finally:
            if cache.get(lock) == token:  # not taken over after a computation longer than the lock
                cache.delete(lock)
    deadline = time.monotonic() + getattr(settings, "METRICS_CACHE_WAIT_SECONDS", SINGLE_FLIGHT_WAIT_SECONDS)
    pauses = itertools.chain(SINGLE_FLIGHT_POLL_SECONDS, itertools.repeat(SINGLE_FLIGHT_POLL_SECONDS[-1]))
    while cache.get(lock) is not None and (left := deadline - time.monotonic()) > 0:
        time.sleep(min(next(pauses), left))
        value = cache.get(key)
        if value is not None:
            return value
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value
