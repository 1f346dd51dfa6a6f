# ruff: noqa: E501  (the cases are a table: one reference per line reads best)
"""The judged set: each case isolates ONE judgement a seasoned reference manager makes, over a
tiny hand-written inventory (two to four references that differ only in what is judged), with
the manager's pick (or order of two or three references) written by hand.

Nothing here is computed from the engine's constants: the expected orders come from reasoning
about the situation (docs/matching.md and the issue's words), so a change of the scale that makes
the engine judge differently from a manager shows up here as a failing case.

Conventions of the inventory tables:
- a reference's label is ``"Customer/Contact"`` when its customer has several contacts in the case,
  else just a name (customer and contact alike);
- every reference is, unless its line says otherwise: finance, EMEA, DE, enterprise, a VP contact
  speaking English, customer health 50 checked 10 days ago, validated 10 days ago, doing calls and
  emails, never used;
- ``used`` lists its ledger rows as ``(activity, days ago[, status])``; a call weighs 2 points, an
  email or a name drop 1, an event meeting 2 (the caps: 6 per contact, 8 per customer in 180 days;
  a call or event meeting rests the contact for 30 days, so recent use here is 31–59 days old);
- the expected loser is listed first where it matters, so that a tie broken by age (the older
  profile first) would pick it, not the manager's pick.
"""

from datetime import timedelta
from typing import NamedTuple

import pytest
from django.utils import timezone

from ledger.models import OverusePolicy
from references.models import ActivityType, Industry, Region
from requests_app import matching
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    ProductFactory,
    ReferenceProfileFactory,
    UsageEntryFactory,
)

pytestmark = pytest.mark.django_db

CUSTOMER_KEYS = ("industry", "region", "country", "size", "health", "health_days_ago")
CUSTOMER_DEFAULTS = {
    "industry": "finance",
    "region": "emea",
    "country": "DE",
    "size": "enterprise",
    "health": 50,
    "health_days_ago": 10,
}
PROFILE_DEFAULTS = {
    "seniority": "vp",
    "products": (),
    "languages": ("en",),
    "activities": ("call", "email"),
    "status": "active",
    "resting_reason": "",
    "validated_days_ago": 10,
}


def build(refs: dict[str, dict]) -> dict:
    """The case's inventory: ``{label: ReferenceProfile}``, in the order written (ids ascending)."""
    today = timezone.localdate()
    customers, profiles = {}, {}
    for label, line in refs.items():
        line = dict(line)
        customer_name = label.split("/")[0]
        used = line.pop("used", ())
        facts = {k: line.pop(k) for k in CUSTOMER_KEYS if k in line}
        if customer_name not in customers:
            c = {**CUSTOMER_DEFAULTS, **facts}
            customers[customer_name] = CustomerFactory(
                name=customer_name,
                industry=Industry.objects.get(code=c["industry"]),
                region=Region.objects.get(code=c["region"]),
                country=c["country"],
                size_band=c["size"],
                health_score=c["health"],
                health_updated=today - timedelta(days=c["health_days_ago"]),
            )
        else:
            assert not facts, f"{label}: customer facts belong on the customer's first line"
        customer = customers[customer_name]
        p = {**PROFILE_DEFAULTS, **line}
        contact = ContactFactory(
            customer=customer,
            name=label,
            seniority=p["seniority"],
            title=p["seniority"].upper(),
            languages=list(p["languages"]),
        )
        profile = ReferenceProfileFactory(
            contact=contact,
            customer=customer,
            status=p["status"],
            resting_reason=p["resting_reason"] or ("cap" if p["status"] == "resting" else ""),
            last_validated=today - timedelta(days=p["validated_days_ago"]),
            activity_types=list(p["activities"]),
            products=[ProductFactory(name=name) for name in p["products"]],
        )
        for use in used:
            activity, days_ago, *status = use
            UsageEntryFactory(
                reference=profile,
                activity_type=ActivityType.objects.get(code=activity),
                occurred_on=today - timedelta(days=days_ago),
                status=status[0] if status else "done",
            )
        profiles[label] = profile
    return profiles


class Case(NamedTuple):
    refs: dict
    expect: list  # the manager's pick first, then these references in this order
    request: dict = {}  # make_request's keywords
    absent: tuple = ()  # never in the list
    unavailable: tuple = ()  # listed, but cannot be proposed
    top: int = 0  # and the first ``top`` of the list are exactly the first ``top`` expected
    explains: dict = {}  # label -> words its explanation must contain (case-insensitive)
    factor: tuple = ()  # (label, factor name, "+" / "-" / "none")
    policy: dict = {}  # OverusePolicy fields for this case


def case(id, refs, expect, **kwargs):
    return pytest.param(Case(refs, expect, **kwargs), id=id)


