"""The single statements of reporting.metrics.statements (and the per-ask sums a segment's asks
use) against figures worked out by hand, on data built to hit every edge: same-day asks in id
order, overrides, the window's first and last day, withdrawn asks, a customer over its cap
through two references, a reference whose asks name two customers, asks after the period, and
every kind of reference the inventory counts. Over-asks are also checked against a plain Python
reading of the rule under other policies.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ledger.models import OverusePolicy, UsageEntry
from references.models import ActivityType, Industry, ReferenceProfile, Region
from reporting import metrics
from reporting.metrics import Segment, statements
from reporting.models import StrategicTarget
from reporting.periods import Period
from tests.factories import CustomerFactory, ProductFactory, ReferenceProfileFactory

MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))
COUNTING = {"reserved", "asked", "declined", "done"}


def use(profile, day, points, *, status="done", activity="call", override=False, customer=None):
    return UsageEntry.objects.create(
        reference=profile,
        customer=customer or profile.customer,
        activity_type=ActivityType.objects.get(code=activity),
        points=points,
        status=status,
        occurred_on=day,
        override=override,
        override_reason="Board asked for it." if override else "",
    )


def over_asks_by_hand(period: Period, policy: OverusePolicy, rows=None) -> dict:
    """The rule read literally: a counted ask without an override after which the points of its
    reference (or customer) in (day - window, day], same-day asks up to its id, exceed the cap."""
    rows = list(UsageEntry.objects.all()) if rows is None else rows
    counted = [r for r in rows if r.status in COUNTING]

    def points(row, key: str) -> int:
        return sum(
            r.points
            for r in counted
            if getattr(r, key) == getattr(row, key)
            and row.occurred_on - timedelta(days=policy.window_days) < r.occurred_on <= row.occurred_on
            and (r.occurred_on < row.occurred_on or r.pk <= row.pk)
        )

    asked = [r for r in counted if period.start <= r.occurred_on <= period.end]
    return {
        "asks": len(asked),
        "overrides": sum(r.override for r in asked),
        "over_asks": sum(
            not r.override
            and (
                points(r, "reference_id") > policy.reference_cap
                or points(r, "customer_id") > policy.customer_cap
            )
            for r in asked
        ),
    }


@pytest.fixture
def policy(db):
    """A short window and small caps, so a handful of asks reach every edge."""
    policy = OverusePolicy.current()
    policy.window_days, policy.reference_cap, policy.customer_cap = 10, 4, 6
    policy.save()
    return policy


@pytest.fixture
def ledger(policy):
    finance = Industry.objects.get(code="finance")
    retail = Industry.objects.get(code="retail")
    apac = Region.objects.get(code="apac")
    security = ProductFactory(name="Sentinel", product_line="Security")
    x = CustomerFactory(industry=finance)
    y = CustomerFactory(industry=retail, region=apac)
    a = ReferenceProfileFactory(contact__customer=x, products=[security])
    b = ReferenceProfileFactory(contact__customer=y)
    c = ReferenceProfileFactory(contact__customer=y, products=[security])
    d = ReferenceProfileFactory(contact__customer=CustomerFactory(industry=retail))

    # A: at its cap of 4 by 20 February; the 1-point ask on the 21st goes over it (previous
    # period). On 2 March the 20 February asks have just left the window (day - 10), so 3
    # more points are within the cap; counting that day would make it an over-ask.
    use(a, date(2025, 2, 18), 2)
    use(a, date(2025, 2, 20), 2)
    use(a, date(2025, 2, 21), 1)
    use(a, date(2025, 3, 2), 3)
    # Same day, in id order, window (21 Feb, 3 Mar]: 2 March's 3, then 1 → 4 (within), 1 → 5
    # (over), an override at 6 (not an over-ask, but its points count), 1 → 7 (over).
    use(a, date(2025, 3, 3), 1)
    use(a, date(2025, 3, 3), 1, activity="email")
    use(a, date(2025, 3, 3), 1, override=True)
    use(a, date(2025, 3, 3), 1)
    # Withdrawn asks neither count nor are counted.
    use(a, date(2025, 3, 4), 5, status="withdrawn")
    # The window's last day: 14 March sees 5 March … 14 March only.
    use(a, date(2025, 3, 14), 4, status="reserved")
    use(a, date(2025, 3, 24), 4, status="asked")  # 14 March left the window on the 24th
    use(a, date(2025, 3, 25), 1, status="declined")  # 4 + 1 = 5: over (declined asks count)
    # After the period, and long before its reach: neither matters.
    use(a, date(2025, 4, 2), 6)
    use(a, date(2024, 12, 1), 6)

    # Y through B and C: each within its reference cap, together over the customer cap of 6.
    use(b, date(2025, 3, 10), 3)
    use(c, date(2025, 3, 11), 3, activity="email")
    use(b, date(2025, 3, 12), 1)  # B at 4 (within), Y at 7 (over)
    use(c, date(2025, 3, 12), 1, override=True)  # Y at 8 with an override
    # D's asks name two customers: its reference window spans both (4 + 2 > 4).
    use(d, date(2025, 3, 20), 4)
    use(d, date(2025, 3, 21), 2, customer=x)
    return {"a": a, "b": b, "c": c, "d": d}


def test_over_asks_with_window_sums(ledger, policy):
    # See test_the_rule_by_hand_on_the_edges for the five over-asks of March and the one of
    # February (A on 21 February).
    assert statements.usage_by_period([MARCH, MARCH.previous()], policy) == [
        {"asks": 14, "overrides": 2, "over_asks": 5},
        {"asks": 3, "overrides": 0, "over_asks": 1},
    ]


# A segment's asks, (March, February). The windows still hold every counted ask of the
# reference and the customer, in the segment or not.
SEGMENT_USAGE = [
    # Retail: Y's asks (B and C: 4 asks, C's override, B's over-ask at Y 7) and D's first ask
    # (D's second names X, finance).
    (Segment(industry="retail"), (5, 1, 1), (0, 0, 0)),
    # APAC: Y's four asks.
    (Segment(region="apac"), (4, 1, 1), (0, 0, 0)),
    # Email: A on 3 March (over, at 5) and C on 11 March.
    (Segment(activity_type="email"), (2, 0, 1), (0, 0, 0)),
    # Security (A and C): A's 8 March asks (3 over, 1 override), C's two (1 override);
    # February: A's three asks, one over.
    (Segment(product_line="Security"), (10, 2, 3), (3, 0, 1)),
    # Finance calls (X): A's 7 March calls (2 over, 1 override) and D's ask naming X (over);
    # February: A's three calls, one over.
    (Segment(industry="finance", activity_type="call"), (8, 1, 3), (3, 0, 1)),
]


@pytest.mark.parametrize(("segment", "march", "february"), SEGMENT_USAGE, ids=str)
def test_a_segment_keeps_the_sums_per_ask(
    ledger, policy, segment, march, february, django_assert_num_queries
):
    """A segment's asks are few: summing their windows costs less than reading the ledger (and
    one query finds that no daily aggregates are built)."""
    with django_assert_num_queries(3):
        figures = metrics.usage_by_period([MARCH, MARCH.previous()], segment, policy)
    keys = ("asks", "overrides", "over_asks")
    assert figures == [dict(zip(keys, march, strict=True)), dict(zip(keys, february, strict=True))]


def test_the_rule_by_hand_on_the_edges(ledger, policy):
    """The expected answers, so that agreeing paths are also right ones."""
    # March: A on 3 March (5 and 7), A on 25 March (5), B on 12 March (Y at 7), D on 21 March
    # (6 points across its two customers). Not A on 2 March (20 February has left its window),
    # nor A on 24 March (X at 6 with D's ask: at the cap, not above it).
    assert over_asks_by_hand(MARCH, policy) == {"asks": 14, "overrides": 2, "over_asks": 5}
    assert over_asks_by_hand(MARCH.previous(), policy) == {"asks": 3, "overrides": 0, "over_asks": 1}


def test_the_dashboard_uses_the_single_statement_for_its_two_periods(
    ledger, policy, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the statement, and whether daily aggregates are built
        figures = metrics.usage_by_period([MARCH, MARCH.previous()], policy=policy)
    assert figures == [over_asks_by_hand(p, policy) for p in (MARCH, MARCH.previous())]


@pytest.mark.parametrize(
    ("window_days", "reference_cap", "customer_cap"),
    [(1, 1, 1), (10, 6, 3), (30, 4, 6), (180, 6, 8)],
)
def test_other_policies_agree(ledger, policy, window_days, reference_cap, customer_cap):
    policy.window_days, policy.reference_cap, policy.customer_cap = window_days, reference_cap, customer_cap
    policy.save()
    for period in (
        MARCH,
        Period(date(2025, 3, 3), date(2025, 3, 3)),
        Period(date(2025, 1, 1), date(2025, 6, 30)),
    ):
        periods = [period, period.previous()]
        assert statements.usage_by_period(periods, policy) == [over_asks_by_hand(p, policy) for p in periods]


# --- The inventory today ---------------------------------------------------------------------------


@pytest.fixture
def inventory(policy):
    """References in every state the inventory counts, with today's ledger."""
    policy.window_days, policy.reference_cap, policy.customer_cap, policy.rest_days = 180, 6, 8, 30
    policy.save()
    today = timezone.localdate()
    retail = Industry.objects.get(code="retail")
    apac = Region.objects.get(code="apac")
    console = ProductFactory(name="Console", product_line="Management")
    insight = ProductFactory(name="Insight", product_line="Management")
    sentinel = ProductFactory(name="Sentinel", product_line="Security")
    shared = CustomerFactory(industry=retail, region=apac)
    profiles = {
        "fresh": ReferenceProfileFactory(products=[console, insight], activity_types=["call", "quote"]),
        "stale": ReferenceProfileFactory(last_validated=today - timedelta(days=400)),
        "never_validated": ReferenceProfileFactory(last_validated=None),
        "unhealthy": ReferenceProfileFactory(contact__customer=CustomerFactory(health_updated=None)),
        "resting_live": ReferenceProfileFactory(products=[sentinel]),
        "email_recent": ReferenceProfileFactory(contact__customer=CustomerFactory(industry=retail)),
        "live_long_ago": ReferenceProfileFactory(activity_types=["site_visit"]),
        "near_cap": ReferenceProfileFactory(contact__customer=shared, products=[sentinel]),
        "at_cap": ReferenceProfileFactory(contact__customer=CustomerFactory(region=apac)),
        "customer_cap": ReferenceProfileFactory(contact__customer=shared, activity_types=["email"]),
        "future_reserved": ReferenceProfileFactory(),
        "resting_cap": ReferenceProfileFactory(status="resting", resting_reason="cap"),
        "resting_request": ReferenceProfileFactory(status="resting", resting_reason="request"),
        "retired": ReferenceProfileFactory(status="retired"),
        "nominated": ReferenceProfileFactory(status="nominated"),
    }
    p = profiles
    use(p["resting_live"], today - timedelta(days=5), 2)  # a live call within the rest period
    use(p["email_recent"], today - timedelta(days=2), 1, activity="email")  # not live
    use(p["live_long_ago"], today - timedelta(days=45), 2)  # rest period over
    use(p["near_cap"], today - timedelta(days=40), 5, activity="email")  # 5 of 6
    use(p["at_cap"], today - timedelta(days=100), 6, activity="email")
    use(p["at_cap"], today - timedelta(days=181), 6, activity="email")  # out of the window
    use(p["customer_cap"], today - timedelta(days=50), 3, activity="email")  # shared: 5 + 3 = 8
    use(p["future_reserved"], today + timedelta(days=20), 6, status="reserved", activity="email")
    use(p["fresh"], today - timedelta(days=3), 6, status="withdrawn", activity="email")
    use(p["resting_cap"], today - timedelta(days=10), 6, activity="email")
    StrategicTarget.objects.create(dimension="industry", value="retail", target_share=20)
    StrategicTarget.objects.create(dimension="region", value="apac", target_share=10)
    StrategicTarget.objects.create(dimension="product_line", value="Management", target_share=30)
    StrategicTarget.objects.create(dimension="product_line", value="Security", target_share=30)
    return profiles


