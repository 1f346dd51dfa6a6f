"""Program metrics: the daily snapshot of the program's figures, and the strategic mix the
inventory should hold."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class MetricSnapshot(models.Model):
    """The program's figures on one day, taken by the nightly ``metrics_snapshot`` check.

    One per date (unique): the baseline and history from which the dashboard draws monthly
    trends. ``figures`` holds the day's flows (requests received, fulfilled… that day) and the
    stock at the end of the day (active, resting, stale references, pending approvals…).
    """

    date = models.DateField(unique=True)
    figures = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"Metrics of {self.date}"


class TargetDimension(models.TextChoices):
    PRODUCT_LINE = "product_line", "Product line"
    INDUSTRY = "industry", "Industry"
    REGION = "region", "Region"


class StrategicTarget(models.Model):
    """The share of the reference inventory the program should hold for one product line,
    industry or region (e.g. 75 % of references for the management product line), set by
    managers; the dashboard reports the actual active inventory against it."""

    dimension = models.CharField(max_length=16, choices=TargetDimension.choices)
    value = models.CharField(
        max_length=100, help_text="A product line's name, or an industry or region code."
    )
    target_share = models.DecimalField(
        "target share (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dimension", "value"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "value"], name="one_target_per_segment"),
            models.CheckConstraint(
                condition=Q(target_share__gte=0, target_share__lte=100), name="target_share_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()} {self.value}: {self.target_share} %"


class DailyUsage(models.Model):
    """The usage ledger's asks of one day, added up per customer industry and region, activity
    type and product line, so that any period's asks, overrides and over-asks are a sum over a
    few hundred rows a day instead of a pass over the ledger.

    ``product_line`` is ``""`` on the rows that count every ask once; a row with a line counts
    the asks of references that run a product of that line (an ask of a reference with products
    of two lines is on both lines' rows, and once on the ``""`` row). Kept by
    ``services.daily_figures_refresh`` (nightly, and by the beat task ``metrics_warm`` for the
    days whose ledger rows changed)."""

    date = models.DateField()
    industry = models.CharField(max_length=50, blank=True)
    region = models.CharField(max_length=50, blank=True)
    activity_type = models.CharField(max_length=50, blank=True)
    product_line = models.CharField(max_length=100, blank=True)
    asks = models.PositiveIntegerField(default=0)
    overrides = models.PositiveIntegerField(default=0)
    over_asks = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["date", "product_line", "industry", "region", "activity_type"],
                name="one_daily_usage_row_per_slice",
            )
        ]

    def __str__(self) -> str:
        return f"Asks of {self.date}"


class InventoryCube(models.Model):
    """The inventory as it stood when last counted (``date``), per customer industry and region,
    product line and activity type (``""``: every line, every activity type), so that the
    inventory figures of any segment are a sum over a few rows. Only the latest count is kept;
    the metrics read it only when it was counted today (else they count the inventory live)."""

    date = models.DateField()
    industry = models.CharField(max_length=50)
    region = models.CharField(max_length=50)
    product_line = models.CharField(max_length=100, blank=True)
    activity_type = models.CharField(max_length=50, blank=True)
    activity_name = models.CharField(max_length=100, blank=True)
    industry_name = models.CharField(max_length=100, blank=True)
    region_name = models.CharField(max_length=100, blank=True)
    active = models.PositiveIntegerField(default=0)
    resting = models.PositiveIntegerField(default=0)
    resting_at_cap = models.PositiveIntegerField(default=0)
    stale = models.PositiveIntegerField(default=0)
    near_cap = models.PositiveIntegerField(default=0)
    at_cap = models.PositiveIntegerField(default=0)
    in_catalog = models.PositiveIntegerField(default=0)
    available = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Inventory of {self.date}"


class AggregateState(models.Model):
    """How far the daily aggregates are built: one row per aggregate (``daily_usage``,
    ``inventory_cube``), with the policy they were built under (caps and window change which
    asks were over-asks, so a policy change rebuilds them)."""

    name = models.CharField(max_length=32, unique=True)
    built_through = models.DateField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    policy_key = models.CharField(max_length=100, blank=True)
    # The ledger rows seen in the look-back margin when last built (count, ids, times): the same
    # fingerprint on the next refresh means nothing changed, so nothing is recomputed.
    changes_key = models.CharField(max_length=200, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.name} built through {self.built_through}"
