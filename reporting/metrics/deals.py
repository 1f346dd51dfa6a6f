"""Deals with references against deals without: the win rate and the sales cycle of the CRM's
closed opportunities, like for like.

An opportunity is *with references* when a request linked to it was fulfilled. Opportunities are
compared within the same segment of prospect (industry, region and size band, as the CRM says):
a segment counts only when it has closed deals on both sides, so that a program whose references
all go to enterprise finance deals is not compared with every small deal of the quarter. The
deals of segments with one side only are left out and counted (``unmatched``).

Period: an opportunity counts in the period its close date falls in. The sales cycle is the days
from ``opened_on`` (the deal's creation in the CRM) to the close date, averaged over the deals
that have both dates. Segment filters: industry and region slice the opportunities (they have no
product line or activity type; those filters leave the comparison program-wide).
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, Sum

from requests_app.choices import RequestStatus
from requests_app.models import Opportunity, Request

from ..periods import Period
from .expressions import ratio
from .segments import PROGRAM, Segment


class DaysBetween(Func):
    """``end - start`` of two dates, in whole days (PostgreSQL's date subtraction)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()


def _side(closed: int = 0, won: int = 0, cycle_days: int = 0, cycled: int = 0) -> dict:
    return {"closed": closed, "won": won, "cycle_days": cycle_days, "cycled": cycled}


def _add(total: dict, part: dict) -> None:
    for key in total:
        total[key] += part[key]


def _figures(side: dict) -> dict:
    return {
        "closed": side["closed"],
        "won": side["won"],
        "lost": side["closed"] - side["won"],
        "win_rate": ratio(side["won"], side["closed"]),
        "average_cycle_days": (None if not side["cycled"] else round(side["cycle_days"] / side["cycled"], 1)),
    }


def with_vs_without(period: Period, segment: Segment = PROGRAM) -> dict:
    """``{"with": …, "without": …, "segments": [...], "unmatched"}``: for each side, closed deals,
    won, lost, the win rate (won / closed) and the average sales cycle in days, over the segments
    that have both sides; per segment the same figures. One grouped query."""
    referenced = Exists(
        Request.objects.filter(opportunity=OuterRef("pk"), status=RequestStatus.FULFILLED).order_by()
    )
    closed = Opportunity.objects.filter(
        is_closed=True, close_date__gte=period.start, close_date__lte=period.end
    )
    if segment.industry:
        closed = closed.filter(industry_id=segment.industry)
    if segment.region:
        closed = closed.filter(region_id=segment.region)
    has_cycle = Q(opened_on__isnull=False, opened_on__lte=F("close_date"))
    rows = (
        closed.annotate(referenced=referenced)
        .values("industry_id", "region_id", "size_band", "referenced")
        .annotate(
            closed=Count("pk"),
            won=Count("pk", filter=Q(is_won=True)),
            cycle_days=Sum(DaysBetween(F("close_date"), F("opened_on")), filter=has_cycle),
            cycled=Count("pk", filter=has_cycle),
        )
        .order_by()
    )
    by_segment: dict[tuple, dict[bool, dict]] = {}
    for row in rows:
        key = (row["industry_id"] or "", row["region_id"] or "", row["size_band"] or "")
        by_segment.setdefault(key, {})[bool(row["referenced"])] = _side(
            row["closed"], row["won"], row["cycle_days"] or 0, row["cycled"]
        )
    with_refs, without, unmatched, segments = _side(), _side(), 0, []
    for key in sorted(by_segment):
        sides = by_segment[key]
        if True not in sides or False not in sides:
            unmatched += sum(side["closed"] for side in sides.values())
            continue
        _add(with_refs, sides[True])
        _add(without, sides[False])
        industry, region, size_band = key
        segments.append(
            {
                "industry": industry,
                "region": region,
                "size_band": size_band,
                "with": _figures(sides[True]),
                "without": _figures(sides[False]),
            }
        )
    return {
        "with": _figures(with_refs),
        "without": _figures(without),
        "segments": segments,
        "unmatched": unmatched,
    }
