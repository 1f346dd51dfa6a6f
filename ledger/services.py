"""Overuse protection: the usage ledger, capacity reservations that cannot be raced, the policy,
the statuses that follow the caps (resting at the cap, woken when the window frees it) and the
re-confirmation of stale profiles.

The promise these services keep: no customer is ever asked more than the policy allows, not even
when two managers click at the same moment. Every reservation locks the customer's row, then the
reference's row, and re-reads the ledger inside that transaction, so two reservations for the same
customer (any of its contacts) run one after the other and the second one sees the first.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions as perms
from accounts.models import User
from accounts.services import notification_send
from references.choices import CODE_CONSENT_WITHDRAWN, CODE_INVALID_TRANSITION, ProfileStatus, RestingReason
from references.models import ActivityType, Customer, ProfileEvent, ReferenceProfile
from refprogram.errors import RuleViolation
from refprogram.i18n import day

from . import capacity
from .choices import (
    CODE_ACTIVITY_NOT_OFFERED,
    CODE_DETRACTOR,
    CODE_ON_HOLD,
    CODE_OVERRIDE_REASON,
    CODE_PRIVATE_ONLY,
    CODE_REFERENCE_CAP,
    CODE_REFERENCE_UNAVAILABLE,
    CODE_REST_PERIOD,
    CODE_STALE,
    USAGE_TRANSITIONS,
    UsageStatus,
)
from .models import OverusePolicy, UsageEntry

__all__ = [
    "CODE_OVERRIDE_NOT_ALLOWED",
    "CODE_SOURCE_IN_USE",
    "POLICY_FIELDS",
    "POLICY_LIMITS",
    "LEAD_TIME_MAX_DAYS",
    "policy_limits_check",
    "capacity_reserve",
    "usage_transition",
    "usage_record",
    "policy_update",
    "activity_type_update",
    "profiles_rest_at_cap",
    "profiles_wake_freed",
    "stale_profiles_notify",
]

CODE_OVERRIDE_NOT_ALLOWED = "override_not_allowed"
CODE_SOURCE_IN_USE = "source_in_use"

POLICY_FIELDS = (
    "window_days",
    "reference_cap",
    "customer_cap",
    "rest_days",
    "stale_after_days",
    "near_cap_ratio",
    "detractor_below",
    "c_level_protected_below",
    "renewal_hold_days",
    "health_hold_below",
    "retention_months",
    "retention_grace_days",
    "notice_auto_send",
)

# The range each policy setting may take. Past these bounds a setting stops meaning anything: a
# window or staleness limit of decades, a cap no activity mix could reach (the heaviest activity
# weighs at most 100 points), a rest of more than a year, or "near the cap" past the cap itself.
POLICY_LIMITS: dict[str, tuple[int | Decimal, int | Decimal]] = {
    "window_days": (1, 730),
    "reference_cap": (1, 100),
    "customer_cap": (1, 500),
    "rest_days": (0, 365),
    "stale_after_days": (1, 730),
    "near_cap_ratio": (Decimal("0.05"), Decimal("1.00")),
    "detractor_below": (-100, 100),
    "renewal_hold_days": (0, 365),
    "health_hold_below": (-100, 100),
    # Personal data: kept at most ten years without activity; erased at most a year after review.
    "retention_months": (1, 120),
    "retention_grace_days": (0, 365),
}
# An activity type's typical lead time, in days, at most a year.
LEAD_TIME_MAX_DAYS = 365

# Statements that touch many rows pass ids in chunks this long (bounded statement size).
CHUNK = 2000


# --- Reservation -----------------------------------------------------------------------------


@transaction.atomic
def capacity_reserve(
    *,
    reference: ReferenceProfile,
    activity_type: ActivityType,
    actor: User | None,
    source: str,
    request_ref: int | None = None,
    on: date | None = None,
    override_reason: str = "",
    override: bool = False,
    note: str = "",
) -> UsageEntry:
    """Reserve a reference's capacity for one ask: the ledger row that counts it against the caps.

    Refuses (``RuleViolation``) with the first reason code of ``ledger.capacity``'s verdict, read
    from the ledger under the lock, when the reference cannot be asked:
    ``reference_unavailable`` (not active: nominated, vetting, retired or resting on request),
    ``reference_stale`` (re-confirm it first), ``customer_detractor``, ``on_hold`` (the reference or
    its whole customer is on hold: ``ledger.holds``), ``activity_not_offered``, ``in_rest_period`` (a live
    activity less than ``rest_days`` ago), ``over_reference_cap`` and ``over_customer_cap`` (the
    activity's weight would take the contact, or the customer with all its contacts together, over
    its cap of points in the rolling window).

    A manager (capability ``reserve_capacity``) may override the caps and the rest period for one
    ask with a written ``override_reason``; the ledger row then says ``override=True`` with the
    reason, and metrics count it. An override never makes a retired, not-yet-active or
    resting-on-request reference available, never skips re-confirming a stale profile (one click
    for its owner or a manager), never asks for an activity the reference does not do and never
    asks a private-only reference for public use (``private_only``). When
    nothing needed overriding, the row is an ordinary one. ``override=True`` without a reason is
    refused with ``override_reason_required``.

    ``source`` names what caused the ask (e.g. ``candidate:42``) and is unique in the ledger: the
    same source again returns the existing row instead of counting twice.

    After the reservation, profiles of the customer now at a cap rest (``resting``, reason cap).
    """
    on = on or timezone.localdate()
    override_reason = (override_reason or "").strip()
    wants_override = override or bool(override_reason)
    if wants_override and not perms.has_capability(actor, perms.RESERVE_CAPACITY):
        raise PermissionDenied(_("Only a reference manager may override the overuse policy."))
    if wants_override and not override_reason:
        raise RuleViolation(CODE_OVERRIDE_REASON, _("An override needs a written reason."))
    source = (source or "").strip() or None

    # Lock order: customer, then reference (every writer of the ledger follows it: no deadlocks).
    customer = Customer.objects.select_for_update().get(pk=reference.customer_id)
    profile = ReferenceProfile.objects.select_for_update().select_related("contact").get(pk=reference.pk)

    if source is not None:
        existing = UsageEntry.objects.filter(source=source).first()
        if existing is not None:
            if existing.reference_id != profile.pk or existing.activity_type_id != activity_type.pk:
                raise RuleViolation(CODE_SOURCE_IN_USE, _source_in_use(source))
            return existing

    policy = OverusePolicy.current()
    today = timezone.localdate()
    if profile.customer_id != customer.pk:
        raise RuleViolation(CODE_REFERENCE_UNAVAILABLE, _("This reference belongs to another customer."))
    # The ledger as it is now (the rows are locked), read into the columns of the one verdict.
    row = (
        capacity.annotate(
            ReferenceProfile.objects.filter(pk=profile.pk),
            today=on,
            policy=policy,
            activity_type=activity_type,
        )
        .values(*capacity.COLUMNS)
        .get()
    )
    answer = capacity.verdict(row, policy=policy)
    for code in answer.reasons:
        if code not in capacity.OVERRIDABLE:
            raise RuleViolation(code, _refusal(code, profile, customer, activity_type, row, policy, on))
    bypassed = list(answer.reasons)
    if bypassed and not wants_override:
        code = bypassed[0]
        raise RuleViolation(code, _refusal(code, profile, customer, activity_type, row, policy, on))
    entry = UsageEntry(
        reference=profile,
        customer=customer,
        activity_type=activity_type,
        status=UsageStatus.RESERVED,
        points=activity_type.weight,
        occurred_on=on,
        request_ref=request_ref,
        source=source,
        asked_by=actor,
        override=bool(bypassed),
        override_reason=override_reason if bypassed else "",
        note=note if not bypassed else "\n".join(filter(None, [note, "Overrode: " + ", ".join(bypassed)])),
    )
    entry.full_clean(exclude=["source"])  # source's uniqueness is the database's job (below)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # Only possible for the same source reserved for another customer at the same moment.
        raise RuleViolation(CODE_SOURCE_IN_USE, _source_in_use(source)) from None

    # The reservation may have taken this contact or the whole customer to its cap; a resting/cap
    # profile that was asked under an override stays resting, one whose window freed wakes.
    profiles_wake_freed(today=today, customer_ids=[customer.pk], policy=policy)
    profiles_rest_at_cap(today=today, customer_ids=[customer.pk], policy=policy)
    return entry


def _source_in_use(source: str) -> str:
    return _("The ledger already has an ask for “%(source)s”.") % {"source": source}


def _refusal(code: str, profile, customer, activity_type, row: dict, policy, on: date) -> str:
    """The sentence that explains a refusal of the verdict to the person asking."""
    name = profile.contact.name
    points = activity_type.weight
    if code == CODE_REFERENCE_UNAVAILABLE:
        reason = (
            _("resting on request")
            if profile.status == ProfileStatus.RESTING
            else profile.get_status_display()
        )
        return _("%(name)s cannot be asked: %(reason)s.") % {"name": name, "reason": str(reason).lower()}
    if code == CODE_STALE:
        return _(
            "%(name)s is stale: its account owner must re-confirm the customer is still happy before "
            "anyone asks (validation and customer health must be newer than %(days)s days)."
        ) % {"name": name, "days": policy.stale_after_days}
    if code == CODE_DETRACTOR:
        return _(
            "%(customer)s is a detractor (health %(health)s is below %(threshold)s): it is not put in "
            "front of prospects or the public."
        ) % {"customer": customer.name, "health": customer.health_score, "threshold": policy.detractor_below}
    if code == CODE_ON_HOLD:
        ends_on = row.get("hold_ends_on")
        values = {"name": name, "reason": row.get("hold_reason") or _("no reason given")}
        if ends_on:
            return _("%(name)s is on hold until %(date)s: %(reason)s.") % {**values, "date": day(ends_on)}
        return _("%(name)s is on hold until the hold is lifted: %(reason)s.") % values
    if code == CODE_CONSENT_WITHDRAWN:
        return _("%(name)s withdrew their consent and left the reference program: never asked again.") % {
            "name": name
        }
    if code == CODE_ACTIVITY_NOT_OFFERED:
        return _("%(name)s does not do %(activity)s.") % {
            "name": name,
            "activity": activity_type.name.lower(),
        }
    if code == CODE_PRIVATE_ONLY:
        return _("%(name)s is kept for private (sales) use only.") % {"name": name}
    if code == CODE_REST_PERIOD:
        last_live = row["last_live_on"]
        return _("%(name)s is resting after a live activity on %(date)s until %(until)s.") % {
            "name": name,
            "date": day(last_live),
            "until": day(last_live + timedelta(days=policy.rest_days)),
        }
    if code == CODE_REFERENCE_CAP:
        frees = (row["cap_window_oldest"] or on) + timedelta(days=policy.window_days)
        return _(
            "%(activity)s costs %(points)s points; %(name)s has used %(used)s of %(cap)s in %(days)s days "
            "(frees from %(date)s)."
        ) % {
            "activity": activity_type.name,
            "points": points,
            "name": name,
            "used": row["cap_used"],
            "cap": policy.reference_cap,
            "days": policy.window_days,
            "date": day(frees),
        }
    frees = (row["customer_window_oldest"] or on) + timedelta(days=policy.window_days)
    return _(
        "%(activity)s costs %(points)s points; %(customer)s (all its contacts) has used %(used)s of "
        "%(cap)s in %(days)s days (frees from %(date)s)."
    ) % {
        "activity": activity_type.name,
        "points": points,
        "customer": customer.name,
        "used": row["customer_cap_used"],
        "cap": policy.customer_cap,
        "days": policy.window_days,
        "date": day(frees),
    }


# --- Ledger transitions ----------------------------------------------------------------------


@transaction.atomic
def usage_transition(*, entry: UsageEntry, to: str, actor: User | None, note: str = "") -> UsageEntry:
    """Record what became of an ask: reserved → asked or withdrawn; asked → declined or done.

    A declined ask still counts against the caps (asking costs goodwill). Withdrawing a reservation
    before the customer was asked releases it, and profiles resting at their cap that are now under
    both caps wake at once (not only at night).
    """
    Customer.objects.select_for_update().filter(pk=entry.customer_id).first()
    entry = UsageEntry.objects.select_for_update().get(pk=entry.pk)
    if to not in UsageStatus.values:
        raise RuleViolation(
            CODE_INVALID_TRANSITION, _("Unknown ledger status “%(status)s”.") % {"status": to}
        )
    if not entry.can_transition_to(to):
        allowed = ", ".join(sorted(USAGE_TRANSITIONS.get(entry.status, set()))) or _("none")
        raise RuleViolation(
            CODE_INVALID_TRANSITION,
            _("An ask that is %(status)s cannot become %(to)s; allowed: %(allowed)s.")
            % {"status": entry.get_status_display().lower(), "to": to, "allowed": allowed},
        )
    entry.status = to
    if to == UsageStatus.ASKED and actor is not None:
        entry.asked_by = actor
    note = (note or "").strip()
    if note:
        entry.note = f"{entry.note}\n{note}".strip()
    entry.save(update_fields=["status", "asked_by", "note", "updated_at"])
    if to == UsageStatus.WITHDRAWN:
        profiles_wake_freed(today=timezone.localdate(), customer_ids=[entry.customer_id])
    return entry


@transaction.atomic
def usage_record(
    *,
    reference: ReferenceProfile,
    activity_type: ActivityType,
    actor: User | None,
    status: str = UsageStatus.ASKED,
    on: date | None = None,
    note: str = "",
    source: str | None = None,
    request_ref: int | None = None,
    override_reason: str = "",
) -> UsageEntry:
    """Record an ask made outside a request (e.g. a call the manager arranged by phone).

    It goes through the same rules as a reservation (an ask outside the system is still an ask),
    then moves to ``status`` (asked, declined or done).
    """
    path = {
        UsageStatus.ASKED: [UsageStatus.ASKED],
        UsageStatus.DECLINED: [UsageStatus.ASKED, UsageStatus.DECLINED],
        UsageStatus.DONE: [UsageStatus.ASKED, UsageStatus.DONE],
    }
    if status not in path:
        raise ValidationError({"status": _("Record an ask as asked, declined or done.")})
    import uuid

    entry = capacity_reserve(
        reference=reference,
        activity_type=activity_type,
        actor=actor,
        source=source or f"manual:{uuid.uuid4().hex}",
        request_ref=request_ref,
        on=on,
        override_reason=override_reason,
        note=note,
    )
    for step in path[status]:
        if entry.status != step and entry.can_transition_to(step):
            entry = usage_transition(entry=entry, to=step, actor=actor)
    return entry


# --- Policy ------------------------------------------------------------------------------------


def policy_limits_check(fields: dict[str, Any]) -> None:
    """Refuse, with a field error each, policy settings outside ``POLICY_LIMITS``."""
    errors = {}
    for name, value in fields.items():
        if name not in POLICY_LIMITS or value is None:
            continue
        low, high = POLICY_LIMITS[name]
        try:
            inside = low <= value <= high
        except TypeError:
            inside = False
        if not inside:
            errors[name] = _("Use a value from %(low)s to %(high)s.") % {"low": low, "high": high}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def policy_update(*, actor: User | None, **fields: Any) -> OverusePolicy:
    """Change the overuse policy. Statuses follow the new caps right after commit (a task).

    Each setting must lie within ``POLICY_LIMITS`` (a ``ValidationError`` naming the field otherwise).
    """
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError({name: _("Not a policy setting.") for name in sorted(unknown)})
    policy_limits_check(fields)
    policy = OverusePolicy.objects.select_for_update().filter(pk=1).first() or OverusePolicy.current()
    caps_changed = any(
        getattr(policy, name) != value
        for name, value in fields.items()
        if name in ("window_days", "reference_cap", "customer_cap")
    )
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.updated_by = actor
    policy.full_clean()
    policy.save()
    if caps_changed:
        from references.tasks import capacity_statuses_refresh
        from refprogram.tasks_util import enqueue

        # With Redis down the policy is still saved; the nightly run rests and wakes profiles then.
        transaction.on_commit(lambda: enqueue(capacity_statuses_refresh))
    return policy


@transaction.atomic
def activity_type_update(
    *,
    actor: User | None,
    activity_type: ActivityType,
    weight: int | None = None,
    lead_time_days: int | None = None,
    live: bool | None = None,
) -> ActivityType:
    """Change an activity type's weight (cap points), typical lead time or live flag.

    The weight applies to new asks; the ledger keeps the points each past ask cost when it was made.
    The lead time is at most ``LEAD_TIME_MAX_DAYS``.
    """
    if lead_time_days is not None and not 0 <= lead_time_days <= LEAD_TIME_MAX_DAYS:
        raise ValidationError(
            {"lead_time_days": _("Use a value from 0 to %(max)s.") % {"max": LEAD_TIME_MAX_DAYS}}
        )
    if weight is not None:
        activity_type.weight = weight
    if lead_time_days is not None:
        activity_type.lead_time_days = lead_time_days
    if live is not None:
        activity_type.live = live
    activity_type.full_clean()
    activity_type.save(update_fields=["weight", "lead_time_days", "live"])
    return activity_type


# --- Statuses that follow the caps (nightly and after each reservation) -------------------------


def _at_cap(today: date, policy: OverusePolicy, candidates: QuerySet) -> QuerySet:
    """The candidates whose contact or customer has spent its cap in the rolling window
    (``ledger.capacity.at_cap_q``, over the same columns as every other availability answer)."""
    return capacity.annotate(candidates, today=today, policy=policy, select=False).filter(
        capacity.at_cap_q(policy)
    )


def _update_returning_ids(queryset: QuerySet, assignments: dict[str, Any]) -> list[int]:
    """``UPDATE profile SET … WHERE id IN (<queryset>) RETURNING id``: one statement that changes
    exactly the rows it reports (PostgreSQL returns the ids)."""
    qn = connection.ops.quote_name
    table = qn(ReferenceProfile._meta.db_table)
    sub_sql, sub_params = queryset.order_by().values("pk").query.sql_with_params()
    sets, params = [], []
    for column, value in assignments.items():
        sets.append(f"{qn(column)} = %s")
        params.append(value)
    sql = f"UPDATE {table} SET {', '.join(sets)} WHERE {qn('id')} IN ({sub_sql}) RETURNING {qn('id')}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *sub_params])
        return [row[0] for row in cursor.fetchall()]


def _events(ids: list[int], *, from_status: str, to_status: str, note: str) -> None:
    now = timezone.now()
    ProfileEvent.objects.bulk_create(
        [
            ProfileEvent(
                profile_id=pk, from_status=from_status, to_status=to_status, note=note, created_at=now
            )
            for pk in ids
        ],
        batch_size=CHUNK,
    )


def profiles_rest_at_cap(
    *, today: date, customer_ids: list[int] | None = None, policy: OverusePolicy | None = None
) -> dict[str, int]:
    """Active profiles whose contact or customer is at its cap rest (reason: at its cap)."""
    policy = policy or OverusePolicy.current()
    candidates = ReferenceProfile.objects.filter(status=ProfileStatus.ACTIVE)
    if customer_ids is not None:
        candidates = candidates.filter(customer_id__in=customer_ids)
    candidates = _at_cap(today, policy, candidates)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    ids = _update_returning_ids(
        candidates,
        {"status": ProfileStatus.RESTING, "resting_reason": RestingReason.CAP, "updated_at": now},
    )
    _events(
        ids,
        from_status=ProfileStatus.ACTIVE,
        to_status=ProfileStatus.RESTING,
        note=f"At its cap of the overuse policy ({policy.window_days}-day window): resting until it frees.",
    )
    return {"rested": len(ids)}


def profiles_wake_freed(
    *, today: date, customer_ids: list[int] | None = None, policy: OverusePolicy | None = None
) -> dict[str, int]:
    """Profiles resting at their cap whose window freed (under both caps) become active again."""
    policy = policy or OverusePolicy.current()
    candidates = ReferenceProfile.objects.filter(
        status=ProfileStatus.RESTING, resting_reason=RestingReason.CAP
    )
    if customer_ids is not None:
        candidates = candidates.filter(customer_id__in=customer_ids)
    candidates = candidates.exclude(pk__in=_at_cap(today, policy, candidates).values("pk"))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    ids = _update_returning_ids(
        candidates, {"status": ProfileStatus.ACTIVE, "resting_reason": "", "updated_at": now}
    )
    _events(
        ids,
        from_status=ProfileStatus.RESTING,
        to_status=ProfileStatus.ACTIVE,
        note="Under its caps again: the rolling window freed it.",
    )
    return {"woken": len(ids)}


# --- Staleness ---------------------------------------------------------------------------------


def _stale_subject(owned: list[dict]) -> str:
    """The stale reminder's subject, in the active language."""
    if len(owned) == 1:
        return _("Please re-confirm %(contact)s (%(customer)s)") % {
            "contact": owned[0]["contact__name"],
            "customer": owned[0]["customer__name"],
        }
    return _("Please re-confirm %(count)s references of your accounts") % {"count": len(owned)}


