"""Numbers as people read them: durations in days and hours, money with its currency and
thousands separators, sentences that end once. Pages, e-mails and the dashboard use these, never
raw hours or decimals."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def hours_in_words(hours: int | float | None) -> str:
    """``245`` → "10 days 5 hours"; ``5`` → "5 hours"; ``48`` → "2 days". Negative counts as its size."""
    if hours is None:
        return "—"
    hours = abs(int(hours))
    days, rest = divmod(hours, 24)
    if not days:
        return _plural(rest, "hour")
    return _plural(days, "day") + (f" {_plural(rest, 'hour')}" if rest else "")


def money(amount: Decimal | float | int | None, currency: str | None = None) -> str:
    """``Decimal("1234000")`` → "USD 1,234,000"; cents only when there are any."""
    if amount is None or amount == "":
        return "—"
    currency = currency or settings.PROGRAM_CURRENCY
    value = Decimal(str(amount))
    text = f"{value:,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    return f"{currency} {text}"


def sentence(text: str) -> str:
    """End a sentence with one full stop: "… with Acme Inc." stays as it is (not "Inc.."),
    "… with Acme" gets its stop; a question or exclamation keeps its own mark."""
    text = str(text).rstrip()
    if not text or text[-1] in ".!?…":
        return text
    return f"{text}."
