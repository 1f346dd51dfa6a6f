"""What managers change in reporting (the strategic targets) and the nightly snapshot."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Min, Sum
from django.db.models.functions import Extract
from django.utils import timezone
from django.utils.translation import gettext as _

from ledger.models import OverusePolicy, UsageEntry
from references.models import Industry, Product, Region

from . import metrics
from .metrics import statements
from .models import (
    AggregateState,
    DailyUsage,
    InventoryCube,
    MetricSnapshot,
    StrategicTarget,
    TargetDimension,
)


def _known_values(dimension: str) -> list[str]:
    if dimension == TargetDimension.INDUSTRY:
        return list(Industry.objects.values_list("code", flat=True))
    if dimension == TargetDimension.REGION:
        return list(Region.objects.values_list("code", flat=True))
    return sorted(set(Product.objects.values_list("product_line", flat=True)))


@transaction.atomic
def target_set(*, dimension: str, value: str, target_share: Decimal, actor) -> StrategicTarget:
    """Set (or change) the share of the inventory the program should hold for one product line,
    industry or region. The value must be a known product line, industry code or region code."""
    value = (value or "").strip()
    if dimension in TargetDimension.values and value not in _known_values(dimension):
        known = ", ".join(_known_values(dimension)) or "none yet"
        raise ValidationError(
            {
                "value": _("Unknown %(dimension)s. Known: %(known)s.")
                % {"dimension": str(TargetDimension(dimension).label).lower(), "known": known}
            }
        )
    target = StrategicTarget.objects.filter(dimension=dimension, value=value).first() or StrategicTarget(
        dimension=dimension, value=value
    )
    target.target_share = target_share
    target.updated_by = actor
    target.full_clean(validate_unique=False)
    target.save()
    return target


@transaction.atomic
def target_delete(*, target: StrategicTarget, actor) -> None:
    target.delete()


def metrics_snapshot_take(*, day: dt.date) -> dict[str, int]:
    """Store the day's figures once. A second run on the same day finds the row and changes
    nothing (the date is unique, so even two runs at the same moment store one)."""
    if MetricSnapshot.objects.filter(date=day).exists():
        return {"snapshots_taken": 0}
    figures = metrics.snapshot_figures(day)
    try:
        with transaction.atomic():
            _, created = MetricSnapshot.objects.get_or_create(date=day, defaults={"figures": figures})
    except IntegrityError:
        created = False
    return {"snapshots_taken": int(created)}


# A ledger row saved while a refresh runs may carry an ``updated_at`` a little older than the
# refresh's start: the next refresh looks this far back so that it is not missed.
CHANGE_MARGIN = dt.timedelta(minutes=10)


def policy_key(policy: OverusePolicy) -> str:
    """What of the policy decides the over-asks: a change of it rebuilds the daily usage."""
    return f"{policy.window_days}:{policy.reference_cap}:{policy.customer_cap}"


@transaction.atomic
def daily_usage_refresh(*, today: dt.date, full: bool = False) -> dict[str, int]:
    """Keep ``DailyUsage`` equal to the ledger: recompute every day from the earliest day whose
    ledger rows changed since the last refresh (a change on a day can turn later asks into
    over-asks, so every day after it is recomputed too) through ``today``; everything when
    ``full``, when the policy's caps or window changed, or on the first run. Days are deleted
    and re-inserted in one transaction; a second run with nothing changed recomputes nothing."""
    policy = OverusePolicy.current()
    state, _ = AggregateState.objects.select_for_update().get_or_create(name="daily_usage")
    started = timezone.now()
    key = policy_key(policy)
    if full or state.built_at is None or state.policy_key != key:
        since = UsageEntry.objects.aggregate(first=Min("occurred_on"))["first"]
        DailyUsage.objects.all().delete()
    else:
        seen = _changes(state.built_at)
        since = None if seen["key"] == state.changes_key else seen["first"]
        if since is not None and since > today:
            since = None
    days = 0
    if since is not None:
        select, params = statements.usage_days(since, today, policy)
        DailyUsage.objects.filter(date__gte=since).delete()
        table = connection.ops.quote_name(DailyUsage._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (date, industry, region, activity_type, product_line, asks, "
                f"overrides, over_asks) {select}",
                params,
            )
        days = (today - since).days + 1
    state.built_through, state.built_at, state.policy_key = today, started, key
    state.changes_key = _changes(started)["key"]
    state.save()
    return {"daily_usage_days_recomputed": max(days, 0)}


def _changes(built_at: dt.datetime) -> dict:
    """The ledger rows saved since ``built_at`` less the margin: the earliest day they touch, and
    a fingerprint of them (how many, which, when saved) to tell "changed again" from "seen"."""
    seen = UsageEntry.objects.filter(updated_at__gte=built_at - CHANGE_MARGIN).aggregate(
        first=Min("occurred_on"), n=Count("id"), ids=Sum("id"), saved=Sum(Extract("updated_at", "epoch"))
    )
    return {"first": seen["first"], "key": f"{seen['n']}:{seen['ids'] or 0}:{seen['saved'] or 0}"}


# Today's inventory count is kept at most this old (the beat task asks every minute).
CUBE_MAX_AGE = dt.timedelta(hours=1)


@transaction.atomic
def inventory_cube_refresh(*, today: dt.date, force: bool = False) -> dict[str, int]:
    """Count the inventory today per industry, region, product line and activity type
    (``statements.inventory_cube``) and keep only that count; a count of today younger than
    ``CUBE_MAX_AGE`` (and the same policy) is kept as it is unless ``force``."""
    policy = OverusePolicy.current()
    state, _ = AggregateState.objects.select_for_update().get_or_create(name="inventory_cube")
    started = timezone.now()
    fresh = (
        state.built_through == today
        and state.built_at is not None
        and started - state.built_at < CUBE_MAX_AGE
        and state.policy_key == policy_key(policy)
    )
    if fresh and not force:
        return {"inventory_cube_rows": 0}
    rows = statements.inventory_cube(today, policy)
    InventoryCube.objects.all().delete()
    InventoryCube.objects.bulk_create(
        [
            InventoryCube(
                date=today,
                industry=industry,
                region=region,
                product_line=line,
                activity_type=activity,
                industry_name=industry_name,
                region_name=region_name,
                activity_name=activity_name,
                **dict(zip(statements.STOCK_FIGURES, counts, strict=True)),
            )
            for industry, region, line, activity, industry_name, region_name, activity_name, *counts in rows
        ],
        batch_size=2000,
    )
    state.built_through, state.built_at, state.policy_key = today, started, policy_key(policy)
    state.save()
    return {"inventory_cube_rows": len(rows)}


def daily_figures_refresh(*, today: dt.date | None = None, full: bool = False) -> dict[str, int]:
    """Both aggregates: the ledger's days that changed and today's inventory. Run by the nightly
    check and by the beat task ``metrics_warm``."""
    today = today or timezone.localdate()
    return {**daily_usage_refresh(today=today, full=full), **inventory_cube_refresh(today=today, force=full)}
