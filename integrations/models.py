"""Integrations: outbound webhooks (subscriptions and their delivery log) and CRM opportunities."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from accounts import permissions as perms

from .choices import Crm, DeliveryStatus, WebhookEvent


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


class Opportunity(models.Model):
    """A sales opportunity (a deal) as the CRM knows it. The CRM owns every field here; RefProgram
    keeps the latest copy, upserted by (crm, crm_id), so requests can link to a real deal."""

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
    modified_at = models.DateTimeField(null=True, blank=True, help_text="When the CRM last changed it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
