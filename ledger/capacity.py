"""Capacity: THE definition of "can this reference be asked now, for this activity".

Every place that needs the answer uses this module: the catalog's "Available now" filter and
capacity column (page and API), the match list's ``available`` and ranking (``can_propose``), the
reservation under lock (``ledger.services.capacity_reserve``), the nightly rest/wake checks and the
metrics. There is one set of columns (:func:`annotate`) and two readings of them that a table test
(``tests/ledger/test_capacity_table.py``) proves equal: :func:`askable_q` in SQL, for filtering and
ranking in the database, and :func:`verdict` in Python, for the reservation's refusal and the
explanation of a match.

A reference can be asked now, for an activity, when all of these hold (the reason code each
failure gives, in this fixed order):

1. ``reference_unavailable``: it is active, or resting only because it reached its cap (such a
   profile is askable again as soon as the rolling window frees room: what the nightly wake-up
   check then records). Nominated, vetting, retired and resting-on-request profiles are not.
2. ``reference_stale``: its validation and its customer's health date are both newer than the
   policy's ``stale_after_days`` (and were recorded at all).
3. ``customer_detractor``: its customer is not a detractor (a health score below the policy's
   ``detractor_below``; no score recorded is not a detractor). Every activity a reference does
   puts it in front of a prospect or the public, so a detractor is never asked.
   ``on_hold``: neither it nor its whole customer is on hold that day (``ledger.models.Hold``: set
   by hand, by the reference's own "ask me again after…", around a renewal, or when health drops).
   A hold with an end date frees the day after it (``available_from``); one without (an automatic
   hold, until its cause goes) gives no date. Never overridable.
   ``consent_withdrawn``: its person has not left the reference program (their own "withdraw or
   leave" link, ``references.services.consent_withdraw``). No date frees it; never overridable.
4. ``activity_not_offered``: it does that activity.
5. ``private_only``: the activity is not public, or the reference is not kept for private use.
6. ``in_rest_period``: no live activity of it counts within the last ``rest_days`` days.
7. ``over_reference_cap``: the activity's weight fits under the reference's cap of points in the
   rolling window (asks reserved, asked, declined or done count; withdrawn ones do not).
8. ``over_customer_cap``: and under its customer's cap (all its contacts together).

Without an activity ("Available now" in the catalog, a profile's ``capacity``), the question is
"could it be asked for anything it does?": the activity is the lightest one it offers (for a
private-only reference, the lightest private one). A reference with room for a one-point email
but none for a two-point call is available; one that offers nothing it may do is not
(``activity_not_offered``).

``available_from`` is the earliest day the reference can be asked again when only time stands in
the way (rest period, caps): the end of its rest period and, for a cap it is over, the day the
oldest counted use leaves the window. ``None`` when it can be asked now, or when no date frees it
(not active, stale, detractor, activity not offered, private only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
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

from references.choices import CODE_CONSENT_WITHDRAWN, ActivityKind, ProfileStatus, RestingReason
from references.models import ActivityType, Contact, ReferenceProfile, stale_condition
from refprogram import statements

from .choices import (
    CODE_ACTIVITY_NOT_OFFERED,
    CODE_CUSTOMER_CAP,
    CODE_DETRACTOR,
    CODE_ON_HOLD,
    CODE_PRIVATE_ONLY,
    CODE_REFERENCE_CAP,
    CODE_REFERENCE_UNAVAILABLE,
    CODE_REST_PERIOD,
    CODE_STALE,
    USAGE_COUNTING,
)
from .models import Hold, OverusePolicy, UsageEntry, hold_active_q

# The reason codes of a verdict, in the order they are checked and reported.
REASONS = (
    CODE_REFERENCE_UNAVAILABLE,
    CODE_STALE,
    CODE_DETRACTOR,
    CODE_ON_HOLD,
    CODE_CONSENT_WITHDRAWN,
    CODE_ACTIVITY_NOT_OFFERED,
    CODE_PRIVATE_ONLY,
    CODE_REST_PERIOD,
    CODE_REFERENCE_CAP,
    CODE_CUSTOMER_CAP,
)
# The refusals a manager may override for one ask (with a written reason); the others never.
OVERRIDABLE = frozenset({CODE_REST_PERIOD, CODE_REFERENCE_CAP, CODE_CUSTOMER_CAP})
# Reasons that no date lifts: no ``available_from`` for them.
TIMELESS = frozenset(
    {
        CODE_REFERENCE_UNAVAILABLE,
        CODE_STALE,
        CODE_DETRACTOR,
        CODE_CONSENT_WITHDRAWN,
        CODE_ACTIVITY_NOT_OFFERED,
        CODE_PRIVATE_ONLY,
    }
)

# The columns :func:`verdict` reads (all put there by :func:`annotate`).
VERDICT_COLUMNS = (
    "status",
    "resting_reason",
    "is_stale_now",
    "is_detractor",
    "is_on_hold",
    "is_consent_withdrawn",
    "ask_offered",
    "ask_private_refused",
    "last_live_on",
    "cap_used",
    "customer_cap_used",
    "ask_weight",
)
# And the ones that ``available_from`` and the explanation need (the binding hold: open-ended
# first, else the one ending last).
COLUMNS = (*VERDICT_COLUMNS, "cap_window_oldest", "customer_window_oldest", "hold_ends_on", "hold_reason")


@dataclass(frozen=True)
class Verdict:
    """Can the reference be asked now, for this activity; if not, why, and from when."""

    askable: bool
    reasons: tuple[str, ...]
    available_from: date | None


def _defaults(today: date | None, policy: OverusePolicy | None) -> tuple[date, OverusePolicy]:
    return today or timezone.localdate(), policy or OverusePolicy.current()


def detractor_condition(policy: OverusePolicy, prefix: str = "") -> Q:
    """The profile's customer is a detractor: a health score below the policy's threshold."""
    return Q(**{f"{prefix}customer__health_score__lt": policy.detractor_below})


def consent_withdrawn_condition(prefix: str = "") -> Q:
    """The profile's person left the reference program: never asked again (``consent_withdrawn``)."""
    left = Contact.objects.filter(pk=OuterRef(f"{prefix}contact_id"), left_program_at__isnull=False)
    return Q(Exists(left))


