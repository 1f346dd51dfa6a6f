"""Formatting of dashboard figures: "—" where there is nothing to show."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from refprogram import words

register = template.Library()


@register.filter
def metric(value, kind: str = "num") -> str:
    """Format one figure by its kind; ``None`` (nothing to divide by) is an em dash."""
    if value is None or value == "":
        return "—"
    if kind == "pct":
        return f"{float(value) * 100:.1f} %"
    if kind == "days":
        return f"{float(value):.1f} d"
    if kind == "money":
        return words.money(value)
    if kind == "int":
        return intcomma(int(value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@register.filter
def delta(current, previous) -> str:
    """Change against the previous period, signed; "—" when either side is missing."""
    if current is None or previous is None:
        return "—"
    diff = float(current) - float(previous)
    if diff == 0:
        return "±0"
    return f"{diff:+g}"
