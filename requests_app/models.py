"""Requests for references, the candidates proposed for them, and unmet demand."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import permissions as perms
from ledger.models import UsageEntry
from references.choices import Seniority, SizeBand
from references.models import (
    ActivityType,
    Industry,
    Product,
    ReferenceProfile,
    Region,
    country_code,
)

from .choices import (
    CANDIDATE_TRANSITIONS,
    DUE_SOON_HOURS,
    OPEN_CANDIDATE_STATES,
    OPEN_REQUEST_STATUSES,
    REQUEST_TRANSITIONS,
    CandidateLinkPurpose,
    CandidateState,
    Crm,
    OutcomeResult,
    RequestEventKind,
    RequestStatus,
    TooOften,
    UnmetReason,
    Urgency,
)


class RequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> RequestQuerySet:
        """Managers, admins and executives see every request. Everyone else sees the requests
        they made, and, as account owner, the requests one of their customers was proposed for
        (they are asked to consent). Anything else is a 404."""
        if perms.has_capability(user, perms.VIEW_ALL_REQUESTS):
            return self
        if perms.has_capability(user, perms.VIEW_REQUESTS):
            owned = Candidate.objects.filter(request=OuterRef("pk"), reference__customer__account_owner=user)
            return self.filter(Q(requester=user) | Exists(owned))
        return self.none()

    def open(self) -> RequestQuerySet:
        return self.filter(status__in=OPEN_REQUEST_STATUSES)

    def in_scope_of(self, teams) -> RequestQuerySet:
        """Requests these teams own (routed to them on submit), and the requests no team owns
        (a prospect's region no team covers), which every team must be able to pick up."""
        return self.filter(Q(team__in=[team.pk for team in teams]) | Q(team__isnull=True))

    def by_urgency(self, now=None) -> RequestQuerySet:
        """Most pressing first: overdue requests, then by the latest moment work must start
        (needed-by minus the activity type's lead time)."""
        now = now or timezone.now()
        overdue_first = Case(
            When(needed_by__lte=now, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return self.annotate(overdue_rank=overdue_first).order_by(
            "overdue_rank", "start_by", "needed_by", "id"
        )


class Request(models.Model):
    """A request for references from sales or marketing: the activity, the prospect and the
    opportunity, criteria split into must-haves (deal breakers) and nice-to-haves ranked by
    importance, how many references and by when.

    ``criteria`` is ``{"must": [{"field", "value"}], "nice": [{"field", "value", "weight"}]}``
    (validated by ``requests_app.criteria.criteria_clean``). ``start_by`` is needed-by minus
    the activity type's lead time: the queue orders by it.
    """

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requests")
    activity_type = models.ForeignKey(ActivityType, on_delete=models.PROTECT, related_name="requests")
    prospect_name = models.CharField("prospect company", max_length=200)
    prospect_industry = models.ForeignKey(
        Industry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prospect_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prospect_country = models.CharField(max_length=2, blank=True, validators=[country_code])
    prospect_size_band = models.CharField(max_length=16, choices=SizeBand.choices, blank=True)
    prospect_contact_title = models.CharField("prospect contact's title", max_length=200, blank=True)
    prospect_seniority = models.CharField(
        "prospect contact's seniority", max_length=16, choices=Seniority.choices, blank=True
    )
    products = models.ManyToManyField(Product, blank=True, related_name="requests")
    criteria = models.JSONField(default=dict, blank=True)
    references_needed = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    needed_by = models.DateTimeField()
    start_by = models.DateTimeField(editable=False, db_index=True)
    opportunity_crm_id = models.CharField("CRM opportunity id", max_length=64, blank=True)
    opportunity_amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    opportunity_stage = models.CharField(max_length=60, blank=True)
    # The deal in the CRM, when the request is linked to one: its amount, stage, close date and
    # result then come from there (``requests_app.deals.request_deal``), not from the fields above.
    opportunity = models.ForeignKey(
        "Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_requests",
    )
    # The team whose queue it is in: the team owning the prospect's region, set on submit
    # (``accounts.teams``/``requests_app.services.requests.request_route``); none when no team does.
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    closed_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome_result = models.CharField(max_length=8, choices=OutcomeResult.choices, blank=True)
    outcome_amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    outcome_reported_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "start_by"], name="request_queue"),
            models.Index(fields=["requester", "created_at"], name="request_requester"),
            models.Index(fields=["assignee", "status"], name="request_assignee"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="request_rating_range",
            ),
            models.CheckConstraint(condition=Q(references_needed__gte=1), name="request_needs_a_reference"),
            models.CheckConstraint(
                condition=~Q(status__in=[RequestStatus.CANCELLED, RequestStatus.UNFULFILLED])
                | ~Q(closed_reason=""),
                name="request_closing_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.activity_type_id} for {self.prospect_name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    def can_transition_to(self, status: str) -> bool:
        return status in REQUEST_TRANSITIONS.get(self.status, set())

    @property
    def must(self) -> list[dict]:
        return list((self.criteria or {}).get("must", []))

    @property
    def nice(self) -> list[dict]:
        return list((self.criteria or {}).get("nice", []))

    def compute_start_by(self):
        return self.needed_by - timedelta(days=self.activity_type.lead_time_days)

    def lead_time_short(self, now=None) -> bool:
        """Needed sooner than the activity usually takes (a case study in 3 hours will not happen)."""
        now = now or timezone.now()
        return self.needed_by - now < timedelta(days=self.activity_type.lead_time_days)

    def amounts_visible_to(self, user) -> bool:
        """Deal money (the opportunity's amount and the won amount) is commercial data: the
        requester who typed it and the roles with the revenue capability see it; nobody else
        (an administrator, or an account owner asked to consent) does, in JSON or on a page."""
        return self.requester_id == getattr(user, "pk", None) or perms.has_capability(
            user, perms.VIEW_REVENUE
        )

    def urgency(self, now=None) -> dict:
        """``{"level", "hours_left", "lead_time_days"}``: overdue and due within 72 hours stand
        out; ``tight`` when less time is left than the activity type's usual lead time."""
        now = now or timezone.now()
        hours_left = int((self.needed_by - now).total_seconds() // 3600)
        if not self.is_open:
            level = Urgency.CLOSED
        elif self.needed_by <= now:
            level = Urgency.OVERDUE
        elif self.needed_by - now <= timedelta(hours=DUE_SOON_HOURS):
            level = Urgency.DUE_SOON
        elif self.start_by <= now:
            level = Urgency.TIGHT
        else:
            level = Urgency.ON_TRACK
        return {
            "level": str(level),
            "hours_left": hours_left,
            "lead_time_days": self.activity_type.lead_time_days,
        }


class RequestEvent(models.Model):
    """One step in a request's life (audit trail): submitted, assigned, status change, outcome…"""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=RequestEventKind.choices)
    from_status = models.CharField(max_length=16, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=RequestStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.kind}"


# Fulfilment: how long an activity usually takes when scheduled (minutes), and the bounds of
# what a manager may type. A call is half an hour; an activity not listed takes an hour.
DEFAULT_MEETING_MINUTES = 60
ACTIVITY_MEETING_MINUTES: dict[str, int] = {
    "call": 30,
    "email": 30,
    "name_drop": 30,
    "event_meeting": 60,
    "site_visit": 180,
    "analyst_briefing": 60,
    "media_interview": 45,
    "video": 120,
    "case_study": 60,
    "speaking": 60,
}
MEETING_MINUTES_MIN = 5
MEETING_MINUTES_MAX = 12 * 60
MEETING_DETAILS_MAX = 300
COMPLETION_NOTES_MAX = 4000
# From the customer's yes on, the requester (and the account owner) see the reference's contact.
CONTACT_SHARED_STATES = (
    CandidateState.ACCEPTED,
    CandidateState.OFFERED_TIMES,
    CandidateState.SCHEDULED,
    CandidateState.COMPLETED,
)


def default_duration_minutes(activity_code: str) -> int:
    return ACTIVITY_MEETING_MINUTES.get(activity_code, DEFAULT_MEETING_MINUTES)


class CandidateQuerySet(models.QuerySet):
    def visible_to(self, user) -> CandidateQuerySet:
        return self.filter(request__in=Request.objects.visible_to(user))

    def in_scope_of(self, teams) -> CandidateQuerySet:
        """Candidates of the requests these teams own (``RequestQuerySet.in_scope_of``)."""
        return self.filter(request__in=Request.objects.in_scope_of(teams))

    def open(self) -> CandidateQuerySet:
        return self.filter(state__in=OPEN_CANDIDATE_STATES)


class Candidate(models.Model):
    """A reference proposed for a request, walked from proposal (capacity reserved) through
    the account owner's consent and the customer's answer to a completed activity.

    ``usage`` is the ledger row its proposal reserved; each move that concerns the customer
    updates it (see ``choices.CANDIDATE_USAGE``).
    """

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="candidates")
    reference = models.ForeignKey(ReferenceProfile, on_delete=models.PROTECT, related_name="candidacies")
    state = models.CharField(max_length=16, choices=CandidateState.choices, default=CandidateState.PROPOSED)
    usage = models.ForeignKey(UsageEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.FloatField(null=True, blank=True, help_text="The match score when proposed.")
    scheduled_for = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(MEETING_MINUTES_MIN), MaxValueValidator(MEETING_MINUTES_MAX)],
    )
    meeting_details = models.CharField(
        max_length=MEETING_DETAILS_MAX,
        blank=True,
        help_text="Where: a video link, a phone bridge or a place.",
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # RFC 5545 SEQUENCE of the invitation: 0 when first scheduled, one more at each reschedule
    # (and at a cancellation), so calendars replace the meeting instead of adding one.
    calendar_sequence = models.PositiveIntegerField(default=0)
    completion_notes = models.TextField(blank=True, help_text="What happened, recorded at completion.")
    found_useful = models.BooleanField(
        null=True, blank=True, help_text="Whether the prospect found it useful (unknown when empty)."
    )
    customer_feedback = models.TextField(
        blank=True, help_text="What the reference said about the experience."
    )
    deal_shared = models.BooleanField(
        default=False,
        help_text="The manager chose to show the reference the prospect's deal data when asking.",
    )
    offered_slots = models.JSONField(
        default=list, blank=True, help_text="The start times the reference offered (ISO 8601, aware)."
    )
    ask_again_after = models.DateField(
        null=True, blank=True, help_text="The reference said: not now, ask me again after this date."
    )
    answer_reason = models.TextField(
        blank=True, help_text="Why the reference (or the account owner) said no, in their words."
    )
    reminder_sent_for = models.DateTimeField(
        null=True, blank=True, help_text="The meeting start the day-before reminder was sent for."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "reference"],
                condition=~Q(
                    state__in=[CandidateState.WITHDRAWN, CandidateState.DECLINED, CandidateState.MISSED]
                ),
                name="candidate_once_per_request",
            )
        ]
        indexes = [models.Index(fields=["request", "state"], name="candidate_request_state")]

    def __str__(self) -> str:
        return f"Candidate {self.reference_id} for request {self.request_id}"

    def can_transition_to(self, state: str) -> bool:
        return state in CANDIDATE_TRANSITIONS.get(self.state, set())

    @property
    def next_states(self) -> list[str]:
        order = list(CandidateState.values)
        return sorted(CANDIDATE_TRANSITIONS.get(self.state, set()), key=order.index)

    @property
    def default_duration_minutes(self) -> int:
        return default_duration_minutes(self.request.activity_type_id)

    @property
    def meeting_minutes(self) -> int:
        return self.duration_minutes or self.default_duration_minutes

    @property
    def ends_at(self):
        if self.scheduled_for is None:
            return None
        return self.scheduled_for + timedelta(minutes=self.meeting_minutes)

    @property
    def slots(self) -> list:
        """The offered start times as aware datetimes, earliest first."""
        from datetime import datetime

        return sorted(datetime.fromisoformat(s) for s in self.offered_slots or [])

    @property
    def has_meeting(self) -> bool:
        """A meeting to show and to put in a calendar: scheduled, or completed after scheduling."""
        return self.scheduled_for is not None and self.state in (
            CandidateState.SCHEDULED,
            CandidateState.COMPLETED,
        )

    def contact_visible_to(self, user) -> bool:
        """May ``user`` see who the reference is and how to reach them (the contact's name,
        e-mail and phone)? The one rule for the request page, the API and the invitation.

        Roles with ``view_contact_pii`` always may. The narrow exception: once the customer has
        accepted (accepted, scheduled, completed), the requester of this request — the catalog
        promises them the contact — and the customer's account owner, who is invited to the
        meeting with the contact. Before the acceptance, or after a withdrawal, nobody else."""
        if perms.has_capability(user, perms.VIEW_CONTACT_PII):
            return True
        uid = getattr(user, "pk", None)
        if uid is None or not getattr(user, "is_active", False) or self.state not in CONTACT_SHARED_STATES:
            return False
        return uid == self.request.requester_id or uid == self.reference.customer.account_owner_id


