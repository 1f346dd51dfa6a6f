"""The score of a reference for a request: the weights, the pure formula over a profile's facts
(:func:`score_profile`, for explanations and tests) and the same formula in the database
(:func:`annotate_score`, with ``ledger.capacity``'s ``can_propose``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from ledger import capacity
from references.choices import SENIORITY_ORDER, SIZE_ORDER
from references.models import (
    ActivityType,
    Contact,
    Product,
    ReferenceProfile,
    UseCase,
)

from ..choices import CriterionField

# --- Weights (documented on the request page) ----------------------------------------------
NICE_POINTS = 10.0
SIZE_POINTS = 9.0
SIZE_STEP = 3.0
SENIORITY_POINTS = 8.0
SENIORITY_STEP = 2.0
FRESH_POINTS = 3.0
FRESH_DAYS = 90
LOAD_PENALTY = 0.5
NEAREST_MISSES = 5

WEIGHTS_DOC = [
    ("Each met nice-to-have", f"{NICE_POINTS:g} × its weight (1–10; the first listed weighs most)"),
    ("Same size band as the prospect", f"{SIZE_POINTS:g}, minus {SIZE_STEP:g} per band apart"),
    (
        "Same seniority as the prospect's contact",
        f"{SENIORITY_POINTS:g}, minus {SENIORITY_STEP:g} per level apart",
    ),
    (f"Validated within {FRESH_DAYS} days", f"{FRESH_POINTS:g}"),
    ("Recent use (load spreading)", f"−{LOAD_PENALTY:g} per weighted point used in the policy window"),
    ("Available now", "always ranks above resting, stale or at-cap references, which cannot be proposed"),
]


# --- The pure formula ----------------------------------------------------------------------


@dataclass
class ProfileFacts:
    """What the formula needs to know about one reference profile."""

    industry: str = ""
    region: str = ""
    country: str = ""
    size_band: str = ""
    products: set[str] = field(default_factory=set)
    use_cases: set[str] = field(default_factory=set)
    deployment: str = ""
    competitor: str = ""
    seniority: str = ""
    languages: set[str] = field(default_factory=set)
    last_validated: date | None = None
    used: int = 0


@dataclass
class MatchSpec:
    """What the formula needs to know about a request."""

    must: list[dict] = field(default_factory=list)
    nice: list[dict] = field(default_factory=list)
    size_band: str = ""
    seniority: str = ""

    @classmethod
    def for_request(cls, request) -> MatchSpec:
        return cls(
            must=request.must,
            nice=request.nice,
            size_band=request.prospect_size_band,
            seniority=request.prospect_seniority,
        )


def criterion_met(facts: ProfileFacts, criterion: dict) -> bool:
    """Does this profile meet one criterion? (The Python twin of :func:`criterion_q`.)"""
    f, value = criterion["field"], criterion["value"]
    if f == CriterionField.PRODUCT:
        return value in facts.products
    if f == CriterionField.USE_CASE:
        return value in facts.use_cases
    if f == CriterionField.LANGUAGE:
        return value in facts.languages
    if f == CriterionField.COMPETITOR:
        return value.lower() in (facts.competitor or "").lower()
    return getattr(facts, f) == value


def size_points(profile_band: str, prospect_band: str) -> float:
    if not prospect_band or profile_band not in SIZE_ORDER:
        return 0.0
    return max(0.0, SIZE_POINTS - SIZE_STEP * abs(SIZE_ORDER[profile_band] - SIZE_ORDER[prospect_band]))


def seniority_points(profile_level: str, prospect_level: str) -> float:
    if not prospect_level or profile_level not in SENIORITY_ORDER:
        return 0.0
    distance = abs(SENIORITY_ORDER[profile_level] - SENIORITY_ORDER[prospect_level])
    return max(0.0, SENIORITY_POINTS - SENIORITY_STEP * distance)


def score_profile(facts: ProfileFacts, spec: MatchSpec, today: date) -> dict:
    """Score one profile for one request: ``{"score", "parts", "met", "missed", "must_missed"}``.

    ``must_missed`` lists the must-haves the profile fails (a match has none). The score
    ignores must-haves: they filter, they do not rank.
    """
    must_missed = [c for c in spec.must if not criterion_met(facts, c)]
    met = [c for c in spec.must if c not in must_missed]
    missed = list(must_missed)
    nice_total = 0.0
    for c in spec.nice:
        if criterion_met(facts, c):
            met.append(c)
            nice_total += NICE_POINTS * c["weight"]
        else:
            missed.append(c)
    parts = {
        "nice": nice_total,
        "size": size_points(facts.size_band, spec.size_band),
        "seniority": seniority_points(facts.seniority, spec.seniority),
        "fresh": FRESH_POINTS
        if facts.last_validated and facts.last_validated >= today - timedelta(days=FRESH_DAYS)
        else 0.0,
        "load": -LOAD_PENALTY * (facts.used or 0),
    }
    return {
        "score": sum(parts.values()),
        "parts": parts,
        "met": met,
        "missed": missed,
        "must_missed": must_missed,
    }


# --- The database side ---------------------------------------------------------------------


def criterion_q(criterion: dict) -> Q:
    """One criterion as a condition on ``ReferenceProfile`` (many-to-many via EXISTS, no joins
    that would duplicate rows)."""
    f, value = criterion["field"], criterion["value"]
    if f == CriterionField.INDUSTRY:
        return Q(customer__industry_id=value)
    if f == CriterionField.REGION:
        return Q(customer__region_id=value)
    if f == CriterionField.COUNTRY:
        return Q(customer__country=value)
    if f == CriterionField.SIZE_BAND:
        return Q(customer__size_band=value)
    if f == CriterionField.SENIORITY:
        return Q(contact__seniority=value)
    if f == CriterionField.DEPLOYMENT:
        return Q(deployment=value)
    if f == CriterionField.COMPETITOR:
        return Q(competitor__icontains=value)
    if f == CriterionField.PRODUCT:
        through = ReferenceProfile.products.through
        # The name resolves once (an InitPlan), so the EXISTS probes the (profile, product) index.
        product_id = Subquery(Product.objects.filter(name=value).values("pk")[:1])
        return Q(Exists(through.objects.filter(referenceprofile_id=OuterRef("pk"), product_id=product_id)))
    if f == CriterionField.USE_CASE:
        through = ReferenceProfile.use_cases.through
        use_case_id = Subquery(UseCase.objects.filter(name=value).values("pk")[:1])
        return Q(Exists(through.objects.filter(referenceprofile_id=OuterRef("pk"), usecase_id=use_case_id)))
    if f == CriterionField.LANGUAGE:
        through = Contact.languages.through
        return Q(Exists(through.objects.filter(contact_id=OuterRef("contact_id"), language_id=value)))
    raise ValueError(f"unknown criterion field {f!r}")


def _closeness(field_name: str, order: dict, prospect: str, top: float, step: float):
    if not prospect or prospect not in order:
        return Value(0.0, output_field=FloatField())
    whens = []
    for code, position in order.items():
        points = max(0.0, top - step * abs(position - order[prospect]))
        if points:
            whens.append(When(**{field_name: code}, then=Value(points)))
    return Case(*whens, default=Value(0.0), output_field=FloatField())


def annotate_score(
    qs: QuerySet, spec: MatchSpec, activity_type: ActivityType, policy, today: date
) -> QuerySet:
    """The score and ``can_propose`` (1 when the reference can be asked now for the request's
    activity: ``ledger.capacity``'s verdict in SQL) of every candidate."""
    qs = capacity.annotate(qs, today=today, policy=policy, activity_type=activity_type)
    nice = {
        f"nice_{i}": Case(
            When(criterion_q(c), then=Value(True)), default=Value(False), output_field=BooleanField()
        )
        for i, c in enumerate(spec.nice)
    }
    qs = qs.annotate(**nice)
    nice_points = [
        Case(When(**{f"nice_{i}": True}, then=Value(NICE_POINTS * c["weight"])), default=Value(0.0))
        for i, c in enumerate(spec.nice)
    ]
    base = Value(0.0, output_field=FloatField())
    for expr in nice_points:
        base = base + expr
    base = (
        base
        + _closeness("customer__size_band", SIZE_ORDER, spec.size_band, SIZE_POINTS, SIZE_STEP)
        + _closeness("contact__seniority", SENIORITY_ORDER, spec.seniority, SENIORITY_POINTS, SENIORITY_STEP)
        + Case(
            When(last_validated__gte=today - timedelta(days=FRESH_DAYS), then=Value(FRESH_POINTS)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    )
    return qs.annotate(
        # Everything but the load penalty: what the reference is, not how much it was asked.
        base_score=ExpressionWrapper(base, output_field=FloatField()),
        score=ExpressionWrapper(
            F("base_score") - F("cap_used") * Value(LOAD_PENALTY), output_field=FloatField()
        ),
        can_propose=Case(
            When(capacity.askable_q(policy), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


def facts_of(profile: ReferenceProfile, used: int = 0) -> ProfileFacts:
    customer = profile.customer
    return ProfileFacts(
        industry=customer.industry_id,
        region=customer.region_id,
        country=customer.country,
        size_band=customer.size_band,
        products={p.name for p in profile.products.all()},
        use_cases={u.name for u in profile.use_cases.all()},
        deployment=profile.deployment,
        competitor=profile.competitor,
        seniority=profile.contact.seniority,
        languages={lang.code for lang in profile.contact.languages.all()},
        last_validated=profile.last_validated,
        used=used,
    )
