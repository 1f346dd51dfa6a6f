"""The usage ledger: every ask and use of a reference, the program's memory.

The overuse policy (caps, window, rest, staleness) is still ``references.models.OverusePolicy``:
its staleness setting is read by the inventory itself (stale profiles, re-confirmation), which
must not import this app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts import permissions as perms

from .choices import USAGE_COUNTING, USAGE_TRANSITIONS, UsageStatus


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
