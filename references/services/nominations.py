"""Nominations: anyone proposes a customer; the manager vets, accepts or rejects."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions as perms
from accounts.models import User
from refprogram.errors import RuleViolation

from ..choices import CODE_INVALID_TRANSITION, NominationStatus, ProfileStatus
from ..models import ActivityType, Nomination, ReferenceProfile
from .inventory import contact_create, profile_create

__all__ = [
    "nomination_owner_choices",
    "nomination_missing_checks",
    "nomination_submit",
    "nomination_vet",
    "nomination_accept",
    "nomination_reject",
]


def nomination_owner_choices(*, user: User, customer=None):
    """Who a nomination may name as the customer's account owner. A vetter (who sets owners on
    the inventory anyway) may name any active user; anyone else names themself or the customer's
    current owner, so the nomination form is no directory of the company's users."""
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    if perms.has_capability(user, perms.VET_NOMINATIONS):
        return users
    allowed = Q(pk=user.pk)
    if customer is not None and customer.account_owner_id:
        allowed |= Q(pk=customer.account_owner_id)
    return users.filter(allowed)


@transaction.atomic
def nomination_submit(*, nominated_by: User, products=(), **data: Any) -> Nomination:
    """Anyone in the company proposes a customer (an existing contact, or a new one by name)."""
    nomination = Nomination(nominated_by=nominated_by, **data)
    owner = data.get("account_owner")
    if owner is not None and not (
        nomination_owner_choices(user=nominated_by, customer=nomination.customer).filter(pk=owner.pk).exists()
    ):
        raise ValidationError({"account_owner": _("Name yourself or the customer's current account owner.")})
    if nomination.contact_id is None and not nomination.contact_name:
        raise ValidationError({"contact": _("Choose an existing contact or give the new contact's name.")})
    if nomination.contact_id and nomination.contact.customer_id != nomination.customer_id:
        raise ValidationError({"contact": _("This contact works at another customer.")})
    if nomination.contact_id and ReferenceProfile.objects.filter(contact_id=nomination.contact_id).exists():
        raise ValidationError({"contact": _("This contact already has a reference profile.")})
    nomination.full_clean()
    nomination.save()
    nomination.products.set(products)
    return nomination


def _locked(nomination: Nomination, *allowed_from: str) -> Nomination:
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.status not in allowed_from:
        raise RuleViolation(
            CODE_INVALID_TRANSITION,
            _("This nomination is already %(status)s.") % {"status": nomination.get_status_display().lower()},
        )
    return nomination


@transaction.atomic
def nomination_vet(
    *,
    nomination: Nomination,
    actor: User,
    strategic_fit: bool | None = None,
    health_ok: bool | None = None,
    owner_consent: bool | None = None,
    vetting_notes: str | None = None,
) -> Nomination:
    """Record the vetting checks: strategic fit, customer health, account owner consent."""
    nomination = _locked(nomination, NominationStatus.SUBMITTED, NominationStatus.VETTING)
    nomination.status = NominationStatus.VETTING
    for field, value in (
        ("strategic_fit", strategic_fit),
        ("health_ok", health_ok),
        ("owner_consent", owner_consent),
        ("vetting_notes", vetting_notes),
    ):
        if value is not None:
            setattr(nomination, field, value)
    nomination.save()
    return nomination


# The vetting checks an accepted nomination needs, in the order the page lists them:
# (field, what is missing when it is not done yet, what is wrong when it says no).
VETTING_CHECKS = (
    (
        "strategic_fit",
        gettext_lazy("strategic fit not checked yet"),
        gettext_lazy("it does not fit the program's strategy"),
    ),
    (
        "health_ok",
        gettext_lazy("customer health not checked yet"),
        gettext_lazy("the customer's health is not good enough"),
    ),
    (
        "owner_consent",
        gettext_lazy("account owner not asked yet"),
        gettext_lazy("the account owner declined"),
    ),
)
CODE_VETTING_INCOMPLETE = "vetting_incomplete"
CODE_VETTING_FAILED = "vetting_failed"
CODE_OWNER_CONSENT_MISSING = "owner_consent_missing"
CODE_ACTIVITIES_MISSING = "activities_missing"


