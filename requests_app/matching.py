"""The matching engine: which references fit a request, best first, and why.

How a reference is ranked (the manager reads this on the request page):

1. **Hard filters.** A reference appears only if it is active or resting, will do the
   requested activity type, is not kept for private use when the activity is public, and meets
   *every* must-have. Nominated, vetting and retired profiles never appear.
2. **Available first.** References that can be proposed now (active, fresh, out of their rest
   period, with room for this activity under both the reference's and the customer's cap)
   rank above those that cannot (resting, stale, at a cap). The latter are shown and marked,
   and proposing them is refused.
3. **Score** (higher is better), the sum of:
   - each met nice-to-have: ``NICE_POINTS`` × its weight (1–10; first listed weighs most);
   - size closeness: ``SIZE_POINTS`` for the prospect's size band, minus ``SIZE_STEP`` per band
     apart;
   - seniority closeness: ``SENIORITY_POINTS`` for the prospect contact's seniority, minus
     ``SENIORITY_STEP`` per level apart;
   - freshness: ``FRESH_POINTS`` when validated within the last ``FRESH_DAYS`` days;
   - load spreading: minus ``LOAD_PENALTY`` per weighted point the reference used in the
     policy window (a less-used reference ranks above an equally good, heavily used one).
4. Ties go to the reference with the lower recent usage, then the older profile.

:func:`score_profile` is the same formula as plain Python over a profile's facts (for the
explanations and for tests); :func:`rank_queryset` computes it in the database, so ranking never
loads every profile into memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from references.choices import SENIORITY_ORDER, SIZE_ORDER, USAGE_COUNTING, ProfileStatus, RestingReason
from references.models import (
    ActivityType,
    Contact,
    OverusePolicy,
    Product,
    ReferenceProfile,
    UsageEntry,
    UseCase,
    counting_usage,
    stale_condition,
)

from .choices import DEFAULT_MATCHES, CriterionField, UnmetReason

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

# Alternatives to a one-to-one activity when supply is short.
ALTERNATIVE_TYPES = ("event_meeting", "case_study", "video", "quote")


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


def eligible_profiles(activity_type: ActivityType) -> QuerySet:
    """In the catalog (active or resting), willing to do the activity type, and — for a public
    activity — not kept for private use."""
    through = ReferenceProfile.activity_types.through
    qs = ReferenceProfile.objects.filter(status__in=(ProfileStatus.ACTIVE, ProfileStatus.RESTING)).filter(
        Exists(through.objects.filter(referenceprofile_id=OuterRef("pk"), activitytype_id=activity_type.pk))
    )
    if activity_type.is_public:
        qs = qs.filter(private_only=False)
    return qs


def _annotate_score(
    qs: QuerySet, spec: MatchSpec, activity_type: ActivityType, policy, today: date
) -> QuerySet:
    counting = counting_usage(today, policy)
    per_ref = counting.filter(reference=OuterRef("pk")).order_by().values("reference")
    per_customer = counting.filter(customer=OuterRef("customer_id")).order_by().values("customer")
    live = (
        UsageEntry.objects.filter(
            reference=OuterRef("pk"),
            status__in=USAGE_COUNTING,
            activity_type__live=True,
            occurred_on__gt=today - timedelta(days=policy.rest_days),
        )
        .order_by()
        .values("reference")
    )
    nice = {
        f"nice_{i}": Case(
            When(criterion_q(c), then=Value(True)), default=Value(False), output_field=BooleanField()
        )
        for i, c in enumerate(spec.nice)
    }
    weight = activity_type.weight
    qs = qs.annotate(
        **nice,
        recent_used=Coalesce(Subquery(per_ref.annotate(s=Sum("points")).values("s")[:1]), Value(0)),
        recent_customer_used=Coalesce(
            Subquery(per_customer.annotate(s=Sum("points")).values("s")[:1]), Value(0)
        ),
        resting_until_live=Subquery(live.annotate(m=Max("occurred_on")).values("m")[:1]),
        is_stale_now=Case(
            When(stale_condition(policy.stale_cutoff(today)), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )
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
            F("base_score") - F("recent_used") * Value(LOAD_PENALTY), output_field=FloatField()
        ),
        can_propose=Case(
            When(
                (
                    Q(status=ProfileStatus.ACTIVE)
                    | Q(status=ProfileStatus.RESTING, resting_reason=RestingReason.CAP)
                )
                & Q(is_stale_now=False, resting_until_live__isnull=True)
                & Q(recent_used__lte=policy.reference_cap - weight)
                & Q(recent_customer_used__lte=policy.customer_cap - weight),
                then=Value(1),
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


# Columns of the candidate rows that the top-N ranking reads, each computed once per row.
_RANK_COLUMNS = (
    "pk",
    "status",
    "resting_reason",
    "is_stale_now",
    "resting_until_live",
    "recent_used",
    "recent_customer_used",
    "base_score",
)


# The best candidates by what they are (``base_score``) read first: this many times the limit.
EARLY_BATCH_FACTOR = 5
EARLY_BATCH_MIN = 100


def _ranked(rows, *, weight: int, policy: OverusePolicy, first: bool) -> list[tuple]:
    """Candidate rows (``first`` column, then ``_RANK_COLUMNS``) as sort keys in the order of
    :func:`rank_queryset`: ``(first, -can_propose, -score, recent_used, pk)``. Can be proposed:
    the Python twin of ``_annotate_score``'s ``can_propose`` (tests hold the two together)."""
    keys = []
    for row in rows:
        lead, (pk, status, reason, stale, live_until, used, customer_used, base) = (
            (row[0], row[1:]) if first else (0, row)
        )
        ok = (
            (
                status == ProfileStatus.ACTIVE
                or (status == ProfileStatus.RESTING and reason == RestingReason.CAP)
            )
            and not stale
            and live_until is None
            and used <= policy.reference_cap - weight
            and customer_used <= policy.customer_cap - weight
        )
        keys.append((lead, -int(ok), -(base - used * LOAD_PENALTY), used, pk))
    keys.sort()
    return keys


