"""Must-haves and nice-to-haves: checked against the codes and managed lists, never invented.

An unknown value is refused with a message naming the valid ones (API.md); nothing is created
implicitly. Values are normalised (country upper-case, product and use case spelled as in the
list), and nice-to-haves without a weight get one from their position: the first is the most
important.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import CharField, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from references.choices import Deployment, Seniority, SizeBand, country_choices
from references.models import CustomField, Industry, Language, Product, Region, UseCase
from refprogram.validators import validate_single_line

from .choices import CriterionField

MAX_CRITERIA = 12
# Criteria whose stored value is already what people read.
NAMED_AS_READ = frozenset({CriterionField.PRODUCT, CriterionField.USE_CASE, CriterionField.COMPETITOR})
MAX_WEIGHT = 10


# The program's own list and yes/no fields are criteria too: field ``custom.<slug>``, value a
# choice's value (yes/no: ``yes`` or ``no``), met through the same facet keys as the built-in ones.
CUSTOM_PREFIX = "custom."


def custom_criterion_fields() -> dict[str, CustomField]:
    """``{"custom.<slug>": definition}`` of the active list and yes/no fields (one query)."""
    return {d.key: d for d in CustomField.objects.filter(active=True) if d.is_facet}


def _custom_field(field: str) -> CustomField | None:
    if not isinstance(field, str) or not field.startswith(CUSTOM_PREFIX):
        return None
    return custom_criterion_fields().get(field)


def field_label(field: str) -> str:
    """What a criterion is about, as people read it: "Industry", or a program field's label."""
    try:
        return str(CriterionField(field).label)
    except ValueError:
        custom = _custom_field(field)
        return custom.label() if custom is not None else str(field)


def criterion_field_choices() -> list[tuple[str, str]]:
    """The fields a criterion can be about (the request form's list): the built-in ones, then the
    program's own list and yes/no fields."""
    return [*CriterionField.choices, *((key, d.label()) for key, d in custom_criterion_fields().items())]


def default_weight(position: int) -> int:
    """Nice-to-haves listed first matter most: 5, 4, 3, 2, then 1."""
    return max(1, 5 - position)


def value_choices(field: str) -> list[tuple[str, str]] | None:
    """The values a criterion on ``field`` may take, as (value the API speaks, label people
    read); None for free text (country, competitor)."""
    if field == CriterionField.INDUSTRY:
        return list(Industry.objects.values_list("code", "name"))
    if field == CriterionField.REGION:
        return list(Region.objects.values_list("code", "name"))
    if field == CriterionField.PRODUCT:
        return [(n, n) for n in Product.objects.values_list("name", flat=True)]
    if field == CriterionField.USE_CASE:
        return [(n, n) for n in UseCase.objects.values_list("name", flat=True)]
    if field == CriterionField.COUNTRY:
        return country_choices()
    if field == CriterionField.LANGUAGE:
        return list(Language.objects.order_by("name").values_list("code", "name"))
    if field == CriterionField.SIZE_BAND:
        return list(SizeBand.choices)
    if field == CriterionField.SENIORITY:
        return list(Seniority.choices)
    if field == CriterionField.DEPLOYMENT:
        return list(Deployment.choices)
    custom = _custom_field(field)
    if custom is not None:
        if custom.kind == CustomField.Kind.YES_NO:
            return [("yes", _("Yes")), ("no", _("No"))]
        return [(v, custom.choice_label(v)) for v in custom.choice_values()]
    return None


def _valid_values(field: str) -> dict[str, str] | None:
    """Lower-cased value or label → canonical value for the fields with a closed list (so
    "Financial services" is as good as ``finance``); None for free text."""
    choices = value_choices(field)
    if choices is None:
        return None
    valid = {label.lower(): value for value, label in choices}
    valid.update({value.lower(): value for value, _label in choices})
    return valid


