"""Holds: the periods in which a reference, or a whole customer, must not be asked.

A hold protects a customer when it matters: an open escalation or an M&A quiet period (set by hand,
by a manager or the account's owner), the reference's own "not now, ask me again after…" (from
the ask link), the weeks before a renewal, or a drop in customer health. While a hold is in force
the reference is not proposable (``ledger.capacity``'s verdict says ``on_hold``), and the catalog,
the profile, the matches and the metrics all say so, from that one rule.

The renewal and health holds are automatic: :func:`holds_sync` starts and ends them in a few
set-based statements, every night (``ledger.checks``) and right after a customer's renewal date or
health changes. Running it twice changes nothing the second time (one open automatic hold per
customer and kind, a unique constraint).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts import permissions as perms
from accounts.models import User
from references.models import Customer, ReferenceProfile
from refprogram.errors import RuleViolation

from .choices import CODE_HOLD_ENDED
from .models import AUTOMATIC_HOLD_KINDS, Hold, HoldKind, OverusePolicy, hold_active_q

__all__ = [
    "can_manage",
    "hold_create",
    "hold_end",
    "hold_from_reference_answer",
    "holds_sync",
    "holds_of_customer",
    "holds_of_profile",
    "customer_renewal_done",
]

# A hand-set hold lasts at most this long (longer is a retirement, not a hold).
MAX_HOLD_DAYS = 730


def can_manage(user: User | None, customer: Customer | int | None) -> bool:
    """A manager may put and end holds on any customer; an account owner on their own accounts."""
    if perms.has_capability(user, perms.MANAGE_HOLDS):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active or customer is None:
        return False
    customer_id = customer if isinstance(customer, int) else customer.pk
    return Customer.objects.filter(pk=customer_id, account_owner=user).exists()


def may_put_holds(user: User | None) -> bool:
    """Whether the user may put any hold at all: a manager, or someone who owns an account."""
    if perms.has_capability(user, perms.MANAGE_HOLDS):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Customer.objects.filter(account_owner=user).exists()


def holds_of_customer(customer: Customer, *, today: date | None = None) -> QuerySet:
    """The holds in force or still to come on the customer and on each of its references."""
    today = today or timezone.localdate()
    return (
        Hold.objects.filter(Q(customer=customer) | Q(reference__customer=customer))
        .filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
            Q(lifted_on__isnull=True) | Q(lifted_on__gt=today),
        )
        .select_related("reference__contact", "customer")
        .order_by("starts_on", "id")
    )


def holds_of_profile(profile: ReferenceProfile, *, today: date | None = None) -> QuerySet:
    """The holds in force or still to come on the reference itself or on its whole customer."""
    today = today or timezone.localdate()
    return (
        Hold.objects.covering(profile)
        .filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
            Q(lifted_on__isnull=True) | Q(lifted_on__gt=today),
        )
        .select_related("reference__contact", "customer")
        .order_by("starts_on", "id")
    )


@transaction.atomic
def hold_create(
    *,
    actor: User | None,
    reason: str,
    ends_on: date | None,
    customer: Customer | None = None,
    reference: ReferenceProfile | None = None,
    starts_on: date | None = None,
) -> Hold:
    """Put a reference, or a whole customer, on hold by hand (an escalation, a quiet period…).

    Needs a reason and an end date, from the start day (today unless given) to at most
    ``MAX_HOLD_DAYS`` later; the end date may not be in the past. A manager may hold any customer,
    an account owner their own accounts (``PermissionDenied`` otherwise)."""
    today = timezone.localdate()
    starts_on = starts_on or today
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if (customer is None) == (reference is None):
        errors["customer"] = _("Hold either a customer or one reference.")
    if not reason:
        errors["reason"] = _("Say why (e.g. escalation open, M&A quiet period).")
    if ends_on is None:
        errors["ends_on"] = _("A hold needs an end date.")
    elif ends_on < today:
        errors["ends_on"] = _("The end date is in the past.")
    elif ends_on < starts_on:
        errors["ends_on"] = _("The hold ends before it starts.")
    elif ends_on > starts_on + timedelta(days=MAX_HOLD_DAYS):
        errors["ends_on"] = _("A hold lasts at most %(days)s days; retire the reference instead.") % {
            "days": MAX_HOLD_DAYS
        }
    if errors:
        raise ValidationError(errors)
    owner_of = customer.pk if customer is not None else reference.customer_id
    if not can_manage(actor, owner_of):
        raise PermissionDenied(_("Only a reference manager or the account owner may put a customer on hold."))
    hold = Hold(
        customer=customer,
        reference=reference,
        kind=HoldKind.MANUAL,
        reason=reason,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    hold.full_clean()
    hold.save()
    return hold


@transaction.atomic
def hold_end(*, hold: Hold, actor: User | None, note: str = "") -> Hold:
    """End a hold early: from today it no longer holds (the hold stays, with who ended it and why).

    An automatic hold ended by hand does not come back for the same cause: the renewal hold returns
    only with a new renewal date, the health hold only with a new low health reading.
    Refuses ``hold_ended`` when the hold is already over."""
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    owner_of = hold.customer_id or hold.reference.customer_id
    if not can_manage(actor, owner_of):
        raise PermissionDenied(_("Only a reference manager or the account owner may end a hold."))
    today = timezone.localdate()
    if hold.lifted_on is not None or (hold.ends_on is not None and hold.ends_on < today):
        raise RuleViolation(CODE_HOLD_ENDED, _("This hold has already ended."))
    hold.lifted_on = max(today, hold.starts_on)  # a hold still to come never starts
    hold.lifted_by = actor
    hold.lift_note = (note or "").strip()[:300] or "Ended early."
    hold.save(update_fields=["lifted_on", "lifted_by", "lift_note"])
    return hold


@transaction.atomic
def hold_from_reference_answer(
    *,
    reference: ReferenceProfile,
    until: date,
    reason: str = "",
    source: str | None = None,
    actor: User | None = None,
) -> Hold:
    """The reference said "not now, ask me again after ``until``": it is on hold from today through
    that day. ``source`` (e.g. ``candidate:42``) makes it idempotent: the same answer twice gives
    the same hold. No permission check: the reference's own answer, through the ask link."""
    today = timezone.localdate()
    if until < today:
        raise ValidationError({"until": _("Pick a day from today on.")})
    if until > today + timedelta(days=MAX_HOLD_DAYS):
        raise ValidationError({"until": _("Pick a day within %(days)s days.") % {"days": MAX_HOLD_DAYS}})
    source = (source or "").strip() or None
    if source is not None:
        existing = Hold.objects.filter(source=source).first()
        if existing is not None:
            return existing
    hold = Hold(
        reference=reference,
        kind=HoldKind.REFERENCE,
        reason=(reason or "").strip()[:300] or f"Asked to be asked again after {until:%Y-%m-%d}",
        starts_on=today,
        ends_on=until,
        source=source,
        created_by=actor,
    )
    hold.full_clean(exclude=["source"])
    hold.save()
    return hold


