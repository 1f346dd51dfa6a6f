"""The usage ledger, every ask and use of a reference (the program's memory), and the overuse
policy, the program's promise not to over-ask (caps over a rolling window, a rest period)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts import permissions as perms
from references.choices import Seniority
from references.models import Retention, Staleness

from .choices import USAGE_COUNTING, USAGE_TRANSITIONS, UsageStatus


class OverusePolicy(Staleness, Retention):
    """The program's promise not to over-ask: caps over a rolling window and a rest period.

    One row (pk=1). Defaults: a contact may spend 6 weighted points in 180 days (three calls, or
    one heavy activity such as a case study or site visit, so heavy activities at most twice a
    year); a customer, all its contacts together, 8 points in 180 days (about one reference call
    per customer per quarter plus room for one heavy activity); 30 days of rest after each live
    activity. The same row keeps the inventory's staleness setting (``stale_after_days``, the rule
    is ``references.models.Staleness``), edited on the same policy page, and how long personal data
    is kept (``retention_months``, ``retention_grace_days``, ``notice_auto_send``: the rule is
    ``references.models.Retention``).
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
    # Holds the nightly checks start: a customer is on hold from this many days before its renewal
    # until the renewal is marked done, and while its health is below ``health_hold_below`` (blank:
    # no health hold).
    renewal_hold_days = models.PositiveSmallIntegerField(default=60)
    health_hold_below = models.SmallIntegerField(null=True, blank=True, default=20)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Every change and who made it (``policy_update``'s actor), for the audit log.
    history = HistoricalRecords(get_user=lambda instance, **kwargs: instance.updated_by)

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
            # The audit log's newest asks first, a page at a time (reporting.audit).
            models.Index(fields=["-created_at", "-id"], name="usage_newest"),
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


# --- Holds ---------------------------------------------------------------------------------------


class HoldKind(models.TextChoices):
    """Why a hold exists: set by hand, asked for by the reference, or started by the nightly checks."""

    MANUAL = "manual", _("Set by hand")
    REFERENCE = "reference", _("The reference asked to wait")
    RENEWAL = "renewal", _("Around the customer's renewal")
    HEALTH = "health", _("Customer health dropped")


# The kinds the nightly checks start and end themselves (at most one open hold of each per customer).
AUTOMATIC_HOLD_KINDS = (HoldKind.RENEWAL, HoldKind.HEALTH)


class HoldQuerySet(models.QuerySet):
    def visible_to(self, user) -> HoldQuerySet:
        """Roles that look after the inventory see every hold; a sales rep sees the holds of the
        accounts they own (a hold's reason, such as an open escalation, is the account's business)."""
        if perms.has_capability(user, perms.VIEW_INVENTORY):
            return self
        if getattr(user, "is_authenticated", False) and user.is_active:
            return self.filter(Q(customer__account_owner=user) | Q(reference__customer__account_owner=user))
        return self.none()

    def active_on(self, day: date) -> HoldQuerySet:
        """The holds in force on ``day`` (see :func:`hold_active_q`)."""
        return self.filter(hold_active_q(day))

    def covering(self, profile) -> HoldQuerySet:
        """The holds of the reference itself and of its whole customer."""
        return self.filter(Q(reference_id=profile.pk) | Q(customer_id=profile.customer_id))


def hold_active_q(day: date, prefix: str = "") -> Q:
    """A hold is in force on ``day`` when it has started, has not reached its end date (an automatic
    hold has none: it lasts until its cause goes) and was not ended early (``lifted_on``, the first
    day it no longer holds)."""
    return (
        Q(**{f"{prefix}starts_on__lte": day})
        & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day}))
        & (Q(**{f"{prefix}lifted_on__isnull": True}) | Q(**{f"{prefix}lifted_on__gt": day}))
    )


class Hold(models.Model):
    """A period in which a reference, or a whole customer (every one of its contacts), must not be
    asked: an open escalation, an M&A quiet period, the reference's own "ask me again after…", the
    weeks around a renewal, or a drop in customer health. Different from *resting*, which follows
    from use. Ending a hold early keeps it (``lifted_on``, who and why): holds are history."""

    customer = models.ForeignKey(
        "references.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="holds"
    )
    reference = models.ForeignKey(
        "references.ReferenceProfile", null=True, blank=True, on_delete=models.CASCADE, related_name="holds"
    )
    kind = models.CharField(max_length=16, choices=HoldKind.choices, default=HoldKind.MANUAL)
    reason = models.CharField(max_length=300)
    starts_on = models.DateField()
    ends_on = models.DateField(
        null=True, blank=True, help_text="The last day of the hold; empty: until its cause goes."
    )
    lifted_on = models.DateField(
        null=True, blank=True, help_text="Ended early: the first day it no longer holds."
    )
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lift_note = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = HoldQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["reference", "starts_on"], name="hold_reference_day"),
            models.Index(fields=["customer", "starts_on"], name="hold_customer_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(customer__isnull=False) & Q(reference__isnull=True))
                | (Q(customer__isnull=True) & Q(reference__isnull=False)),
                name="hold_customer_xor_reference",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="hold_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=False) | Q(kind__in=AUTOMATIC_HOLD_KINDS),
                name="hold_end_date_unless_automatic",
            ),
            # The nightly checks may run twice: one open automatic hold per customer and kind.
            models.UniqueConstraint(
                fields=["customer", "kind"],
                condition=Q(kind__in=AUTOMATIC_HOLD_KINDS, lifted_on__isnull=True),
                name="hold_one_open_automatic",
            ),
        ]

    def __str__(self) -> str:
        return f"Hold on {self.customer_id or self.reference_id}: {self.reason}"

    def is_active(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return (
            self.starts_on <= day
            and (self.ends_on is None or day <= self.ends_on)
            and (self.lifted_on is None or day < self.lifted_on)
        )

    @property
    def subject(self) -> str:
        """Who is held, in words: the customer, or the reference's contact."""
        if self.customer_id:
            return f"{self.customer.name} (all its contacts)"
        return f"{self.reference.contact.name} ({self.reference.customer.name})"

    def sentence(self) -> str:
        """ "On hold until 2027-01-15: escalation open" (or "until its cause goes")."""
        if self.ends_on:
            return gettext("On hold until %(day)s: %(reason)s") % {
                "day": f"{self.ends_on:%Y-%m-%d}",
                "reason": self.reason,
            }
        return gettext("On hold until lifted: %(reason)s") % {"reason": self.reason}