def _top_ranked_early(
    qs: QuerySet, *, activity_type: ActivityType, policy: OverusePolicy, limit: int, first: str = ""
) -> list[tuple[int, int]] | None:
    """The top ``limit`` without reading every candidate's ledger, when that is provably the same.

    A reference's score is its ``base_score`` minus the load penalty, so it is never above its
    ``base_score``. Read the candidates in ``first`` order, then highest ``base_score`` first
    (the database sorts them without the ledger and sums the ledger only for those it returns).
    An unread candidate comes after the last one read in that order; it cannot rank among the
    top if the ``limit``-th best read comes before it in ``first``, or ties with it there, can be
    proposed and scores above the last ``base_score`` read. Otherwise ``None``: rank them all."""
    batch = max(limit * EARLY_BATCH_FACTOR, EARLY_BATCH_MIN)
    columns = (first, *_RANK_COLUMNS) if first else _RANK_COLUMNS
    order = (first, "-base_score", "pk") if first else ("-base_score", "pk")
    rows = list(qs.order_by(*order).values_list(*columns)[:batch])
    ranked = _ranked(rows, weight=activity_type.weight, policy=policy, first=bool(first))
    top = [(key[-1], -key[1]) for key in ranked[:limit]]
    if len(rows) < batch:
        return top  # every candidate was read
    last_lead, last_base = (rows[-1][0] if first else 0), rows[-1][-1]
    if len(ranked) >= limit:
        lead, negative_ok, negative_score = ranked[limit - 1][:3]
        if lead < last_lead or (lead == last_lead and negative_ok == -1 and -negative_score > last_base):
            return top
    return None


