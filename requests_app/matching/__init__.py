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
loads every profile into memory. Whether a reference can be proposed now is ``ledger.capacity``'s
verdict for the request's activity, nothing of its own.

The package: ``scoring`` (weights, the formula in Python and SQL), ``ranking`` (eligible
references, best first, nearest misses), ``explain`` (what a person reads about a match) and
``supply`` (is supply short, alternatives). Import from here: ``from requests_app import matching``.
"""

from .explain import explain, reference_summary
from .ranking import (
    any_can_be_proposed,
    eligible_profiles,
    matches_for_request,
    nearest_misses,
    rank_queryset,
    top_ranked,
)
from .scoring import (
    FRESH_DAYS,
    FRESH_POINTS,
    LOAD_PENALTY,
    NEAREST_MISSES,
    NICE_POINTS,
    SENIORITY_POINTS,
    SENIORITY_STEP,
    SIZE_POINTS,
    SIZE_STEP,
    WEIGHTS_DOC,
    MatchSpec,
    ProfileFacts,
    criterion_met,
    criterion_q,
    facts_of,
    score_profile,
    seniority_points,
    size_points,
)
from .supply import ALTERNATIVE_TYPES, alternatives, supply_for_request

__all__ = [
    "ALTERNATIVE_TYPES",
    "FRESH_DAYS",
    "FRESH_POINTS",
    "LOAD_PENALTY",
    "NEAREST_MISSES",
    "NICE_POINTS",
    "SENIORITY_POINTS",
    "SENIORITY_STEP",
    "SIZE_POINTS",
    "SIZE_STEP",
    "WEIGHTS_DOC",
    "MatchSpec",
    "ProfileFacts",
    "alternatives",
    "any_can_be_proposed",
    "criterion_met",
    "criterion_q",
    "eligible_profiles",
    "explain",
    "facts_of",
    "matches_for_request",
    "nearest_misses",
    "rank_queryset",
    "reference_summary",
    "score_profile",
    "seniority_points",
    "size_points",
    "supply_for_request",
    "top_ranked",
]
