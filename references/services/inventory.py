"""Customers, contacts and reference profiles: create, change, move through the lifecycle."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions as perms
from accounts.models import User
from refprogram import events
from refprogram.errors import RuleViolation
from refprogram.i18n import in_company_language

from ..choices import CODE_INVALID_TRANSITION, PROFILE_TRANSITIONS, ProfileStatus, RestingReason
from ..facets import facet_text
from ..models import (
    Contact,
    Customer,
    CustomField,
    ProfileEvent,
    ReferenceProfile,
    customer_changed,
    program_policy,
)
from .custom_fields import custom_definitions, custom_facet_keys, custom_values_clean

__all__ = [
    "customer_create",
    "customer_update",
    "customer_delete",
    "contact_create",
    "contact_update",
    "profile_create",
    "profile_update",
    "profile_transition",
    "profile_revalidate",
    "profile_reconfirm",
    "can_reconfirm",
    "CREATE_STATUSES",
    "profile_start_plan",
    "profile_transition_plan",
    "search_documents_refresh",
    "build_search_document",
    "build_search_facets",
]

CUSTOMER_M2M = ("products", "programs")
CONTACT_M2M = ("languages",)
PROFILE_M2M = ("activity_types", "products", "use_cases")


def _apply(instance, data: dict[str, Any], m2m: Iterable[str]) -> dict[str, Any]:
    """Set plain fields on ``instance``, validate it, and return the many-to-many values to set.
    ``custom`` (the program's own fields) is written over what the object holds, each value checked
    against its definition (``custom_fields.custom_values_clean``)."""
    later = {}
    for field, value in data.items():
        if field == "custom":
            on = {Customer: "customer", Contact: "contact", ReferenceProfile: "profile"}[type(instance)]
            instance.custom = custom_values_clean(on, value, current=instance.custom)
        elif field in m2m:
            later[field] = value
        else:
            setattr(instance, field, value)
    instance.full_clean()
    return later


def _set_m2m(instance, values: dict[str, Any]) -> None:
    for field, value in values.items():
        getattr(instance, field).set(value)


def build_search_document(profile: ReferenceProfile) -> str:
    """The text the catalog's free-text search looks in."""
    customer, contact = profile.customer, profile.contact
    parts = [
        customer.name,
        customer.industry.name,
        customer.region.name,
        customer.country,
        customer.strategic_segment,
        contact.name,
        contact.title,
        profile.headline,
        profile.story,
        profile.outcomes,
        profile.competitor,
        in_company_language(profile.get_deployment_display()) if profile.deployment else "",
        " ".join(p.name for p in profile.products.all()),
        " ".join(u.name for u in profile.use_cases.all()),
    ]
    return " ".join(p for p in parts if p)


def build_search_facets(profile: ReferenceProfile, definitions: list[CustomField] | None = None) -> str:
    """The keys the catalog's filters look up on PostgreSQL (see ``references.facets``), with the
    list and yes/no values of the program's own fields of the profile, its customer and its
    contact (``definitions``: the active ones, read once by the caller; read here when not given)."""
    customer, contact = profile.customer, profile.contact
    if definitions is None:
        definitions = [d for d in custom_definitions() if d.is_facet]
    custom_keys = sorted(
        custom_facet_keys(customer.custom, [d for d in definitions if d.on == CustomField.On.CUSTOMER])
        + custom_facet_keys(contact.custom, [d for d in definitions if d.on == CustomField.On.CONTACT])
        + custom_facet_keys(profile.custom, [d for d in definitions if d.on == CustomField.On.PROFILE])
    )
    return facet_text(
        industry=customer.industry_id,
        region=customer.region_id,
        country=customer.country,
        size_band=customer.size_band,
        deployment=profile.deployment,
        seniority=contact.seniority,
        product_ids=[p.pk for p in profile.products.all()],
        use_case_ids=[u.pk for u in profile.use_cases.all()],
        activity_codes=[a.pk for a in profile.activity_types.all()],
        language_codes=[lang.pk for lang in contact.languages.all()],
        health=customer.health_score,
        custom_keys=custom_keys,
    )


def search_documents_refresh(*, profile_ids: Iterable[int]) -> int:
    """Rebuild the search text and facet keys of these profiles (after a customer, contact or
    profile change)."""
    profiles = list(
        ReferenceProfile.objects.filter(pk__in=list(profile_ids))
        .select_related("customer__industry", "customer__region", "contact")
        .prefetch_related("products", "use_cases", "activity_types", "contact__languages")
    )
    definitions = [d for d in custom_definitions() if d.is_facet] if profiles else []
    for profile in profiles:
        profile.search_document = build_search_document(profile)
        profile.search_facets = build_search_facets(profile, definitions)
    ReferenceProfile.objects.bulk_update(profiles, ["search_document", "search_facets"], batch_size=500)
    return len(profiles)


@transaction.atomic
def customer_create(*, actor: User | None = None, **data: Any) -> Customer:
    customer = Customer()
    m2m = _apply(customer, data, CUSTOMER_M2M)
    customer.save()
    _set_m2m(customer, m2m)
    customer_changed([customer.pk])  # a renewal close or a low health score: on hold at once
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, actor: User | None = None, **data: Any) -> Customer:
    m2m = _apply(customer, data, CUSTOMER_M2M)
    customer.save()
    _set_m2m(customer, m2m)
    search_documents_refresh(profile_ids=customer.profiles.values_list("pk", flat=True))
    customer_changed([customer.pk])  # its renewal or health holds follow the new values
    return customer