class CandidateEvent(models.Model):
    """One move of a candidate: who, from which state to which, when, and why."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, choices=CandidateState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=CandidateState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.from_state} → {self.to_state}"


class CandidateLink(models.Model):
    """A private link (no log-in) about one candidate: the account owner's one-click consent, or
    the reference contact's answer to an ask. Only a hash of the token is stored; the token rules
    (single decision, expiry, newer link withdraws older) are ``refprogram.links``'s."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="links")
    purpose = models.CharField(max_length=8, choices=CandidateLinkPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["candidate", "purpose"], name="candidate_link_purpose")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link for candidate {self.candidate_id}"


class CandidateFeedback(models.Model):
    """What the requester or the reference said a day after the activity: did it happen, a 1–5
    rating, one comment; the reference also says whether they would do it again and how often
    is too often. One per candidate and side."""

    class Side(models.TextChoices):
        REQUESTER = "requester", _("Requester")
        REFERENCE = "reference", _("Reference")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="feedback")
    side = models.CharField(max_length=9, choices=Side.choices)
    happened = models.BooleanField()
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True)
    would_do_again = models.BooleanField(null=True, blank=True)
    too_often = models.CharField(max_length=9, choices=TooOften.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "side"], name="candidate_feedback_once_per_side"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="candidate_feedback_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} feedback on candidate {self.candidate_id}"


