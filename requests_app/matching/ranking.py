"""Ranking: the eligible references of a request, best first, without scoring them all against
the ledger; nearest misses; whether any can be proposed now.

How the top N is found (the same order as ranking every candidate in the database,
:func:`rank_queryset`, which a test holds it to):

1. **One-row read.** The candidates (eligible, meeting every must-have) are read from their
   narrow matching row (``references.models.MatchingRow``, :func:`candidate_rows`), best
   ``base_score`` first (every factor but the ledger's, :func:`base_sql`): must-haves, wishes,
   the prospect's facts and the customer's health are all in its GIN-indexed integer codes of the
   facet keys (``references.facets``), so no other table is touched (but the profile's, for a
   criterion naming the competitor replaced).
2. **The ledger for the best of them only.** The first batch gets its capacity columns
   (``ledger.capacity``'s verdict) and its load (:func:`load_sql`); the Python formula
   (:func:`score_row`) scores it. A reference's score is never above its ``base_score``, so an
   unread candidate cannot beat the N-th best read one when that one can be proposed and sorts
   before the first unread row's best case. Otherwise the next, larger batch is read.
3. **Several customers.** With two or more references needed, the first picks come from
   different customers when a comparable one exists (:func:`diversify`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    CharField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from ledger import capacity
from ledger.models import OverusePolicy, UsageEntry
from references.choices import ProfileStatus
from references.facets import FacetCodes, FacetKeys, facet_key
from references.models import ActivityType, MatchingRow, ReferenceProfile
from refprogram import statements

from ..choices import DEFAULT_MATCHES, CriterionField
from .explain import present, product_names
from .scoring import (
    CUSTOMER_LOAD_POINTS,
    DIVERSITY_MARGIN,
    NEAREST_MISSES,
    REFERENCE_LOAD_POINTS,
    MatchSpec,
    Row,
    base_sql,
    criterion_sql,
    effective_points,
    load_sql,
    score_row,
)


class Unindexed(Func):
    """A column read as it is, but not through its index: nine in ten profiles are in the catalog,
    so combining the status index with the facet keys' GIN lookup only costs time."""

    template = "(%(expressions)s || '')"
    output_field = CharField()


def eligible_profiles(activity_type: ActivityType, keys: list[str] = ()) -> QuerySet:
    """In the catalog (active or resting), willing to do the activity type, holding every facet
    key in ``keys`` and — for a public activity — not kept for private use. One GIN lookup."""
    qs = ReferenceProfile.objects.alias(status_read=Unindexed("status")).filter(
        FacetKeys([facet_key("activity", activity_type.pk), *keys]),
        status_read__in=(ProfileStatus.ACTIVE, ProfileStatus.RESTING),
    )
    if activity_type.is_public:
        qs = qs.filter(private_only=False)
    return qs


def _meeting_must_haves(activity_type: ActivityType, spec: MatchSpec) -> QuerySet:
    """Eligible for the activity and meeting every must-have, on the profile's own row."""
    keys, others = [], []
    for c in spec.must:
        key = spec.key(c)
        if key is None:
            others.append(criterion_sql(c, spec))
        else:
            keys.append(key)
    qs = eligible_profiles(activity_type, keys)
    for condition in others:
        qs = qs.filter(condition)
    return qs


def _row_condition(criterion: dict, spec: MatchSpec) -> Q:
    """One must-have as a condition on a matching row (:func:`criterion_sql`'s twin): its facet
    key's code, or the competitor replaced read through the row's profile."""
    if criterion["field"] == CriterionField.COMPETITOR:
        return Q(profile__competitor__icontains=criterion["value"])
    key = spec.key(criterion)
    if key is None:
        return criterion_sql(criterion, spec)  # none can meet it (or an unknown field: an error)
    return Q(FacetCodes([key]))


