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
