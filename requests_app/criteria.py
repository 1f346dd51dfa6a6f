"""Must-haves and nice-to-haves: checked against the codes and managed lists, never invented.

An unknown value is refused with a message naming the valid ones (API.md); nothing is created
implicitly. Values are normalised (country upper-case, product and use case spelled as in the
list), and nice-to-haves without a weight get one from their position: the first is the most
important.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from references.choices import Deployment, Seniority, SizeBand
from references.models import Industry, Language, Product, Region, UseCase
from refprogram.validators import validate_single_line

from .choices import CriterionField

MAX_CRITERIA = 12
MAX_WEIGHT = 10


def default_weight(position: int) -> int:
    """Nice-to-haves listed first matter most: 5, 4, 3, 2, then 1."""
    return max(1, 5 - position)


def _valid_values(field: str) -> dict[str, str] | None:
    """Lower-cased value → canonical value for the fields with a closed list; None for free text."""
    if field == CriterionField.INDUSTRY:
        return {c.lower(): c for c in Industry.objects.values_list("code", flat=True)}
    if field == CriterionField.REGION:
        return {c.lower(): c for c in Region.objects.values_list("code", flat=True)}
    if field == CriterionField.PRODUCT:
        return {n.lower(): n for n in Product.objects.values_list("name", flat=True)}
    if field == CriterionField.USE_CASE:
        return {n.lower(): n for n in UseCase.objects.values_list("name", flat=True)}
    if field == CriterionField.LANGUAGE:
        return {c.lower(): c for c in Language.objects.values_list("code", flat=True)}
    if field == CriterionField.SIZE_BAND:
        return {c: c for c in SizeBand.values}
    if field == CriterionField.SENIORITY:
        return {c: c for c in Seniority.values}
    if field == CriterionField.DEPLOYMENT:
        return {c: c for c in Deployment.values}
    return None


def _clean_value(field: str, raw, where: str, cache: dict) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError(f"{where}: a value is required.")
    value = raw.strip()
    try:
        validate_single_line(value)
    except ValidationError as exc:
        raise ValidationError(f"{where}: {exc.messages[0]}") from None
    if field == CriterionField.COUNTRY:
        value = value.upper()
        if len(value) != 2 or not value.isalpha():
            raise ValidationError(f"{where}: use an ISO 3166-1 alpha-2 country code such as DE or US.")
        return value
    if field == CriterionField.COMPETITOR:
        return value[:200]
    if field not in cache:
        cache[field] = _valid_values(field)
    valid = cache[field]
    if value.lower() not in valid:
        raise ValidationError(
            f"{where}: unknown {field} {value!r}; valid values: {', '.join(sorted(valid.values()))}."
        )
    return valid[value.lower()]


def criteria_clean(data) -> dict:
    """Validate and normalise ``{"must": [...], "nice": [...]}``; raise ValidationError with
    every problem found (the API and the form show them all at once)."""
    if data in (None, ""):
        data = {}
    if not isinstance(data, dict):
        raise ValidationError('Criteria must be an object: {"must": [...], "nice": [...]}.')
    unknown_keys = set(data) - {"must", "nice"}
    if unknown_keys:
        raise ValidationError(f"Unknown criteria keys: {', '.join(sorted(unknown_keys))}; use must and nice.")
    errors: list[str] = []
    cleaned: dict[str, list[dict]] = {"must": [], "nice": []}
    cache: dict = {}
    for kind in ("must", "nice"):
        rows = data.get(kind) or []
        if not isinstance(rows, list):
            errors.append(f"{kind} must be a list.")
            continue
        if len(rows) > MAX_CRITERIA:
            errors.append(f"At most {MAX_CRITERIA} {kind} criteria.")
            continue
        for position, row in enumerate(rows):
            where = f"{kind}[{position}]"
            if not isinstance(row, dict):
                errors.append(f"{where}: each criterion is an object with field and value.")
                continue
            field = row.get("field")
            if field not in CriterionField.values:
                errors.append(
                    f"{where}: unknown field {field!r}; valid fields: {', '.join(CriterionField.values)}."
                )
                continue
            try:
                value = _clean_value(field, row.get("value"), where, cache)
            except ValidationError as exc:
                errors.extend(exc.messages)
                continue
            item = {"field": field, "value": value}
            if kind == "nice":
                weight = row.get("weight")
                if weight in (None, ""):
                    weight = default_weight(position)
                try:
                    weight = int(weight)
                except (TypeError, ValueError):
                    errors.append(f"{where}: weight must be a whole number from 1 to {MAX_WEIGHT}.")
                    continue
                if not 1 <= weight <= MAX_WEIGHT:
                    errors.append(f"{where}: weight must be a whole number from 1 to {MAX_WEIGHT}.")
                    continue
                item["weight"] = weight
            if item in cleaned[kind]:
                continue  # the same criterion twice says nothing more
            cleaned[kind].append(item)
    if errors:
        raise ValidationError(errors)
    return cleaned
