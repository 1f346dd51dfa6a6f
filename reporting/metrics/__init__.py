"""Program metrics, read from the other apps' tables with aggregate queries.

Every function here is a read: one aggregate (or grouped) query per family of figures, never a
loop over requests, references or ledger rows in Python. The dashboard, the CSV exports, the
summary API and the nightly snapshot all take their numbers from :func:`program_summary`, so they
always agree.

At scale (a million ledger rows) two families dominate: the ledger's asks and over-asks of the
period and the one before, and the inventory as it stands today, which the inventory health,
supply against demand, the heatmap and the coverage all count. Each is one statement
(:mod:`.statements`), checked in the tests against figures computed by hand.

The modules, by what they hold: :mod:`.segments` (the slices and their lookup paths),
:mod:`.requests` (requests, revenue, satisfaction), :mod:`.inventory` (the ledger's asks and
the inventory's health), :mod:`.supply` (supply against demand, heatmap, coverage),
:mod:`.pipeline` (nominations, approvals), :mod:`.summary` (everything at once, trends, the
cached summary). What needs doing today is :mod:`reporting.workqueue`, not a metric.

Which period a request counts in
    A request counts as *received* in the period it was created, and as *fulfilled*,
    *closed unfulfilled* or *cancelled* in the period it was closed (``closed_at``). A request
    created in March and fulfilled in April is received in March and fulfilled in April; its
    time to fulfil (created → closed) is reported with April's fulfilled requests. Ratings count
    in the period the request was closed (requests carry no rating date); outcomes (won, lost)
    in the period the deal was decided: a request linked to a CRM opportunity by the CRM's close
    date of a closed deal, an unlinked one by when its outcome was reported
    (:mod:`requests_app.deals`).

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

from .deals import with_vs_without
from .expressions import PercentileCont, SecondsBetween
from .inventory import (
    MOST_USED_LIMIT,
    inventory_figures,
    inventory_stock,
    most_used,
    over_ask_condition,
    usage_by_period,
    usage_figures,
)
from .pipeline import EXPIRING_WITHIN_DAYS, approval_figures, nomination_figures
from .requests import fulfilment_times, request_figures, revenue_figures, satisfaction_figures
from .segments import PROGRAM, SEGMENT_DIMENSIONS, SEGMENT_PATHS, Segment, segmented
from .statements import InventoryStock
from .summary import (
    TREND_MONTHS,
    monthly_trends,
    program_summary,
    program_summary_cached,
    program_summary_refresh,
    snapshot_figures,
    summary_cache_key,
)
from .supply import coverage, demand_heatmap, supply_demand

__all__ = [
    "EXPIRING_WITHIN_DAYS",
    "MOST_USED_LIMIT",
    "PROGRAM",
    "SEGMENT_DIMENSIONS",
    "SEGMENT_PATHS",
    "TREND_MONTHS",
    "InventoryStock",
    "PercentileCont",
    "SecondsBetween",
    "Segment",
    "approval_figures",
    "coverage",
    "demand_heatmap",
    "fulfilment_times",
    "inventory_figures",
    "inventory_stock",
    "monthly_trends",
    "most_used",
    "nomination_figures",
    "over_ask_condition",
    "program_summary",
    "program_summary_cached",
    "program_summary_refresh",
    "request_figures",
    "revenue_figures",
    "satisfaction_figures",
    "segmented",
    "snapshot_figures",
    "summary_cache_key",
    "supply_demand",
    "usage_by_period",
    "usage_figures",
    "with_vs_without",
]