# (active, resting, resting at cap, stale, near cap, at cap, available) per segment, from the
# fixture's comments. Near cap: near_cap (5 of 6). At cap: at_cap, resting_cap, future_reserved
# (6 points each), customer_cap and near_cap (their customer at 8).
# Available (can be asked now for its lightest activity: call 2, email 1, quote 1, site visit 6
# points): fresh (0 of 6, quote) and email_recent (1 of 6, email). Not resting_live (live call 5
# days ago, rest 30), live_long_ago (2 points used, its only activity weighs 6), near_cap and
# customer_cap (their customer at 8 of 8), at_cap and future_reserved (6 of 6), nor the stale.
INVENTORY = [
    # Active: the first eleven; resting: resting_cap, resting_request; stale: stale,
    # never_validated, unhealthy.
    (Segment(), (11, 2, 1, 3, 1, 5, 2)),
    # Retail: email_recent, near_cap, customer_cap.
    (Segment(industry="retail"), (3, 0, 0, 0, 1, 2, 1)),
    # APAC: near_cap, at_cap, customer_cap.
    (Segment(region="apac"), (3, 0, 0, 0, 1, 3, 0)),
    # Email (the factory's call + email, and customer_cap): all but fresh and live_long_ago.
    (Segment(activity_type="email"), (9, 2, 1, 3, 1, 5, 1)),
    # Security (Sentinel): resting_live (resting now) and near_cap.
    (Segment(product_line="Security"), (2, 0, 0, 0, 1, 1, 0)),
    # Finance calls: fresh, stale, never_validated, unhealthy, resting_live, at_cap,
    # future_reserved; resting_cap and resting_request. Available: fresh.
    (Segment(industry="finance", activity_type="call"), (7, 2, 1, 3, 0, 3, 1)),
    # Management: fresh (two products of the line, counted once).
    (Segment(product_line="Management"), (1, 0, 0, 0, 0, 0, 1)),
]


