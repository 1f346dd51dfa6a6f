"""Public-use approvals: the customer's permission for one public use of its name, the
history of every change to it, and the private links through which the customer decides."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts import permissions as perms
from references.models import Customer

from .choices import (
    APPROVAL_OPEN_STATUSES,
    APPROVAL_TRANSITIONS,
    EXPIRY_WARNING_DAYS,
    ApprovalStatus,
    ApprovalUse,
    Channel,
)

__all__ = ["Approval", "ApprovalEvent", "ConsentLink", "approval_event_file_path", "approval_file_path"]


def approval_file_path(instance: Approval, filename: str) -> str:
    """Uploaded files live under MEDIA_ROOT/approvals/<customer>/ with a name the service chose
    (never the uploader's), outside the web root and never served by URL."""
    return f"approvals/{instance.customer_id}/{filename}"


def approval_event_file_path(instance: ApprovalEvent, filename: str) -> str:
    """An event's file sits next to its approval's files (the service names it, not the uploader)."""
    return f"approvals/{instance.approval.customer_id}/{filename}"


def channel_condition(channel: str, prefix: str = "") -> Q:
    """The approval's scope (a JSON list of channel codes) includes ``channel`` (jsonb ``@>``)."""
    return Q(**{f"{prefix}scope__contains": [channel]})


class ApprovalQuerySet(models.QuerySet):
    def visible_to(self, user) -> ApprovalQuerySet:
        """The roles that look after the inventory see every approval; a sales rep sees only
        what is approved, for the customers they can see (to know a logo may go in a deck)."""
        if not perms.has_capability(user, perms.VIEW_APPROVALS):
            return self.none()
        if perms.has_capability(user, perms.VIEW_INVENTORY):
            return self
        return self.filter(
            status=ApprovalStatus.APPROVED,
            customer__in=Customer.objects.visible_to(user).values("pk"),
        )

    def valid(self, on: date | None = None) -> ApprovalQuerySet:
        """Approved and not past its expiry date on ``on`` (the expiry day itself still counts)."""
        on = on or timezone.localdate()
        return self.filter(status=ApprovalStatus.APPROVED, expires_on__gte=on)

    def expiring(self, within_days: int = EXPIRY_WARNING_DAYS, on: date | None = None) -> ApprovalQuerySet:
        """Valid today but ending within ``within_days`` days."""
        on = on or timezone.localdate()
        return self.valid(on).filter(expires_on__lte=on + timedelta(days=within_days))

    def open(self) -> ApprovalQuerySet:
        return self.filter(status__in=APPROVAL_OPEN_STATUSES)

    def for_channel(self, channel: str | None) -> ApprovalQuerySet:
        return self.filter(channel_condition(channel)) if channel else self


class Approval(models.Model):
    """The customer's approval of one public use of its name (a logo, the name, a quote's exact
    text, a case study, a press release, a video, a website listing), within a scope of channels
    and until an expiry date. requested → in_review → approved | declined; later expired or
    revoked. An approved quote may be re-used within its scope and term; new wording needs a new
    approval."""

    customer = models.ForeignKey("references.Customer", on_delete=models.CASCADE, related_name="approvals")
    use = models.CharField(max_length=24, choices=ApprovalUse.choices)
    status = models.CharField(max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.REQUESTED)
    title = models.CharField(
        "what it concerns", max_length=200, blank=True, help_text="E.g. 'Logo on the customers page'."
    )
    quote_text = models.TextField("exact quote text", blank=True)
    asset_url = models.URLField("link to the asset", max_length=500, blank=True)
    scope = models.JSONField(default=list, blank=True, help_text="Channels the use is approved for.")
    expires_on = models.DateField(null=True, blank=True)
    contact = models.ForeignKey(
        "references.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approvals",
        help_text="Who at the customer decides.",
    )
    # The person the use names or shows (a quote's speaker, the face in a video): the approval is
    # valid only while that person's consent holds too (``public_use``), and their withdrawal revokes it.
    person = models.ForeignKey(
        "references.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approvals_naming",
        help_text="The person this use names or shows, if any.",
    )
    notes = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded_by"
    )
    # Who on the customer's side decided, and when.
    approver_name = models.CharField(max_length=200, blank=True)
    approver_title = models.CharField(max_length=200, blank=True)
    approver_email = models.EmailField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    # The signed document and the asset file (logo, case study PDF), checked on upload.
    document = models.FileField(upload_to=approval_file_path, max_length=255, blank=True)
    document_name = models.CharField(max_length=255, blank=True)
    document_type = models.CharField(max_length=40, blank=True)
    asset_file = models.FileField(upload_to=approval_file_path, max_length=255, blank=True)
    asset_file_name = models.CharField(max_length=255, blank=True)
    asset_file_type = models.CharField(max_length=40, blank=True)
    expiry_warned_for = models.DateField(
        null=True, blank=True, editable=False, help_text="The expiry date we last warned about."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        db_table = "references_approval"  # moved from the references app with its table
        ordering = ["customer__name", "use", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "use", "status"], name="approval_customer_use"),
            models.Index(fields=["status", "expires_on"], name="approval_status_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ApprovalStatus.APPROVED) | Q(expires_on__isnull=False),
                name="approval_approved_needs_expiry",
            ),
            models.CheckConstraint(
                condition=~Q(use=ApprovalUse.QUOTE) | ~Q(quote_text=""),
                name="approval_quote_needs_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_use_display()} for {self.customer}"

    def can_transition_to(self, status: str) -> bool:
        return status in APPROVAL_TRANSITIONS.get(self.status, set())

    @property
    def is_open(self) -> bool:
        return self.status in APPROVAL_OPEN_STATUSES

    def is_valid_for(self, use: str, channel: str | None = None, on: date | None = None) -> bool:
        """May the customer's name be used this way on ``on``: the same use, approved, not past
        its expiry date, and (when a channel is given) within the approved scope."""
        on = on or timezone.localdate()
        return (
            self.use == use
            and self.status == ApprovalStatus.APPROVED
            and self.expires_on is not None
            and on <= self.expires_on
            and (channel is None or channel in (self.scope or []))
        )

    def is_expiring(self, on: date | None = None, within_days: int = EXPIRY_WARNING_DAYS) -> bool:
        on = on or timezone.localdate()
        return self.is_valid_for(self.use, on=on) and self.expires_on <= on + timedelta(days=within_days)

    def scope_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [str(labels.get(code, code)) for code in self.scope or []]


class ApprovalEvent(models.Model):
    """One change to an approval: who (a user, the customer through the link, or the nightly
    check), what (a status change, an edit, a link sent, a document), when."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", "Requested"
        EDITED = "edited", "Edited"
        TRANSITION = "transition", "Status change"
        LINK_SENT = "link_sent", "Consent link sent"
        CUSTOMER_DECISION = "customer_decision", "Customer decided"
        DOCUMENT = "document", "Signed document attached"
        ASSET = "asset", "Asset file attached"
        EXPIRED = "expired", "Expired"

    approval = models.ForeignKey(Approval, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=16, choices=ApprovalStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ApprovalStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(
        max_length=300, blank=True, help_text="Who acted when it was not a user (customer, nightly check)."
    )
    changes = models.JSONField(default=dict, blank=True, help_text="Field → [before, after].")
    note = models.TextField(blank=True, help_text="Free text: never a person's contact data.")
    # The person on the customer's side the event concerns (who decided through the consent
    # link, or whom a link was sent to), kept apart from the free text so that the e-mail
    # address is shown only to roles that may see contact data (``who_for``/``note_for``).
    person_name = models.CharField(max_length=200, blank=True)
    person_title = models.CharField(max_length=200, blank=True)
    person_email = models.EmailField(blank=True)
    # The signed document this event attached: a replaced document stays on file as an
    # earlier version, reachable through its event.
    file = models.FileField(upload_to=approval_event_file_path, max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "references_approvalevent"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.approval_id}: {self.get_kind_display()}"

    @property
    def who(self) -> str:
        """Who acted, without anyone's contact data (``who_for`` adds what the viewer may see)."""
        return self.who_for(show_contact_data=False)

    def _person(self, *, show_contact_data: bool) -> str:
        name = ", ".join(part for part in (self.person_name, self.person_title) if part)
        if show_contact_data and self.person_email:
            return f"{name} <{self.person_email}>" if name else self.person_email
        return name or gettext("the customer contact")

    def _has_person(self) -> bool:
        return bool(self.person_name or self.person_email)

    def who_for(self, *, show_contact_data: bool) -> str:
        """Who acted: a user, the nightly check, or the customer's person through the link. Their
        e-mail address only with ``show_contact_data`` (the ``view_contact_pii`` capability)."""
        if self.kind != self.Kind.LINK_SENT and self._has_person():
            who = self.actor_label or gettext("Customer")
            return f"{who}: {self._person(show_contact_data=show_contact_data)}"
        return self.actor_label or (str(self.actor) if self.actor_id else gettext("Unknown"))

    def note_for(self, *, show_contact_data: bool) -> str:
        """The note; for a consent link, whom it went to (their address only with
        ``show_contact_data``)."""
        if self.kind == self.Kind.LINK_SENT and self._has_person():
            to = gettext("To %(person)s") % {"person": self._person(show_contact_data=show_contact_data)}
            return f"{to}. {self.note}" if self.note else to
        return self.note


class ConsentLink(models.Model):
    """A private link sent to the customer contact to approve or decline one approval.

    Only a hash of the token is stored: the link in the email is the only copy. It works once,
    ends on ``expires_at``, and is withdrawn when a newer link is sent or the request changes.
    """

    approval = models.ForeignKey(Approval, on_delete=models.CASCADE, related_name="consent_links")
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "references_consentlink"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Consent link for approval {self.approval_id}"

    def state(self, now=None) -> str:
        """``usable``, ``used``, ``withdrawn`` or ``expired``."""
        now = now or timezone.now()
        if self.used_at:
            return "used"
        if self.withdrawn_at:
            return "withdrawn"
        if now >= self.expires_at:
            return "expired"
        return "usable"
