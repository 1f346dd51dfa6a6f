"""The period a dashboard looks at, and the previous period of the same length it is
compared with.

A period is a range of whole days, both ends included, in the project's time zone. Presets:
the last 30, 90 or 365 days (ending today), the current quarter to date, or a custom range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from refprogram.validators import validate_date_in_range

PRESETS = {
    "30d": _("Last 30 days"),
    "90d": _("Last 90 days"),
    "365d": _("Last 365 days"),
    "quarter": _("This quarter"),
    "custom": _("Custom"),
}
DEFAULT_PRESET = "90d"
MAX_DAYS = 3660


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    preset: str = "custom"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end, self.preset)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start of the first day, start of the day after the last) as aware datetimes."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end

    def as_params(self) -> dict[str, str]:
        if self.preset != "custom":
            return {"preset": self.preset}
        return {"preset": "custom", "from": self.start.isoformat(), "to": self.end.isoformat()}


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _parse_date(raw: str, field: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({field: _("Enter a date as YYYY-MM-DD.")}) from None
    try:
        validate_date_in_range(day)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return day


def period_from_params(params, today: dt.date | None = None) -> Period:
    """Read ``preset`` and ``from``/``to`` (YYYY-MM-DD) from query parameters.

    Giving ``from`` or ``to`` without a preset means a custom range; a missing end defaults to
    today, a missing start to 30 days before the end. Raises ``ValidationError`` with field
    errors for bad input.
    """
    today = today or timezone.localdate()
    raw_from, raw_to = (params.get("from") or "").strip(), (params.get("to") or "").strip()
    preset = (params.get("preset") or "").strip() or ("custom" if raw_from or raw_to else DEFAULT_PRESET)
    if preset not in PRESETS:
        raise ValidationError({"preset": _("Choose one of: %(valid)s.") % {"valid": ", ".join(PRESETS)}})
    if preset == "custom":
        end = _parse_date(raw_to, "to") if raw_to else today
        start = _parse_date(raw_from, "from") if raw_from else end - dt.timedelta(days=29)
        if start > end:
            raise ValidationError({"from": _("The start must be on or before the end.")})
        if (end - start).days + 1 > MAX_DAYS:
            raise ValidationError(
                {"from": _("A period can be at most %(days)s days long.") % {"days": MAX_DAYS}}
            )
        return Period(start, end, "custom")
    if preset == "quarter":
        return Period(quarter_start(today), today, preset)
    days = int(preset.rstrip("d"))
    return Period(today - dt.timedelta(days=days - 1), today, preset)