def top_ranked(
    qs: QuerySet, *, activity_type: ActivityType, policy: OverusePolicy, limit: int, first: str = ""
) -> list[tuple[int, int]]:
    """``(pk, can_propose)`` of the best ``limit`` rows of an annotated candidate queryset,
    in the order of :func:`rank_queryset` (``first``: an extra leading sort column of ``qs``).

    The same ranking as ordering the queryset itself, in a cheaper shape: the best candidates by
    ``base_score`` first (:func:`_top_ranked_early`), and only when they do not settle it every
    candidate's columns, each ledger sum computed once. Ordered by the annotations directly,
    the database would sum the ledger for every candidate, once per place the sums appear
    (score, eligibility, sort)."""
    early = _top_ranked_early(qs, activity_type=activity_type, policy=policy, limit=limit, first=first)
    if early is not None:
        return early
    columns = (first, *_RANK_COLUMNS) if first else _RANK_COLUMNS
    rows = qs.order_by().values_list(*columns)
    ranked = _ranked(rows, weight=activity_type.weight, policy=policy, first=bool(first))
    return [(key[-1], -key[1]) for key in ranked[:limit]]


def _meeting_must_haves(request, spec: MatchSpec) -> QuerySet:
    """Eligible for the request's activity and meeting every must-have."""
    qs = eligible_profiles(request.activity_type)
    for c in spec.must:
        qs = qs.filter(criterion_q(c))
    return qs


def rank_queryset(request, *, policy: OverusePolicy, today: date) -> QuerySet:
    """Every reference that meets the request's must-haves, annotated with ``score`` and
    ``can_propose`` and ordered best first (one query; slice it)."""
    spec = MatchSpec.for_request(request)
    qs = _annotate_score(_meeting_must_haves(request, spec), spec, request.activity_type, policy, today)
    return qs.order_by("-can_propose", "-score", "recent_used", "id")


def _details(ids: list[int], *, policy, today: date) -> dict[int, ReferenceProfile]:
    """The top references with what a person needs to judge them (fixed number of queries)."""
    last = UsageEntry.objects.filter(reference=OuterRef("pk")).order_by("-occurred_on", "-id")
    profiles = (
        ReferenceProfile.objects.filter(pk__in=ids)
        .with_capacity(today, policy)
        .select_related("customer__industry", "customer__region", "contact")
        .prefetch_related("products", "use_cases", "contact__languages")
        .annotate(
            last_used_on=Subquery(last.values("occurred_on")[:1]),
            last_used_for=Subquery(last.values("activity_type__name")[:1]),
            last_used_status=Subquery(last.values("status")[:1]),
        )
    )
    return {p.pk: p for p in profiles}


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


def reference_summary(profile: ReferenceProfile, capacity: dict) -> dict:
    customer, contact = profile.customer, profile.contact
    return {
        "id": profile.pk,
        "customer": {"id": customer.pk, "name": customer.name},
        "industry": customer.industry_id,
        "region": customer.region_id,
        "country": customer.country,
        "size_band": customer.size_band,
        "contact_title": contact.title,
        "seniority": contact.seniority,
        "headline": profile.headline,
        "status": profile.status,
        "deployment": profile.deployment,
        "products": [p.name for p in profile.products.all()],
        "is_stale": bool(profile.is_stale_now),
        "capacity": {k: capacity[k] for k in ("used", "cap", "available", "available_from")},
    }


def _label(c: dict) -> str:
    return f"{CriterionField(c['field']).label.lower()} {c['value']}"