# The prospect most cases are about: an enterprise company whose contact is a VP.
VP_ENT = {"size_band": "enterprise", "seniority": "vp"}
# Three calls through one contact in the last 100 days: 6 points, this contact is at its own cap.
THREE_CALLS = [("call", 40), ("call", 70), ("call", 100)]
THREE_EMAILS = [("email", 35), ("email", 40), ("email", 45)]

# --- Goodwill belongs to the customer, not the contact -----------------------------------------
GOODWILL = [
    # Tired was asked three times through Cy; Bob has never been asked, but it is the same customer.
    case(
        "goodwill-colleague-asked-three-calls",
        {
            "Tired/Bob": {},
            "Tired/Cy": {"used": THREE_CALLS},
            "Calm": {},
        },
        ["Calm", "Tired/Bob"],
        request=VP_ENT,
        unavailable=("Tired/Cy",),
    ),
    case(
        "goodwill-colleague-asked-three-emails",
        {
            "Tired/Bob": {},
            "Tired/Cy": {"used": THREE_EMAILS},
            "Calm": {},
        },
        ["Calm", "Tired/Bob", "Tired/Cy"],
        request=VP_ENT,
    ),
    # Both customers were asked three times; Dee was asked herself, Bob's colleague was: Dee is the more tired.
    case(
        "goodwill-as-tired-as-its-busiest-contact",
        {
            "Busy/Dee": {"used": THREE_EMAILS},
            "Tired/Bob": {},
            "Tired/Cy": {"used": THREE_EMAILS},
        },
        ["Tired/Bob", "Busy/Dee"],
        request=VP_ENT,
    ),
    # One call through each of three contacts is three asks of the customer: more than one ask of Once.
    case(
        "goodwill-three-contacts-once-each-beats-one-ask",
        {
            "Many/Dan": {},
            "Many/Al": {"used": [("call", 40)]},
            "Many/Bea": {"used": [("call", 45)]},
            "Many/Cal": {"used": [("call", 50)]},
            "Once": {"used": [("call", 40)]},
        },
        ["Once", "Many/Dan"],
        request=VP_ENT,
    ),
    # Asks the customer declined cost goodwill too (Bob even meets a light wish).
    case(
        "goodwill-declined-asks-count",
        {
            "Tired/Bob": {"languages": ("en", "de")},
            "Tired/Cy": {
                "used": [("call", 40, "declined"), ("call", 70, "declined"), ("call", 100, "declined")]
            },
            "Calm": {},
        },
        ["Calm", "Tired/Bob"],
        request={**VP_ENT, "nice": [("language", "de", 1)]},
    ),
    # Proposals withdrawn before the customer was asked cost nothing: Bob keeps his edge in size.
    case(
        "goodwill-withdrawn-asks-cost-nothing",
        {
            "Calm": {"size": "midmarket"},
            "Tired/Bob": {},
            "Tired/Cy": {
                "seniority": "director",
                "used": [("call", 40, "withdrawn"), ("call", 70, "withdrawn"), ("call", 100, "withdrawn")],
            },
        },
        ["Tired/Bob", "Calm"],
        request=VP_ENT,
    ),
    # A light wish (weight 1) met does not justify asking a customer asked three times this season.
    case(
        "goodwill-light-wish-does-not-outweigh-tired-customer",
        {
            "Tired/Bob": {"languages": ("en", "de")},
            "Tired/Cy": {"used": THREE_CALLS},
            "Calm": {},
        },
        ["Calm", "Tired/Bob"],
        request={**VP_ENT, "nice": [("language", "de", 1)]},
    ),
    # The customer's cap is spent through two colleagues (7 of 8 points): Bob cannot be asked for a call.
    case(
        "goodwill-customer-cap-spent-through-colleagues",
        {
            "Full/Bob": {"languages": ("en", "de")},
            "Full/Cy": {"used": [("call", 40), ("call", 100)]},
            "Full/Dee": {"used": [("call", 50), ("email", 60)]},
            "Calm": {},
        },
        ["Calm"],
        request={**VP_ENT, "nice": [("language", "de", 5)]},
        unavailable=("Full/Bob",),
    ),
    # Tired hosted a prospect's site visit through Cy ten days ago: calling Bob this week spends the
    # same customer's goodwill again. A fresh customer's director is the better ask.
    case(
        "goodwill-customer-hosted-a-site-visit-last-week",
        {
            "Tired/Bob": {},
            "Tired/Cy": {"used": [("site_visit", 10)]},
            "Calm": {"seniority": "director"},
        },
        ["Calm", "Tired/Bob"],
        request=VP_ENT,
        unavailable=("Tired/Cy",),
    ),
]

