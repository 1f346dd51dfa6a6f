"""Numbers as people read them: durations in days and hours, money with currency and separators."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from refprogram.words import hours_in_words, money, sentence


@pytest.mark.parametrize(
    "hours,words",
    [(0, "0 hours"), (1, "1 hour"), (5, "5 hours"), (24, "1 day"), (48, "2 days"), (245, "10 days 5 hours"),
     (-245, "10 days 5 hours"), (25, "1 day 1 hour"), (None, "—")],
)  # fmt: skip
def test_hours_in_words(hours, words):
    assert hours_in_words(hours) == words


@pytest.mark.parametrize(
    "amount,text",
    [(Decimal("1234000"), "USD 1,234,000"), (Decimal("1234.5"), "USD 1,234.50"), (0, "USD 0"), (None, "—")],
)
def test_money(amount, text, settings):
    settings.PROGRAM_CURRENCY = "USD"
    assert money(amount) == text


def test_money_follows_the_programs_currency(settings):
    settings.PROGRAM_CURRENCY = "EUR"
    assert money(Decimal("250000")) == "EUR 250,000"


def test_the_filters_in_a_template():
    html = Template("{% load words %}{{ h|hours_in_words }} · {{ a|money }}").render(
        Context({"h": 245, "a": Decimal("90000.00")})
    )
    assert html == "10 days 5 hours · USD 90,000"


@pytest.mark.parametrize(
    "text,ended",
    [("A call with Acme", "A call with Acme."), ("A call with Acme Inc.", "A call with Acme Inc."),
     ("Could you nudge them?", "Could you nudge them?"), ("Wait!", "Wait!"),
     ("with Acme Inc.  ", "with Acme Inc."), ("", "")],
)  # fmt: skip
def test_a_sentence_ends_once(text, ended):
    assert sentence(text) == ended


def test_the_sentence_filter_in_a_template():
    html = Template("{% load words %}Proposed for {{ p|sentence }}").render(Context({"p": "Globex Inc."}))
    assert html == "Proposed for Globex Inc."
