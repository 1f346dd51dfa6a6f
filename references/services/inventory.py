"""Customers, contacts and reference profiles: create, change, move through the lifecycle."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from refprogram.errors import RuleViolation

from ..choices import CODE_INVALID_TRANSITION, PROFILE_TRANSITIONS, ProfileStatus, RestingReason
from ..facets import facet_text
from ..models import Contact, Customer, ProfileEvent, ReferenceProfile

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
    "search_documents_refresh",
    "build_search_document",
    "build_search_facets",
]

CUSTOMER_M2M = ("products", "programs")
CONTACT_M2M = ("languages",)
PROFILE_M2M = ("activity_types", "products", "use_cases")


def _apply(instance, data: dict[str, Any], m2m: Iterable[str]) -> dict[str, Any]:
    """Set plain fields on ``instance``, validate it, and return the many-to-many values to set."""
    later = {}
    for field, value in data.items():
        if field in m2m:
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
        profile.get_deployment_display() if profile.deployment else "",
        " ".join(p.name for p in profile.products.all()),
        " ".join(u.name for u in profile.use_cases.all()),
    ]
    return " ".join(p for p in parts if p)


def build_search_facets(profile: ReferenceProfile) -> str:
    """The keys the catalog's filters look up on PostgreSQL (see ``references.facets``)."""
    customer, contact = profile.customer, profile.contact
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
    )


def search_documents_refresh(*, profile_ids: Iterable[int]) -> int:
    """Rebuild the search text and facet keys of these profiles (after a customer, contact or
    profile change)."""
    profiles = list(
        ReferenceProfile.objects.filter(pk__in=list(profile_ids))
        .select_related("customer__industry", "customer__region", "contact")
        .prefetch_related("products", "use_cases", "activity_types", "contact__languages")
    )
    for profile in profiles:
        profile.search_document = build_search_document(profile)
        profile.search_facets = build_search_facets(profile)
    ReferenceProfile.objects.bulk_update(profiles, ["search_document", "search_facets"], batch_size=500)
    return len(profiles)


@transaction.atomic
def customer_create(*, actor: User | None = None, **data: Any) -> Customer:
    customer = Customer()
    m2m = _apply(customer, data, CUSTOMER_M2M)
    customer.save()
    _set_m2m(customer, m2m)
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, actor: User | None = None, **data: Any) -> Customer:
    m2m = _apply(customer, data, CUSTOMER_M2M)
    customer.save()
    _set_m2m(customer, m2m)
    search_documents_refresh(profile_ids=customer.profiles.values_list("pk", flat=True))
    return customer


@transaction.atomic
def customer_delete(*, customer: Customer, actor: User | None = None) -> None:
    if customer.usage.exists():
        raise RuleViolation(
            "customer_has_usage", "This customer has usage history; retire its references instead."
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
        raise ValidationError({"contact": "This contact works at another customer."})


@transaction.atomic
def profile_create(*, actor: User | None = None, **data: Any) -> ReferenceProfile:
    """Create a reference profile. Its status starts as given (nominated by default)."""
    profile = ReferenceProfile()
    if "customer" not in data and data.get("contact") is not None:
        data["customer"] = data["contact"].customer
    m2m = _apply(profile, data, PROFILE_M2M)
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
    if to not in ProfileStatus.values:
        raise RuleViolation(CODE_INVALID_TRANSITION, f"Unknown status {to!r}.")
    if not profile.can_transition_to(to):
        allowed = ", ".join(sorted(PROFILE_TRANSITIONS.get(profile.status, set()))) or "none"
        raise RuleViolation(
            CODE_INVALID_TRANSITION,
            f"A {profile.get_status_display().lower()} reference cannot become {to}; allowed: {allowed}.",
        )
    from_status = profile.status
    profile.status = to
    profile.resting_reason = resting_reason if to == ProfileStatus.RESTING else ""
    if to == ProfileStatus.ACTIVE and from_status == ProfileStatus.VETTING and profile.last_validated is None:
        profile.last_validated = timezone.localdate()
        profile.validated_by = actor
    profile.save(update_fields=["status", "resting_reason", "last_validated", "validated_by", "updated_at"])
    ProfileEvent.objects.create(
        profile=profile, from_status=from_status, to_status=to, actor=actor, note=note
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
