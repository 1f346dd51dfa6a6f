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


class CrmKind(models.TextChoices):
    """The CRMs RefProgram syncs with (the same codes as an opportunity's ``crm``)."""

    SALESFORCE = "salesforce", "Salesforce"
    HUBSPOT = "hubspot", "HubSpot"


class SalesforceAuthFlow(models.TextChoices):
    """How RefProgram signs in to Salesforce (both OAuth 2.0 server-to-server flows)."""

    CLIENT_CREDENTIALS = "client_credentials", "OAuth client credentials"
    JWT_BEARER = "jwt_bearer", "OAuth JWT bearer"


class SyncStatus(models.TextChoices):
    """Where a sync run stands: queued, running, done (some records may have failed), or stopped."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    PARTIAL = "partial", "Succeeded with record errors"
    FAILED = "failed", "Failed"


class WriteBackStatus(models.TextChoices):
    """A note on a CRM opportunity: waiting, waiting for a retry, written, or given up."""

    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Retrying"
    SUCCEEDED = "succeeded", "Written"
    FAILED = "failed", "Failed"
