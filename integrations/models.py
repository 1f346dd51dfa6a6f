"""Integrations: outbound webhooks (subscriptions and their delivery log), CRM connections, their
sync runs and the notes written back to CRM opportunities."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from simple_history.models import HistoricalRecords

from accounts import permissions as perms

from .choices import CrmKind, DeliveryStatus, SalesforceAuthFlow, SyncStatus, WebhookEvent, WriteBackStatus


class WebhookSubscriptionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WebhookSubscriptionQuerySet":
        """Webhooks are the program's wiring: people who manage integrations see all of them."""
        if perms.has_capability(user, perms.MANAGE_INTEGRATIONS):
            return self
        return self.none()


class WebhookSubscription(models.Model):
    """An outbound webhook: a URL outside RefProgram that receives the chosen product events as
    signed JSON (HMAC-SHA256 with the subscription's secret, shown once when it is created)."""

    url = models.URLField(max_length=2000)
    events = ArrayField(models.CharField(max_length=40, choices=WebhookEvent.choices))
    secret = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Who subscribed, changed or removed which URL to which events, and when (the audit log): a
    # webhook sends the program's events out of the building, so its removal is kept too. Never
    # the secret.
    history = HistoricalRecords(excluded_fields=["secret"])

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent to one webhook: the exact body signed, each attempt and the receiver's
    answers. A manual redelivery is a new delivery of the same body (``redelivery_of``)."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    event_id = models.UUIDField()
    body = models.TextField()
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    # Every attempt: [{"at", "response_code", "error"}], oldest first.
    attempt_log = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="redeliveries"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_sub_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id} ({self.status})"


# --- CRM connections -------------------------------------------------------------------------


class CrmConnectionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CrmConnectionQuerySet":
        """CRM connections are the program's wiring: people who manage integrations see them."""
        if perms.has_capability(user, perms.MANAGE_INTEGRATIONS):
            return self
        return self.none()


class CrmConnection(models.Model):
    """The link to one CRM (one row per CRM): on or off, where it lives, how its fields map onto
    RefProgram's (``integrations.crm.mapping``), and how far the last sync got (``cursor``).

    No secret is stored here: client secrets, private keys and tokens come from the environment
    (settings ``SALESFORCE_*`` / ``HUBSPOT_*``)."""

    kind = models.CharField(max_length=20, choices=CrmKind.choices, unique=True)
    enabled = models.BooleanField(default=False)
    # Salesforce: the My Domain or login URL the token is asked from; HubSpot: the API base URL.
    # Blank: the vendor's default (https://login.salesforce.com, https://api.hubapi.com).
    base_url = models.URLField("login / API URL", max_length=300, blank=True)
    auth_flow = models.CharField(
        max_length=20,
        choices=SalesforceAuthFlow.choices,
        default=SalesforceAuthFlow.CLIENT_CREDENTIALS,
        help_text="Salesforce only.",
    )
    mapping = models.JSONField(
        default=dict, blank=True, help_text="Field and value mapping (see the README)."
    )
    # Per object ("accounts", "contacts", "opportunities"): the newest CRM modification time seen (ISO).
    cursor = models.JSONField(default=dict, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Who switched it on or off, pointed it at another login or API address, or changed its mapping
    # (the audit log); not the sync's own bookkeeping, which a run writes without a history line.
    history = HistoricalRecords(excluded_fields=["cursor", "last_run_at", "last_success_at", "updated_at"])

    objects = CrmConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self) -> None:
        from .crm.mapping import mapping_clean

        self.mapping = mapping_clean(self.kind, self.mapping)


class CrmSyncRun(models.Model):
    """One sync with a CRM: when, how it went, how many records were created, updated, unchanged,
    marked deleted, skipped or failed, each failed record's reason and each conflict's loser."""

    connection = models.ForeignKey(CrmConnection, on_delete=models.CASCADE, related_name="runs")
    full = models.BooleanField(
        default=False, help_text="Everything, not only what changed since the last run."
    )
    status = models.CharField(max_length=20, choices=SyncStatus.choices, default=SyncStatus.QUEUED)
    phase = models.CharField(max_length=20, blank=True, help_text="The object being synced now.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(
        default=0, help_text="Not for RefProgram (e.g. a prospect's contact)."
    )
    failed = models.PositiveIntegerField(default=0)
    # [{"object", "crm_id", "message"}]: each record that was reported and skipped.
    errors = models.JSONField(default=list, blank=True)
    # [{"object", "crm_id", "field", "kept", "lost", "owner"}]: a field changed on both sides.
    conflicts = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, help_text="Why the whole run stopped.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["connection", "-created_at"], name="crm_sync_run_conn_idx")]

    def __str__(self) -> str:
        return f"{self.connection} sync {self.created_at:%Y-%m-%d %H:%M} ({self.status})"


class CrmWriteBack(models.Model):
    """A note for a CRM opportunity (a Salesforce Task, a HubSpot note on the deal) saying which
    reference customer did what: written when a candidate is accepted, scheduled and completed,
    retried with back-off while the CRM fails."""

    crm = models.CharField(max_length=20, choices=CrmKind.choices)
    opportunity_crm_id = models.CharField(max_length=100)
    candidate = models.ForeignKey("requests_app.Candidate", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=16, help_text="The candidate's new state.")
    subject = models.CharField(max_length=255)
    body = models.TextField()
    status = models.CharField(max_length=20, choices=WriteBackStatus.choices, default=WriteBackStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    crm_record_id = models.CharField(
        max_length=100, blank=True, help_text="The Task or note the CRM created."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "state"], name="crm_write_back_once_per_state"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.crm} {self.opportunity_crm_id} ({self.status})"


from .slack.models import *  # noqa: E402,F401,F403
