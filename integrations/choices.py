from django.db import models

from refprogram import events
from requests_app.choices import Crm  # noqa: F401  (the CRM an opportunity comes from)


class WebhookEvent(models.TextChoices):
    """The product events a webhook can subscribe to (API.md codes)."""

    REQUEST_SUBMITTED = events.REQUEST_SUBMITTED, "A request was submitted"
    REQUEST_FULFILLED = events.REQUEST_FULFILLED, "A request was fulfilled"
    CANDIDATE_TRANSITIONED = events.CANDIDATE_TRANSITIONED, "A candidate moved to a new state"
    APPROVAL_DECIDED = events.APPROVAL_DECIDED, "A public-use approval was approved or declined"
    REFERENCE_STATUS_CHANGED = events.REFERENCE_STATUS_CHANGED, "A reference's status changed"


class DeliveryStatus(models.TextChoices):
    """Where one delivery stands: queued, waiting for a retry, done, given up, or refused (SSRF)."""

    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Retrying"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    REFUSED = "refused", "Refused"
