"""What managers change in reporting (the strategic targets) and the nightly snapshot."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from references.models import Industry, Product, Region

from . import metrics
from .models import MetricSnapshot, StrategicTarget, TargetDimension


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
            {"value": f"Unknown {TargetDimension(dimension).label.lower()}. Known: {known}."}
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