# --- Implicit preferences from the prospect --------------------------------------------------
IMPLICIT = [
    case(
        "implicit-industry",
        {
            "Bank": {},
            "Clinic": {"industry": "healthcare"},
        },
        ["Clinic", "Bank"],
        request={**VP_ENT, "industry": "healthcare"},
        explains={"Clinic": ["implicit", "Healthcare"]},
    ),
    case(
        "implicit-region",
        {
            "Euro": {},
            "Yankee": {"region": "na", "country": "US"},
        },
        ["Yankee", "Euro"],
        request={**VP_ENT, "region": "na"},
        explains={"Yankee": ["implicit"]},
    ),
    case(
        "implicit-product",
        {
            "VaultOnly": {"products": ("Vault",)},
            "PulseUser": {"products": ("Pulse",)},
        },
        ["PulseUser", "VaultOnly"],
        request={**VP_ENT, "products": ["Pulse"]},
        explains={"PulseUser": ["implicit", "pulse"]},
    ),
    case(
        "implicit-two-products-beat-one",
        {
            "One": {"products": ("Pulse",)},
            "Both": {"products": ("Pulse", "Vault")},
        },
        ["Both", "One"],
        request={**VP_ENT, "products": ["Pulse", "Vault"]},
    ),
    case(
        "implicit-industry-region-and-product-add-up",
        {
            "Partial": {"industry": "healthcare"},
            "Twin": {"industry": "healthcare", "region": "na", "country": "US", "products": ("Pulse",)},
        },
        ["Twin", "Partial"],
        request={**VP_ENT, "industry": "healthcare", "region": "na", "products": ["Pulse"]},
    ),
    # The rep asked for a bank, even lightly: the prospect's own industry no longer counts.
    case(
        "implicit-industry-overridden-by-explicit-wish",
        {
            "Clinic": {"industry": "healthcare"},
            "Bank": {},
        },
        ["Bank", "Clinic"],
        request={**VP_ENT, "industry": "healthcare", "nice": [("industry", "finance", 1)]},
        factor=("Clinic", "implicit", "none"),
    ),
    case(
        "implicit-region-overridden-by-explicit-wish",
        {
            "Yankee": {"region": "na", "country": "US"},
            "Euro": {},
        },
        ["Euro", "Yankee"],
        request={**VP_ENT, "region": "na", "nice": [("region", "emea", 1)]},
        factor=("Yankee", "implicit", "none"),
    ),
    # The rep named the product too: it counts once, as the explicit wish, not again as implicit.
    case(
        "implicit-product-named-explicitly-counts-once",
        {
            "Other": {"products": ("Vault",)},
            "PulseUser": {"products": ("Pulse",)},
        },
        ["PulseUser", "Other"],
        request={**VP_ENT, "products": ["Pulse"], "nice": [("product", "Pulse", 3)]},
        factor=("PulseUser", "implicit", "none"),
    ),
    # The rep named one of the prospect's two products as a must-have: the other still counts, implicitly.
    case(
        "implicit-other-products-still-count-beside-an-explicit-one",
        {
            "VaultOnly": {"products": ("Vault",)},
            "VaultPulse": {"products": ("Vault", "Pulse")},
        },
        ["VaultPulse", "VaultOnly"],
        request={**VP_ENT, "products": ["Pulse", "Vault"], "must": [("product", "Vault")]},
        explains={"VaultPulse": ["implicit", "pulse"]},
    ),
    # An explicit size wish replaces size closeness: the rep wants a small company's story.
    case(
        "implicit-size-overridden-by-explicit-size-wish",
        {
            "SameSize": {},
            "Small": {"size": "smb"},
        },
        ["Small", "SameSize"],
        request={**VP_ENT, "nice": [("size_band", "smb", 1)]},
    ),
    # The prospect's size counts though the rep did not ask for it.
    case(
        "implicit-size-closeness",
        {
            "Small": {"size": "smb"},
            "SameSize": {},
        },
        ["SameSize", "Small"],
        request=VP_ENT,
    ),
    # Implicit preferences are light: a weight-2 wish the rep wrote down beats the prospect's region.
    case(
        "implicit-lighter-than-an-explicit-wish",
        {
            "Yankee": {"region": "na", "country": "US"},
            "Francophone": {"languages": ("en", "fr")},
        },
        ["Francophone", "Yankee"],
        request={**VP_ENT, "region": "na", "nice": [("language", "fr", 2)]},
    ),
    # A hospital one band smaller is a better story for a hospital than a bank of the same size.
    case(
        "implicit-same-industry-one-band-off-beats-other-industry",
        {
            "Bank": {},
            "Clinic": {"industry": "healthcare", "size": "midmarket"},
        },
        ["Clinic", "Bank"],
        request={**VP_ENT, "industry": "healthcare"},
    ),
]

