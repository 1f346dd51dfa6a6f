"""Codes of public-use approvals (API.md) and their lifecycle as data.

An approval is the customer's permission for one public use of its name: a logo, the name
itself, a quote's exact text, a case study, a press release, a video or a website listing.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApprovalUse(models.TextChoices):
    LOGO = "logo", _("Logo")
    NAME = "name", _("Name")
    QUOTE = "quote", _("Quote")
    CASE_STUDY = "case_study", _("Case study")
    PRESS_RELEASE = "press_release", _("Press release")
    VIDEO = "video", _("Video")
    WEBSITE_LISTING = "website_listing", _("Website listing")


class ApprovalStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    IN_REVIEW = "in_review", _("In customer review")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Channel(models.TextChoices):
    """Where an approved use may appear (an approval's scope)."""

    WEBSITE = "website", _("Website")
    PRESS = "press", _("Press")
    SALES_DECK = "sales_deck", _("Sales deck")
    ANALYST = "analyst", _("Analyst relations")
    EVENT = "event", _("Events")
    SOCIAL = "social", _("Social media")


# The approval lifecycle: requested → in_review → approved | declined; an approval ends by
# expiring (the nightly check, on its expiry date) or being revoked (the customer withdrew it).
# A request the customer turns down before review can be declined straight away.
APPROVAL_TRANSITIONS: dict[str, set[str]] = {
    ApprovalStatus.REQUESTED: {ApprovalStatus.IN_REVIEW, ApprovalStatus.DECLINED},
    ApprovalStatus.IN_REVIEW: {ApprovalStatus.APPROVED, ApprovalStatus.DECLINED},
    ApprovalStatus.APPROVED: {ApprovalStatus.EXPIRED, ApprovalStatus.REVOKED},
    ApprovalStatus.DECLINED: set(),
    ApprovalStatus.EXPIRED: set(),
    ApprovalStatus.REVOKED: set(),
}

# Statuses only the system sets: approvals expire on their date, not by hand.
APPROVAL_AUTOMATIC_STATUSES = frozenset({ApprovalStatus.EXPIRED})

# Still being worked on: the request may be edited, the consent link sent.
APPROVAL_OPEN_STATUSES = (ApprovalStatus.REQUESTED, ApprovalStatus.IN_REVIEW)

# What each public activity type (API.md codes) needs approved before it can be proposed or
# completed, and the channel it appears in when that is obvious (``None``: any channel in the
# approval's scope will do). Private activity types (call, email, site_visit, name_drop,
# event_meeting) need nothing. A public activity type an admin adds later, not listed here,
# needs at least the customer's name approved: the first public use of a name always does.
ACTIVITY_APPROVAL_USES: dict[str, tuple[str, ...]] = {
    "press_release": (ApprovalUse.PRESS_RELEASE,),
    "case_study": (ApprovalUse.CASE_STUDY,),
    "video": (ApprovalUse.VIDEO,),
    "quote": (ApprovalUse.QUOTE,),
    "logo": (ApprovalUse.LOGO,),
    "website_listing": (ApprovalUse.WEBSITE_LISTING, ApprovalUse.LOGO),
    "analyst_briefing": (ApprovalUse.NAME,),
    "media_interview": (ApprovalUse.NAME,),
    "speaking": (ApprovalUse.NAME,),
    "award_nomination": (ApprovalUse.NAME,),
    "logo_slide": (ApprovalUse.LOGO,),
}
PRIVATE_ACTIVITY_TYPES = frozenset({"call", "email", "site_visit", "name_drop", "event_meeting"})
UNLISTED_PUBLIC_ACTIVITY_USES: tuple[str, ...] = (ApprovalUse.NAME,)
ACTIVITY_DEFAULT_CHANNEL: dict[str, str] = {
    "press_release": Channel.PRESS,
    "media_interview": Channel.PRESS,
    "analyst_briefing": Channel.ANALYST,
    "speaking": Channel.EVENT,
    "website_listing": Channel.WEBSITE,
    "logo_slide": Channel.SALES_DECK,
}

# Uses whose approved assets the content library offers for re-use.
LIBRARY_USES = (ApprovalUse.QUOTE, ApprovalUse.CASE_STUDY, ApprovalUse.VIDEO, ApprovalUse.LOGO)

EXPIRY_WARNING_DAYS = 30
DEFAULT_TERM_DAYS = 365
CONSENT_LINK_DAYS = 14
UPLOAD_MAX_BYTES = 10 * 1024 * 1024

# Reason codes (API.md 409 `code`).
CODE_APPROVAL_MISSING = "approval_missing"
CODE_PRIVATE_ONLY = "reference_private_only"
CODE_NEW_APPROVAL_REQUIRED = "new_approval_required"
CODE_APPROVAL_LOCKED = "approval_locked"
CODE_APPROVAL_NOT_OPEN = "approval_not_open"
CODE_NO_RECIPIENT = "consent_recipient_missing"
CODE_APPROVAL_DECIDED = "approval_decided"  # a decided approval's files are frozen
CODE_SUPERSEDES_OTHER_CUSTOMER = "supersedes_other_customer"
