"""Numbers as people read them, in the reader's language: money takes the language's separators
(English stays "USD 1,234,000"); durations say "hour"/"hours" through the catalogs' plural forms."""

from decimal import Decimal

import pytest
from django.utils import translation

from refprogram.words import hours_in_words, money


@pytest.mark.parametrize(
    "language,amount,text",
    [("en", Decimal("1234567.5"), "EUR 1,234,567.50"), ("de", Decimal("1234567.5"), "EUR 1.234.567,50"),
     ("de", Decimal("250000"), "EUR 250.000"), ("fr", Decimal("1234567.5"), "EUR 1\xa0234\xa0567,50"),
     ("es", Decimal("250000.00"), "EUR 250\xa0000"), ("de", 0, "EUR 0")],
)  # fmt: skip
def test_money_takes_the_readers_separators(settings, language, amount, text):
    settings.PROGRAM_CURRENCY = "EUR"
    with translation.override(language):
        assert money(amount) == text


def test_english_durations_keep_their_singular_and_plural():
    with translation.override("en"):
        assert [hours_in_words(h) for h in (1, 2, 24, 49)] == ["1 hour", "2 hours", "1 day", "2 days 1 hour"]