# --- One scale --------------------------------------------------------------------------------
SCALE = [
    case(
        "scale-weight1-wish-below-one-size-band",
        {
            "Wish": {"size": "midmarket", "languages": ("en", "de")},
            "SameSize": {},
        },
        ["SameSize", "Wish"],
        request={**VP_ENT, "nice": [("language", "de", 1)]},
    ),
    case(
        "scale-weight1-wish-below-one-size-band-upwards",
        {
            "Wish": {"languages": ("en", "de")},
            "SameSize": {"size": "midmarket"},
        },
        ["SameSize", "Wish"],
        request={"size_band": "midmarket", "seniority": "vp", "nice": [("language", "de", 1)]},
    ),
    case(
        "scale-weight1-wish-below-one-level-junior",
        {
            "Wish": {"seniority": "director", "languages": ("en", "de")},
            "Peer": {},
        },
        ["Peer", "Wish"],
        request={**VP_ENT, "nice": [("language", "de", 1)]},
    ),
    case(
        "scale-weight1-wish-below-one-level-senior",
        {
            "Wish": {"seniority": "c_level", "languages": ("en", "de")},
            "Peer": {},
        },
        ["Peer", "Wish"],
        request={**VP_ENT, "nice": [("language", "de", 1)]},
    ),
    case(
        "scale-weight5-wish-above-two-size-bands",
        {
            "SameSize": {},
            "Wish": {"size": "smb", "languages": ("en", "de")},
        },
        ["Wish", "SameSize"],
        request={**VP_ENT, "nice": [("language", "de", 5)]},
    ),
    case(
        "scale-weight5-wish-above-two-levels-junior",
        {
            "Peer": {},
            "Wish": {"seniority": "manager", "languages": ("en", "de")},
        },
        ["Wish", "Peer"],
        request={**VP_ENT, "nice": [("language", "de", 5)]},
    ),
    case(
        "scale-weight5-wish-above-two-levels-senior",
        {
            "Peer": {"seniority": "director"},
            "Wish": {"seniority": "c_level", "languages": ("en", "de")},
        },
        ["Wish", "Peer"],
        request={"size_band": "enterprise", "seniority": "director", "nice": [("language", "de", 5)]},
    ),
    case(
        "scale-weight3-wish-above-one-size-band",
        {
            "SameSize": {},
            "Wish": {"size": "midmarket", "languages": ("en", "de")},
        },
        ["Wish", "SameSize"],
        request={**VP_ENT, "nice": [("language", "de", 3)]},
    ),
    case(
        "scale-heavier-wish-beats-lighter",
        {
            "French": {"country": "FR"},
            "German": {"languages": ("en", "de")},
        },
        ["German", "French"],
        request={**VP_ENT, "nice": [("language", "de", 4), ("country", "FR", 2)]},
    ),
]

# --- Seniority: too junior costs more than too senior; C-level kept for senior asks --------------
SENIORITY = [
    # A VP prospect listens to a peer or someone above; a director feels like a step down.
    case(
        "seniority-vp-ask-c-level-beats-director",
        {
            "Director": {"seniority": "director"},
            "Chief": {"seniority": "c_level"},
        },
        ["Chief", "Director"],
        request=VP_ENT,
    ),
    case(
        "seniority-director-ask-vp-beats-manager",
        {
            "Manager": {"seniority": "manager"},
            "VP": {"seniority": "vp"},
        },
        ["VP", "Manager"],
        request={"size_band": "enterprise", "seniority": "director"},
    ),
    case(
        "seniority-manager-ask-director-beats-individual",
        {
            "Individual": {"seniority": "individual"},
            "Director": {"seniority": "director"},
        },
        ["Director", "Individual"],
        request={"size_band": "enterprise", "seniority": "manager"},
    ),
    case(
        "seniority-vp-ask-c-level-beats-manager",
        {
            "Manager": {"seniority": "manager"},
            "Chief": {"seniority": "c_level"},
        },
        ["Chief", "Manager"],
        request=VP_ENT,
    ),
    case(
        "seniority-c-level-ask-peer-first",
        {
            "VP": {},
            "Chief": {"seniority": "c_level"},
        },
        ["Chief", "VP"],
        request={"size_band": "enterprise", "seniority": "c_level"},
    ),
    # C-level references are kept for senior asks.
    case(
        "seniority-manager-ask-protects-c-level",
        {
            "Chief": {"seniority": "c_level"},
            "Director": {"seniority": "director"},
        },
        ["Director", "Chief"],
        request={"size_band": "enterprise", "seniority": "manager"},
        factor=("Chief", "c_level_protection", "-"),
    ),
    case(
        "seniority-individual-ask-protects-c-level",
        {
            "Chief": {"seniority": "c_level"},
            "Manager": {"seniority": "manager"},
        },
        ["Manager", "Chief"],
        request={"size_band": "enterprise", "seniority": "individual"},
    ),
    # Even a better fit does not spend the CIO on a manager's call.
    case(
        "seniority-c-level-protected-even-when-better-fit",
        {
            "Chief": {"seniority": "c_level", "languages": ("en", "de")},
            "Director": {"seniority": "director"},
        },
        ["Director", "Chief"],
        request={"size_band": "enterprise", "seniority": "manager", "nice": [("language", "de", 5)]},
    ),
    # A director's ask is senior enough: a C-level who fits much better may be proposed.
    case(
        "seniority-director-ask-c-level-not-protected",
        {
            "VP": {},
            "Chief": {"seniority": "c_level", "languages": ("en", "de")},
        },
        ["Chief", "VP"],
        request={"size_band": "enterprise", "seniority": "director", "nice": [("language", "de", 5)]},
        factor=("Chief", "c_level_protection", "none"),
    ),
    # Protection ranks the C-level last among those that can be proposed; it does not hide it.
    case(
        "seniority-protected-c-level-still-proposable-when-alone",
        {
            "Director": {"seniority": "director", "status": "resting", "resting_reason": "request"},
            "Chief": {"seniority": "c_level"},
        },
        ["Chief", "Director"],
        request={"size_band": "enterprise", "seniority": "manager"},
        unavailable=("Director",),
    ),
    # The program switched protection off: the better fit wins again.
    case(
        "seniority-protection-off-by-policy",
        {
            "Director": {"seniority": "director"},
            "Chief": {"seniority": "c_level", "languages": ("en", "de")},
        },
        ["Chief", "Director"],
        request={"size_band": "enterprise", "seniority": "manager", "nice": [("language", "de", 5)]},
        policy={"c_level_protected_below": ""},
    ),
    # The program protects C-level from director asks too.
    case(
        "seniority-protection-raised-by-policy",
        {
            "Chief": {"seniority": "c_level"},
            "Director": {"seniority": "director"},
        },
        ["Director", "Chief"],
        request={"size_band": "enterprise", "seniority": "director"},
        policy={"c_level_protected_below": "vp"},
    ),
]

