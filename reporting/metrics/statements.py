"""The heaviest program metrics as single PostgreSQL statements.

On a program of a hundred thousand references and a million ledger rows, ORM queries would
re-read the ledger twice per ask (two correlated sums per ask to find the over-asks) and the
inventory once per figure (every "available" count repeating the same scan of the profiles and
the same search of the ledger for rest periods). Here each family of figures is one statement
that reads what it needs once:

* :func:`usage_by_period`: asks, overrides and over-asks of several periods at once. The counted
  ledger rows that can matter are read once; only the references and customers whose points
  within a period's reach exceed the cap get running window sums (window functions).
* :func:`inventory_stock`: the inventory as it stands today (active, resting, stale, near or at
  the cap, in the catalog and available, per industry and region; available per product line and
  per activity type) from one pass over the profiles and one over the ledger's cap window.

The tests compare every figure with one computed by hand on hand-made data. Every statement
here only reads. Values always travel as parameters; only table names (from the models) are
written into the SQL.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, DateField, Field, IntegerField, Q
from django.db.models.expressions import RawSQL

from ledger import capacity
from ledger.choices import USAGE_COUNTING
from ledger.models import OverusePolicy, UsageEntry
from references.choices import ProfileStatus, RestingReason
from references.models import (
    ActivityType,
    Customer,
    Industry,
    Product,
    ReferenceProfile,
    Region,
    stale_condition,
)

from ..periods import Period


class _Params:
    """Collects the statement's parameters in the order their placeholders are written: an
    f-string evaluates left to right, so ``{p(value)}`` puts ``%s`` where the value belongs."""

    def __init__(self) -> None:
        self.values: list = []

    def __call__(self, value) -> str:
        self.values.append(value)
        return "%s"

    def subquery(self, queryset) -> str:
        """A ``values(...)`` queryset as SQL, unordered (the segment filters stay written once, in
        :mod:`reporting.metrics.segments`; the ledger's rows that count, in ``ledger.capacity``)."""
        sql, params = queryset.order_by().query.sql_with_params()
        self.values.extend(params)
        return sql

    def condition(self, q: Q, **columns: str | tuple[str, Field]) -> str:
        """A rule of ``ledger.capacity`` (a ``Q`` over the names of its columns, such as
        ``at_cap_q``) as SQL over this statement's ``columns`` of those names (SQL text, integer,
        or ``(SQL text, field)``): the rule stays written once, in ``ledger.capacity``, and the
        statement reads it from there. The profile's own fields (``status``) are read from its
        table under its own name."""
        named = {
            name: RawSQL(
                *((column, ()) if isinstance(column, str) else (column[0], ())),
                output_field=(IntegerField() if isinstance(column, str) else column[1]),
            )
            for name, column in columns.items()
        }
        query = ReferenceProfile.objects.alias(**named).filter(q).query
        sql, params = query.get_compiler(connection=connection).compile(query.where)
        self.values.extend(params)
        return sql


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- Asks, overrides and over-asks ---------------------------------------------------------------


def usage_by_period(periods: list[Period], policy: OverusePolicy) -> list[dict]:
    """``{"asks", "overrides", "over_asks"}`` of each period for the whole program, as
    ``usage_figures`` defines them.

    An over-ask is a counted ask without an override after which the reference's or the
    customer's counted points in the window ending on its day exceed the cap; rows of the same
    day count in id order (the row itself and those with lower ids).

    Only rows from ``window_days`` before a period to its last day take part (its *reach*). A
    reference whose points over a period's reach stay within its cap cannot have been over-asked
    in that period, nor a customer within its cap, so the window sums are computed for the
    others only: a small part of the ledger in a program that keeps its promise.
    """
    p = _Params()
    window = policy.window_days
    reach = [(period.start - dt.timedelta(days=window), period.end) for period in periods]

    def beyond_cap(cap: int) -> str:
        return " OR ".join(
            f"SUM(points) FILTER (WHERE occurred_on > {p(low)} AND occurred_on <= {p(high)}) > {p(cap)}"
            for low, high in reach
        )

    def in_a_period() -> str:
        return " OR ".join(
            f"(occurred_on >= {p(period.start)} AND occurred_on <= {p(period.end)})" for period in periods
        )

    def points_in_window(key: str) -> str:
        # The key's points in (day - window, day]: RANGE takes every row of the window up to the
        # end of the day; the rows of the same day with a higher id are then taken off.
        return (
            f"SUM(points) OVER (PARTITION BY {key} ORDER BY occurred_on "
            f"RANGE BETWEEN {p(dt.timedelta(days=window - 1))} PRECEDING AND CURRENT ROW) "
            f"- COALESCE(SUM(points) OVER (PARTITION BY {key}, occurred_on ORDER BY id "
            "ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 0)"
        )

    def counts(period: Period) -> str:
        return ", ".join(
            f"COUNT(*) FILTER (WHERE occurred_on BETWEEN {p(period.start)} AND {p(period.end)}{also})"
            for also in ("", " AND override", " AND over_ask")
        )

    sql = f"""
        WITH counted AS MATERIALIZED (
            SELECT id, reference_id, customer_id, occurred_on, points, override
            FROM {_table(UsageEntry)}
            WHERE status = ANY({p(list(USAGE_COUNTING))})
              AND occurred_on > {p(min(low for low, _ in reach))}
              AND occurred_on <= {p(max(high for _, high in reach))}
        ),
        reference_window AS (
            SELECT id, occurred_on, override, {points_in_window("reference_id")} AS points
            FROM counted
            WHERE reference_id IN (
                SELECT reference_id FROM counted GROUP BY reference_id
                HAVING {beyond_cap(policy.reference_cap)}
            )
        ),
        customer_window AS (
            SELECT id, occurred_on, override, {points_in_window("customer_id")} AS points
            FROM counted
            WHERE customer_id IN (
                SELECT customer_id FROM counted GROUP BY customer_id
                HAVING {beyond_cap(policy.customer_cap)}
            )
        ),
        over_ask AS MATERIALIZED (
            SELECT id FROM reference_window
            WHERE NOT override AND points > {p(policy.reference_cap)} AND ({in_a_period()})
            UNION
            SELECT id FROM customer_window
            WHERE NOT override AND points > {p(policy.customer_cap)} AND ({in_a_period()})
        )
        SELECT {", ".join(counts(period) for period in periods)}
        FROM (
            SELECT counted.occurred_on, counted.override, over_ask.id IS NOT NULL AS over_ask
            FROM counted LEFT JOIN over_ask ON over_ask.id = counted.id
            WHERE ({in_a_period()})
        ) AS asked
    """
    (row,) = _fetch(sql, p.values)
    return [
        {"asks": row[3 * i], "overrides": row[3 * i + 1], "over_asks": row[3 * i + 2]}
        for i in range(len(periods))
    ]


def usage_days(since: dt.date, until: dt.date, policy: OverusePolicy) -> tuple[str, list]:
    """A ``SELECT`` of the asks of each day from ``since`` to ``until``, per customer industry
    and region, activity type and product line (``""``: every line), as ``DailyUsage`` holds
    them: date, industry, region, activity type, line, asks, overrides, over-asks. The over-asks
    are :func:`usage_by_period`'s (the same window sums, the same pruning by cap), so summing the
    days of a period gives that period's figures. Returned as SQL and parameters for the service
    that stores them."""
    p = _Params()
    window = policy.window_days
    low = since - dt.timedelta(days=window)
    lines_of = _table(ReferenceProfile.products.through)

    def points_in_window(key: str) -> str:
        return (
            f"SUM(points) OVER (PARTITION BY {key} ORDER BY occurred_on "
            f"RANGE BETWEEN {p(dt.timedelta(days=window - 1))} PRECEDING AND CURRENT ROW) "
            f"- COALESCE(SUM(points) OVER (PARTITION BY {key}, occurred_on ORDER BY id "
            "ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 0)"
        )

    sql = f"""
        WITH counted AS MATERIALIZED (
            SELECT id, reference_id, customer_id, activity_type_id, occurred_on, points, override
            FROM {_table(UsageEntry)}
            WHERE status = ANY({p(list(USAGE_COUNTING))})
              AND occurred_on > {p(low)} AND occurred_on <= {p(until)}
        ),
        reference_window AS (
            SELECT id, occurred_on, override, {points_in_window("reference_id")} AS points
            FROM counted
            WHERE reference_id IN (
                SELECT reference_id FROM counted GROUP BY reference_id
                HAVING SUM(points) > {p(policy.reference_cap)}
            )
        ),
        customer_window AS (
            SELECT id, occurred_on, override, {points_in_window("customer_id")} AS points
            FROM counted
            WHERE customer_id IN (
                SELECT customer_id FROM counted GROUP BY customer_id
                HAVING SUM(points) > {p(policy.customer_cap)}
            )
        ),
        over_ask AS MATERIALIZED (
            SELECT id FROM reference_window
            WHERE NOT override AND points > {p(policy.reference_cap)} AND occurred_on >= {p(since)}
            UNION
            SELECT id FROM customer_window
            WHERE NOT override AND points > {p(policy.customer_cap)} AND occurred_on >= {p(since)}
        ),
        line_sets AS (
            SELECT link.referenceprofile_id AS id, array_agg(DISTINCT product.product_line::text) AS lines
            FROM {lines_of} AS link
            JOIN {_table(Product)} AS product ON product.id = link.product_id
            GROUP BY link.referenceprofile_id
        ),
        asked AS (
            SELECT counted.occurred_on, COALESCE(customer.industry_id, '') AS industry,
                COALESCE(customer.region_id, '') AS region, counted.activity_type_id AS activity_type,
                counted.reference_id, counted.override, over_ask.id IS NOT NULL AS over_ask
            FROM counted
            JOIN {_table(Customer)} AS customer ON customer.id = counted.customer_id
            LEFT JOIN over_ask ON over_ask.id = counted.id
            WHERE counted.occurred_on >= {p(since)}
        )
        SELECT asked.occurred_on, asked.industry, asked.region, asked.activity_type, line,
            COUNT(*), COUNT(*) FILTER (WHERE asked.override), COUNT(*) FILTER (WHERE asked.over_ask)
        FROM asked
        LEFT JOIN line_sets ON line_sets.id = asked.reference_id
        CROSS JOIN LATERAL unnest(ARRAY['']::text[] || COALESCE(line_sets.lines, '{{}}')) AS line
        GROUP BY 1, 2, 3, 4, 5
    """
    return sql, p.values


# --- The inventory today -----------------------------------------------------------------------

STOCK_FIGURES = (
    "active",
    "resting",
    "resting_at_cap",
    "stale",
    "near_cap",
    "at_cap",
    "in_catalog",
    "available",
)


@dataclass
class InventoryStock:
    """The inventory as it stands today, counted once for every figure that describes it.

    ``cells`` holds, per (industry, region) of the customer, how many references are active,
    resting, resting at their cap, stale (in the catalog), near or at their cap (in the catalog),
    in the catalog, and available (can be asked today). ``available_by_product_line`` and
    ``available_by_activity_type`` count the available references that run a product of the line
    or are willing to do the activity type. ``program_wide`` is true when no segment applied
    (then the catalog counts also serve the coverage against strategic targets).
    """

    cells: dict[tuple[str, str], dict[str, int]]
    industry_names: dict[str, str] = field(default_factory=dict)
    region_names: dict[str, str] = field(default_factory=dict)
    available_by_product_line: dict[str, int] = field(default_factory=dict)
    available_by_activity_type: dict[str, tuple[str, int]] = field(default_factory=dict)
    program_wide: bool = True

    def total(self, figure: str) -> int:
        return sum(cell[figure] for cell in self.cells.values())

    def by_industry(self, figure: str) -> dict[str, int]:
        return self._by(0, figure)

    def by_region(self, figure: str) -> dict[str, int]:
        return self._by(1, figure)

    def _by(self, position: int, figure: str) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for key, cell in self.cells.items():
            if cell[figure]:
                out[key[position]] += cell[figure]
        return dict(out)


def inventory_stock(today: dt.date, policy: OverusePolicy, profiles=None) -> InventoryStock:
    """Count the inventory today in one statement; ``profiles`` (a ``values("pk")`` queryset,
    or ``None`` for all) is the segment (see :func:`_profile_flags` for the definitions)."""
    p, ctes, counts = _profile_flags(today, policy, profiles)
    product_links = _table(ReferenceProfile.products.through)
    activity_links = _table(ReferenceProfile.activity_types.through)
    sql = f"""
        {ctes},
        cell AS (
            SELECT industry_id, region_id, {counts()}
            FROM profile
            GROUP BY industry_id, region_id
        ),
        available AS MATERIALIZED (
            SELECT id FROM profile WHERE available
        ),
        product_line AS (
            SELECT product_line, COUNT(*) AS available
            FROM (
                SELECT DISTINCT product.product_line, link.referenceprofile_id
                FROM available
                JOIN {product_links} AS link ON link.referenceprofile_id = available.id
                JOIN {_table(Product)} AS product ON product.id = link.product_id
            ) AS line
            GROUP BY product_line
        ),
        activity_type AS (
            -- (profile, activity type) is unique in the link table: links count profiles.
            SELECT link.activitytype_id, COUNT(*) AS available
            FROM available
            JOIN {activity_links} AS link ON link.referenceprofile_id = available.id
            GROUP BY link.activitytype_id
        )
        SELECT 'cell', cell.industry_id, cell.region_id, industry.name, region.name,
            active, resting, resting_at_cap, stale, near_cap, at_cap, in_catalog, available
        FROM cell
        JOIN {_table(Industry)} AS industry ON industry.code = cell.industry_id
        JOIN {_table(Region)} AS region ON region.code = cell.region_id
        UNION ALL
        SELECT 'product_line', product_line, NULL, product_line, NULL, 0, 0, 0, 0, 0, 0, 0, available
        FROM product_line
        UNION ALL
        SELECT 'activity_type', activity.code, NULL, activity.name, NULL, 0, 0, 0, 0, 0, 0, 0, available
        FROM activity_type
        JOIN {_table(ActivityType)} AS activity ON activity.code = activity_type.activitytype_id
    """
    stock = InventoryStock(cells={}, program_wide=profiles is None)
    for kind, key, key2, name, name2, *counts_ in _fetch(sql, p.values):
        if kind == "cell":
            stock.cells[(key, key2)] = dict(zip(STOCK_FIGURES, counts_, strict=True))
            stock.industry_names[key], stock.region_names[key2] = name, name2
        elif kind == "product_line":
            stock.available_by_product_line[key] = counts_[-1]
        else:
            stock.available_by_activity_type[key] = (name, counts_[-1])
    return stock


def inventory_cube(today: dt.date, policy: OverusePolicy) -> list[tuple]:
    """The inventory today counted per (industry, region, product line, activity type) of every
    profile, ``""`` standing for "every line" and "every activity type": a profile counts once
    on its ``("", "")`` row, once per product line it runs and once per activity type it is
    willing to do (and on each pair of them). Rows: industry, region, product line, activity
    type, industry name, region name, activity name, then :data:`STOCK_FIGURES`. Summing the
    rows of one segment gives what :func:`inventory_stock` counts for that segment."""
    p, ctes, counts = _profile_flags(today, policy, None)
    product_links = _table(ReferenceProfile.products.through)
    activity_links = _table(ReferenceProfile.activity_types.through)
    sql = f"""
        {ctes},
        line_sets AS (
            SELECT link.referenceprofile_id AS id, array_agg(DISTINCT product.product_line::text) AS lines
            FROM {product_links} AS link
            JOIN {_table(Product)} AS product ON product.id = link.product_id
            GROUP BY link.referenceprofile_id
        ),
        activity_sets AS (
            SELECT referenceprofile_id AS id, array_agg(activitytype_id::text) AS activities
            FROM {activity_links}
            GROUP BY referenceprofile_id
        ),
        cube AS (
            SELECT profile.industry_id, profile.region_id, line, activity, {counts()}
            FROM profile
            LEFT JOIN line_sets ON line_sets.id = profile.id
            LEFT JOIN activity_sets ON activity_sets.id = profile.id
            CROSS JOIN LATERAL unnest(ARRAY['']::text[] || COALESCE(line_sets.lines, '{{}}')) AS line
            CROSS JOIN LATERAL
                unnest(ARRAY['']::text[] || COALESCE(activity_sets.activities, '{{}}')) AS activity
            GROUP BY 1, 2, 3, 4
        )
        SELECT cube.industry_id, cube.region_id, cube.line, cube.activity, industry.name, region.name,
            COALESCE(activity_type.name, ''),
            active, resting, resting_at_cap, stale, near_cap, at_cap, in_catalog, available
        FROM cube
        JOIN {_table(Industry)} AS industry ON industry.code = cube.industry_id
        JOIN {_table(Region)} AS region ON region.code = cube.region_id
        LEFT JOIN {_table(ActivityType)} AS activity_type ON activity_type.code = cube.activity
    """
    return _fetch(sql, p.values)


def _profile_flags(today: dt.date, policy: OverusePolicy, profiles):
    """The statement's shared part: ``profile``, one row per profile (of ``profiles``, or all)
    with its industry, region, status and the flags every inventory figure counts, and the
    ``COUNT(*) FILTER`` list of :data:`STOCK_FIGURES` over such rows.

    The definitions: *stale* is ``references.models.stale_condition`` (a last validation or a customer
    health older than the policy's cutoff, or none at all); *near the cap* is at least
    ``near_cap_ratio`` of the reference cap and below it; *at the cap* is ``ledger.capacity.at_cap_q``
    (the reference's points at its cap or its customer's at the customer cap: what the nightly check
    rests), compiled into the statement over the same two sums of the ledger rows that count
    (``capacity.counting_usage``); *available* is ``ledger.capacity``'s "can be asked now for something
    it does" (the same SQL as the catalog's "Available now" filter, built from the one definition).
    """
    p = _Params()
    cap = policy.reference_cap
    threshold = float(policy.near_cap_ratio) * cap
    counted = capacity.counting_usage(today, policy).values("reference_id", "customer_id", "points")
    cutoff = policy.stale_cutoff(today)

    def in_catalog() -> str:
        return f"status IN ({p(ProfileStatus.ACTIVE)}, {p(ProfileStatus.RESTING)})"

    def stale() -> str:
        # references.models.stale_condition, read over this statement's profile and customer.
        return (
            p.condition(stale_condition(cutoff))
            .replace(f"{_table(ReferenceProfile)}.", "profile.")
            .replace(f"{_table(Customer)}.", "customer.")
        )

    def detractor() -> str:
        # ledger.capacity.detractor_condition, read over this statement's customer.
        return p.condition(capacity.detractor_condition(policy)).replace(f"{_table(Customer)}.", "customer.")

    def on_hold() -> str:
        # ledger.capacity.on_hold_condition, read over this statement's profile.
        held = p.condition(capacity.on_hold_condition(today))
        return held.replace(f"{_table(ReferenceProfile)}.", "profile.")

    def consent_withdrawn() -> str:
        # ledger.capacity.consent_withdrawn_condition, read over this statement's profile.
        left = p.condition(capacity.consent_withdrawn_condition())
        return left.replace(f"{_table(ReferenceProfile)}.", "profile.")

    def at_cap() -> str:
        return p.condition(
            capacity.at_cap_q(policy), cap_used="cap_used", customer_cap_used="customer_cap_used"
        )

    live = capacity.live_usage(today, policy).values("reference_id", "occurred_on")
    weights = capacity.lightest_weights()

    def last_live_on() -> str:
        return "live.last_live_on" if policy.rest_days else "NULL::date"

    def available() -> str:
        # capacity.askable_q over the same columns capacity.annotate gives one profile at a time,
        # here computed for every profile at once (the ledger's sums and the lightest activities
        # grouped once, not a correlated subquery per profile).
        profile_table = _table(ReferenceProfile)
        weight = "CASE WHEN profile.private_only THEN profile.lightest_private ELSE profile.lightest END"
        return p.condition(
            capacity.askable_q(policy),
            is_stale_now=("profile.stale", BooleanField()),
            is_detractor=("profile.detractor", BooleanField()),
            is_on_hold=("profile.on_hold", BooleanField()),
            is_consent_withdrawn=("profile.consent_withdrawn", BooleanField()),
            ask_offered=(f"(({weight}) IS NOT NULL)", BooleanField()),
            ask_private_refused=("FALSE", BooleanField()),
            last_live_on=("profile.last_live_on", DateField()),
            cap_used="profile.cap_used",
            customer_cap_used="profile.customer_cap_used",
            ask_weight=weight,
        ).replace(f"{profile_table}.", "source.")

    def segment() -> str:
        return f"WHERE profile.id IN ({p.subquery(profiles)})" if profiles is not None else ""

    ctes = f"""
        WITH used AS MATERIALIZED (
            -- Counted points in the cap window ending today, per reference and per customer
            -- (capacity's ``cap_used`` and ``customer_cap_used``). One pass, two groupings.
            SELECT reference_id, customer_id, SUM(points) AS points
            FROM ({p.subquery(counted)}) AS counted
            GROUP BY GROUPING SETS ((reference_id), (customer_id))
        ),
        live AS MATERIALIZED (
            -- The last counted live activity within the rest period (capacity.live_usage).
            SELECT reference_id, MAX(occurred_on) AS last_live_on
            FROM ({p.subquery(live)}) AS live_rows
            GROUP BY reference_id
        ),
        weights AS MATERIALIZED ({p.subquery(weights)}),
        base AS MATERIALIZED (
            SELECT profile.id, customer.industry_id, customer.region_id, profile.status,
                profile.resting_reason, profile.private_only, {stale()} AS stale,
                COALESCE({detractor()}, FALSE) AS detractor,
                {on_hold()} AS on_hold,
                {consent_withdrawn()} AS consent_withdrawn,
                COALESCE(reference_used.points, 0) AS cap_used,
                COALESCE(customer_used.points, 0) AS customer_cap_used,
                {last_live_on()} AS last_live_on,
                weights.lightest, weights.lightest_private
            FROM {_table(ReferenceProfile)} AS profile
            JOIN {_table(Customer)} AS customer ON customer.id = profile.customer_id
            LEFT JOIN used AS reference_used ON reference_used.reference_id = profile.id
            LEFT JOIN used AS customer_used ON customer_used.customer_id = profile.customer_id
            LEFT JOIN live ON live.reference_id = profile.id
            LEFT JOIN weights ON weights.referenceprofile_id = profile.id
            {segment()}
        ),
        profile AS MATERIALIZED (
            SELECT profile.*, ({available()}) AS available
            FROM base AS profile
            JOIN {_table(ReferenceProfile)} AS source ON source.id = profile.id
        )"""

    def counts() -> str:
        return f"""
                COUNT(*) FILTER (WHERE status = {p(ProfileStatus.ACTIVE)}) AS active,
                COUNT(*) FILTER (WHERE status = {p(ProfileStatus.RESTING)}) AS resting,
                COUNT(*) FILTER (
                    WHERE status = {p(ProfileStatus.RESTING)} AND resting_reason = {p(RestingReason.CAP)}
                ) AS resting_at_cap,
                COUNT(*) FILTER (WHERE {in_catalog()} AND stale) AS stale,
                COUNT(*) FILTER (
                    WHERE {in_catalog()} AND cap_used >= {p(threshold)} AND cap_used < {p(cap)}
                ) AS near_cap,
                COUNT(*) FILTER (WHERE {in_catalog()} AND {at_cap()}) AS at_cap,
                COUNT(*) FILTER (WHERE {in_catalog()}) AS in_catalog,
                COUNT(*) FILTER (WHERE available) AS available"""

    return p, ctes, counts
