"""The human side of a match: what a person reads to judge a reference (summary, factors,
explanation), built from the columns the ranking read (no query of its own but the
vocabulary's names, read once per process)."""

from __future__ import annotations

from ledger import capacity as capacity_rules
from ledger.choices import UsageStatus
from references.models import Product

from .scoring import MatchSpec, Row, criterion_fields


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


def _listed(criteria, spec: MatchSpec) -> str:
    return ", ".join(spec.label(c) for c in criteria)


def _day(value) -> str:
    return f"{value:%Y-%m-%d}"  # ISO dates: read alike in every language


def explain(
    result: dict, spec: MatchSpec, *, row: Row, details: dict, capacity: dict, policy, note: str = ""
) -> str:
    """The human explanation of one match (or near miss), in the reader's language: the criteria,
    every factor with its points, capacity, availability and last use."""
    _ = spec.gettext  # each sentence translated once per request, not once per match
    parts: list[str] = []
    must_met = [c for c in spec.must if c not in result["must_missed"]]
    if result["must_missed"]:
        parts.append(
            _("Misses the must-have %(criteria)s.") % {"criteria": _listed(result["must_missed"], spec)}
        )
    elif spec.must:
        parts.append(_("Meets every must-have (%(criteria)s).") % {"criteria": _listed(must_met, spec)})
    if spec.nice:
        nice_met = [c for c in spec.nice if c in result["met"]]
        counts = {"met": len(nice_met), "of": len(spec.nice)}
        if nice_met:
            wishes = ", ".join(
                _("%(criterion)s (weight %(weight)s)") % {"criterion": spec.label(c), "weight": c["weight"]}
                for c in nice_met
            )
            text = _("Meets %(met)s of %(of)s nice-to-haves: %(wishes)s") % {**counts, "wishes": wishes}
        else:
            text = _("Meets %(met)s of %(of)s nice-to-haves") % counts
        nice_missed = [c for c in spec.nice if c not in nice_met]
        if nice_missed:
            text += _("; misses %(criteria)s") % {"criteria": _listed(nice_missed, spec)}
        parts.append(text + ".")
    if spec.implicit:
        met = result["implicit_met"]
        counts = {"met": len(met), "of": len(spec.implicit)}
        if met:
            parts.append(
                _(
                    "Implicit preferences from the prospect (not criteria): meets %(met)s of %(of)s:"
                    " %(criteria)s."
                )
                % {**counts, "criteria": _listed(met, spec)}
            )
        else:
            parts.append(
                _("Implicit preferences from the prospect (not criteria): meets %(met)s of %(of)s.") % counts
            )
    factors = "; ".join(f"{f['detail']} {_signed(f['points'])}" for f in result["factors"])
    if factors:
        parts.append(_("Score %(score)s = %(factors)s.") % {"score": result["score"], "factors": factors})
    else:
        parts.append(_("Score %(score)s.") % {"score": result["score"]})
    health = row.health
    if health is not None:
        checked = details.get("customer__health_updated")
        if checked:
            parts.append(
                _("Customer health %(health)s (checked %(day)s).") % {"health": health, "day": _day(checked)}
            )
        else:
            parts.append(_("Customer health %(health)s (never checked).") % {"health": health})
    parts.append(
        _(
            "Capacity: %(used)s of %(cap)s points used in the last %(days)s days"
            " (customer %(customer_used)s of %(customer_cap)s)."
        )
        % {**capacity, "days": policy.window_days}
    )
    if note:
        parts.append(note)
    reasons = capacity["reasons"]
    if capacity["available"]:
        parts.append(_("Available now."))
    elif "reference_stale" in reasons:
        parts.append(_("Stale: re-confirm with the account owner before it can be proposed."))
    elif "customer_detractor" in reasons:
        parts.append(
            _("Its customer is a detractor (health below %(threshold)s): it cannot be proposed.")
            % {"threshold": policy.detractor_below}
        )
    elif "consent_withdrawn" in reasons:
        parts.append(
            _("The person withdrew their consent and left the reference program; cannot be proposed.")
        )
    elif "on_hold" in reasons:
        ends_on, why = capacity.get("hold_ends_on"), capacity.get("hold_reason") or _("no reason given")
        if ends_on:
            parts.append(
                _("On hold until %(day)s: %(why)s; cannot be proposed.") % {"day": _day(ends_on), "why": why}
            )
        else:
            parts.append(_("On hold until lifted: %(why)s; cannot be proposed.") % {"why": why})
    elif capacity.get("available_from"):
        parts.append(
            _("Not available until %(day)s; cannot be proposed now.")
            % {"day": _day(capacity["available_from"])}
        )
    else:
        parts.append(
            _("Not available now (resting or no room for this activity under the caps); cannot be proposed.")
        )
    if details.get("last_used_on"):
        status = details["last_used_status"]
        parts.append(
            _("Last used %(day)s: %(activity)s (%(status)s).")
            % {
                "day": _day(details["last_used_on"]),
                "activity": details["last_used_for"],
                "status": UsageStatus(status).label if status in UsageStatus.values else status,
            }
        )
    else:
        parts.append(_("Never used yet."))
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