# --- Customer health --------------------------------------------------------------------------
HEALTH = [
    # A detractor is never put in front of a prospect, however well it fits.
    case(
        "health-detractor-never-proposed-though-best-fit",
        {
            "Unhappy": {"health": -10, "languages": ("en", "de")},
            "Happy": {},
        },
        ["Happy", "Unhappy"],
        request={**VP_ENT, "nice": [("language", "de", 5)]},
        unavailable=("Unhappy",),
    ),
    case(
        "health-detractor-alone-listed-not-proposable",
        {
            "Unhappy": {"health": -40},
        },
        ["Unhappy"],
        request=VP_ENT,
        unavailable=("Unhappy",),
        explains={"Unhappy": ["detractor"]},
    ),
    case(
        "health-just-below-zero-is-a-detractor",
        {
            "Minus": {"health": -1, "languages": ("en", "de")},
            "Zero": {"health": 0},
        },
        ["Zero", "Minus"],
        request={**VP_ENT, "nice": [("language", "de", 5)]},
        unavailable=("Minus",),
    ),
    case(
        "health-detractor-below-a-worse-fit",
        {
            "Unhappy": {"health": -5},
            "Meh": {"health": 20, "size": "smb", "seniority": "director"},
        },
        ["Meh", "Unhappy"],
        request=VP_ENT,
        unavailable=("Unhappy",),
    ),
    case(
        "health-lukewarm-below-healthy",
        {
            "Luke": {"health": 10},
            "Healthy": {"health": 80},
        },
        ["Healthy", "Luke"],
        request=VP_ENT,
        explains={"Healthy": ["80"]},
    ),
    case(
        "health-light-wish-does-not-outweigh-much-happier-customer",
        {
            "Luke": {"health": 5, "languages": ("en", "de")},
            "Healthy": {"health": 90},
        },
        ["Healthy", "Luke"],
        request={**VP_ENT, "nice": [("language", "de", 1)]},
    ),
    # The program counts anything under 20 as a detractor.
    case(
        "health-detractor-threshold-by-policy",
        {
            "Luke": {"health": 10, "languages": ("en", "de")},
            "Healthy": {"health": 60},
        },
        ["Healthy", "Luke"],
        request={**VP_ENT, "nice": [("language", "de", 5)]},
        unavailable=("Luke",),
        policy={"detractor_below": 20},
    ),
    # A very happy customer one band off beats a lukewarm one of the prospect's size.
    case(
        "health-lukewarm-exact-size-below-healthy-one-band-off",
        {
            "Luke": {"health": 10},
            "Healthy": {"health": 80, "size": "midmarket"},
        },
        ["Healthy", "Luke"],
        request=VP_ENT,
    ),
    case(
        "health-factor-points-with-the-health",
        {
            "Luke": {"health": 10},
            "Healthy": {"health": 70},
        },
        ["Healthy", "Luke"],
        request=VP_ENT,
        factor=("Healthy", "health", "+"),
    ),
]