@pytest.mark.parametrize(("segment", "expected"), INVENTORY, ids=str)
def test_inventory_counted_once(inventory, policy, segment, expected):
    today = timezone.localdate()
    stock = metrics.inventory_stock(segment, today, policy)
    assert stock.program_wide == (not segment)
    figures = metrics.inventory_figures(MARCH, segment, today, policy, stock=stock)
    active, resting, resting_at_cap, stale, near_cap, at_cap, available = expected
    assert figures == {
        "active": active,
        "resting": resting,
        "resting_at_cap": resting_at_cap,
        "stale": stale,
        "in_catalog": active + resting,
        "near_cap": near_cap,
        "at_cap": at_cap,
        "activated": 0,  # the factories write no profile events
        "retired": 0,
        "net_growth": 0,
    }
    assert stock.total("available") == available


# Points counted today (the window's ledger rows that count): resting_live 2, email_recent 1,
# live_long_ago 2, near_cap 5, at_cap 6 (its older 6 are out of the window), customer_cap 3,
# future_reserved 6 (reserved ahead), resting_cap 6; the shared customer 5 + 3 = 8, every other
# customer what its one reference used. Retired and nominated are not in the catalog.
AT_CAP = [
    # Reference at 5 or more: near_cap, at_cap, future_reserved, resting_cap; no customer at 9.
    (5, 9, 4),
    # No reference at 7; customers at 6 or more: the shared one (near_cap, customer_cap), at_cap,
    # future_reserved, resting_cap.
    (7, 6, 5),
    # Reference at 2 or more: all but email_recent (1) and the unused; customers never at 100.
    (2, 100, 7),
]


