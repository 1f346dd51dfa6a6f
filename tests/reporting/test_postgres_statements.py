"""The single PostgreSQL statements of reporting.postgres give the same figures as the portable
ORM queries (what SQLite runs), on data built to hit every edge: same-day asks in id order,
overrides, the window's first and last day, withdrawn asks, a customer over its cap through two
references, a reference whose asks name two customers, asks after the period, and every kind
of reference the inventory counts. Over-asks are also checked against a plain Python reading
of the rule, so the two database paths cannot agree on a wrong answer.

PostgreSQL only: SQLite has no second path (CI runs these on PostgreSQL).
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from references.models import ActivityType, Industry, OverusePolicy, Region, UsageEntry
from reporting import postgres, selectors
from reporting.models import StrategicTarget
from reporting.periods import Period
from reporting.selectors import Segment
from tests.factories import CustomerFactory, ProductFactory, ReferenceProfileFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the single statements are PostgreSQL's"
)

MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))
COUNTING = {"reserved", "asked", "declined", "done"}
SEGMENTS = [
    Segment(),
    Segment(industry="retail"),
    Segment(region="apac"),
    Segment(activity_type="email"),
    Segment(product_line="Security"),
    Segment(industry="finance", activity_type="call"),
]


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


def test_over_asks_with_window_sums_agree_with_the_sums_per_ask(ledger, policy):
    periods = [MARCH, MARCH.previous()]
    fast = postgres.usage_by_period(periods, policy)
    assert fast == [selectors.usage_figures(p, policy=policy, portable=True) for p in periods]
    assert fast == [over_asks_by_hand(p, policy) for p in periods]


@pytest.mark.parametrize("segment", SEGMENTS[1:], ids=str)
def test_a_segment_keeps_the_sums_per_ask(ledger, policy, segment, django_assert_num_queries):
    """A segment's asks are few: summing their windows costs less than reading the ledger."""
    with django_assert_num_queries(2):
        figures = selectors.usage_by_period([MARCH, MARCH.previous()], segment, policy)
    assert figures == [
        selectors.usage_figures(p, segment, policy, portable=True) for p in (MARCH, MARCH.previous())
    ]


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
    with django_assert_num_queries(1):
        figures = selectors.usage_by_period([MARCH, MARCH.previous()], policy=policy)
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
        assert postgres.usage_by_period(periods, policy) == [over_asks_by_hand(p, policy) for p in periods]


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


@pytest.mark.parametrize("segment", [*SEGMENTS, Segment(product_line="Management")], ids=str)
def test_inventory_counted_once_agrees_with_the_figure_by_figure_queries(inventory, policy, segment):
    today = timezone.localdate()
    stock = selectors.inventory_stock(segment, today, policy)
    assert stock is not None and stock.program_wide == (not segment)
    assert selectors.inventory_figures(MARCH, segment, today, policy, stock=stock) == (
        selectors.inventory_figures(MARCH, segment, today, policy, portable=True)
    )
    assert selectors.supply_demand(MARCH, segment, today, policy, stock=stock) == (
        selectors.supply_demand(MARCH, segment, today, policy, portable=True)
    )
    assert selectors.demand_heatmap(MARCH, segment, today, policy, stock=stock) == (
        selectors.demand_heatmap(MARCH, segment, today, policy, portable=True)
    )
    assert selectors.coverage(stock=stock) == selectors.coverage()


def test_inventory_figures_by_hand(inventory, policy):
    """What the two paths agree on, worked out: so they cannot agree on a wrong answer."""
    today = timezone.localdate()
    stock = selectors.inventory_stock(Segment(), today, policy)
    figures = selectors.inventory_figures(MARCH, Segment(), today, policy, stock=stock)
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
        for r in selectors.supply_demand(MARCH, Segment(), today, policy, stock=stock)
        if r["dimension"] == "product_line"
    }
    # Available: fresh, email_recent, live_long_ago, near_cap, at_cap, customer_cap,
    # future_reserved (caps do not make an active reference unavailable; the nightly check
    # rests them). Management: fresh (two products, counted once). Security: near_cap.
    assert available == {"Management": 1, "Security": 1}
    assert stock.total("available") == 7
