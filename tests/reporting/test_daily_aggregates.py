# ruff: noqa: F811 (the fixtures of test_statements.py, imported by name)
"""The daily aggregates give the same figures as the raw rows: the asks, overrides and
over-asks of a period summed from ``DailyUsage`` and the inventory summed from
``InventoryCube`` are the hand-counted figures of tests/reporting/test_statements.py's
programs (the expected numbers are written out there and repeated here)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ledger.models import UsageEntry
from reporting import metrics, services
from reporting.metrics import Segment
from reporting.models import AggregateState, DailyUsage
from tests.reporting.test_statements import MARCH, inventory, ledger, policy, use  # noqa: F401

# (segment, March's (asks, overrides, over-asks), February's), counted by hand in
# test_statements.py's ledger fixture.
BY_HAND = [
    (Segment(), (14, 2, 5), (3, 0, 1)),
    (Segment(industry="retail"), (5, 1, 1), (0, 0, 0)),
    (Segment(region="apac"), (4, 1, 1), (0, 0, 0)),
    (Segment(activity_type="email"), (2, 0, 1), (0, 0, 0)),
    (Segment(product_line="Security"), (10, 2, 3), (3, 0, 1)),
    (Segment(industry="finance", activity_type="call"), (8, 1, 3), (3, 0, 1)),
]
KEYS = ("asks", "overrides", "over_asks")


@pytest.mark.parametrize(("segment", "march", "february"), BY_HAND, ids=str)
def test_daily_usage_equals_the_ledger(ledger, policy, segment, march, february, django_assert_num_queries):
    services.daily_usage_refresh(today=timezone.localdate())
    with django_assert_num_queries(3):  # the state, then one sum per period
        figures = metrics.usage_by_period([MARCH, MARCH.previous()], segment, policy)
    assert figures == [dict(zip(KEYS, march, strict=True)), dict(zip(KEYS, february, strict=True))]


def test_days_after_the_aggregates_are_counted_from_the_ledger(ledger, policy):
    """Built through 15 March: the rest of March comes from the ledger, and the sum is the same."""
    services.daily_usage_refresh(today=date(2025, 3, 15))
    assert AggregateState.objects.get(name="daily_usage").built_through == date(2025, 3, 15)
    assert not DailyUsage.objects.filter(date__gt=date(2025, 3, 15)).exists()
    assert metrics.usage_by_period([MARCH], policy=policy) == [{"asks": 14, "overrides": 2, "over_asks": 5}]


def test_a_changed_ledger_row_recomputes_its_day_and_the_days_after(ledger, policy):
    today = timezone.localdate()
    UsageEntry.objects.update(updated_at=timezone.now() - timedelta(days=1))  # written yesterday
    services.daily_usage_refresh(today=today)
    assert services.daily_usage_refresh(today=today) == {"daily_usage_days_recomputed": 0}
    # Every March override becomes a plain ask: overrides no longer excuse their over-asks.
    changed = UsageEntry.objects.filter(occurred_on__range=(MARCH.start, MARCH.end), override=True)
    first = min(changed.values_list("occurred_on", flat=True))
    for entry in changed:
        entry.override = False
        entry.save()
    result = services.daily_usage_refresh(today=today)
    assert result == {"daily_usage_days_recomputed": (today - first).days + 1}
    from reporting.metrics import statements

    raw = statements.usage_by_period([MARCH], policy)
    assert raw[0]["overrides"] == 0
    assert metrics.usage_by_period([MARCH], policy=policy) == raw


def test_a_policy_change_rebuilds_every_day(ledger, policy):
    services.daily_usage_refresh(today=timezone.localdate())
    policy.reference_cap = 2
    policy.save()
    assert metrics.usage_by_period([MARCH], policy=policy) == metrics.inventory._usage_from_ledger(
        [MARCH], Segment(), policy
    )  # the aggregates of the old caps are not read
    services.daily_usage_refresh(today=timezone.localdate())
    assert AggregateState.objects.get(name="daily_usage").policy_key.split(":")[1] == "2"


# (active, resting, resting at cap, stale, near cap, at cap, available), by hand in
# test_statements.py's inventory fixture.
INVENTORY = [
    (Segment(), (11, 2, 1, 3, 1, 5, 2)),
    (Segment(industry="retail"), (3, 0, 0, 0, 1, 2, 1)),
    (Segment(region="apac"), (3, 0, 0, 0, 1, 3, 0)),
    (Segment(activity_type="email"), (9, 2, 1, 3, 1, 5, 1)),
    (Segment(product_line="Security"), (2, 0, 0, 0, 1, 1, 0)),
    (Segment(industry="finance", activity_type="call"), (7, 2, 1, 3, 0, 3, 1)),
    (Segment(product_line="Management"), (1, 0, 0, 0, 0, 0, 1)),
]


@pytest.mark.parametrize(("segment", "expected"), INVENTORY, ids=str)
def test_inventory_cube_equals_the_live_count(inventory, policy, segment, expected):
    today = timezone.localdate()
    live = metrics.inventory_stock(segment, today, policy)
    services.inventory_cube_refresh(today=today)
    stock = metrics.inventory_stock(segment, today, policy)
    active, resting, resting_at_cap, stale, near_cap, at_cap, available = expected
    assert {
        f: stock.total(f) for f in ("active", "resting", "resting_at_cap", "stale", "near_cap", "at_cap")
    } == {
        "active": active,
        "resting": resting,
        "resting_at_cap": resting_at_cap,
        "stale": stale,
        "near_cap": near_cap,
        "at_cap": at_cap,
    }
    assert stock.total("available") == available
    assert stock.cells == live.cells
    if not segment.product_line:
        assert stock.available_by_product_line == live.available_by_product_line
    if not segment.activity_type:
        assert stock.available_by_activity_type == live.available_by_activity_type


def test_a_cube_of_another_day_is_not_read(inventory, policy):
    today = timezone.localdate()
    services.inventory_cube_refresh(today=date(2025, 1, 1))
    assert metrics.inventory_stock(Segment(), today, policy).total("active") == 11
