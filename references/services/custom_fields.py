"""The program's own fields (``references.models.CustomField``): define them, and check the values
that customers, contacts and reference profiles hold in their ``custom`` column.

:func:`custom_values_clean` is the one check of a value: the forms, the API and the CSV import all
call it, so a value is valid everywhere or nowhere. The values of lists and yes/no fields are also
facet keys of the profile (``custom.<slug>=<value>``, :func:`custom_facet_keys`), so the catalog
filters them and the matching engine reads them from the same one row as the built-in fields;
changing a definition refreshes the keys of the profiles that hold it (:func:`custom_field_refresh`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from refprogram.validators import validate_date_in_range, validate_single_line

from ..models import CUSTOM_LANGUAGES, Contact, Customer, CustomField, ReferenceProfile

__all__ = [
    "CustomValuesInvalid",
    "custom_definitions",
    "custom_values_clean",
    "custom_value_from_text",
    "custom_value_to_text",
    "custom_facet_keys",
    "custom_facts",
    "custom_field_create",
    "custom_field_update",
    "custom_field_refresh",
    "CUSTOM_TEXT_MAX",
]

CUSTOM_TEXT_MAX = 500
CUSTOM_NUMBER_LIMIT = 10**12
CHOICE_VALUE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_CHOICES = 100
OWNER_MODELS = {
    CustomField.On.CUSTOMER: Customer,
    CustomField.On.CONTACT: Contact,
    CustomField.On.PROFILE: ReferenceProfile,
}


class CustomValuesInvalid(ValidationError):
    """Values that do not fit their definitions: ``by_slug`` is ``{"<slug>": ["message", ...]}``
    (the API answers ``400 {"custom": by_slug}``; a form puts each message on its field)."""

    def __init__(self, by_slug: dict[str, list[str]]):
        self.by_slug = by_slug
        super().__init__({"custom": [f"{slug}: {' '.join(msgs)}" for slug, msgs in by_slug.items()]})


def custom_definitions(on: str | None = None, *, active: bool = True) -> list[CustomField]:
    """The definitions (of one kind of object), in their order: one query."""
    qs = CustomField.objects.all()
    if on:
        qs = qs.filter(on=on)
    if active:
        qs = qs.filter(active=True)
    return list(qs)


# --- Values ----------------------------------------------------------------------------------


def _clean_one(field: CustomField, raw: Any) -> Any:
    """One value in its stored shape, or raise ValueError with the message people read. Empty
    (None, "", []) returns None: no value."""
    kind = field.kind
    if raw is None or raw == "" or raw == []:
        return None
    if kind == CustomField.Kind.TEXT:
        if not isinstance(raw, str):
            raise ValueError(_("Give text."))
        value = raw.strip()
        if len(value) > CUSTOM_TEXT_MAX:
            raise ValueError(_("At most %(limit)s characters.") % {"limit": CUSTOM_TEXT_MAX})
        try:
            validate_single_line(value)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None
        return value or None
    if kind == CustomField.Kind.NUMBER:
        if isinstance(raw, bool):
            raise ValueError(_("Give a number."))
        if isinstance(raw, str):
            try:
                number = Decimal(raw.strip().replace(",", "."))
            except InvalidOperation:
                raise ValueError(_("%(value)s is not a number.") % {"value": repr(raw)}) from None
            raw = int(number) if number == number.to_integral_value() else float(number)
        if not isinstance(raw, int | float) or (isinstance(raw, float) and not math.isfinite(raw)):
            raise ValueError(_("Give a number."))
        if abs(raw) >= CUSTOM_NUMBER_LIMIT:
            raise ValueError(_("The number is too large."))
        return int(raw) if isinstance(raw, float) and raw.is_integer() else raw
    if kind == CustomField.Kind.DATE:
        if isinstance(raw, date):
            day = raw
        elif isinstance(raw, str):
            try:
                day = date.fromisoformat(raw.strip())
            except ValueError:
                raise ValueError(
                    _("%(value)s is not a date; use YYYY-MM-DD.") % {"value": repr(raw)}
                ) from None
        else:
            raise ValueError(_("Give a date as YYYY-MM-DD."))
        try:
            validate_date_in_range(day)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None
        return day.isoformat()
    if kind == CustomField.Kind.YES_NO:
        if not isinstance(raw, bool):
            raise ValueError(_("Give true or false."))
        return raw
    valid = field.choice_values()
    if kind == CustomField.Kind.ONE_OF:
        if not isinstance(raw, str) or raw not in valid:
            raise ValueError(
                _("%(value)s is not one of the choices: %(valid)s.")
                % {"value": repr(raw), "valid": ", ".join(valid)}
            )
        return raw
    # several of a list
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise ValueError(_("Give a list of choices."))
    unknown = [v for v in raw if v not in valid]
    if unknown:
        raise ValueError(
            _("%(values)s: not among the choices: %(valid)s.")
            % {"values": ", ".join(repr(v) for v in unknown), "valid": ", ".join(valid)}
        )
    chosen = set(raw)
    return [v for v in valid if v in chosen] or None


def custom_values_clean(
    on: str,
    values: Any,
    *,
    current: dict | None = None,
    definitions: Iterable[CustomField] | None = None,
) -> dict:
    """The ``custom`` column of an object of kind ``on`` after writing ``values`` over ``current``
    (``{"<slug>": value}``; a null or empty value clears that field; fields not named keep their
    value). Every value is checked against its active definition; a required field must end with
    a value. Raises :class:`CustomValuesInvalid` naming each bad field (an unknown or inactive
    slug, a value of the wrong kind, a choice not in the list, a required field left empty)."""
    if definitions is None:
        definitions = custom_definitions(on)
    by_slug = {d.slug: d for d in definitions if d.on == on and d.active}
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise CustomValuesInvalid({"": [_('Give an object: {"<field>": value}.')]})
    errors: dict[str, list[str]] = {}
    result = dict(current or {})
    for slug, raw in values.items():
        field = by_slug.get(slug)
        if field is None:
            errors[str(slug)] = [
                _("No such field; valid fields: %(valid)s.") % {"valid": ", ".join(sorted(by_slug)) or "-"}
            ]
            continue
        try:
            value = _clean_one(field, raw)
        except ValueError as exc:
            errors[slug] = [str(exc)]
            continue
        if value is None:
            result.pop(slug, None)
        else:
            result[slug] = value
    for slug, field in by_slug.items():
        if field.required and slug not in result and slug not in errors:
            errors[slug] = [_("This field is required.")]
    if errors:
        raise CustomValuesInvalid(errors)
    return result


def custom_value_from_text(field: CustomField, text: str) -> Any:
    """A spreadsheet cell's text as a value :func:`custom_values_clean` reads: yes/no words, a list
    separated by ``;`` (as the import's other lists), numbers and dates as written."""
    text = (text or "").strip()
    if not text:
        return None
    if field.kind == CustomField.Kind.YES_NO:
        word = text.lower()
        if word in ("yes", "y", "true", "1"):
            return True
        if word in ("no", "n", "false", "0"):
            return False
        return text  # refused by the check, with its message
    if field.kind == CustomField.Kind.SEVERAL_OF:
        return [v.strip() for v in text.split(";") if v.strip()]
    return text


def custom_value_to_text(field: CustomField, value: Any) -> str:
    """A stored value as a spreadsheet cell (the import reads it back unchanged)."""
    if value is None:
        return ""
    if field.kind == CustomField.Kind.YES_NO:
        return "yes" if value else "no"
    if field.kind == CustomField.Kind.SEVERAL_OF:
        return ";".join(value)
    return str(value)


def custom_facts(values: dict | None, definitions: Iterable[CustomField], on: str) -> list[tuple[str, str]]:
    """``(label, value)`` as people read them, for the active fields of ``on`` objects that hold a
    value (the detail pages)."""
    values = values or {}
    return [
        (d.label(), d.value_text(values[d.slug]))
        for d in definitions
        if d.on == on and d.active and values.get(d.slug) not in (None, "", [])
    ]


def custom_facet_keys(values: dict | None, definitions: Iterable[CustomField]) -> list[str]:
    """The facet keys of ``values`` (``custom.<slug>=<value>``) for the active list and yes/no
    fields among ``definitions``, sorted."""
    from ..facets import facet_key

    keys = []
    values = values or {}
    for field in definitions:
        if not (field.active and field.is_facet) or field.slug not in values:
            continue
        value = values[field.slug]
        if field.kind == CustomField.Kind.YES_NO:
            keys.append(facet_key(field.key, "yes" if value else "no"))
        elif field.kind == CustomField.Kind.ONE_OF:
            keys.append(facet_key(field.key, value))
        else:
            keys += [facet_key(field.key, v) for v in value]
    return sorted(keys)


# --- Definitions -----------------------------------------------------------------------------


def _clean_choices(kind: str, choices: Any) -> list[dict]:
    if kind not in (CustomField.Kind.ONE_OF, CustomField.Kind.SEVERAL_OF):
        if choices:
            raise ValidationError({"choices": _("Only a list field has choices.")})
        return []
    if not isinstance(choices, list) or not choices:
        raise ValidationError({"choices": _("A list field needs at least one choice.")})
    if len(choices) > MAX_CHOICES:
        raise ValidationError({"choices": _("At most %(n)s choices.") % {"n": MAX_CHOICES}})
    cleaned, seen = [], set()
    for choice in choices:
        if isinstance(choice, str):
            choice = {"value": choice, "labels": {"en": choice}}
        if not isinstance(choice, dict):
            raise ValidationError({"choices": _('Each choice is {"value": ..., "labels": {"en": ...}}.')})
        value = str(choice.get("value") or "").strip()
        if not CHOICE_VALUE.match(value):
            raise ValidationError(
                {
                    "choices": _(
                        "%(value)s: a choice's value is lower-case letters, digits, _ or - (at most 40)."
                    )
                    % {"value": repr(value)}
                }
            )
        if value in seen:
            raise ValidationError({"choices": _("%(value)s appears twice.") % {"value": repr(value)}})
        seen.add(value)
        labels = choice.get("labels") or {}
        if not isinstance(labels, dict):
            raise ValidationError({"choices": _("A choice's labels are an object by language.")})
        labels = {
            lang: str(labels[lang]).strip()[:100]
            for lang in CUSTOM_LANGUAGES
            if isinstance(labels.get(lang), str) and labels[lang].strip()
        }
        labels.setdefault("en", value)
        cleaned.append({"value": value, "labels": labels})
    return cleaned


def _values_in_use(field: CustomField, removed: set[str]) -> set[str]:
    """Which of the ``removed`` choices some object still holds (one query per choice, on the GIN
    index: ``custom @> {"slug": value}``)."""
    model = OWNER_MODELS[field.on]
    used = set()
    for value in removed:
        stored = [value] if field.kind == CustomField.Kind.SEVERAL_OF else value
        if model.objects.filter(custom__contains={field.slug: stored}).exists():
            used.add(value)
    return used


EDITABLE = ("label_en", "label_de", "label_fr", "label_es", "choices", "required", "position", "active")


@transaction.atomic
def custom_field_create(*, actor=None, **data: Any) -> CustomField:
    """Define a new field. Its slug and kind are fixed from then on (values and criteria name them)."""
    field = CustomField(**{k: v for k, v in data.items() if k != "choices"})
    field.choices = _clean_choices(field.kind, data.get("choices") or [])
    field.full_clean()
    field.save()
    return field


@transaction.atomic
def custom_field_update(*, field: CustomField, actor=None, **data: Any) -> CustomField:
    """Change a field's labels, choices, required flag, position or whether it is active. A choice
    some object still holds cannot be removed (change those values first); the profiles holding
    the field get their facet keys again when its choices or its active flag change."""
    field = CustomField.objects.select_for_update().get(pk=field.pk)
    for name in ("slug", "kind", "on"):
        if name in data and data[name] != getattr(field, name):
            raise ValidationError({name: _("Fixed once the field exists; define a new field instead.")})
    before = (field.active, list(field.choice_values()))
    for name in EDITABLE:
        if name in data:
            setattr(field, name, data[name])
    if "choices" in data:
        field.choices = _clean_choices(field.kind, data["choices"])
        removed = set(before[1]) - set(field.choice_values())
        in_use = _values_in_use(field, removed) if removed else set()
        if in_use:
            raise ValidationError(
                {
                    "choices": _("Still held by some records: %(values)s. Change those values first.")
                    % {"values": ", ".join(sorted(in_use))}
                }
            )
    field.full_clean()
    field.save()
    if field.is_facet and before != (field.active, field.choice_values()):
        custom_field_refresh(field)
    return field


def custom_field_refresh(field: CustomField) -> int:
    """Rebuild the facet keys of every profile that holds a value of ``field`` (on itself, its
    customer or its contact, ``CustomField.holder``): the profiles are found in one statement
    (``custom ? slug``), then refreshed in chunks of 500 (``search_documents_refresh``). Run when a
    definition's choices or its active flag change, which is rare; values written by forms, the API
    and the import refresh their own profiles."""
    from .inventory import search_documents_refresh

    holding = ReferenceProfile.objects.filter(**{f"{field.holder}__has_key": field.slug})
    pks = list(holding.values_list("pk", flat=True).order_by("pk"))
    for start in range(0, len(pks), 500):
        search_documents_refresh(profile_ids=pks[start : start + 500])
    return len(pks)