@pytest.mark.parametrize(("reference_cap", "customer_cap", "expected"), AT_CAP)
def test_at_cap_is_the_rule_the_nightly_check_rests_by(
    inventory, policy, reference_cap, customer_cap, expected
):
    """The dashboard's "at cap" count and the nightly check's ``at_cap`` agree under any caps."""
    policy.reference_cap, policy.customer_cap = reference_cap, customer_cap
    policy.save()
    today = timezone.localdate()
    assert metrics.inventory_stock(Segment(), today, policy).total("at_cap") == expected
    assert ReferenceProfile.objects.in_catalog().at_cap(today, policy).count() == expected


def test_supply_heatmap_and_coverage_by_hand(inventory, policy):
    """Available references per dimension and per industry × region, and the coverage of the
    catalog (13 references: 11 active, 2 resting), whatever the segment the stock was counted for."""
    today = timezone.localdate()
    stock = metrics.inventory_stock(Segment(), today, policy)
    available = {
        (r["dimension"], r["value"]): r["available"]
        for r in metrics.supply_demand(MARCH, Segment(), today, policy, stock=stock)
    }
    # Available (see INVENTORY): fresh (finance, EMEA, Management; call and quote) and
    # email_recent (retail, EMEA; call and email). A dimension value nobody is available for has
    # no row (no requests either).
    assert available == {
        ("industry", "finance"): 1,
        ("industry", "retail"): 1,
        ("region", "emea"): 2,
        ("product_line", "Management"): 1,
        ("activity_type", "call"): 2,
        ("activity_type", "email"): 1,
        ("activity_type", "quote"): 1,
    }
    heatmap = metrics.demand_heatmap(MARCH, Segment(), today, policy, stock=stock)
    cells = {
        (row["industry"], region["region"]): cell["available"]
        for row in heatmap["rows"]
        for region, cell in zip(heatmap["regions"], row["cells"], strict=True)
    }
    assert cells == {("finance", "emea"): 1, ("retail", "emea"): 1}
    # Retail 3 of 13 = 23.1 % (target 20); APAC 3 of 13 = 23.1 % (10); Management: fresh, 1 of
    # 13 = 7.7 % (30); Security: resting_live and near_cap, 2 of 13 = 15.4 % (30).
    expected = [
        ("industry", "retail", 3, 23.1, 3.1),
        ("region", "apac", 3, 23.1, 13.1),
        ("product_line", "Management", 1, 7.7, -22.3),
        ("product_line", "Security", 2, 15.4, -14.6),
    ]
    for stock_for in (stock, metrics.inventory_stock(Segment(region="apac"), today, policy), None):
        rows = metrics.coverage(stock=stock_for)
        assert sorted(
            (r["dimension"], r["value"], r["references"], r["actual_share"], r["gap"]) for r in rows
        ) == sorted(expected)


def test_inventory_figures_by_hand(inventory, policy):
    """The program's inventory worked out reference by reference."""
    today = timezone.localdate()
    stock = metrics.inventory_stock(Segment(), today, policy)
    figures = metrics.inventory_figures(MARCH, Segment(), today, policy, stock=stock)
    # 11 active (the first eleven) and 2 resting; stale: stale, never validated, unhealthy.
    assert (figures["active"], figures["resting"], figures["resting_at_cap"], figures["stale"]) == (
        11,
        2,
        1,
        3,
    )
    # Near: near_cap (5 of 6). At: at_cap (6), resting_cap (6), customer_cap and near_cap through
    # their customer (8), future_reserved (6 reserved ahead, counted).
    assert (figures["near_cap"], figures["at_cap"]) == (1, 5)
    available = {
        r["value"]: r["available"]
        for r in metrics.supply_demand(MARCH, Segment(), today, policy, stock=stock)
        if r["dimension"] == "product_line"
    }
    # Available: fresh and email_recent (see INVENTORY). Management: fresh (two products,
    # counted once); nobody available runs a Security product.
    assert available == {"Management": 1}
    assert stock.total("available") == 2
