"""Codes of the reference inventory (API.md) and the profile lifecycle as data."""

from django.db import models


class SizeBand(models.TextChoices):
    """Customer size by employees."""

    SMB = "smb", "SMB (<100)"
    MIDMARKET = "midmarket", "Mid-market (100–999)"
    ENTERPRISE = "enterprise", "Enterprise (1,000–9,999)"
    GLOBAL = "global", "Global (10,000+)"


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
    C_LEVEL = "c_level", "C-level"
    VP = "vp", "VP"
    DIRECTOR = "director", "Director"
    MANAGER = "manager", "Manager"
    INDIVIDUAL = "individual", "Individual contributor"


SENIORITY_ORDER = {
    Seniority.INDIVIDUAL: 0,
    Seniority.MANAGER: 1,
    Seniority.DIRECTOR: 2,
    Seniority.VP: 3,
    Seniority.C_LEVEL: 4,
}


class Deployment(models.TextChoices):
    CLOUD = "cloud", "Cloud"
    ON_PREMISES = "on_premises", "On premises"
    HYBRID = "hybrid", "Hybrid"


class ActivityKind(models.TextChoices):
    PRIVATE = "private", "Sales (private)"
    PUBLIC = "public", "Marketing (public)"


class ProfileStatus(models.TextChoices):
    NOMINATED = "nominated", "Nominated"
    VETTING = "vetting", "Vetting"
    ACTIVE = "active", "Active"
    RESTING = "resting", "Resting"
    RETIRED = "retired", "Retired"


class RestingReason(models.TextChoices):
    CAP = "cap", "At its cap"
    REQUEST = "request", "On request"


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
    SALES = "sales", "Sales"
    ACCOUNT_MANAGEMENT = "account_management", "Account management"
    SERVICES = "services", "Services or support"
    EXECUTIVE = "executive", "An executive"
    ADVISORY_BOARD = "advisory_board", "Customer advisory board"
    COMMUNITY = "community", "Community"
    BETA = "beta", "Beta program"
    TOP_REVENUE = "top_revenue", "Top-revenue list"


class NominationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    VETTING = "vetting", "Vetting"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


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
    NAMED = "named", "Named with title"
    QUOTE = "quote", "Quote"
    PHOTO_VIDEO = "photo_video", "Photo or video"
    SPEAKING = "speaking", "Speaking at events"
    CASE_STUDY = "case_study", "Case study"


class ConsentMethod(models.TextChoices):
    LINK = "link", "Consent link"
    SIGNED_DOCUMENT = "signed_document", "Signed document"
    CONTRACT_CLAUSE = "contract_clause", "Contract clause"


# How long a "withdraw or leave" link in an e-mail to a reference contact stays usable.
WITHDRAWAL_LINK_DAYS = 365

CODE_CONSENT_WITHDRAWN = "consent_withdrawn"


def country_choices() -> list[tuple[str, str]]:
    """Every country as (ISO 3166-1 alpha-2 code the data keeps, name people read), by name
    (django-countries): forms offer the names, the API and the CSV keep the codes."""
    from django_countries import countries

    return [(code, str(name)) for code, name in countries]
