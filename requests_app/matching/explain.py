"""The human side of a match: what a person reads to judge a reference (summary, explanation)."""

from __future__ import annotations

from datetime import date

from references.choices import SENIORITY_ORDER, SIZE_ORDER
from references.models import (
    ReferenceProfile,
)

from ..choices import CriterionField
from .scoring import MatchSpec, facts_of, score_profile


def reference_summary(profile: ReferenceProfile, capacity: dict) -> dict:
    customer, contact = profile.customer, profile.contact
    return {
        "id": profile.pk,
        "customer": {"id": customer.pk, "name": customer.name},
        "industry": customer.industry_id,
        "region": customer.region_id,
        "country": customer.country,
        "size_band": customer.size_band,
        "contact_title": contact.title,
        "seniority": contact.seniority,
        "headline": profile.headline,
        "status": profile.status,
        "deployment": profile.deployment,
        "products": [p.name for p in profile.products.all()],
        "is_stale": bool(profile.is_stale_now),
        "capacity": {k: capacity[k] for k in ("used", "cap", "available", "available_from")},
    }


def _label(c: dict) -> str:
    return f"{CriterionField(c['field']).label.lower()} {c['value']}"


def explain(
    profile: ReferenceProfile, result: dict, spec: MatchSpec, *, available: bool, capacity: dict, policy
) -> str:
    """The human explanation of one match (or near miss)."""
    parts: list[str] = []
    must_met = [c for c in spec.must if c not in result["must_missed"]]
    if result["must_missed"]:
        parts.append("Misses the must-have " + ", ".join(_label(c) for c in result["must_missed"]) + ".")
    elif spec.must:
        parts.append("Meets every must-have (" + ", ".join(_label(c) for c in must_met) + ").")
    if spec.nice:
        nice_met = [c for c in spec.nice if c in result["met"]]
        text = f"Meets {len(nice_met)} of {len(spec.nice)} nice-to-haves"
        if nice_met:
            text += ": " + ", ".join(f"{_label(c)} (weight {c['weight']})" for c in nice_met)
        nice_missed = [c for c in spec.nice if c not in nice_met]
        if nice_missed:
            text += "; misses " + ", ".join(_label(c) for c in nice_missed)
        parts.append(text + ".")
    customer, contact = profile.customer, profile.contact
    if spec.size_band:
        gap = abs(SIZE_ORDER[customer.size_band] - SIZE_ORDER[spec.size_band]) if customer.size_band else None
        if gap == 0:
            parts.append(f"Same size band as the prospect ({customer.get_size_band_display()}).")
        elif gap is not None:
            parts.append(f"{customer.get_size_band_display()}: {gap} size band(s) from the prospect.")
    if spec.seniority and contact.seniority:
        gap = abs(SENIORITY_ORDER[contact.seniority] - SENIORITY_ORDER[spec.seniority])
        who = f"{contact.title or contact.get_seniority_display()}"
        parts.append(
            f"Contact is {who}: same seniority as the prospect's contact."
            if gap == 0
            else f"Contact is {who}: {gap} level(s) from the prospect's contact."
        )
    parts.append(
        f"Capacity: {capacity['used']} of {capacity['cap']} points used in the last {policy.window_days} days"
        f" (customer {capacity['customer_used']} of {capacity['customer_cap']})."
    )
    if available:
        parts.append("Available now.")
    elif profile.is_stale_now:
        parts.append("Stale: re-confirm with the account owner before it can be proposed.")
    elif capacity.get("available_from"):
        parts.append(f"Not available until {capacity['available_from']:%Y-%m-%d}; cannot be proposed now.")
    else:
        parts.append(
            "Not available now (resting or no room for this activity under the caps); cannot be proposed."
        )
    if getattr(profile, "last_used_on", None):
        parts.append(
            f"Last used {profile.last_used_on:%Y-%m-%d} for a {profile.last_used_for}"
            f" ({profile.last_used_status})."
        )
    else:
        parts.append("Never used yet.")
    return " ".join(parts)


def _fields(criteria: list[dict]) -> list[str]:
    seen: list[str] = []
    for c in criteria:
        if c["field"] not in seen:
            seen.append(c["field"])
    return seen


def present(profile, spec: MatchSpec, *, policy, today: date, available: bool) -> dict:
    used = getattr(profile, "cap_used", 0) or 0
    result = score_profile(facts_of(profile, used=used), spec, today)
    # For the request's activity: ``_details`` annotated the capacity columns for it.
    cap = profile.capacity(today=today, policy=policy)
    return {
        "reference": reference_summary(profile, cap),
        "score": round(result["score"], 1),
        "met": _fields(result["met"]),
        "missed": _fields(result["missed"]),
        "met_criteria": result["met"],
        "missed_criteria": result["missed"],
        "must_missed": _fields(result["must_missed"]),
        "available": available,
        "explanation": explain(profile, result, spec, available=available, capacity=cap, policy=policy),
    }
