"""Ranking: the eligible references of a request, best first, without loading them all (the
top N read in a cheap shape), nearest misses, and whether any can be proposed now."""

from __future__ import annotations

from datetime import date

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from ledger import capacity
from ledger.models import OverusePolicy, UsageEntry
from references.choices import ProfileStatus
from references.models import (
    ActivityType,
    ReferenceProfile,
)

from ..choices import DEFAULT_MATCHES
from .explain import present
from .scoring import LOAD_PENALTY, NEAREST_MISSES, MatchSpec, annotate_score, criterion_q


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


# Columns of the candidate rows that the top-N ranking reads, each computed once per row.
_RANK_COLUMNS = ("pk", *capacity.VERDICT_COLUMNS, "base_score")
_USED = 1 + capacity.VERDICT_COLUMNS.index("cap_used")


# The best candidates by what they are (``base_score``) read first: this many times the limit.
EARLY_BATCH_FACTOR = 5
EARLY_BATCH_MIN = 100


def _ranked(rows, *, weight: int, policy: OverusePolicy, first: bool) -> list[tuple]:
    """Candidate rows (``first`` column, then ``_RANK_COLUMNS``) as sort keys in the order of
    :func:`rank_queryset`: ``(first, -can_propose, -score, cap_used, pk)``. Can be proposed:
    ``ledger.capacity``'s verdict over the same columns as ``can_propose`` in SQL."""
    keys = []
    for row in rows:
        lead, row = (row[0], row[1:]) if first else (0, row)
        pk, base, used = row[0], row[-1], row[_USED]
        ok = not capacity.reasons_of(*row[1:-1], policy=policy)
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
    qs = annotate_score(_meeting_must_haves(request, spec), spec, request.activity_type, policy, today)
    return qs.order_by("-can_propose", "-score", "cap_used", "id")


def _details(
    ids: list[int], *, activity_type: ActivityType, policy, today: date
) -> dict[int, ReferenceProfile]:
    """The top references with what a person needs to judge them (fixed number of queries), and
    their capacity for the request's activity."""
    last = UsageEntry.objects.filter(reference=OuterRef("pk")).order_by("-occurred_on", "-id")
    profiles = (
        capacity.annotate(
            ReferenceProfile.objects.filter(pk__in=ids),
            today=today,
            policy=policy,
            activity_type=activity_type,
        )
        .select_related("customer__industry", "customer__region", "contact")
        .prefetch_related("products", "use_cases", "contact__languages")
        .annotate(
            last_used_on=Subquery(last.values("occurred_on")[:1]),
            last_used_for=Subquery(last.values("activity_type__name")[:1]),
            last_used_status=Subquery(last.values("status")[:1]),
        )
    )
    return {p.pk: p for p in profiles}


def any_can_be_proposed(request, *, policy: OverusePolicy, today: date) -> bool:
    """Does at least one reference meet the must-haves and can be proposed now? One query that
    stops at the first such reference, without ranking them all."""
    spec = MatchSpec(must=MatchSpec.for_request(request).must)  # the score does not matter here
    qs = annotate_score(_meeting_must_haves(request, spec), spec, request.activity_type, policy, today)
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
    details = _details([pk for pk, _ in top], activity_type=request.activity_type, policy=policy, today=today)
    spec = MatchSpec.for_request(request)
    return [present(details[pk], spec, policy=policy, today=today, available=bool(ok)) for pk, ok in top]


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
    qs = annotate_score(
        qs.annotate(must_missed=missed).filter(must_missed__gte=1), spec, request.activity_type, policy, today
    )
    top = top_ranked(qs, activity_type=request.activity_type, policy=policy, limit=limit, first="must_missed")
    details = _details([pk for pk, _ in top], activity_type=request.activity_type, policy=policy, today=today)
    return [present(details[pk], spec, policy=policy, today=today, available=bool(ok)) for pk, ok in top]
