"""Codes of requests and candidates (API.md) and their state machines as data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    """Where a request for references stands.

    submitted → in_progress (a manager took it: assigned, or a first candidate proposed)
    → fulfilled (as many completed references as it asked for). Any open request can be
    cancelled (by its requester or a manager) or closed unfulfilled (by a manager), each with
    a reason. Closed requests do not reopen: a new request is cheap.
    """

    SUBMITTED = "submitted", _("Submitted")
    IN_PROGRESS = "in_progress", _("In progress")
    FULFILLED = "fulfilled", _("Fulfilled")
    UNFULFILLED = "unfulfilled", _("Closed unfulfilled")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_REQUEST_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.IN_PROGRESS)

REQUEST_TRANSITIONS: dict[str, set[str]] = {
    RequestStatus.SUBMITTED: {RequestStatus.IN_PROGRESS, RequestStatus.CANCELLED, RequestStatus.UNFULFILLED},
    RequestStatus.IN_PROGRESS: {RequestStatus.FULFILLED, RequestStatus.CANCELLED, RequestStatus.UNFULFILLED},
    RequestStatus.FULFILLED: set(),
    RequestStatus.UNFULFILLED: set(),
    RequestStatus.CANCELLED: set(),
}


class CandidateState(models.TextChoices):
    """One reference proposed for one request, on its way from proposal to a completed activity."""

    PROPOSED = "proposed", _("Proposed")
    OWNER_APPROVED = "owner_approved", _("Account owner approved")
    ASKED = "asked", _("Customer asked")
    ACCEPTED = "accepted", _("Accepted")
    OFFERED_TIMES = "offered_times", _("Times offered")
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")
    MISSED = "missed", _("Did not happen")
    DECLINED = "declined", _("Declined by customer")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# proposed → owner_approved → asked → accepted → scheduled → completed. The customer may decline
# once asked; we may withdraw at any point before completion. Some activities (a name drop,
# an email) have nothing to schedule, so accepted may go straight to completed. Answering the
# ask link, the reference may instead offer 2–3 times (offered_times): a yes, waiting for the
# requester to pick one (→ scheduled).
CANDIDATE_TRANSITIONS: dict[str, set[str]] = {
    CandidateState.PROPOSED: {CandidateState.OWNER_APPROVED, CandidateState.WITHDRAWN},
    CandidateState.OWNER_APPROVED: {CandidateState.ASKED, CandidateState.WITHDRAWN},
    CandidateState.ASKED: {
        CandidateState.ACCEPTED,
        CandidateState.OFFERED_TIMES,
        CandidateState.DECLINED,
        CandidateState.WITHDRAWN,
    },
    CandidateState.OFFERED_TIMES: {CandidateState.SCHEDULED, CandidateState.WITHDRAWN},
    CandidateState.ACCEPTED: {CandidateState.SCHEDULED, CandidateState.COMPLETED, CandidateState.WITHDRAWN},
    CandidateState.SCHEDULED: {CandidateState.COMPLETED, CandidateState.MISSED, CandidateState.WITHDRAWN},
    CandidateState.COMPLETED: set(),
    # The meeting did not happen (said in the feedback, or by the manager): the ask still counts,
    # not as a completed use.
    CandidateState.MISSED: set(),
    CandidateState.DECLINED: set(),
    CandidateState.WITHDRAWN: set(),
}

# Candidates that still hold (or held) the reference for this request.
OPEN_CANDIDATE_STATES = (
    CandidateState.PROPOSED,
    CandidateState.OWNER_APPROVED,
    CandidateState.ASKED,
    CandidateState.ACCEPTED,
    CandidateState.OFFERED_TIMES,
    CandidateState.SCHEDULED,
)
# Before the customer was asked, withdrawing releases the capacity reservation.
NOT_YET_ASKED = (CandidateState.PROPOSED, CandidateState.OWNER_APPROVED)

# What each candidate move writes to the usage ledger (ledger.services.usage_transition).
# Withdrawing after the ask writes nothing: the ask happened and keeps counting.
CANDIDATE_USAGE: dict[str, str] = {
    CandidateState.ASKED: "asked",
    CandidateState.DECLINED: "declined",
    CandidateState.COMPLETED: "done",
}


class OutcomeResult(models.TextChoices):
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class CriterionField(models.TextChoices):
    """What a must-have or nice-to-have can be about (API.md criterion fields)."""

    INDUSTRY = "industry", _("Industry")
    REGION = "region", _("Region")
    COUNTRY = "country", _("Country")
    SIZE_BAND = "size_band", _("Size band")
    PRODUCT = "product", _("Product")
    USE_CASE = "use_case", _("Use case")
    DEPLOYMENT = "deployment", _("Deployment")
    COMPETITOR = "competitor", _("Competitor replaced")
    SENIORITY = "seniority", _("Contact seniority")
    LANGUAGE = "language", _("Language")


class UnmetReason(models.TextChoices):
    """Why a request's demand went unmet (for supply-against-demand reports)."""

    NO_MATCH = "no_match", _("No reference meets the must-haves")
    ALL_UNAVAILABLE = "all_unavailable", _("Every reference that fits is resting, stale or at its cap")
    CLOSED_UNFULFILLED = "closed_unfulfilled", _("Closed unfulfilled")


class RequestEventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UPDATED = "updated", _("Changed")
    ASSIGNED = "assigned", _("Assigned")
    STATUS = "status", _("Status change")
    OUTCOME = "outcome", _("Outcome reported")
    RATED = "rated", _("Rated")
    SHORT_SUPPLY = "short_supply", _("Short supply")


class Urgency(models.TextChoices):
    """How pressing an open request is, for the triage queue."""

    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due within 72 hours")
    TIGHT = "tight", _("Less time left than the usual lead time")
    ON_TRACK = "on_track", _("On track")
    CLOSED = "closed", _("Closed")


DUE_SOON_HOURS = 72
DEFAULT_MATCHES = 20

# Reason codes (API.md 409 `code`).
CODE_INVALID_TRANSITION = "invalid_transition"
CODE_REQUEST_CLOSED = "request_closed"
CODE_ALREADY_PROPOSED = "already_proposed"
CODE_PRIVATE_ONLY = "private_only"
CODE_ALREADY_RATED = "already_rated"
CODE_NOT_FULFILLED = "not_fulfilled"
CODE_NOT_EDITABLE = "not_editable"
CODE_NOT_ACCOUNT_OWNER = "not_account_owner"
CODE_SLOT_NOT_OFFERED = "slot_not_offered"


class CandidateLinkPurpose(models.TextChoices):
    """What a private candidate link lets its holder do (``CandidateLink``)."""

    OWNER = "owner", _("Account owner's consent")
    ASK = "ask", _("Reference's answer to an ask")
    FEEDBACK_REQUESTER = "fb_req", _("Requester's feedback")
    FEEDBACK_REFERENCE = "fb_ref", _("Reference's feedback")


class TooOften(models.TextChoices):
    """The reference's answer to "how often is too often?" (feedback)."""

    MONTHLY = "monthly", _("More than once a month")
    QUARTERLY = "quarterly", _("More than once a quarter")
    HALF_YEAR = "half_year", _("More than twice a year")
    YEARLY = "yearly", _("More than once a year")


# How long each private link stays usable (days).
OWNER_LINK_DAYS = 7
ASK_LINK_DAYS = 14
FEEDBACK_LINK_DAYS = 14
# Feedback is asked this long after the meeting's end.
FEEDBACK_AFTER_HOURS = 24
# A reference proposing times offers two or three.
SLOTS_MIN = 2
SLOTS_MAX = 3


class Crm(models.TextChoices):
    """The CRM an opportunity comes from."""

    SALESFORCE = "salesforce", "Salesforce"
    HUBSPOT = "hubspot", "HubSpot"
    OTHER = "other", _("Other CRM")