def candidate_rows(activity_type: ActivityType, spec: MatchSpec, *, must: bool = True) -> QuerySet:
    """The match list's candidates, as :func:`_meeting_must_haves` finds them, on their narrow
    matching rows: in the catalog, willing to do the activity type, not kept for private use for a
    public one, and (``must``) meeting every must-have: one GIN lookup of integer codes, and the
    profile's competitor text only for a must-have that names one. ``must=False``: every eligible
    row, as :func:`eligible_profiles`."""
    keys, others = [], []
    for c in spec.must if must else ():
        key = spec.key(c)
        if key is not None and c["field"] != CriterionField.COMPETITOR:
            keys.append(key)
        else:
            others.append(_row_condition(c, spec))
    qs = MatchingRow.objects.filter(
        FacetCodes([facet_key("activity", activity_type.pk), *keys]),
        status__in=(ProfileStatus.ACTIVE, ProfileStatus.RESTING),
    )
    if activity_type.is_public:
        qs = qs.filter(private_only=False)
    for condition in others:
        qs = qs.filter(condition)
    return qs


# --- The batch's ledger and the Python ranking -------------------------------------------------

# What the formula and a person read about a match (``score_row``, ``explain``), read for the top
# ones only: the batches read no more than the verdict's columns (a hundred rows of facet keys were
# a millisecond of transfer for nothing).
_TOP_COLUMNS = (
    "search_facets",
    "competitor",
    "last_validated",
    "headline",
    "deployment",
    "customer__name",
    "customer__health_updated",
    "contact__title",
)
# Candidates read from the one-row query in its first page (each further page reads three times
# as many as were read, from where the last ended), and the first batch scored against the ledger.
# The first page holds the first batch, the second (twice as large) and the bound: with thousands
# of candidates (one must-have) PostgreSQL still scores them all, but sends and Python reads 600
# rows, not 2,000 (at 100k no request of the benchmark needed more than 300).
READ_PAGE = 600
EARLY_BATCH_FACTOR = 5
EARLY_BATCH_MIN = 100
# With more candidates than the first page (thousands, one must-have), more of the best share a base
# score: a larger first batch saves the second one more often than it costs (measured at 100k).
EARLY_BATCH_MIN_MANY = 150


@dataclass
class Ranked:
    """One scored candidate: its sort key in :func:`rank_queryset`'s order and what was read."""

    key: tuple
    pk: int
    customer_id: int
    available: bool
    score: int
    result: dict
    columns: dict
    row: Row | None


def _batch_rows(ids: list[int], *, activity_type, policy, today, spec: MatchSpec) -> list[dict]:
    """The verdict's columns and the weighted load of these candidates (``ledger.capacity.columns_for``:
    three grouped queries)."""
    weighted = effective_points(today, spec.activity)
    return list(
        capacity.columns_for(
            ids,
            today=today,
            policy=policy,
            activity_type=activity_type,
            reference_sums={"reference_load": weighted},
            customer_sums={"customer_load": weighted},
            sums_key=("matching.effective_points", today, spec.activity),
        ).values()
    )


def _details(ids: list[int]) -> dict[int, dict]:
    """What the formula and a person read about the top references: the facet keys, competitor and
    validation the score needs, names, the customer's health date, and when each was last used, for
    what, and what became of it (one statement, compiled once)."""

    def build():
        last = UsageEntry.objects.filter(reference=OuterRef("pk")).order_by("-occurred_on", "-id")
        qs = (
            ReferenceProfile.objects.filter(statements.ids_in("pk"))
            .order_by()
            .annotate(
                last_used_on=Subquery(last.values("occurred_on")[:1]),
                last_used_for=Subquery(last.values("activity_type__name")[:1]),
                last_used_status=Subquery(last.values("status")[:1]),
            )
        )
        return qs, ["pk", *_TOP_COLUMNS, "last_used_on", "last_used_for", "last_used_status"]

    return {row["pk"]: row for row in statements.run(statements.compiled(("matching.details",), build), ids)}