@transaction.atomic
def customer_delete(*, customer: Customer, actor: User | None = None) -> None:
    if customer.usage.exists():
        raise RuleViolation(
            "customer_has_usage", _("This customer has usage history; retire its references instead.")
        )
    customer.delete()


@transaction.atomic
def contact_create(*, actor: User | None = None, **data: Any) -> Contact:
    contact = Contact()
    m2m = _apply(contact, data, CONTACT_M2M)
    contact.save()
    _set_m2m(contact, m2m)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, actor: User | None = None, **data: Any) -> Contact:
    m2m = _apply(contact, data, CONTACT_M2M)
    contact.save()
    _set_m2m(contact, m2m)
    search_documents_refresh(profile_ids=contact.profiles.values_list("pk", flat=True))
    return contact


def _check_contact_belongs(profile: ReferenceProfile) -> None:
    from django.core.exceptions import ValidationError

    if profile.contact_id and profile.customer_id and profile.contact.customer_id != profile.customer_id:
        raise ValidationError({"contact": _("This contact works at another customer.")})


# A new reference profile starts as nominated, vetting or active (the page offers vetting or
# active; an accepted nomination starts active). Resting and retired are moves of a reference that
# exists, made through its lifecycle, never where it starts.
CREATE_STATUSES = (ProfileStatus.NOMINATED, ProfileStatus.VETTING, ProfileStatus.ACTIVE)


def profile_start_plan(
    *,
    status: str,
    last_validated: date | None,
    actor: User | None,
    today: date,
    allowed: Iterable[str] = CREATE_STATUSES,
) -> dict[str, Any]:
    """The lifecycle fields of a new profile starting in ``status``. A profile that starts active is
    validated today unless a date is given, as activation does (so it is not stale at once)."""
    allowed = tuple(allowed)
    if status not in allowed:
        names = ", ".join(str(s) for s in allowed)
        raise ValidationError(
            {
                "status": _("A new reference starts as one of: %(names)s (not “%(status)s”).")
                % {"names": names, "status": status}
            }
        )
    plan: dict[str, Any] = {
        "status": status,
        "resting_reason": RestingReason.REQUEST if status == ProfileStatus.RESTING else "",
    }
    if status == ProfileStatus.ACTIVE and last_validated is None:
        plan.update(last_validated=today, validated_by=actor)
    return plan


def profile_transition_plan(
    *,
    profile: ReferenceProfile,
    to: str,
    actor: User | None,
    today: date,
    resting_reason: str = RestingReason.REQUEST,
) -> dict[str, Any]:
    """The fields a lifecycle move of ``profile`` to ``to`` changes; refuses (``RuleViolation``) a
    move the lifecycle does not allow. Activating a never-validated profile validates it today.
    The page, the API and the CSV import all plan their moves here."""
    if to not in ProfileStatus.values:
        raise RuleViolation(CODE_INVALID_TRANSITION, _("Unknown status “%(status)s”.") % {"status": to})
    if not profile.can_transition_to(to):
        allowed = ", ".join(sorted(PROFILE_TRANSITIONS.get(profile.status, set()))) or _("none")
        raise RuleViolation(
            CODE_INVALID_TRANSITION,
            _("A %(status)s reference cannot become %(to)s; allowed: %(allowed)s.")
            % {"status": ProfileStatus(profile.status).label.lower(), "to": to, "allowed": allowed},
        )
    plan: dict[str, Any] = {
        "status": to,
        "resting_reason": resting_reason if to == ProfileStatus.RESTING else "",
    }
    activating = to == ProfileStatus.ACTIVE and profile.status == ProfileStatus.VETTING
    if activating and profile.last_validated is None:
        plan.update(last_validated=today, validated_by=actor)
    return plan


@transaction.atomic
def profile_create(*, actor: User | None = None, **data: Any) -> ReferenceProfile:
    """Create a reference profile. It starts as nominated (the default), vetting or active."""
    profile = ReferenceProfile()
    if "customer" not in data and data.get("contact") is not None:
        data["customer"] = data["contact"].customer
    plan = profile_start_plan(
        status=data.pop("status", None) or ProfileStatus.NOMINATED,
        last_validated=data.get("last_validated"),
        actor=actor,
        today=timezone.localdate(),
    )
    if "validated_by" in data and "validated_by" in plan:
        plan.pop("validated_by")
    data.pop("resting_reason", None)
    m2m = _apply(profile, {**data, **plan}, PROFILE_M2M)
    _check_contact_belongs(profile)
    profile.save()
    _set_m2m(profile, m2m)
    ProfileEvent.objects.create(
        profile=profile, from_status="", to_status=profile.status, actor=actor, note="Created"
    )
    search_documents_refresh(profile_ids=[profile.pk])
    return profile


