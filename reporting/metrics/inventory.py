"""The usage ledger's asks and over-asks and the inventory's health: what the references were
asked for in a period, which asks broke the promise to a customer, and the inventory as it
stands today."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from ledger.choices import USAGE_COUNTING
from ledger.models import OverusePolicy, UsageEntry
from references.choices import ProfileStatus
from references.models import ProfileEvent, ReferenceProfile

from ..models import AggregateState, DailyUsage, InventoryCube
from ..periods import Period
from . import statements
from .segments import PROGRAM, Segment, segmented
from .statements import InventoryStock

MOST_USED_LIMIT = 10


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


def usage_figures(period: Period, segment: Segment = PROGRAM, policy=None) -> dict:
    """Asks recorded in the period, overrides among them, and over-asks (asks that took a
    reference or customer above its cap without an override; must be zero)."""
    return usage_by_period([period], segment, policy)[0]


def usage_by_period(periods: list[Period], segment: Segment = PROGRAM, policy=None) -> list[dict]:
    """:func:`usage_figures` for several periods (the dashboard's and the one before it).

    The whole program's asks are counted in one statement with window sums
    (:func:`reporting.metrics.statements.usage_by_period`), which reads the ledger once. That
    statement knows no segments; a segment's asks are few, so each of them has its window summed
    (:func:`over_ask_condition`), which costs less than reading the whole ledger."""
    policy = policy or OverusePolicy.current()
    built = _usage_built_through(policy)
    if built is not None:
        return [_usage_from_days(period, segment, policy, built) for period in periods]
    return _usage_from_ledger(periods, segment, policy)


def _usage_from_ledger(periods: list[Period], segment: Segment, policy: OverusePolicy) -> list[dict]:
    if not segment:
        return statements.usage_by_period(periods, policy)
    return [_segment_usage(period, segment, policy) for period in periods]


def _usage_built_through(policy: OverusePolicy) -> dt.date | None:
    """The last day ``DailyUsage`` holds, when it was built under this policy's caps and window."""
    from ..services import policy_key

    state = AggregateState.objects.filter(name="daily_usage").values("built_through", "policy_key").first()
    if not state or state["policy_key"] != policy_key(policy):
        return None
    return state["built_through"]


def _usage_from_days(period: Period, segment: Segment, policy: OverusePolicy, built: dt.date) -> dict:
    """A period's asks added up from ``DailyUsage`` for the days it holds, and counted from the
    ledger for the days after them (none when the beat task has refreshed it today)."""
    filters = {"product_line": segment.product_line or ""}
    filters.update(
        {k: getattr(segment, k) for k in ("industry", "region", "activity_type") if getattr(segment, k)}
    )
    row = DailyUsage.objects.filter(
        date__gte=period.start, date__lte=min(period.end, built), **filters
    ).aggregate(asks=Sum("asks"), overrides=Sum("overrides"), over_asks=Sum("over_asks"))
    figures = {k: row[k] or 0 for k in ("asks", "overrides", "over_asks")}
    if period.end > built:
        rest = Period(max(period.start, built + dt.timedelta(days=1)), period.end)
        (live,) = _usage_from_ledger([rest], segment, policy)
        figures = {k: figures[k] + live[k] for k in figures}
    return figures


def _segment_usage(period: Period, segment: Segment, policy: OverusePolicy) -> dict:
    ref_sum, cust_sum = over_ask_condition(policy)
    return (
        segmented(UsageEntry.objects.all(), segment)
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


def inventory_stock(segment: Segment = PROGRAM, today: dt.date | None = None, policy=None) -> InventoryStock:
    """The inventory today counted once, in one statement
    (:func:`reporting.metrics.statements.inventory_stock`), for the inventory health, supply
    against demand, the heatmap and (program-wide) the coverage."""
    today = today or timezone.localdate()
    policy = policy or OverusePolicy.current()
    counted = _stock_from_cube(segment, today)
    if counted is not None:
        return counted
    profiles = segmented(ReferenceProfile.objects.all(), segment).values("pk") if segment else None
    return statements.inventory_stock(today, policy, profiles)


def _stock_from_cube(segment: Segment, today: dt.date) -> InventoryStock | None:
    """The inventory of ``segment`` summed from ``InventoryCube`` when it was counted today (the
    beat task recounts it every few minutes), else ``None``."""
    rows = list(
        InventoryCube.objects.filter(date=today)
        .filter(Q(product_line=segment.product_line or "") | Q(activity_type=segment.activity_type or ""))
        .filter(**{k: getattr(segment, k) for k in ("industry", "region") if getattr(segment, k)})
        .values_list(
            "industry",
            "region",
            "product_line",
            "activity_type",
            "industry_name",
            "region_name",
            "activity_name",
            *statements.STOCK_FIGURES,
        )
    )
    if not rows and not InventoryCube.objects.filter(date=today).exists():
        return None
    line, activity = segment.product_line or "", segment.activity_type or ""
    stock = InventoryStock(cells={}, program_wide=not segment)
    for industry, region, row_line, row_activity, industry_name, region_name, activity_name, *counts in rows:
        figures = dict(zip(statements.STOCK_FIGURES, counts, strict=True))
        if row_line == line and row_activity == activity:
            stock.cells[(industry, region)] = figures
            stock.industry_names[industry], stock.region_names[region] = industry_name, region_name
        elif row_activity == activity and row_line and not line and figures["available"]:
            by_line = stock.available_by_product_line
            by_line[row_line] = by_line.get(row_line, 0) + figures["available"]
        elif row_line == line and row_activity and not activity and figures["available"]:
            name, n = stock.available_by_activity_type.get(row_activity, (activity_name, 0))
            stock.available_by_activity_type[row_activity] = (name, n + figures["available"])
    # The cube holds one line and one activity type a row: within a product line's segment the
    # references available for the line are its own available ones (likewise an activity type).
    if line:
        stock.available_by_product_line = {line: stock.total("available")} if stock.cells else {}
    if activity:
        names = {row[3]: row[6] for row in rows if row[3] == activity}
        if stock.cells:
            stock.available_by_activity_type = {
                activity: (names.get(activity, activity), stock.total("available"))
            }
    return stock


def inventory_figures(
    period: Period,
    segment: Segment = PROGRAM,
    today: dt.date | None = None,
    policy=None,
    *,
    stock: InventoryStock | None = None,
) -> dict:
    """The inventory today (active, resting and why, near or at cap, stale) and its movement in
    the period (references activated and retired). The inventory today comes from ``stock``
    (counted by :func:`inventory_stock` when not given)."""
    if stock is None:
        stock = inventory_stock(segment, today, policy)
    now = {
        figure: stock.total(figure)
        for figure in ("active", "resting", "resting_at_cap", "stale", "near_cap", "at_cap")
    }
    start, end = period.bounds()
    profiles = segmented(ReferenceProfile.objects.all(), segment)
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


def most_used(period: Period, segment: Segment = PROGRAM, limit: int = MOST_USED_LIMIT) -> list[dict]:
    """The references asked most in the period, by counted points (asks declined count too).
    The asks are grouped by reference alone; names are looked up for the few that make the list
    (PostgreSQL evaluates them after the limit)."""
    profile = ReferenceProfile.objects.filter(pk=OuterRef("reference_id")).order_by()
    rows = (
        segmented(UsageEntry.objects.all(), segment)
        .filter(status__in=USAGE_COUNTING, occurred_on__gte=period.start, occurred_on__lte=period.end)
        .values("reference_id")
        .annotate(asks=Count("pk"), points=Sum("points"))
        .order_by("-points", "-asks", "reference_id")
        .annotate(
            contact=Subquery(profile.values("contact__name")[:1]),
            customer=Subquery(profile.values("customer__name")[:1]),
            customer_id=Subquery(profile.values("customer_id")[:1]),
        )[:limit]
    )
    return [
        {
            "reference": r["reference_id"],
            "contact": r["contact"],
            "customer": r["customer"],
            "customer_id": r["customer_id"],
            "asks": r["asks"],
            "points": r["points"],
        }
        for r in rows
    ]