# --- Several references: several customers ------------------------------------------------------
# Big/B1 fits best (a weight-2 wish); Big/B2 is second; Other is a comparable reference of another customer.
DIVERSITY = [
    case(
        "diversity-two-needed-second-from-another-customer",
        {
            "Big/B1": {"languages": ("en", "de")},
            "Big/B2": {},
            "Other": {"size": "midmarket"},
        },
        ["Big/B1", "Other", "Big/B2"],
        request={**VP_ENT, "references_needed": 2, "nice": [("language", "de", 2)]},
        explains={"Other": ["different customers"]},
    ),
    case(
        "diversity-not-when-the-other-customer-is-far-worse",
        {
            "Big/B1": {"languages": ("en", "de")},
            "Big/B2": {},
            "Other": {"size": "smb", "seniority": "director"},
        },
        ["Big/B1", "Big/B2", "Other"],
        request={**VP_ENT, "references_needed": 2, "nice": [("language", "de", 2)]},
    ),
    case(
        "diversity-one-needed-best-two-regardless",
        {
            "Big/B1": {"languages": ("en", "de")},
            "Big/B2": {},
            "Other": {"size": "midmarket"},
        },
        ["Big/B1", "Big/B2", "Other"],
        request={**VP_ENT, "references_needed": 1, "nice": [("language", "de", 2)]},
    ),
    case(
        "diversity-three-needed-three-customers",
        {
            "Big/B1": {"languages": ("en", "de")},
            "Big/B2": {},
            "Big/B3": {},
            "Third": {"size": "midmarket"},
            "Other": {"health": 20},
        },
        ["Big/B1", "Other", "Third"],
        request={**VP_ENT, "references_needed": 3, "nice": [("language", "de", 2)]},
        top=3,
    ),
    # The other customer's reference cannot be proposed: two from the same customer it is.
    case(
        "diversity-only-among-proposable",
        {
            "Big/B1": {"languages": ("en", "de")},
            "Big/B2": {},
            "Other": {"status": "resting", "resting_reason": "request"},
        },
        ["Big/B1", "Big/B2", "Other"],
        request={**VP_ENT, "references_needed": 2, "nice": [("language", "de", 2)]},
        unavailable=("Other",),
    ),
]

# --- Recent use of the same kind -------------------------------------------------------------
RECENCY = [
    case(
        "recency-recent-call-weighs-more-than-older-call",
        {
            "Recent": {"used": [("call", 40)]},
            "Older": {"used": [("call", 120)]},
        },
        ["Older", "Recent"],
        request=VP_ENT,
    ),
    case(
        "recency-same-kind-weighs-more-than-another-kind",
        {
            "Called": {"used": [("call", 100)]},
            "Met": {"used": [("event_meeting", 100)]},
        },
        ["Met", "Called"],
        request=VP_ENT,
    ),
    # Use from seven months ago is forgotten: the closer fit wins.
    case(
        "recency-use-older-than-the-window-does-not-count",
        {
            "Fresh": {"size": "midmarket"},
            "LongAgo": {"used": [("call", 200), ("call", 250)]},
        },
        ["LongAgo", "Fresh"],
        request=VP_ENT,
    ),
    # Two calls in the last five months still count: spread the load to the near fit.
    case(
        "recency-use-within-the-window-counts",
        {
            "Fresh": {"size": "midmarket"},
            "Used": {"used": [("call", 150), ("call", 160)]},
        },
        ["Fresh", "Used"],
        request=VP_ENT,
    ),
    case(
        "recency-colleague-recent-call-weighs-more-than-older-one",
        {
            "Recent/Ann": {},
            "Recent/Cy": {"used": [("call", 40)]},
            "Older/Bob": {},
            "Older/Dee": {"used": [("call", 120)]},
        },
        ["Older/Bob", "Recent/Ann"],
        request=VP_ENT,
    ),
    case(
        "recency-load-factors-for-own-use",
        {
            "Used": {"used": [("call", 40)]},
            "Unused": {},
        },
        ["Unused", "Used"],
        request=VP_ENT,
        factor=("Used", "reference_load", "-"),
    ),
]

