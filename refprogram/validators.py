"""Bounds on what people may type, in one place for the API, the pages and the CSV import.

- Dates: every date or date-time a user sends lies between 1 January 2000 and 31 December 2100.
  Outside that range nothing in the product makes sense, and date arithmetic near year 1 or 9999
  (a request's start-by is its needed-by minus a lead time) overflows.
- Names: a name, title or other one-line text holds no control characters (Unicode category Cc:
  NUL, tab, line feed, carriage return, escape…) and no line or paragraph separator (U+2028,
  U+2029). A line break in a customer's name would break an email subject or a CSV row; notes
  and other multi-line text keep their line breaks.

Each rule is a plain Django validator (raises ``django.core.exceptions.ValidationError``), so a
Django form field, a DRF serializer field (DRF turns the error into a 400 field error) and the
import (which reports it on the row) all call the same function. ``bound_fields`` attaches them
to a form's or serializer's fields.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import serializers

__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "DATE_RANGE_MESSAGE",
    "NUL_MESSAGE",
    "BoundedFormMixin",
    "BoundedSerializerMixin",
    "bound_fields",
    "control_character",
    "validate_date_in_range",
    "validate_no_nul",
    "validate_single_line",
]

DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
DATE_RANGE_MESSAGE = gettext_noop("Use a date from 2000-01-01 to 2100-12-31.")  # said with gettext
NUL_MESSAGE = gettext_noop("Contains a NUL character; remove it.")
_SEPARATORS = {"\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR"}


def validate_date_in_range(value: dt.date | dt.datetime | None) -> None:
    """Refuse a date (or the day of a date-time) before 2000-01-01 or after 2100-12-31."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(_(DATE_RANGE_MESSAGE), code="date_out_of_range")


def control_character(value: str) -> str | None:
    """The first control character (category Cc) or line/paragraph separator in ``value``, or None."""
    for char in value:
        if char in _SEPARATORS or unicodedata.category(char) == "Cc":
            return char
    return None


def _describe(char: str) -> str:
    names = {"\x00": "NUL", "\t": _("tab"), "\n": _("line break"), "\r": _("carriage return")}
    name = names.get(char) or _SEPARATORS.get(char) or _("control character")
    return f"{name} (U+{ord(char):04X})"


def validate_single_line(value: Any) -> None:
    """Refuse a name or other one-line text holding a control character or a line separator."""
    if not isinstance(value, str):
        return
    char = control_character(value)
    if char is not None:
        raise ValidationError(
            _("Contains a %(character)s; use one line of plain text.") % {"character": _describe(char)},
            code="control_character",
        )


def validate_no_nul(value: Any) -> None:
    """Refuse text (multi-line text too) holding a NUL character, which PostgreSQL cannot store."""
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError(_(NUL_MESSAGE), code="nul_character")


_DATE_FIELDS = (forms.DateField, forms.DateTimeField, serializers.DateField, serializers.DateTimeField)


def bound_fields(fields: Mapping[str, Any], *, names: Iterable[str] = ()) -> None:
    """Attach the date range to every date and date-time field of a form or serializer, and the
    one-line rule to the fields named in ``names`` (each must exist: a typo is a bug)."""
    for field in fields.values():
        if isinstance(field, _DATE_FIELDS) and not getattr(field, "read_only", False):
            if validate_date_in_range not in field.validators:
                field.validators.append(validate_date_in_range)
    for name in names:
        field = fields[name]
        if validate_single_line not in field.validators:
            field.validators.append(validate_single_line)


class BoundedFormMixin:
    """A Django form whose dates are bounded and whose ``single_line_fields`` are one line."""

    single_line_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_fields(self.fields, names=self.single_line_fields)


class BoundedSerializerMixin:
    """A DRF serializer whose dates are bounded and whose ``single_line_fields`` are one line."""

    single_line_fields: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        bound_fields(fields, names=self.single_line_fields)
        return fields
