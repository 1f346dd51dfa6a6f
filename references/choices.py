"""Codes of the reference inventory (API.md) and the profile lifecycle as data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SizeBand(models.TextChoices):
    """Customer size by employees."""

    SMB = "smb", _("SMB (<100)")
    MIDMARKET = "midmarket", _("Mid-market (100–999)")
    ENTERPRISE = "enterprise", _("Enterprise (1,000–9,999)")
    GLOBAL = "global", _("Global (10,000+)")


SIZE_ORDER = {SizeBand.SMB: 0, SizeBand.MIDMARKET: 1, SizeBand.ENTERPRISE: 2, SizeBand.GLOBAL: 3}


def size_band_for(employees: int | None) -> str | None:
    if employees is None:
        return None
    if employees < 100:
        return SizeBand.SMB
    if employees < 1000:
        return SizeBand.MIDMARKET
    if employees < 10000:
        return SizeBand.ENTERPRISE
    return SizeBand.GLOBAL


class Seniority(models.TextChoices):
    C_LEVEL = "c_level", _("C-level")
    VP = "vp", _("VP")
    DIRECTOR = "director", _("Director")
    MANAGER = "manager", _("Manager")
    INDIVIDUAL = "individual", _("Individual contributor")


SENIORITY_ORDER = {
    Seniority.INDIVIDUAL: 0,
    Seniority.MANAGER: 1,
    Seniority.DIRECTOR: 2,
    Seniority.VP: 3,
    Seniority.C_LEVEL: 4,
}


class Deployment(models.TextChoices):
    CLOUD = "cloud", _("Cloud")
    ON_PREMISES = "on_premises", _("On premises")
    HYBRID = "hybrid", _("Hybrid")


class ActivityKind(models.TextChoices):
    PRIVATE = "private", _("Sales (private)")
    PUBLIC = "public", _("Marketing (public)")


class ProfileStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    VETTING = "vetting", _("Vetting")
    ACTIVE = "active", _("Active")
    RESTING = "resting", _("Resting")
    RETIRED = "retired", _("Retired")


class RestingReason(models.TextChoices):
    CAP = "cap", _("At its cap")
    REQUEST = "request", _("On request")


# The reference profile lifecycle: nominated → vetting → active ⇄ resting → retired.
# A retired reference may be brought back to vetting (customers come back to love).
PROFILE_TRANSITIONS: dict[str, set[str]] = {
    ProfileStatus.NOMINATED: {ProfileStatus.VETTING, ProfileStatus.RETIRED},
    ProfileStatus.VETTING: {ProfileStatus.ACTIVE, ProfileStatus.RETIRED},
    ProfileStatus.ACTIVE: {ProfileStatus.RESTING, ProfileStatus.RETIRED},
    ProfileStatus.RESTING: {ProfileStatus.ACTIVE, ProfileStatus.RETIRED},
    ProfileStatus.RETIRED: {ProfileStatus.VETTING},
}


class NominationSource(models.TextChoices):
    SALES = "sales", _("Sales")
    ACCOUNT_MANAGEMENT = "account_management", _("Account management")
    SERVICES = "services", _("Services or support")
    EXECUTIVE = "executive", _("An executive")
    ADVISORY_BOARD = "advisory_board", _("Customer advisory board")
    COMMUNITY = "community", _("Community")
    BETA = "beta", _("Beta program")
    TOP_REVENUE = "top_revenue", _("Top-revenue list")


class NominationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    VETTING = "vetting", _("Vetting")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


NOMINATION_TRANSITIONS: dict[str, set[str]] = {
    NominationStatus.SUBMITTED: {
        NominationStatus.VETTING,
        NominationStatus.ACCEPTED,
        NominationStatus.REJECTED,
    },
    NominationStatus.VETTING: {NominationStatus.ACCEPTED, NominationStatus.REJECTED},
    NominationStatus.ACCEPTED: set(),
    NominationStatus.REJECTED: set(),
}

NOMINATION_AGING_DAYS = 7


# Reason codes (API.md 409 `code`).
CODE_INVALID_TRANSITION = "invalid_transition"


# --- A person's consent to public use of them (references.models.ContactConsent) -------------
# The company's logo is the company's: it is recorded on the customer through the approvals.


class ConsentScope(models.TextChoices):
    NAMED = "named", _("Named with title")
    QUOTE = "quote", _("Quote")
    PHOTO_VIDEO = "photo_video", _("Photo or video")
    SPEAKING = "speaking", _("Speaking at events")
    CASE_STUDY = "case_study", _("Case study")


class ConsentMethod(models.TextChoices):
    LINK = "link", _("Consent link")
    SIGNED_DOCUMENT = "signed_document", _("Signed document")
    CONTRACT_CLAUSE = "contract_clause", _("Contract clause")


# How long a "withdraw or leave" link in an e-mail to a reference contact stays usable.
WITHDRAWAL_LINK_DAYS = 365

CODE_CONSENT_WITHDRAWN = "consent_withdrawn"


def country_choices() -> list[tuple[str, str]]:
    """Every country as (ISO 3166-1 alpha-2 code the data keeps, name people read), by name
    (django-countries): forms offer the names, the API and the CSV keep the codes."""
    from django_countries import countries

    return [(code, str(name)) for code, name in countries]