class UnmetDemand(models.Model):
    """Demand the inventory could not meet, by segment, for the supply-against-demand reports.

    One per request. ``product`` is the first product the request must have (or, failing
    that, its first product of interest).
    """

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="unmet_demand")
    activity_type = models.ForeignKey(ActivityType, on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(Industry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=24, choices=UnmetReason.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "unmet demand"
        indexes = [models.Index(fields=["created_at"], name="unmet_created")]

    def __str__(self) -> str:
        return f"Unmet demand for request {self.request_id}"


class OpportunityQuerySet(models.QuerySet):
    def visible_to(self, user) -> OpportunityQuerySet:
        """The people who file requests for deals (to link one), who see every request, or who
        wire the CRM see the opportunities; nobody else does. Their money is a separate rule:
        :meth:`Opportunity.amount_visible_to`."""
        if any(
            perms.has_capability(user, cap)
            for cap in (perms.SUBMIT_REQUESTS, perms.VIEW_ALL_REQUESTS, perms.MANAGE_INTEGRATIONS)
        ):
            return self
        return self.none()


class Opportunity(models.Model):
    """A sales opportunity (a deal) as the CRM knows it. The CRM owns every field here; RefProgram
    keeps the latest copy, upserted by (crm, crm_id), so requests can link to a real deal.

    The prospect's firmographics (industry, region, country, size, employees) are the CRM
    account's, resolved by the sync; they prefill a request opened from the opportunity.
    ``opened_on`` (the deal's creation in the CRM) to ``close_date`` is its sales cycle."""

    crm = models.CharField(max_length=20, choices=Crm.choices)
    crm_id = models.CharField(max_length=100)
    name = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    stage = models.CharField(max_length=100, blank=True)
    close_date = models.DateField(null=True, blank=True)
    is_closed = models.BooleanField(default=False)
    is_won = models.BooleanField(default=False)
    account_name = models.CharField(max_length=300, blank=True)
    account_crm_id = models.CharField(max_length=100, blank=True)
    industry = models.ForeignKey(Industry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    country = models.CharField(max_length=2, blank=True, validators=[country_code])
    size_band = models.CharField(max_length=16, choices=SizeBand.choices, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    owner_email = models.EmailField("owner's e-mail", blank=True)
    opened_on = models.DateField(null=True, blank=True, help_text="When the deal was created in the CRM.")
    modified_at = models.DateTimeField(null=True, blank=True, help_text="When the CRM last changed it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["crm", "crm_id"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.UniqueConstraint(fields=["crm", "crm_id"], name="opportunity_unique_crm_id"),
            models.CheckConstraint(
                condition=Q(is_won=False) | Q(is_closed=True), name="opportunity_won_is_closed"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="opportunity_amount_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_crm_display()} {self.crm_id})"

    @staticmethod
    def amount_visible_to(user) -> bool:
        """An opportunity's amount is revenue: only roles with the revenue capability see it in
        a list of deals (a request's requester sees their own deal's through the request)."""
        return perms.has_capability(user, perms.VIEW_REVENUE)