# --- Today's basics ---------------------------------------------------------------------------
BASICS = [
    case(
        "basics-must-have-filters-a-better-fit-out",
        {
            "Bank": {"languages": ("en", "de")},
            "Clinic": {"industry": "healthcare"},
        },
        ["Clinic"],
        request={**VP_ENT, "must": [("industry", "healthcare")], "nice": [("language", "de", 5)]},
        absent=("Bank",),
    ),
    case(
        "basics-must-have-product",
        {
            "NoVault": {"products": ("Pulse",)},
            "VaultUser": {"products": ("Vault",), "size": "smb"},
        },
        ["VaultUser"],
        request={**VP_ENT, "must": [("product", "Vault")]},
        absent=("NoVault",),
    ),
    case(
        "basics-stale-profile-never-first",
        {
            "Stale": {"validated_days_ago": 300, "languages": ("en", "de")},
            "Current": {},
        },
        ["Current", "Stale"],
        request={**VP_ENT, "nice": [("language", "de", 5)]},
        unavailable=("Stale",),
    ),
    case(
        "basics-stale-health-never-first",
        {
            "OldHealth": {"health_days_ago": 300, "languages": ("en", "de")},
            "Current": {},
        },
        ["Current", "OldHealth"],
        request={**VP_ENT, "nice": [("language", "de", 5)]},
        unavailable=("OldHealth",),
    ),
    case(
        "basics-at-reference-cap-never-first",
        {
            "Capped": {"languages": ("en", "de"), "used": [("email", d) for d in (40, 50, 60, 70, 80)]},
            "Free": {},
        },
        ["Free", "Capped"],
        request={**VP_ENT, "nice": [("language", "de", 5)]},
        unavailable=("Capped",),
    ),
    case(
        "basics-resting-on-request-never-first",
        {
            "Resting": {"status": "resting", "resting_reason": "request", "languages": ("en", "de")},
            "Free": {},
        },
        ["Free", "Resting"],
        request={**VP_ENT, "nice": [("language", "de", 5)]},
        unavailable=("Resting",),
    ),
    case(
        "basics-in-rest-period-never-first",
        {
            "JustCalled": {"languages": ("en", "de"), "used": [("call", 10)]},
            "Free": {},
        },
        ["Free", "JustCalled"],
        request={**VP_ENT, "nice": [("language", "de", 5)]},
        unavailable=("JustCalled",),
    ),
    case(
        "basics-available-first-however-poor-the-fit",
        {
            "Perfect": {"status": "resting", "resting_reason": "request", "languages": ("en", "de")},
            "Poor": {"size": "smb", "seniority": "individual", "health": 5},
        },
        ["Poor", "Perfect"],
        request={**VP_ENT, "nice": [("language", "de", 5)]},
        unavailable=("Perfect",),
    ),
    case(
        "basics-explanation-names-met-criteria",
        {
            "Bank": {"languages": ("en", "de")},
        },
        ["Bank"],
        request={**VP_ENT, "must": [("industry", "finance")], "nice": [("language", "de", 3)]},
        explains={"Bank": ["industry Financial services", "language German (weight 3)"]},
    ),
    case(
        "basics-customer-load-factor-for-tired-customer",
        {
            "Tired/Bob": {},
            "Tired/Cy": {"used": THREE_EMAILS},
            "Calm": {},
        },
        ["Calm", "Tired/Bob"],
        request=VP_ENT,
        factor=("Tired/Bob", "customer_load", "-"),
    ),
]

CASES = GOODWILL + IMPLICIT + SCALE + SENIORITY + HEALTH + DIVERSITY + RECENCY + BASICS


def _describe(found, label_of) -> str:
    lines = []
    for m in found:
        factors = ", ".join(f"{f['name']} {f['points']:+}" for f in m.get("factors", []))
        lines.append(
            f"  {label_of[m['reference']['id']]:<12} score {m['score']:>5} "
            f"{'available' if m['available'] else 'NOT available'}: {factors}"
        )
    return "\n".join(lines)


@pytest.mark.parametrize("judged", CASES)
def test_the_managers_judgement(judged, sales, make_request):
    if judged.policy:
        OverusePolicy.objects.filter(pk=OverusePolicy.current().pk).update(**judged.policy)
    profiles = build(judged.refs)
    request = make_request(sales, **judged.request)
    found = matching.matches_for_request(request)
    label_of = {p.pk: label for label, p in profiles.items()}
    labels = [label_of[m["reference"]["id"]] for m in found]
    by_label = dict(zip(labels, found, strict=True))
    described = "\n" + _describe(found, label_of)

    # The manager's pick comes first, and the references named come in the manager's order.
    assert labels[:1] == judged.expect[:1], described
    assert [label for label in labels if label in judged.expect] == judged.expect, described
    assert labels[: judged.top] == judged.expect[: judged.top], described
    for label in judged.absent:
        assert label not in labels, described
    for label in judged.unavailable:
        assert by_label[label]["available"] is False, described
    # Whatever the case: references that can be proposed come first, and each match's factors add up.
    availability = [m["available"] for m in found]
    assert availability == sorted(availability, reverse=True), described
    for m in found:
        assert abs(sum(f["points"] for f in m["factors"]) - m["score"]) <= 0.1, described
    for label, words in judged.explains.items():
        text = by_label[label]["explanation"].lower()
        for word in words:
            assert word.lower() in text, by_label[label]["explanation"]
    if judged.factor:
        label, name, sign = judged.factor
        points = [f["points"] for f in by_label[label]["factors"] if f["name"] == name]
        if sign == "none":
            assert points == [], described
        else:
            assert points, described
            assert all((p > 0) if sign == "+" else (p < 0) for p in points), described


def test_at_least_forty_judgements():
    assert len(CASES) >= 40


# --- What the explanation says ----------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in text.split(". ")]