# The criteria whose values are codes of a managed list, read from the database to be said.
_LISTED = {
    CriterionField.INDUSTRY: Industry,
    CriterionField.REGION: Region,
    CriterionField.LANGUAGE: Language,
}


def read_value_labels(criteria: list[dict]) -> dict[str, dict[str, str]]:
    """``{field: {value: label}}`` for these criteria, in one query however many fields they name
    (the cache :func:`value_label` takes); fields people read as stored need no read, and the
    fixed lists (size, seniority, deployment, country) are read without a query."""
    wanted: dict[str, set[str]] = {}
    for c in criteria:
        if c["field"] not in NAMED_AS_READ:
            wanted.setdefault(c["field"], set()).add(str(c["value"]))
    labels: dict[str, dict[str, str]] = {}
    reads = []
    for f, values in wanted.items():
        if f in _LISTED:
            labels[f] = {}
            reads.append(
                _LISTED[f]
                .objects.filter(code__in=values)
                .order_by()
                .annotate(field=Value(str(f), output_field=CharField()))
                .values_list("field", "code", "name")
            )
        else:
            labels[f] = dict(value_choices(f) or [])
    if reads:
        for f, code, name in reads[0].union(*reads[1:], all=True) if len(reads) > 1 else reads[0]:
            labels[f][code] = name
    return labels


def value_label(field: str, value: str, cache: dict) -> str:
    """The label people read for a criterion's value (``finance`` → "Financial services"); a
    product, a use case, a country or a competitor is stored as people read it (no read)."""
    if field in NAMED_AS_READ:
        return value
    if field not in cache:
        cache[field] = dict(value_choices(field) or [])
    return cache[field].get(value, value)


# How much a nice-to-have matters, in words, and its weight on the matching scale (1–10 through
# the API; the form offers three steps). Weights between or beyond the steps are said in words too.
IMPORTANCE = [("5", gettext_lazy("High")), ("3", gettext_lazy("Medium")), ("1", gettext_lazy("Low"))]
OTHER_IMPORTANCE = {"2": gettext_lazy("Low to medium"), "4": gettext_lazy("Medium to high")}


def importance_words(weight) -> str:
    """A nice-to-have's weight as people say it: 5 → "High", 4 → "Medium to high", 8 → "Very high"."""
    weight = str(weight if weight not in (None, "") else "3").strip()
    words = dict(IMPORTANCE).get(weight) or OTHER_IMPORTANCE.get(weight)
    return words or (_("Very high") if weight.isdigit() and int(weight) > 5 else _("As set"))


def criteria_in_words(must: list[dict], nice: list[dict]) -> dict[str, list[dict]]:
    """A request's criteria as people read them: the field's label, the value's label and, for a
    nice-to-have, its importance in words (``region``/``na``/3 → "Region", "North America", "Medium")."""
    cache: dict = {}

    def said(c: dict) -> dict:
        return {"field": field_label(c["field"]), "value": value_label(c["field"], c["value"], cache)}

    return {
        "must": [said(c) for c in must],
        "nice": [{**said(c), "importance": importance_words(c.get("weight"))} for c in nice],
    }