def explain(
    profile: ReferenceProfile, result: dict, spec: MatchSpec, *, available: bool, capacity: dict, policy
) -> str:
    """The human explanation of one match (or near miss)."""
    parts: list[str] = []
    must_met = [c for c in spec.must if c not in result["must_missed"]]
    if result["must_missed"]:
        parts.append("Misses the must-have " + ", ".join(_label(c) for c in result["must_missed"]) + ".")
    elif spec.must:
        parts.append("Meets every must-have (" + ", ".join(_label(c) for c in must_met) + ").")
    if spec.nice:
        nice_met = [c for c in spec.nice if c in result["met"]]
        text = f"Meets {len(nice_met)} of {len(spec.nice)} nice-to-haves"
        if nice_met:
            text += ": " + ", ".join(f"{_label(c)} (weight {c['weight']})" for c in nice_met)
        nice_missed = [c for c in spec.nice if c not in nice_met]
        if nice_missed:
            text += "; misses " + ", ".join(_label(c) for c in nice_missed)
        parts.append(text + ".")
    customer, contact = profile.customer, profile.contact
    if spec.size_band:
        gap = abs(SIZE_ORDER[customer.size_band] - SIZE_ORDER[spec.size_band]) if customer.size_band else None
        if gap == 0:
            parts.append(f"Same size band as the prospect ({customer.get_size_band_display()}).")
        elif gap is not None:
            parts.append(f"{customer.get_size_band_display()}: {gap} size band(s) from the prospect.")
    if spec.seniority and contact.seniority:
        gap = abs(SENIORITY_ORDER[contact.seniority] - SENIORITY_ORDER[spec.seniority])
        who = f"{contact.title or contact.get_seniority_display()}"
        parts.append(
            f"Contact is {who}: same seniority as the prospect's contact."
            if gap == 0
            else f"Contact is {who}: {gap} level(s) from the prospect's contact."
        )
    parts.append(
        f"Capacity: {capacity['used']} of {capacity['cap']} points used in the last {policy.window_days} days"
        f" (customer {capacity['customer_used']} of {capacity['customer_cap']})."
    )
    if available:
        parts.append("Available now.")
    elif profile.is_stale_now:
        parts.append("Stale: re-confirm with the account owner before it can be proposed.")
    elif capacity.get("available_from"):
        parts.append(f"Not available until {capacity['available_from']:%Y-%m-%d}; cannot be proposed now.")
    else:
        parts.append(
            "Not available now (resting or no room for this activity under the caps); cannot be proposed."
        )
    if getattr(profile, "last_used_on", None):
        parts.append(
            f"Last used {profile.last_used_on:%Y-%m-%d} for a {profile.last_used_for}"
            f" ({profile.last_used_status})."
        )
    else:
        parts.append("Never used yet.")
    return " ".join(parts)


def _fields(criteria: list[dict]) -> list[str]:
    seen: list[str] = []
    for c in criteria:
        if c["field"] not in seen:
            seen.append(c["field"])
    return seen


def _present(profile, spec: MatchSpec, *, policy, today: date, available: bool) -> dict:
    used = getattr(profile, "cap_used", 0) or 0
    result = score_profile(facts_of(profile, used=used), spec, today)
    capacity = profile.capacity(today=today, policy=policy)
    return {
        "reference": reference_summary(profile, capacity),
        "score": round(result["score"], 1),
        "met": _fields(result["met"]),
        "missed": _fields(result["missed"]),
        "met_criteria": result["met"],
        "missed_criteria": result["missed"],
        "must_missed": _fields(result["must_missed"]),
        "available": available,
        "explanation": explain(profile, result, spec, available=available, capacity=capacity, policy=policy),
    }


def any_can_be_proposed(request, *, policy: OverusePolicy, today: date) -> bool:
    """Does at least one reference meet the must-haves and can be proposed now? One query that
    stops at the first such reference, without ranking them all."""
    spec = MatchSpec(must=MatchSpec.for_request(request).must)  # the score does not matter here
    qs = _annotate_score(_meeting_must_haves(request, spec), spec, request.activity_type, policy, today)
    return qs.filter(can_propose=1).exists()


def matches_for_request(
    request, *, limit: int = DEFAULT_MATCHES, today: date | None = None, policy=None
) -> list[dict]:
    """The ranked matches of API.md, best first, with explanations. A reference missing a
    must-have is never in it."""
    today = today or timezone.localdate()
    policy = policy or OverusePolicy.current()
    top = top_ranked(
        rank_queryset(request, policy=policy, today=today),
        activity_type=request.activity_type,
        policy=policy,
        limit=limit,
    )
    details = _details([pk for pk, _ in top], policy=policy, today=today)
    spec = MatchSpec.for_request(request)
    return [_present(details[pk], spec, policy=policy, today=today, available=bool(ok)) for pk, ok in top]