def nomination_missing_checks(nomination: Nomination) -> list[str]:
    """What stands between this nomination and acceptance, in words: each vetting check not done
    yet or answered no. Empty when all three checks say yes. The page lists it before the
    Accept button; ``nomination_accept`` refuses with it."""
    missing = []
    for field, not_done, failed in VETTING_CHECKS:
        value = getattr(nomination, field)
        if value is None:
            missing.append(not_done)
        elif value is False:
            missing.append(failed)
    return missing


def _check_vetted(nomination: Nomination) -> None:
    if nomination.owner_consent is False:
        raise RuleViolation(
            CODE_OWNER_CONSENT_MISSING, _("The account owner declined; reject the nomination instead.")
        )
    failed = [failed for field, _, failed in VETTING_CHECKS if getattr(nomination, field) is False]
    if failed:
        raise RuleViolation(
            CODE_VETTING_FAILED,
            _("Not accepted: %(failed)s. Reject the nomination instead.")
            % {"failed": "; ".join(map(str, failed))},
        )
    missing = nomination_missing_checks(nomination)
    if missing:
        raise RuleViolation(
            CODE_VETTING_INCOMPLETE,
            _("Finish vetting before accepting: %(missing)s.") % {"missing": "; ".join(map(str, missing))},
        )


@transaction.atomic
def nomination_accept(
    *, nomination: Nomination, actor: User, note: str = "", activity_types=()
) -> ReferenceProfile:
    """Turn a vetted nomination into an active reference profile.

    Accepting needs the three vetting checks done and passed (strategic fit, customer health,
    account owner consent: 409 ``vetting_incomplete``, ``vetting_failed`` or
    ``owner_consent_missing``) and at least one activity the reference has agreed to do (409
    ``activities_missing``): an active profile that does nothing can never be asked. The new
    profile counts as validated today.
    """
    nomination = _locked(nomination, NominationStatus.SUBMITTED, NominationStatus.VETTING)
    _check_vetted(nomination)
    activity_types = list(activity_types or ())
    codes = [a.pk if isinstance(a, ActivityType) else a for a in activity_types]
    activities = list(ActivityType.objects.filter(code__in=codes))
    if len(activities) != len(set(codes)):
        unknown = sorted(set(codes) - {a.pk for a in activities})
        raise ValidationError(
            {
                "activity_types": _("Unknown activity: %(unknown)s.")
                % {"unknown": ", ".join(map(str, unknown))}
            }
        )
    if not activities:
        raise RuleViolation(
            CODE_ACTIVITIES_MISSING, _("Choose at least one activity the reference has agreed to do.")
        )
    contact = nomination.contact
    if contact is None:
        contact = contact_create(
            customer=nomination.customer,
            name=nomination.contact_name,
            title=nomination.contact_title,
            email=nomination.contact_email,
            seniority=nomination.contact_seniority or "manager",
        )
    elif ReferenceProfile.objects.filter(contact=contact).exists():
        raise RuleViolation("already_a_reference", _("This contact already has a reference profile."))
    profile = profile_create(
        actor=actor,
        customer=nomination.customer,
        contact=contact,
        status=ProfileStatus.ACTIVE,
        headline=nomination.reason[:200],
        products=list(nomination.products.all()),
        activity_types=activities,
        last_validated=timezone.localdate(),
        validated_by=actor,
    )
    nomination.status = NominationStatus.ACCEPTED
    nomination.decided_by = actor
    nomination.decided_at = timezone.now()
    nomination.profile = profile
    if note:
        nomination.vetting_notes = (nomination.vetting_notes + "\n" + note).strip()
    nomination.save()
    return profile


@transaction.atomic
def nomination_reject(*, nomination: Nomination, actor: User, reason: str) -> Nomination:
    """Reject a nomination; the reason is required and kept."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Say why the nomination is rejected.")})
    nomination = _locked(nomination, NominationStatus.SUBMITTED, NominationStatus.VETTING)
    nomination.status = NominationStatus.REJECTED
    nomination.rejection_reason = reason.strip()
    nomination.decided_by = actor
    nomination.decided_at = timezone.now()
    nomination.save()
    return nomination