def _stale_body(owned: list[dict], days: int) -> str:
    names = [f"- {r['contact__name']} ({r['customer__name']})" for r in owned[:25]]
    if len(owned) > 25:
        names.append(_("… and %(count)s more") % {"count": len(owned) - 25})
    intro = _(
        "These references have not been re-confirmed, or their customer's health not checked, for more "
        "than %(days)s days. Nobody will ask them until you confirm the customer is still happy to speak "
        "for us (the button on your home page):"
    ) % {"days": days}
    return intro + "\n\n" + "\n".join(names)


def stale_profiles_notify(*, today: date, policy: OverusePolicy | None = None) -> dict[str, int]:
    """Flag profiles in the catalog that went stale and ask each account owner, once, to re-confirm.

    A profile is flagged once (``stale_notified_on``); its account owner gets one in-app notification
    and one email per night listing the profiles that newly went stale (the key is derived from the
    profiles and their dates, so a second run the same night sends nothing). A profile that became
    fresh again by any path (re-confirmed, or its customer's health updated) loses the flag, so it is
    asked about again the next time it goes stale.
    """
    policy = policy or OverusePolicy.current()
    cleared = (ReferenceProfile.objects.fresh(today, policy).filter(stale_notified_on__isnull=False)).update(
        stale_notified_on=None
    )
    newly = ReferenceProfile.objects.in_catalog().stale(today, policy).filter(stale_notified_on__isnull=True)
    rows = list(
        newly.order_by("customer__name", "pk").values(
            "pk",
            "last_validated",
            "customer__health_updated",
            "customer__account_owner",
            "customer__name",
            "contact__name",
        )
    )
    if not rows:
        return {"flagged": 0, "cleared": cleared, "notified": 0}
    flagged = newly.update(stale_notified_on=today)

    by_owner: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        if row["customer__account_owner"]:
            by_owner[row["customer__account_owner"]].append(row)
    owners = User.objects.in_bulk(list(by_owner))
    link = reverse("home")
    notified = 0
    for owner_id, owned in sorted(by_owner.items()):
        owner = owners.get(owner_id)
        if owner is None or not owner.is_active:
            continue
        fingerprint = ";".join(
            f"{r['pk']}:{r['last_validated']}:{r['customer__health_updated']}" for r in owned
        )
        key = "stale:" + hashlib.sha256(fingerprint.encode()).hexdigest()[:32]
        subject, body = partial(_stale_subject, owned), partial(_stale_body, owned, policy.stale_after_days)
        if notification_send(user=owner, key=key, subject=subject, body=body, link=link):
            notified += 1
    return {"flagged": flagged, "cleared": cleared, "notified": notified}