def holds_covering(today: date, prefix: str = "") -> QuerySet:
    """The holds in force ``today`` on the (outer) profile itself or on its whole customer."""
    return Hold.objects.filter(hold_active_q(today)).filter(
        Q(reference_id=OuterRef(f"{prefix}pk")) | Q(customer_id=OuterRef(f"{prefix}customer_id"))
    )


def on_hold_condition(today: date) -> Q:
    """The profile, or its whole customer, is on hold ``today``."""
    return Q(Exists(holds_covering(today)))


def hold_columns(today: date) -> dict[str, Any]:
    """``is_on_hold`` and the binding hold's ``hold_ends_on`` (NULL when it has no end) and
    ``hold_reason``, as annotations of a profile queryset."""
    binding = holds_covering(today).order_by(F("ends_on").desc(nulls_first=True), "-id")
    return {
        "is_on_hold": Exists(holds_covering(today)),
        "hold_ends_on": Subquery(binding.values("ends_on")[:1]),
        "hold_reason": Subquery(binding.values("reason")[:1]),
    }


def counting_usage(today: date, policy: OverusePolicy) -> QuerySet:
    """Ledger rows that count against the caps today: reserved, asked, declined or done, in the
    rolling window ``(today - window_days, today]`` (and any later day already reserved)."""
    return UsageEntry.objects.filter(status__in=USAGE_COUNTING, occurred_on__gt=policy.window_start(today))


def heavy_use(today: date, policy: OverusePolicy, threshold) -> tuple[QuerySet, QuerySet]:
    """The references whose counted use in the window (:func:`counting_usage`) reaches
    ``threshold`` points (``reference_id`` and its ``used``), and the customers whose use reaches
    the customer cap (``customer_id``, ``used``): grouped reads of the ledger's indexes."""
    counted = counting_usage(today, policy).order_by()
    references = counted.values("reference_id").annotate(used=Sum("points")).filter(used__gte=threshold)
    customers = (
        counted.values("customer_id").annotate(used=Sum("points")).filter(used__gte=policy.customer_cap)
    )
    return references, customers


def heavily_used_q(today: date, policy: OverusePolicy, threshold) -> Q:
    """Profiles of :func:`heavy_use`: for a ``threshold`` above zero and at most the reference cap,
    the only ones a ``cap_used >= threshold`` or :func:`at_cap_q` can hold for, so that a filter
    over the whole catalog weighs only these against the ledger row by row (the near-cap list:
    95,000 profiles at 100k, 12% of them near their cap)."""
    references, customers = heavy_use(today, policy, threshold)
    return Q(pk__in=references.values("reference_id")) | Q(customer_id__in=customers.values("customer_id"))


