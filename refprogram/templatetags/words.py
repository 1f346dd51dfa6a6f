"""Template filters for numbers as people read them (``refprogram.words``):
``{% load words %}{{ hours|hours_in_words }}``, ``{{ amount|money }}``, ``{{ text|sentence }}``."""

from django import template

from refprogram import words

register = template.Library()
register.filter("hours_in_words", words.hours_in_words)
register.filter("money", words.money)
register.filter("sentence", words.sentence)
