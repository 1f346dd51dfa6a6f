"""Supply against demand: what was asked for in a period against the references that can be
asked today, per dimension (industry, product line, region, activity type), per industry ×
region (the heatmap) and against the program's strategic targets (the coverage)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, F, QuerySet

from references.models import Industry, ReferenceProfile, Region
from requests_app.models import Request, UnmetDemand

from ..models import StrategicTarget, TargetDimension
from ..periods import Period
from .expressions import ratio
from .inventory import inventory_stock
from .segments import PROGRAM, Segment, segmented
from .statements import InventoryStock


def supply_demand(
    period: Period,
    segment: Segment = PROGRAM,
    today: dt.date | None = None,
    policy=None,
    *,
    stock: InventoryStock | None = None,
) -> list[dict]:
    """Per industry, product line, region and activity type: requests received in the period,
    references available today, unmet demand recorded in the period, and the shortfall
    (requests minus available references). Ranked where recruiting is most needed: most unmet
    demand first, then the largest shortfall, then the most requests.

    The available references come from ``stock`` (the inventory counted once, see
    :func:`inventory_stock`; counted here when not given)."""
    if stock is None:
        stock = inventory_stock(segment, today, policy)
    start, end = period.bounds()
    received = segmented(Request.objects.all(), segment).filter(created_at__gte=start, created_at__lt=end)
    unmet = segmented(UnmetDemand.objects.all(), segment).filter(created_at__gte=start, created_at__lt=end)
    product_through = Request.products.through.objects.filter(request__in=received.values("pk"))
    supply = _available_by_dimension(stock)
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
        row["short_by"] = max(0, row["shortfall"])
        row["requests_per_reference"] = ratio(row["requests"], row["available"])
    rows.sort(key=lambda r: (-r["unmet"], -r["shortfall"], -r["requests"], r["dimension"], str(r["value"])))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def _available_by_dimension(stock: InventoryStock) -> dict[str, list[dict]]:
    """References available today per dimension (``v``, ``label``, ``n`` rows), read from the
    counted inventory."""
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
    segment: Segment = PROGRAM,
    today=None,
    policy=None,
    *,
    stock: InventoryStock | None = None,
) -> dict:
    """Industry × region: requests received in the period against references available today.
    Cells with more requests than references are where to recruit. The available references
    come from ``stock`` as in :func:`supply_demand`."""
    if stock is None:
        stock = inventory_stock(segment, today, policy)
    start, end = period.bounds()
    demand = (
        segmented(Request.objects.all(), segment)
        .filter(created_at__gte=start, created_at__lt=end)
        .exclude(prospect_industry=None)
        .exclude(prospect_region=None)
        .values_list("prospect_industry_id", "prospect_region_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    supply = [(*cell, n["available"]) for cell, n in stock.cells.items() if n["available"]]
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


def coverage(targets=None, *, stock: InventoryStock | None = None) -> list[dict]:
    """Each strategic target against the share of the catalog (active and resting references)
    that holds it. Product-line shares can add up to more than 100 %: a reference who runs
    products of two lines counts for both. The catalog per industry and region is read from
    ``stock`` when it was counted program-wide (else it is counted here)."""
    targets = list(StrategicTarget.objects.all() if targets is None else targets)
    if not targets:
        return []
    if stock is None or not stock.program_wide:
        stock = inventory_stock()
    cells = [(industry, region, cell["in_catalog"]) for (industry, region), cell in stock.cells.items()]
    total = sum(n for _, _, n in cells)
    actual: dict[str, dict[str, int]] = {"industry": defaultdict(int), "region": defaultdict(int)}
    for industry, region, n in cells:
        actual["industry"][industry] += n
        actual["region"][region] += n
    if TargetDimension.PRODUCT_LINE in {t.dimension for t in targets}:
        actual["product_line"] = dict(
            ReferenceProfile.products.through.objects.filter(
                referenceprofile__in=ReferenceProfile.objects.in_catalog().values("pk")
            )
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