def test_explanation_tells_implicit_from_explicit(sales, make_request):
    """The prospect's industry counts as an implicit preference, the rep's language wish as a
    criterion: the explanation keeps them apart, and so do the factors."""
    profiles = build({"Clinic": {"industry": "healthcare", "languages": ("en", "de")}})
    request = make_request(sales, **VP_ENT, industry="healthcare", nice=[("language", "de", 2)])
    (match,) = matching.matches_for_request(request)
    assert match["reference"]["id"] == profiles["Clinic"].pk
    factors = {f["name"]: f for f in match["factors"]}
    assert "Healthcare" in factors["implicit"]["detail"]
    assert "language" in factors["nice_to_have"]["detail"]
    sentences = _sentences(match["explanation"])
    implicit = [s for s in sentences if s.lower().startswith("implicit")]
    wishes = [s for s in sentences if "nice-to-have" in s]
    assert implicit and "Healthcare" in implicit[0] and "language" not in implicit[0], match["explanation"]
    assert wishes and "language German" in wishes[0] and "Healthcare" not in wishes[0], match["explanation"]


def test_explicit_twin_is_explained_as_explicit_only(sales, make_request):
    """The rep repeated the prospect's industry as a wish: it is a criterion, and not also implicit."""
    build({"Clinic": {"industry": "healthcare"}})
    request = make_request(sales, **VP_ENT, industry="healthcare", nice=[("industry", "healthcare", 2)])
    (match,) = matching.matches_for_request(request)
    names = [f["name"] for f in match["factors"]]
    assert "nice_to_have" in names and "implicit" not in names, match["factors"]
    assert "industry Healthcare (weight 2)" in match["explanation"], match["explanation"]
    implicit = [s for s in _sentences(match["explanation"]) if s.lower().startswith("implicit")]
    assert not implicit or "Healthcare" not in implicit[0], match["explanation"]


def test_explanation_shows_health_and_its_date(sales, make_request):
    build({"Healthy": {"health": 70, "health_days_ago": 12}})
    request = make_request(sales, **VP_ENT)
    (match,) = matching.matches_for_request(request)
    checked = (timezone.localdate() - timedelta(days=12)).isoformat()
    assert "70" in match["explanation"] and checked in match["explanation"], match["explanation"]


# --- Factors add up, and name the judgement --------------------------------------------------


def test_factors_tired_customer_pays_customer_load_not_reference_load(sales, make_request):
    profiles = build({"Tired/Bob": {}, "Tired/Cy": {"used": THREE_EMAILS}, "Calm": {}})
    request = make_request(sales, **VP_ENT)
    found = {m["reference"]["id"]: m for m in matching.matches_for_request(request)}
    bob, cy, calm = (found[profiles[k].pk] for k in ("Tired/Bob", "Tired/Cy", "Calm"))
    for m in (bob, cy, calm):
        assert abs(sum(f["points"] for f in m["factors"]) - m["score"]) <= 0.1
    points = lambda m, name: sum(f["points"] for f in m["factors"] if f["name"] == name)  # noqa: E731
    assert points(bob, "customer_load") < 0 and points(bob, "reference_load") == 0
    assert points(calm, "customer_load") == 0
    # The customer is as tired for Bob as for Cy; Cy pays her own use on top.
    assert points(cy, "customer_load") == points(bob, "customer_load")
    assert points(cy, "reference_load") < 0
    assert calm["score"] > bob["score"] > cy["score"]


def test_factors_seniority_too_junior_costs_more_than_too_senior(sales, make_request):
    profiles = build({"Director": {"seniority": "director"}, "Chief": {"seniority": "c_level"}})
    request = make_request(sales, **VP_ENT)
    found = {m["reference"]["id"]: m for m in matching.matches_for_request(request)}
    seniority = {
        label: sum(f["points"] for f in found[p.pk]["factors"] if f["name"] == "seniority")
        for label, p in profiles.items()
    }
    assert seniority["Director"] < seniority["Chief"]
    for m in found.values():
        assert abs(sum(f["points"] for f in m["factors"]) - m["score"]) <= 0.1


def test_factors_detractor_health_is_negative_and_it_cannot_be_proposed(sales, make_request):
    profiles = build({"Unhappy": {"health": -60}, "Happy": {"health": 60}})
    request = make_request(sales, **VP_ENT)
    found = {m["reference"]["id"]: m for m in matching.matches_for_request(request)}
    unhappy, happy = found[profiles["Unhappy"].pk], found[profiles["Happy"].pk]
    health = lambda m: [f["points"] for f in m["factors"] if f["name"] == "health"]  # noqa: E731
    assert health(unhappy) and health(unhappy)[0] < 0 < health(happy)[0]
    assert unhappy["available"] is False and happy["available"] is True
    assert abs(sum(f["points"] for f in unhappy["factors"]) - unhappy["score"]) <= 0.1