def _score_batch(chunk: list[tuple], spec: MatchSpec, *, activity_type, policy, today) -> list[Ranked]:
    """Score a batch of candidates (``(lead, pk, base_score)`` rows of the one-row read): their
    verdict for the activity and their ledger load (``ledger.capacity.columns_for``), then their
    score, the base score minus the load factors (:func:`score_row` gives the same; the top ones
    get its factors in :func:`_scored`)."""
    read = {pk: (lead, base) for lead, pk, base in chunk}
    rows = _batch_rows(list(read), activity_type=activity_type, policy=policy, today=today, spec=spec)
    ranked = []
    for columns in rows:
        pk = columns["pk"]
        lead, base = read[pk]
        reference_load, customer_load = columns["reference_load"] or 0, columns["customer_load"] or 0
        score = base - REFERENCE_LOAD_POINTS * reference_load - CUSTOMER_LOAD_POINTS * customer_load
        ok = capacity.verdict(columns, policy=policy).askable
        key = (lead, -int(ok), -score, customer_load, reference_load, pk)
        ranked.append(Ranked(key, pk, columns["customer_id"], ok, score, {}, columns, None))
    return ranked


def _scored(ranked: Ranked, details: dict, spec: MatchSpec, today: date) -> Ranked:
    """The pure formula's score and factors of a top candidate (the same score as the ranking's)."""
    columns = ranked.columns
    ranked.row = Row.of(
        details["search_facets"],
        competitor=details["competitor"],
        last_validated=details["last_validated"],
        reference_load=columns["reference_load"] or 0,
        customer_load=columns["customer_load"] or 0,
    )
    ranked.result = score_row(ranked.row, spec, today)
    return ranked


def rank(
    candidates: QuerySet,
    spec: MatchSpec,
    *,
    activity_type: ActivityType,
    policy: OverusePolicy,
    today: date,
    limit: int,
    first: str = "",
) -> list[Ranked]:
    """The best ``limit`` candidates in :func:`rank_queryset`'s order (``first``: an extra leading
    sort column of ``candidates``, such as the number of must-haves missed), with their score; their
    factors come with what a person reads (:func:`_presented`)."""
    order = (first, "-base_score", "pk") if first else ("-base_score", "pk")
    columns = (first, "pk", "base_score") if first else ("pk", "base_score")
    read = candidates.annotate(base_score=base_sql(spec, today)).order_by(*order).values_list(*columns)

    def page(start: int) -> tuple[list[tuple], bool]:  # (lead, pk, base_score) in reading order
        size = max(READ_PAGE, 3 * start)
        more = [row if first else (0, *row) for row in statements.rows(read[start : start + size])]
        return more, len(more) < size  # and whether every candidate is now read

    rows, exhausted = page(0)
    # The first batch, sized by how many candidates the first page shows.
    batch = max(limit * EARLY_BATCH_FACTOR, EARLY_BATCH_MIN if exhausted else EARLY_BATCH_MIN_MANY)
    scored: list[Ranked] = []
    done = 0
    while True:
        # Enough rows for this batch and the first unread one (the bound), a page at a time.
        while not exhausted and len(rows) <= done + batch:
            more, exhausted = page(len(rows))
            rows += more
        chunk = rows[done : done + batch]
        done += len(chunk)
        if chunk:
            scored += _score_batch(chunk, spec, activity_type=activity_type, policy=policy, today=today)
            scored.sort(key=lambda r: r.key)
        if done >= len(rows):
            break  # every candidate was read
        # An unread candidate sorts no earlier than the first unread row's best case.
        next_lead, next_pk, next_base = rows[done]
        if len(scored) >= limit and scored[limit - 1].key < (next_lead, -1, -next_base, 0, 0, next_pk):
            break
        batch *= 2  # (×4 read more than needed too often)
    return scored[:limit]


def diversify(ranked: list[Ranked], needed: int) -> tuple[list[Ranked], dict[int, str]]:
    """With ``needed`` ≥ 2, the first picks that can be proposed come from different customers
    when a reference of a customer not yet picked scores within ``DIVERSITY_MARGIN`` of the
    next one in line; the note says whom it went ahead of and why."""
    if needed < 2:
        return ranked, {}
    picks: list[Ranked] = []
    rest = list(ranked)
    customers: set[int] = set()
    notes: dict[int, str] = {}
    while rest and len(picks) < needed and rest[0].available:
        best = rest[0]
        if best.customer_id in customers:
            alternative = next((r for r in rest if r.available and r.customer_id not in customers), None)
            if alternative is not None and alternative.score >= best.score - DIVERSITY_MARGIN:
                notes[alternative.pk] = _(
                    "Ranked ahead of a reference that scores %(score)s because that one is from the same"
                    " customer as an earlier pick: the %(needed)s references needed come from different"
                    " customers."
                ) % {"score": best.score, "needed": needed}
                best = alternative
        picks.append(best)
        rest.remove(best)
        customers.add(best.customer_id)
    return picks + rest, notes