def live_usage(today: date, policy: OverusePolicy) -> QuerySet:
    """Counted live activities (site visits, events…) within the rest period ending today: a
    reference with one of them is resting after it (``in_rest_period``)."""
    return UsageEntry.objects.filter(
        status__in=USAGE_COUNTING,
        activity_type__live=True,
        occurred_on__gt=today - timedelta(days=policy.rest_days),
    )


def lightest_weights() -> QuerySet:
    """Per profile (``referenceprofile_id``), the weight of the lightest activity it offers
    (``lightest``) and of the lightest private one (``lightest_private``, NULL when it offers
    none): what an ask "for something it does" weighs."""
    through = ReferenceProfile.activity_types.through
    return (
        through.objects.order_by()
        .values("referenceprofile_id")
        .annotate(
            lightest=Min("activitytype__weight"),
            lightest_private=Min("activitytype__weight", filter=~Q(activitytype__kind=ActivityKind.PUBLIC)),
        )
    )


def annotate(
    qs: QuerySet,
    *,
    today: date | None = None,
    policy: OverusePolicy | None = None,
    activity_type: ActivityType | None = None,
    select: bool = True,
) -> QuerySet:
    """Annotate reference profiles with the columns of the verdict, in the same query as the list.

    ``cap_used`` / ``customer_cap_used`` (points counted in the window for the reference / its
    customer), ``cap_window_oldest`` / ``customer_window_oldest`` (their oldest counted day),
    ``last_live_on`` (its last counted live activity within the rest period, else NULL),
    ``is_stale_now``, ``is_detractor``, ``ask_weight`` (the activity's weight, or the lightest it may do),
    ``ask_offered`` and ``ask_private_refused``. One correlated aggregate per figure over the
    ledger's (reference, occurred_on) and (customer, occurred_on) indexes: no query per row.
    ``today`` is the day of the ask (the window, the rest period and staleness are counted from it).
    ``select=False`` adds them for filtering only (``alias``), not to the rows read.
    """
    today, policy = _defaults(today, policy)
    counting = counting_usage(today, policy)
    per_ref = counting.filter(reference=OuterRef("pk")).order_by().values("reference")
    per_customer = counting.filter(customer=OuterRef("customer_id")).order_by().values("customer")
    if policy.rest_days:
        live = live_usage(today, policy).filter(reference=OuterRef("pk")).order_by().values("reference")
        last_live_on = Subquery(live.annotate(m=Max("occurred_on")).values("m")[:1])
    else:
        last_live_on = Value(None, output_field=ReferenceProfile._meta.get_field("last_validated"))
    through = ReferenceProfile.activity_types.through
    if activity_type is not None:
        offers = through.objects.filter(referenceprofile_id=OuterRef("pk"), activitytype_id=activity_type.pk)
        ask = {
            "ask_offered": Exists(offers),
            "ask_private_refused": (
                ExpressionWrapper(Q(private_only=True), output_field=BooleanField())
                if activity_type.is_public
                else Value(False)
            ),
            "ask_weight": Value(activity_type.weight, output_field=IntegerField()),
        }
    else:
        weights = lightest_weights().filter(referenceprofile_id=OuterRef("pk"))
        lightest = weights.values("lightest")[:1]
        lightest_private = weights.values("lightest_private")[:1]
        ask = {
            "ask_weight": Case(
                When(private_only=True, then=Subquery(lightest_private)),
                default=Subquery(lightest),
                output_field=IntegerField(),
            ),
            "ask_private_refused": Value(False),
        }
    add = qs.annotate if select else qs.alias
    qs = add(
        cap_used=Coalesce(Subquery(per_ref.annotate(s=Sum("points")).values("s")[:1]), Value(0)),
        cap_window_oldest=Subquery(per_ref.annotate(m=Min("occurred_on")).values("m")[:1]),
        customer_cap_used=Coalesce(
            Subquery(per_customer.annotate(s=Sum("points")).values("s")[:1]), Value(0)
        ),
        customer_window_oldest=Subquery(per_customer.annotate(m=Min("occurred_on")).values("m")[:1]),
        last_live_on=last_live_on,
        is_stale_now=Case(
            When(stale_condition(policy.stale_cutoff(today)), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_detractor=Case(
            When(detractor_condition(policy), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        **hold_columns(today),
        is_consent_withdrawn=Case(
            When(consent_withdrawn_condition(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        **ask,
    )
    if activity_type is None:
        qs = (qs.annotate if select else qs.alias)(
            ask_offered=Case(When(ask_weight__isnull=False, then=Value(True)), default=Value(False))
        )
    return qs


def columns_for(
    ids: list[int],
    *,
    today: date,
    policy: OverusePolicy,
    activity_type: ActivityType,
    reference_sums: dict | None = None,
    customer_sums: dict | None = None,
    sums_key: tuple | None = None,
) -> dict[int, dict]:
    """:func:`annotate`'s columns for the activity, for a batch of profiles at once: ``{pk: {column:
    value}}`` with ``COLUMNS``. The ledger is read grouped, once per reference and once per customer (three
    queries however many profiles), not by a correlated subquery per profile and column: the match
    list weighs a hundred candidates this way. ``reference_sums`` / ``customer_sums`` add sums over
    the counted use in the window (``{name: expression over a UsageEntry}``, 0 without use), such
    as matching's weighted load; ``sums_key`` names what those expressions depend on, so the three
    statements are compiled once per day, policy and activity (``refprogram.statements``). The
    capacity table test holds it to :func:`annotate`, row by row."""
    if not ids:
        return {}
    reference_sums, customer_sums = reference_sums or {}, customer_sums or {}
    if (reference_sums or customer_sums) and sums_key is None:
        raise ValueError("sums need a sums_key naming what they depend on")
    key = (
        "capacity.columns_for",
        today,
        tuple(getattr(policy, f.attname) for f in policy._meta.concrete_fields),
        activity_type.pk,
        activity_type.weight,
        activity_type.kind,
        tuple(reference_sums),
        tuple(customer_sums),
        sums_key,
    )
    window_start = policy.window_start(today)
    in_window = Q(occurred_on__gt=window_start)
    rest_start = today - timedelta(days=policy.rest_days)
    counted = UsageEntry.objects.filter(
        status__in=USAGE_COUNTING, occurred_on__gt=min(window_start, rest_start)
    ).order_by()

    def profiles_statement():
        offers = ReferenceProfile.activity_types.through.objects.filter(
            referenceprofile_id=OuterRef("pk"), activitytype_id=activity_type.pk
        )
        qs = (
            ReferenceProfile.objects.filter(statements.ids_in("pk"))
            .order_by()
            .annotate(
                is_stale_now=Case(
                    When(stale_condition(policy.stale_cutoff(today)), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                ),
                is_detractor=Case(
                    When(detractor_condition(policy), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                ),
                ask_offered=Exists(offers),
                is_consent_withdrawn=Case(
                    When(consent_withdrawn_condition(), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                ),
                **hold_columns(today),
            )
        )
        names = ["pk", "customer_id", "status", "resting_reason", "private_only", "is_stale_now"]
        holds = ["is_on_hold", "hold_ends_on", "hold_reason"]
        return qs, [*names, "is_detractor", *holds, "is_consent_withdrawn", "ask_offered"]

    def references_statement():
        live = Q(activity_type__live=True, occurred_on__gt=rest_start) if policy.rest_days else Q(pk__in=[])
        qs = (
            counted.filter(statements.ids_in("reference_id"))
            .values("reference_id")
            .annotate(
                cap_used=Sum("points", filter=in_window),
                cap_window_oldest=Min("occurred_on", filter=in_window),
                last_live_on=Max("occurred_on", filter=live),
                **{name: Sum(expression, filter=in_window) for name, expression in reference_sums.items()},
            )
        )
        return qs, ["reference_id", "cap_used", "cap_window_oldest", "last_live_on", *reference_sums]

    def customers_statement():
        qs = (
            counted.filter(statements.ids_in("customer_id"), in_window)
            .values("customer_id")
            .annotate(
                customer_cap_used=Sum("points"),
                customer_window_oldest=Min("occurred_on"),
                **{name: Sum(expression) for name, expression in customer_sums.items()},
            )
        )
        return qs, ["customer_id", "customer_cap_used", "customer_window_oldest", *customer_sums]

    profiles = {
        row["pk"]: row
        for row in statements.run(statements.compiled((*key, "profiles"), profiles_statement), ids)
    }
    per_reference = {
        row.pop("reference_id"): row
        for row in statements.run(statements.compiled((*key, "references"), references_statement), ids)
    }
    customer_ids = {row["customer_id"] for row in profiles.values()}
    per_customer = {
        row.pop("customer_id"): row
        for row in statements.run(statements.compiled((*key, "customers"), customers_statement), customer_ids)
    }
    empty_reference = {"cap_used": 0, "cap_window_oldest": None, "last_live_on": None}
    empty_reference.update(dict.fromkeys(reference_sums, 0))
    empty_customer = {"customer_cap_used": 0, "customer_window_oldest": None}
    empty_customer.update(dict.fromkeys(customer_sums, 0))
    result = {}
    for pk, row in profiles.items():
        used = per_reference.get(pk, {})
        row.update({k: empty if used.get(k) is None else used[k] for k, empty in empty_reference.items()})
        row.update(per_customer.get(row["customer_id"]) or empty_customer)
        row["ask_private_refused"] = bool(activity_type.is_public and row.pop("private_only"))
        row["ask_weight"] = activity_type.weight
        result[pk] = row
    return result


def askable_q(policy: OverusePolicy) -> Q:
    """The verdict in SQL, over the columns of :func:`annotate`: true exactly when :func:`verdict`
    says ``askable``."""
    return (
        (Q(status=ProfileStatus.ACTIVE) | Q(status=ProfileStatus.RESTING, resting_reason=RestingReason.CAP))
        & Q(
            is_stale_now=False,
            is_detractor=False,
            is_on_hold=False,
            is_consent_withdrawn=False,
            ask_offered=True,
            ask_private_refused=False,
            last_live_on__isnull=True,
        )
        & Q(cap_used__lte=Value(policy.reference_cap) - Coalesce("ask_weight", Value(1)))
        & Q(customer_cap_used__lte=Value(policy.customer_cap) - Coalesce("ask_weight", Value(1)))
    )


def at_cap_q(policy: OverusePolicy) -> Q:
    """No room left for even a one-point ask: the reference's or its customer's cap is spent.
    What the nightly check rests (resting, reason cap) and wakes when it no longer holds."""
    return Q(cap_used__gte=policy.reference_cap) | Q(customer_cap_used__gte=policy.customer_cap)


def reasons_of(
    status: str,
    resting_reason: str,
    is_stale_now: bool,
    is_detractor: bool,
    is_on_hold: bool,
    is_consent_withdrawn: bool,
    ask_offered: bool,
    ask_private_refused: bool,
    last_live_on: date | None,
    cap_used: int,
    customer_cap_used: int,
    ask_weight: int | None,
    *,
    policy: OverusePolicy,
) -> tuple[str, ...]:
    """Why the reference cannot be asked (empty: it can), from the columns in ``VERDICT_COLUMNS``
    order. The Python reading of :func:`askable_q`."""
    weight = ask_weight or 1
    reasons = []
    if not (
        status == ProfileStatus.ACTIVE
        or (status == ProfileStatus.RESTING and resting_reason == RestingReason.CAP)
    ):
        reasons.append(CODE_REFERENCE_UNAVAILABLE)
    if is_stale_now:
        reasons.append(CODE_STALE)
    if is_detractor:
        reasons.append(CODE_DETRACTOR)
    if is_on_hold:
        reasons.append(CODE_ON_HOLD)
    if is_consent_withdrawn:
        reasons.append(CODE_CONSENT_WITHDRAWN)
    if not ask_offered:
        reasons.append(CODE_ACTIVITY_NOT_OFFERED)
    if ask_private_refused:
        reasons.append(CODE_PRIVATE_ONLY)
    if last_live_on is not None:
        reasons.append(CODE_REST_PERIOD)
    if (cap_used or 0) + weight > policy.reference_cap:
        reasons.append(CODE_REFERENCE_CAP)
    if (customer_cap_used or 0) + weight > policy.customer_cap:
        reasons.append(CODE_CUSTOMER_CAP)
    return tuple(reasons)


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name, None)


def verdict(row: Any, *, policy: OverusePolicy) -> Verdict:
    """Can the reference of ``row`` (an annotated profile, or a dict of ``COLUMNS``) be asked now
    for the activity it was annotated for? With the reasons in ``REASONS`` order and, when only
    time stands in the way, the day it frees."""
    reasons = reasons_of(*(_get(row, name) for name in VERDICT_COLUMNS), policy=policy)
    if not reasons:
        return Verdict(True, (), None)
    if TIMELESS.intersection(reasons):
        return Verdict(False, reasons, None)
    frees = []
    if CODE_ON_HOLD in reasons:
        hold_ends_on = _get(row, "hold_ends_on")
        if hold_ends_on is None:  # held until its cause goes: no date frees it
            return Verdict(False, reasons, None)
        frees.append(hold_ends_on + timedelta(days=1))
    live_on = _get(row, "last_live_on")
    if CODE_REST_PERIOD in reasons and live_on:
        frees.append(live_on + timedelta(days=policy.rest_days))
    oldest = _get(row, "cap_window_oldest")
    if CODE_REFERENCE_CAP in reasons and oldest:
        frees.append(oldest + timedelta(days=policy.window_days))
    oldest = _get(row, "customer_window_oldest")
    if CODE_CUSTOMER_CAP in reasons and oldest:
        frees.append(oldest + timedelta(days=policy.window_days))
    return Verdict(False, reasons, max(frees) if frees else None)


# --- What the catalog and the API show ------------------------------------------------------


def available(
    qs: QuerySet,
    *,
    today: date | None = None,
    policy: OverusePolicy | None = None,
    activity_type: ActivityType | None = None,
    askable: bool = True,
) -> QuerySet:
    """The profiles of ``qs`` that can be asked now (``askable=False``: the others): for
    ``activity_type``, or without one for something they do. The catalog's "Available now"
    filter (with one activity type chosen in the catalog, "available for that activity")."""
    today, policy = _defaults(today, policy)
    if activity_type is not None:
        # The list's own columns (``with_capacity``) are for its lightest activity: ask apart.
        candidates = qs.model.objects.filter(status__in=(ProfileStatus.ACTIVE, ProfileStatus.RESTING))
        ids = (
            annotate(candidates, today=today, policy=policy, activity_type=activity_type, select=False)
            .filter(askable_q(policy))
            .values("pk")
        )
        return qs.filter(pk__in=ids) if askable else qs.exclude(pk__in=ids)
    if "ask_offered" not in qs.query.annotations:  # not yet annotated by the list (``with_capacity``)
        qs = annotate(qs, today=today, policy=policy, select=False)
    return qs.filter(askable_q(policy)) if askable else qs.exclude(askable_q(policy))


def at_cap(qs: QuerySet, *, today: date | None = None, policy: OverusePolicy | None = None) -> QuerySet:
    """The profiles of ``qs`` whose own or customer's cap is spent (:func:`at_cap_q`)."""
    today, policy = _defaults(today, policy)
    if "cap_used" not in qs.query.annotations:
        qs = annotate(qs, today=today, policy=policy, select=False)
    return qs.filter(at_cap_q(policy))


def _ensure_columns(profile: ReferenceProfile, today: date, policy: OverusePolicy) -> None:
    if all(hasattr(profile, name) for name in COLUMNS):
        return
    row = (
        annotate(type(profile).objects.filter(pk=profile.pk), today=today, policy=policy)
        .values(*COLUMNS)
        .get()
    )
    for name in COLUMNS:
        if name not in ("status", "resting_reason"):
            setattr(profile, name, row[name])


def capacity_of(
    profile: ReferenceProfile, *, today: date | None = None, policy: OverusePolicy | None = None
) -> dict:
    """``{"used", "cap", "customer_used", "customer_cap", "available", "available_from", "on_hold"}`` of one
    profile, for its lightest activity (see the module's docstring). Reads the
    columns of :func:`annotate` when the list annotated them, else one query."""
    today, policy = _defaults(today, policy)
    _ensure_columns(profile, today, policy)
    answer = verdict(profile, policy=policy)
    return {
        "used": profile.cap_used or 0,
        "cap": policy.reference_cap,
        "customer_used": profile.customer_cap_used or 0,
        "customer_cap": policy.customer_cap,
        "available": answer.askable,
        "available_from": answer.available_from,
        "on_hold": bool(getattr(profile, "is_on_hold", False)),
    }