def nearest_misses(request, *, limit: int = NEAREST_MISSES, today: date, policy) -> list[dict]:
    """References that miss few must-haves (fewest first), naming which ones they miss."""
    spec = MatchSpec.for_request(request)
    if not spec.must:
        return []
    qs = eligible_profiles(request.activity_type).annotate(
        **{
            f"must_{i}": Case(
                When(criterion_q(c), then=Value(0)), default=Value(1), output_field=IntegerField()
            )
            for i, c in enumerate(spec.must)
        }
    )
    missed = Value(0, output_field=IntegerField())
    for i in range(len(spec.must)):
        missed = missed + F(f"must_{i}")
    qs = _annotate_score(
        qs.annotate(must_missed=missed).filter(must_missed__gte=1), spec, request.activity_type, policy, today
    )
    top = top_ranked(qs, activity_type=request.activity_type, policy=policy, limit=limit, first="must_missed")
    details = _details([pk for pk, _ in top], policy=policy, today=today)
    return [_present(details[pk], spec, policy=policy, today=today, available=bool(ok)) for pk, ok in top]


def alternatives(request) -> list[dict]:
    """Other ways to get the prospect a customer voice: an event meeting, or public content
    (case study, video, quote) from customers that meet the must-haves."""
    spec = MatchSpec.for_request(request)
    fitting = ReferenceProfile.objects.filter(status__in=(ProfileStatus.ACTIVE, ProfileStatus.RESTING))
    for c in spec.must:
        fitting = fitting.filter(criterion_q(c))
    through = ReferenceProfile.activity_types.through
    counts = dict(
        through.objects.filter(
            activitytype_id__in=ALTERNATIVE_TYPES, referenceprofile__in=fitting.values("pk")
        )
        .exclude(activitytype_id=request.activity_type_id)
        .values("activitytype_id")
        .annotate(n=Count("referenceprofile__customer_id", distinct=True))
        .values_list("activitytype_id", "n")
    )
    names = dict(ActivityType.objects.filter(code__in=counts).values_list("code", "name"))
    result = []
    for code in ALTERNATIVE_TYPES:
        if not counts.get(code):
            continue
        n = counts[code]
        if code == "event_meeting":
            note = f"{n} matching customer(s) would meet the prospect at an event."
        else:
            note = (
                f"{n} matching customer(s) do {names[code].lower()}s. "
                "Public use needs the customer's valid approval for it (see Approvals)."
            )
        result.append({"activity_type": code, "name": names[code], "customers": n, "note": note})
    return result


def _not_short() -> dict:
    return {"short": False, "reason": "", "message": "", "nearest_misses": [], "alternatives": []}


def supply_for_request(
    request, *, today: date | None = None, policy=None, matches: list[dict] | None = None
) -> dict:
    """Is supply short for this request? ``{"short", "reason", "message", "nearest_misses",
    "alternatives"}``. Short means no reference meets the must-haves, or none that does can be
    proposed now."""
    today = today or timezone.localdate()
    policy = policy or OverusePolicy.current()
    if matches is None:
        if any_can_be_proposed(request, policy=policy, today=today):
            return _not_short()
        matches = matches_for_request(request, today=today, policy=policy)
    if matches and any(m["available"] for m in matches):
        return _not_short()
    if not matches:
        reason = UnmetReason.NO_MATCH
        message = "No reference meets every must-have for this request."
    else:
        reason = UnmetReason.ALL_UNAVAILABLE
        message = (
            f"{len(matches)} reference(s) meet the must-haves, but every one is resting, stale or at its cap "
            "and cannot be proposed now."
        )
    return {
        "short": True,
        "reason": str(reason),
        "message": message,
        "nearest_misses": nearest_misses(request, today=today, policy=policy),
        "alternatives": alternatives(request),
    }
