"""The usage ledger, every ask and use of a reference (the program's memory), and the overuse
policy, the program's promise not to over-ask (caps over a rolling window, a rest period)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts import permissions as perms
from references.choices import Seniority
from references.models import Staleness

from .choices import USAGE_COUNTING, USAGE_TRANSITIONS, UsageStatus


class OverusePolicy(Staleness):
    """The program's promise not to over-ask: caps over a rolling window and a rest period.

    One row (pk=1). Defaults: a contact may spend 6 weighted points in 180 days (three calls, or
    one heavy activity such as a case study or site visit, so heavy activities at most twice a
    year); a customer, all its contacts together, 8 points in 180 days (about one reference call
    per customer per quarter plus room for one heavy activity); 30 days of rest after each live
    activity. The same row keeps the inventory's staleness setting (``stale_after_days``, the rule
    is ``references.models.Staleness``), edited on the same policy page.
    """

    window_days = models.PositiveSmallIntegerField(default=180, validators=[MinValueValidator(1)])
    reference_cap = models.PositiveSmallIntegerField(default=6, validators=[MinValueValidator(1)])
    customer_cap = models.PositiveSmallIntegerField(default=8, validators=[MinValueValidator(1)])
    rest_days = models.PositiveSmallIntegerField(default=30)
    near_cap_ratio = models.DecimalField(max_digits=3, decimal_places=2, default=0.75)
    # A detractor (health below this, on the -100…100 scale) is never put in front of a prospect or
    # the public: every activity a reference does is external.
    detractor_below = models.SmallIntegerField(default=0)
    # C-level references are the scarcest: asks whose prospect contact is below this seniority rank
    # them last among those that can be proposed (blank: no protection). Matching's scale, see
    # docs/matching.md.
    c_level_protected_below = models.CharField(
        max_length=16, choices=Seniority.choices, blank=True, default=Seniority.DIRECTOR
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "references_overusepolicy"  # the table it had in the references app (no data moved)
        verbose_name_plural = "overuse policy"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="overuse_policy_single_row")]

    def __str__(self) -> str:
        return "Overuse policy"

    @classmethod
    def current(cls) -> OverusePolicy:
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy

    def window_start(self, today: date) -> date:
        """Uses on or before this date no longer count: the window is (today - window_days, today]."""
        return today - timedelta(days=self.window_days)


class UsageEntryQuerySet(models.QuerySet):
    def visible_to(self, user) -> UsageEntryQuerySet:
        if perms.has_capability(user, perms.VIEW_USAGE):
            return self
        return self.none()

    def counting(self) -> UsageEntryQuerySet:
        return self.filter(status__in=USAGE_COUNTING)


class UsageEntry(models.Model):
    """One ask or use of a reference: the program's memory.

    Asks the customer declined count against the caps too (asking costs goodwill); a proposal
    withdrawn before the customer was asked does not. ``source`` names what caused the ask
    (e.g. ``candidate:42``) and is unique, so the same ask can never be counted twice.
    """

    reference = models.ForeignKey(
        "references.ReferenceProfile", on_delete=models.CASCADE, related_name="usage"
    )
    customer = models.ForeignKey("references.Customer", on_delete=models.CASCADE, related_name="usage")
    activity_type = models.ForeignKey(
        "references.ActivityType", on_delete=models.PROTECT, related_name="usage"
    )
    status = models.CharField(max_length=16, choices=UsageStatus.choices, default=UsageStatus.RESERVED)
    points = models.PositiveSmallIntegerField(help_text="The activity's weight when it was asked.")
    occurred_on = models.DateField(help_text="The day the ask counts from.")
    request_ref = models.PositiveBigIntegerField("request", null=True, blank=True, db_index=True)
    source = models.CharField(max_length=80, null=True, blank=True, unique=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UsageEntryQuerySet.as_manager()

    class Meta:
        db_table = "references_usageentry"  # the table it had in the references app (no data moved)
        ordering = ["-occurred_on", "-id"]
        verbose_name_plural = "usage entries"
        indexes = [
            # These two also carry status and points (references migration 0006).
            models.Index(fields=["reference", "occurred_on"], name="usage_ref_day"),
            models.Index(fields=["customer", "occurred_on"], name="usage_customer_day"),
            models.Index(fields=["occurred_on", "status"], name="usage_day_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(override=False) | ~Q(override_reason=""), name="usage_override_needs_reason"
            ),
            models.CheckConstraint(condition=Q(points__gte=1), name="usage_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_type_id} with {self.reference_id} on {self.occurred_on}"

    def can_transition_to(self, status: str) -> bool:
        return status in USAGE_TRANSITIONS.get(self.status, set())