@transaction.atomic
def profile_update(*, profile: ReferenceProfile, actor: User | None = None, **data: Any) -> ReferenceProfile:
    """Change a profile's story and attributes. Status moves only through ``profile_transition``."""
    data.pop("status", None)
    m2m = _apply(profile, data, PROFILE_M2M)
    _check_contact_belongs(profile)
    profile.save()
    _set_m2m(profile, m2m)
    search_documents_refresh(profile_ids=[profile.pk])
    return profile


@transaction.atomic
def profile_transition(
    *,
    profile: ReferenceProfile,
    to: str,
    actor: User | None = None,
    note: str = "",
    resting_reason: str = RestingReason.REQUEST,
) -> ReferenceProfile:
    """Move a profile through its lifecycle; refuses a move the lifecycle does not allow."""
    profile = ReferenceProfile.objects.select_for_update().get(pk=profile.pk)
    from_status = profile.status
    plan = profile_transition_plan(
        profile=profile, to=to, actor=actor, today=timezone.localdate(), resting_reason=resting_reason
    )
    for field, value in plan.items():
        setattr(profile, field, value)
    profile.save(update_fields=["status", "resting_reason", "last_validated", "validated_by", "updated_at"])
    ProfileEvent.objects.create(
        profile=profile, from_status=from_status, to_status=to, actor=actor, note=note
    )
    events.publish(
        events.REFERENCE_STATUS_CHANGED,
        {"reference": profile.pk, "customer": profile.customer_id, "from": from_status, "to": to},
    )
    return profile


@transaction.atomic
def profile_revalidate(
    *, profile: ReferenceProfile, actor: User, note: str = "", on: date | None = None
) -> ReferenceProfile:
    """Record that the account owner (or a manager) re-confirmed the customer is still happy."""
    profile = ReferenceProfile.objects.select_for_update().get(pk=profile.pk)
    profile.last_validated = on or timezone.localdate()
    profile.validated_by = actor
    profile.stale_notified_on = None
    profile.save(update_fields=["last_validated", "validated_by", "stale_notified_on", "updated_at"])
    ProfileEvent.objects.create(
        profile=profile,
        kind=ProfileEvent.Kind.REVALIDATED,
        from_status=profile.status,
        to_status=profile.status,
        actor=actor,
        note=note or "Re-confirmed",
    )
    return profile


def can_reconfirm(user: User, profile: ReferenceProfile) -> bool:
    """The customer's account owner, or anyone who keeps the inventory, may re-confirm."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return perms.has_capability(user, perms.CHANGE_INVENTORY) or (
        profile.customer.account_owner_id is not None and profile.customer.account_owner_id == user.pk
    )


@transaction.atomic
def profile_reconfirm(
    *,
    profile: ReferenceProfile,
    actor: User,
    note: str = "",
    health_score: int | None = None,
    today: date | None = None,
) -> ReferenceProfile:
    """The account owner (or a manager) confirms the customer is still happy to be a reference:
    the one re-confirm of the page, the API and the home page's task list.

    Records who and when on the profile (``profile_revalidate``). Re-confirming *is* a health
    check: when the customer's health date is missing or older than the policy allows (the stale
    part), or when a new score is given, today becomes the customer's health date (the score is
    kept unless a new one is given). So a re-confirmed profile is never stale the next minute
    because of its customer's old health date. A fresh health date is left alone.
    """
    if not can_reconfirm(actor, profile):
        raise PermissionDenied(_("Only the account owner or a reference manager can re-confirm."))
    today = today or timezone.localdate()
    policy = program_policy()
    profile = profile_revalidate(profile=profile, actor=actor, note=note or "Re-confirmed", on=today)
    customer = Customer.objects.select_for_update().get(pk=profile.customer_id)
    health_stale = customer.health_updated is None or customer.health_updated < policy.stale_cutoff(today)
    if health_stale or health_score is not None:
        customer.health_updated = today
        if health_score is not None:
            customer.health_score = health_score
        customer.full_clean()
        customer.save(update_fields=["health_updated", "health_score", "updated_at"])
        if health_score is not None:  # the profiles' copy of the score (``references.facets``)
            search_documents_refresh(profile_ids=customer.profiles.values_list("pk", flat=True))
            profile.refresh_from_db(fields=["search_facets"])
            customer_changed([customer.pk])  # health above the threshold again lifts its hold
    profile.customer = customer
    return profile
