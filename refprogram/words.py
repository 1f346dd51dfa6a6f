"""Numbers as people read them: durations in days and hours, money with its currency and
thousands separators, sentences that end once. Pages, e-mails and the dashboard use these, never
raw hours or decimals. Words and separators follow the reader's language ("2 Tage", "USD 1.234.000"
in German); English reads as below."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import formats
from django.utils.translation import ngettext


def _hours(n: int) -> str:
    return ngettext("%(count)s hour", "%(count)s hours", n) % {"count": n}


def _days(n: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", n) % {"count": n}


def hours_in_words(hours: int | float | None) -> str:
    """``245`` → "10 days 5 hours"; ``5`` → "5 hours"; ``48`` → "2 days". Negative counts as its size."""
    if hours is None:
        return "—"
    hours = abs(int(hours))
    days, rest = divmod(hours, 24)
    if not days:
        return _hours(rest)
    return _days(days) + (f" {_hours(rest)}" if rest else "")


def money(amount: Decimal | float | int | None, currency: str | None = None) -> str:
    """``Decimal("1234000")`` → "USD 1,234,000"; cents only when there are any. The separators are
    the reader's language's ("USD 1.234.000,50" in German)."""
    if amount is None or amount == "":
        return "—"
    currency = currency or settings.PROGRAM_CURRENCY
    value = Decimal(str(amount))
    text = formats.number_format(value, decimal_pos=2, force_grouping=True)
    whole = formats.get_format("DECIMAL_SEPARATOR") + "00"
    if text.endswith(whole):
        text = text[: -len(whole)]
    return f"{currency} {text}"


def sentence(text: str) -> str:
    """End a sentence with one full stop: "… with Acme Inc." stays as it is (not "Inc.."),
    "… with Acme" gets its stop; a question or exclamation keeps its own mark."""
    text = str(text).rstrip()
    if not text or text[-1] in ".!?…":
        return text
    return f"{text}."