# --- The whole ranking in the database (the reference the fast path is held to) ----------------


def rank_queryset(request, *, policy: OverusePolicy, today: date) -> QuerySet:
    """Every reference that meets the request's must-haves, annotated with ``score`` and
    ``can_propose`` and ordered best first, in one query (slice it). Slower than
    :func:`matches_for_request` (it weighs the ledger for every candidate); tests hold the two
    to the same order."""
    spec = MatchSpec.for_request(request, policy=policy)
    qs = capacity.annotate(
        _meeting_must_haves(request.activity_type, spec),
        today=today,
        policy=policy,
        activity_type=request.activity_type,
    ).annotate(base_score=base_sql(spec, today), **load_sql(spec, today, policy))
    qs = qs.annotate(
        score=F("base_score")
        - F("reference_load") * Value(REFERENCE_LOAD_POINTS)
        - F("customer_load") * Value(CUSTOMER_LOAD_POINTS),
        can_propose=Case(
            When(capacity.askable_q(policy), then=Value(1)), default=Value(0), output_field=IntegerField()
        ),
    )
    return qs.order_by("-can_propose", "-score", "customer_load", "reference_load", "id")


def any_can_be_proposed(request, *, policy: OverusePolicy, today: date) -> bool:
    """Does at least one reference meet the must-haves and can be proposed now? One query that
    stops at the first such reference, without ranking them all."""
    spec = MatchSpec.for_request(request, policy=policy)
    qs = capacity.annotate(
        _meeting_must_haves(request.activity_type, spec),
        today=today,
        policy=policy,
        activity_type=request.activity_type,
        select=False,
    )
    return qs.filter(capacity.askable_q(policy)).exists()


# --- What a person reads ----------------------------------------------------------------------


def _presented(top: list[Ranked], spec, *, policy, today, notes: dict[int, str]) -> list[dict]:
    if not top:
        return []
    products, details = spec.product_names or product_names(), _details([r.pk for r in top])
    return [
        present(
            _scored(r, details[r.pk], spec, today),
            details[r.pk],
            spec,
            policy=policy,
            products=products,
            note=notes.get(r.pk, ""),
        )
        for r in top
    ]


def matches_for_request(
    request, *, limit: int = DEFAULT_MATCHES, today: date | None = None, policy=None
) -> list[dict]:
    """The ranked matches of API.md, best first, with their factors and explanations. A
    reference missing a must-have is never in it."""
    today = today or timezone.localdate()
    policy = policy or OverusePolicy.current()
    spec = MatchSpec.for_request(request, policy=policy)
    top = rank(
        candidate_rows(request.activity_type, spec),
        spec,
        activity_type=request.activity_type,
        policy=policy,
        today=today,
        limit=limit,
    )
    top, notes = diversify(top, spec.references_needed)
    return _presented(top, spec, policy=policy, today=today, notes=notes)


def nearest_misses(request, *, limit: int = NEAREST_MISSES, today: date, policy) -> list[dict]:
    """References that miss few must-haves (fewest first), naming which ones they miss (read from
    the matching rows, as the match list's candidates)."""
    spec = MatchSpec.for_request(request, policy=policy)
    if not spec.must:
        return []
    missed = Value(0, output_field=IntegerField())
    for c in spec.must:
        missed = missed + Case(
            When(_row_condition(c, spec), then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    candidates = (
        candidate_rows(request.activity_type, spec, must=False)
        .annotate(must_missed=missed)
        .filter(must_missed__gte=1)
    )
    top = rank(
        candidates,
        spec,
        activity_type=request.activity_type,
        policy=policy,
        today=today,
        limit=limit,
        first="must_missed",
    )
    return _presented(top, spec, policy=policy, today=today, notes={})