def _clean_value(field: str, raw, where: str, cache: dict, people: bool = False) -> str:
    if not isinstance(raw, str) or not raw.strip():
        if people:
            raise ValidationError(_("%(where)s: a value is required.") % {"where": where})
        raise ValidationError(_("%(where)s: a value is required.") % {"where": where})
    value = raw.strip()
    try:
        validate_single_line(value)
    except ValidationError as exc:
        raise ValidationError(
            _("%(where)s: %(problem)s") % {"where": where, "problem": exc.messages[0]}
        ) from None
    if field == CriterionField.COUNTRY:
        code = _valid_values(field).get(value.lower())
        if code is None and people:
            raise ValidationError(
                _("%(where)s: %(value)s is not a country; give its name (Germany) or its two letters (DE).")
                % {"where": where, "value": repr(value)}
            )
        if code is None:
            raise ValidationError(
                _("%(where)s: %(value)s is not a country; give its name (Germany) or its two letters (DE).")
                % {"where": where, "value": repr(value)}
            )
        return code
    if field == CriterionField.COMPETITOR:
        return value[:200]
    if field not in cache:
        cache[field] = _valid_values(field)
    valid = cache[field]
    if value.lower() not in valid:
        if people:
            names = sorted(str(label) for _value, label in value_choices(field) or [])
            raise ValidationError(
                _("%(where)s: %(value)s is not a known %(field)s; choose one of: %(names)s.")
                % {
                    "where": where,
                    "value": repr(value),
                    "field": field_label(field).lower(),
                    "names": ", ".join(names),
                }
            )
        raise ValidationError(
            _("%(where)s: unknown %(field)s %(value)s; valid values: %(valid)s.")
            % {
                "where": where,
                "field": field,
                "value": repr(value),
                "valid": ", ".join(sorted(set(valid.values()))),
            }
        )
    return valid[value.lower()]


def criteria_clean(data, *, people: bool = False) -> dict:
    """Validate and normalise ``{"must": [...], "nice": [...]}``; raise ValidationError with
    every problem found (the API and the form show them all at once). A value may be given by
    its code or its label; the result holds codes. With ``people`` (the request form), messages
    say "Must-have 2" and name the labels to choose from instead of the codes."""
    if data in (None, ""):
        data = {}
    if not isinstance(data, dict):
        raise ValidationError(_('Criteria must be an object: {"must": [...], "nice": [...]}.'))
    unknown_keys = set(data) - {"must", "nice"}
    if unknown_keys:
        raise ValidationError(
            _("Unknown criteria keys: %(keys)s; use must and nice.")
            % {"keys": ", ".join(sorted(unknown_keys))}
        )
    errors: list[str] = []
    cleaned: dict[str, list[dict]] = {"must": [], "nice": []}
    cache: dict = {}
    for kind in ("must", "nice"):
        rows = data.get(kind) or []
        if not isinstance(rows, list):
            errors.append(_("%(kind)s must be a list.") % {"kind": kind})
            continue
        if len(rows) > MAX_CRITERIA:
            errors.append(_("At most %(max)s %(kind)s criteria.") % {"max": MAX_CRITERIA, "kind": kind})
            continue
        for position, row in enumerate(rows):
            if people:
                where = (_("Must-have %(n)s") if kind == "must" else _("Nice-to-have %(n)s")) % {
                    "n": position + 1
                }
            else:
                where = f"{kind}[{position}]"
            if not isinstance(row, dict):
                errors.append(
                    _("%(where)s: each criterion is an object with field and value.") % {"where": where}
                )
                continue
            field = row.get("field")
            if field not in CriterionField.values and _custom_field(field) is None:
                if people:
                    errors.append(_("%(where)s: choose what the criterion is about.") % {"where": where})
                    continue
                errors.append(
                    _("%(where)s: unknown field %(field)s; valid fields: %(valid)s.")
                    % {"where": where, "field": repr(field), "valid": ", ".join(CriterionField.values)}
                )
                continue
            try:
                value = _clean_value(field, row.get("value"), where, cache, people)
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
                    errors.append(
                        _("%(where)s: weight must be a whole number from 1 to %(max)s.")
                        % {"where": where, "max": MAX_WEIGHT}
                    )
                    continue
                if not 1 <= weight <= MAX_WEIGHT:
                    errors.append(
                        _("%(where)s: weight must be a whole number from 1 to %(max)s.")
                        % {"where": where, "max": MAX_WEIGHT}
                    )
                    continue
                item["weight"] = weight
            if item in cleaned[kind]:
                continue  # the same criterion twice says nothing more
            cleaned[kind].append(item)
    if errors:
        raise ValidationError(errors)
    return cleaned
