"""The matching engine: which references fit a request, best first, and why.

How a reference is ranked (the manager reads this on the request page, "How matches are
ranked"; docs/matching.md has the scale with a worked example):

1. **Hard filters.** A reference appears only if it is active or resting, will do the
   requested activity type, is not kept for private use when the activity is public, and meets
   *every* must-have. Nominated, vetting and retired profiles never appear.
2. **Available first.** References that can be proposed now (``ledger.capacity``'s verdict for
   the request's activity: active, fresh, not a detractor, out of their rest period, with room
   under both the reference's and the customer's cap) rank above those that cannot, which are
   shown and marked; proposing them is refused.
3. **Score** on one scale (``scoring``): met nice-to-haves, the prospect's own facts as implicit
   preferences, size and (asymmetric) seniority closeness, C-level protection, customer health,
   freshness, and the weighted recent use of the reference and of its customer.
4. **Several customers.** With two or more references needed, the first picks come from
   different customers when a comparable reference exists.
5. Ties go to the less-used customer, then the less-used reference, then the older profile.

:func:`score_row` is the one formula, over one row per candidate; :func:`base_sql` and
:func:`load_sql` are the same formula in the database, where the ranking reads the candidates.

The package: ``scoring`` (the scale, the formula in Python and SQL), ``ranking`` (eligible
references, best first, nearest misses), ``explain`` (what a person reads about a match) and
``supply`` (is supply short, alternatives). Import from here: ``from requests_app import matching``.
"""

from .explain import explain, reference_summary
from .ranking import (
    any_can_be_proposed,
    diversify,
    eligible_profiles,
    matches_for_request,
    nearest_misses,
    rank,
    rank_queryset,
)
from .scoring import (
    CUSTOMER_LOAD_POINTS,
    DIVERSITY_MARGIN,
    FRESH_DAYS,
    FRESH_POINTS,
    HEALTH_DIVISOR,
    IMPLICIT_POINTS,
    JUNIOR_STEP,
    LATEST_DAYS,
    NEAREST_MISSES,
    NICE_POINTS,
    PROTECTION_POINTS,
    RECENT_DAYS,
    REFERENCE_LOAD_POINTS,
    SENIOR_STEP,
    SENIORITY_POINTS,
    SIZE_POINTS,
    SIZE_STEP,
    WEIGHTS_DOC,
    MatchSpec,
    Row,
    base_sql,
    criterion_met,
    criterion_q,
    criterion_sql,
    facts_of,
    load_sql,
    score_row,
    seniority_points,
    size_points,
)
from .supply import ALTERNATIVE_TYPES, alternatives, supply_for_request

__all__ = [
    "ALTERNATIVE_TYPES",
    "CUSTOMER_LOAD_POINTS",
    "DIVERSITY_MARGIN",
    "FRESH_DAYS",
    "FRESH_POINTS",
    "HEALTH_DIVISOR",
    "IMPLICIT_POINTS",
    "JUNIOR_STEP",
    "LATEST_DAYS",
    "NEAREST_MISSES",
    "NICE_POINTS",
    "PROTECTION_POINTS",
    "RECENT_DAYS",
    "REFERENCE_LOAD_POINTS",
    "SENIORITY_POINTS",
    "SENIOR_STEP",
    "SIZE_POINTS",
    "SIZE_STEP",
    "WEIGHTS_DOC",
    "MatchSpec",
    "Row",
    "alternatives",
    "any_can_be_proposed",
    "base_sql",
    "criterion_met",
    "criterion_q",
    "criterion_sql",
    "diversify",
    "eligible_profiles",
    "explain",
    "facts_of",
    "load_sql",
    "matches_for_request",
    "nearest_misses",
    "rank",
    "rank_queryset",
    "reference_summary",
    "score_row",
    "seniority_points",
    "size_points",
    "supply_for_request",
]
