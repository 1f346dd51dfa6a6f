"""The human side of a match: what a person reads to judge a reference (summary, factors,
explanation), built from the columns the ranking read (no query of its own but the
vocabulary's names, read once per process)."""

from __future__ import annotations

from ledger import capacity as capacity_rules
from references.models import Product

from .scoring import MatchSpec, Row, criterion_fields, criterion_label

# The words for the factors, in the order the explanation lists them.
FACTOR_LABELS = {
    "nice_to_have": "nice-to-have",
    "implicit": "implicit preference",
    "size": "size",
    "seniority": "seniority",
    "c_level_protection": "C-level protection",
    "health": "health",
    "freshness": "freshness",
    "reference_load": "its recent use",
    "customer_load": "its customer's recent use",
}


def product_names() -> dict[int, str]:
    """Product names by id (the facet keys hold ids): one small query."""
    return dict(Product.objects.values_list("pk", "name"))


def reference_summary(ranked, row: Row, details: dict, capacity: dict, products: dict[int, str]) -> dict:
    columns = ranked.columns
    product_ids = sorted(int(k.split("=", 1)[1]) for k in row.keys if k.startswith("product="))
    return {
        "id": ranked.pk,
        "customer": {"id": ranked.customer_id, "name": details["customer__name"]},
        "industry": row.value("industry"),
        "region": row.value("region"),
        "country": row.value("country"),
        "size_band": row.value("size"),
        "contact_title": details["contact__title"],
        "seniority": row.value("seniority"),
        "headline": details["headline"],
        "status": columns["status"],
        "deployment": details["deployment"],
        "products": sorted(products.get(pk, "") for pk in product_ids),
        "is_stale": bool(columns["is_stale_now"]),
        "capacity": {k: capacity[k] for k in ("used", "cap", "available", "available_from")},
    }


def _signed(points: int) -> str:
    return f"+{points}" if points > 0 else f"−{-points}" if points < 0 else "0"


def explain(
    result: dict, spec: MatchSpec, *, row: Row, details: dict, capacity: dict, policy, note: str = ""
) -> str:
    """The human explanation of one match (or near miss): the criteria, every factor with its
    points, capacity, availability and last use."""
    parts: list[str] = []
    must_met = [c for c in spec.must if c not in result["must_missed"]]
    if result["must_missed"]:
        parts.append(
            "Misses the must-have "
            + ", ".join(criterion_label(c, spec.labels) for c in result["must_missed"])
            + "."
        )
    elif spec.must:
        parts.append(
            "Meets every must-have (" + ", ".join(criterion_label(c, spec.labels) for c in must_met) + ")."
        )
    if spec.nice:
        nice_met = [c for c in spec.nice if c in result["met"]]
        text = f"Meets {len(nice_met)} of {len(spec.nice)} nice-to-haves"
        if nice_met:
            text += ": " + ", ".join(
                f"{criterion_label(c, spec.labels)} (weight {c['weight']})" for c in nice_met
            )
        nice_missed = [c for c in spec.nice if c not in nice_met]
        if nice_missed:
            text += "; misses " + ", ".join(criterion_label(c, spec.labels) for c in nice_missed)
        parts.append(text + ".")
    if spec.implicit:
        met = result["implicit_met"]
        text = (
            f"Implicit preferences from the prospect (not criteria): meets {len(met)} of {len(spec.implicit)}"
        )
        parts.append(
            text + (": " + ", ".join(criterion_label(c, spec.labels) for c in met) if met else "") + "."
        )
    score = result["score"]
    factors = "; ".join(f"{f['detail']} {_signed(f['points'])}" for f in result["factors"])
    parts.append(f"Score {score}" + (f" = {factors}." if factors else "."))
    health = row.health
    if health is not None:
        checked = details.get("customer__health_updated")
        parts.append(
            f"Customer health {health}"
            + (f" (checked {checked:%Y-%m-%d})." if checked else " (never checked).")
        )
    parts.append(
        f"Capacity: {capacity['used']} of {capacity['cap']} points used in the last {policy.window_days} days"
        f" (customer {capacity['customer_used']} of {capacity['customer_cap']})."
    )
    if note:
        parts.append(note)
    reasons = capacity["reasons"]
    if capacity["available"]:
        parts.append("Available now.")
    elif "reference_stale" in reasons:
        parts.append("Stale: re-confirm with the account owner before it can be proposed.")
    elif "customer_detractor" in reasons:
        parts.append(
            f"Its customer is a detractor (health below {policy.detractor_below}): it cannot be proposed."
        )
    elif "consent_withdrawn" in reasons:
        parts.append("The person withdrew their consent and left the reference program; cannot be proposed.")
    elif "on_hold" in reasons:
        ends_on, why = capacity.get("hold_ends_on"), capacity.get("hold_reason") or "no reason given"
        until = f"until {ends_on:%Y-%m-%d}" if ends_on else "until lifted"
        parts.append(f"On hold {until}: {why}; cannot be proposed.")
    elif capacity.get("available_from"):
        parts.append(f"Not available until {capacity['available_from']:%Y-%m-%d}; cannot be proposed now.")
    else:
        parts.append(
            "Not available now (resting or no room for this activity under the caps); cannot be proposed."
        )
    if details.get("last_used_on"):
        parts.append(
            f"Last used {details['last_used_on']:%Y-%m-%d}: {details['last_used_for']}"
            f" ({details['last_used_status']})."
        )
    else:
        parts.append("Never used yet.")
    return " ".join(parts)


def capacity_of(columns: dict, *, policy) -> dict:
    """The capacity a match shows, for the request's activity, from the columns the ranking read."""
    answer = capacity_rules.verdict(columns, policy=policy)
    return {
        "used": columns["cap_used"] or 0,
        "cap": policy.reference_cap,
        "customer_used": columns["customer_cap_used"] or 0,
        "customer_cap": policy.customer_cap,
        "available": answer.askable,
        "available_from": answer.available_from,
        "reasons": answer.reasons,
        "hold_ends_on": columns.get("hold_ends_on"),
        "hold_reason": columns.get("hold_reason"),
    }


def present(
    ranked, details: dict, spec: MatchSpec, *, policy, products: dict[int, str], note: str = ""
) -> dict:
    """One match as API.md describes it (``ranked``: a ``ranking.Ranked``)."""
    result, row = ranked.result, ranked.row
    cap = capacity_of(ranked.columns, policy=policy)
    return {
        "reference": reference_summary(ranked, row, details, cap, products),
        "score": result["score"],
        "factors": result["factors"],
        "met": criterion_fields(result["met"]),
        "missed": criterion_fields(result["missed"]),
        "met_criteria": result["met"],
        "missed_criteria": result["missed"],
        "must_missed": criterion_fields(result["must_missed"]),
        "available": ranked.available,
        "explanation": explain(
            result, spec, row=row, details=details, capacity=cap, policy=policy, note=note
        ),
    }