@transaction.atomic
def customer_renewal_done(
    *, customer: Customer, actor: User | None, next_renewal: date | None = None
) -> Customer:
    """The renewal is done: its hold ends today, and the next renewal date (if known) is recorded
    (the customer is held again from ``renewal_hold_days`` before it)."""
    if not can_manage(actor, customer):
        raise PermissionDenied(_("Only a reference manager or the account owner may mark the renewal done."))
    today = timezone.localdate()
    if next_renewal is not None and next_renewal <= today:
        raise ValidationError({"next_renewal": _("The next renewal is after today.")})
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    customer.renewal_date = next_renewal
    customer.save(update_fields=["renewal_date", "updated_at"])
    holds_sync(today=today, customer_ids=[customer.pk], lift_note="Renewal marked done.", actor=actor)
    return customer


# --- The automatic holds (nightly, and right after a customer's renewal date or health change) ---


def _renewal_due(policy: OverusePolicy, today: date) -> Q:
    return Q(renewal_date__isnull=False, renewal_date__lte=today + timedelta(days=policy.renewal_hold_days))


def _health_low(policy: OverusePolicy) -> Q:
    if policy.health_hold_below is None:
        return Q(pk__in=[])
    return Q(health_score__lt=policy.health_hold_below)


def holds_sync(
    *,
    today: date,
    policy: OverusePolicy | None = None,
    customer_ids: list[int] | None = None,
    lift_note: str = "",
    actor: User | None = None,
) -> dict[str, int]:
    """Start and end the automatic holds, for every customer or those of ``customer_ids``.

    *Renewal*: a customer whose ``renewal_date`` is at most the policy's ``renewal_hold_days``
    away (or past, and not yet marked done) is on hold until the renewal is marked done (the date
    cleared or moved on). *Health*: a customer whose health score is below the policy's
    ``health_hold_below`` is on hold until its health is updated to at least that. One read and one
    write per kind and direction; a second run on the same day finds nothing to do."""
    policy = policy or OverusePolicy.current()
    customers = Customer.objects.all()
    if customer_ids is not None:
        customers = customers.filter(pk__in=customer_ids)
    causes = {
        HoldKind.RENEWAL: (_renewal_due(policy, today), "renewal_date"),
        HoldKind.HEALTH: (_health_low(policy), "health_score"),
    }
    date_field = {HoldKind.RENEWAL: "renewal_date", HoldKind.HEALTH: "health_updated"}
    started = ended = 0
    for kind, (condition, field) in causes.items():
        open_holds = Hold.objects.filter(kind=kind, lifted_on__isnull=True)
        # End: the open holds whose cause went (renewal done or moved on, health recovered).
        gone = list(
            open_holds.filter(customer__in=customers).exclude(customer__in=customers.filter(condition))
        )
        for hold in gone:
            hold.lifted_on = today if hold.starts_on <= today else hold.starts_on
            hold.lifted_by = actor
            hold.lift_note = lift_note or (
                "Renewal marked done or moved." if kind == HoldKind.RENEWAL else "Customer health recovered."
            )
        if gone:
            bulk_update_with_history(
                gone, Hold, ["lifted_on", "lifted_by", "lift_note"], default_change_reason="holds_sync"
            )
        ended += len(gone)
        # Start: the customers with the cause, no open hold of this kind and none ever for this very
        # cause (its ``source`` names the renewal date, or the health reading): a hold someone ended
        # by hand stays ended until the cause changes (a new renewal date, a new health reading).
        keyed = customers.filter(condition).annotate(
            cause=Concat(
                Value(f"{kind}:"),
                Cast("pk", CharField()),
                Value(":"),
                Coalesce(Cast(date_field[kind], CharField()), Value("none")),
                output_field=CharField(),
            )
        )
        rows = list(
            keyed.exclude(pk__in=open_holds.values("customer_id"))
            .exclude(Exists(Hold.objects.filter(source=OuterRef("cause"))))
            .order_by("pk")
            .values("pk", "cause", field)
        )
        new = [
            Hold(
                customer_id=row["pk"],
                kind=kind,
                reason=_automatic_reason(kind, row[field], policy),
                starts_on=today,
                ends_on=None,
                source=row["cause"],
            )
            for row in rows
        ]
        if new:
            bulk_create_with_history(new, Hold, default_change_reason="holds_sync")
        started += len(new)
    return {"started": started, "ended": ended}


def _automatic_reason(kind: str, value, policy: OverusePolicy) -> str:
    if kind == HoldKind.RENEWAL:
        return f"Renewal on {value:%Y-%m-%d}: not asked until the renewal is done"
    return f"Customer health {value} is below {policy.health_hold_below}"


def automatic_kinds() -> tuple[str, ...]:
    return tuple(AUTOMATIC_HOLD_KINDS)


def active_holds(day: date | None = None) -> QuerySet:
    """Every hold in force on ``day`` (today unless given)."""
    return Hold.objects.filter(hold_active_q(day or timezone.localdate()))
