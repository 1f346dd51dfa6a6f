from django.db import models
from django.utils.translation import gettext_lazy as _

from refprogram import events
from requests_app.choices import Crm  # noqa: F401  (the CRM an opportunity comes from)


class WebhookEvent(models.TextChoices):
    """The product events a webhook can subscribe to (API.md codes)."""

    REQUEST_SUBMITTED = events.REQUEST_SUBMITTED, _("A request was submitted")
    REQUEST_FULFILLED = events.REQUEST_FULFILLED, _("A request was fulfilled")
    CANDIDATE_TRANSITIONED = events.CANDIDATE_TRANSITIONED, _("A candidate moved to a new state")
    APPROVAL_DECIDED = events.APPROVAL_DECIDED, _("A public-use approval was approved or declined")
    REFERENCE_STATUS_CHANGED = events.REFERENCE_STATUS_CHANGED, _("A reference's status changed")


class DeliveryStatus(models.TextChoices):
    """Where one delivery stands: queued, waiting for a retry, done, given up, or refused (SSRF)."""

    PENDING = "pending", _("Pending")
    RETRYING = "retrying", _("Retrying")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    REFUSED = "refused", _("Refused")


class CrmKind(models.TextChoices):
    """The CRMs RefProgram syncs with (the same codes as an opportunity's ``crm``)."""

    SALESFORCE = "salesforce", "Salesforce"
    HUBSPOT = "hubspot", "HubSpot"


class SalesforceAuthFlow(models.TextChoices):
    """How RefProgram signs in to Salesforce (both OAuth 2.0 server-to-server flows)."""

    CLIENT_CREDENTIALS = "client_credentials", _("OAuth client credentials")
    JWT_BEARER = "jwt_bearer", _("OAuth JWT bearer")


class SyncStatus(models.TextChoices):
    """Where a sync run stands: queued, running, done (some records may have failed), or stopped."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    PARTIAL = "partial", _("Succeeded with record errors")
    FAILED = "failed", _("Failed")


class WriteBackStatus(models.TextChoices):
    """A note on a CRM opportunity: waiting, waiting for a retry, written, or given up."""

    PENDING = "pending", _("Pending")
    RETRYING = "retrying", _("Retrying")
    SUCCEEDED = "succeeded", _("Written")
    FAILED = "failed", _("Failed")
