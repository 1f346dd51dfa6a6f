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
    if kind == "share":  # already a percentage
        return f"{float(value):.1f} %"
    if kind == "points":  # a difference of percentages
        return (
            "on target"
            if float(value) == 0
            else f"{abs(float(value)):.1f} points {'above' if value > 0 else 'below'}"
        )
    if kind == "short":
        return "—" if not value else f"short by {intcomma(int(value))}"
    if kind in ("ratio", "rating"):
        return f"{float(value):.1f}"
    if kind == "link":
        return value.get("text") or "—"
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


@register.inclusion_tag("reporting/_trend.html")
def trend(current, previous, kind: str = "int", better: str = "up"):
    """The change against the previous period in words, with its direction and whether it is
    good news: "up 5.0 points from 62.0 %", "down 1.5 days from 9.0 d", "no change"."""
    if current is None or previous is None:
        return {"text": "no previous figure" if previous is None else "", "direction": "none", "good": None}
    cur, prev = float(current), float(previous)
    diff = cur - prev
    if abs(diff) < 1e-9:
        return {"text": f"no change from {metric(previous, kind)}", "direction": "flat", "good": None}
    direction = "up" if diff > 0 else "down"
    if kind == "pct":
        size = f"{abs(diff) * 100:.1f} points"
    elif kind == "days":
        size = f"{abs(diff):.1f} days"
    elif kind == "money":
        size = words.money(abs(diff))
    else:
        size = intcomma(int(abs(diff))) if float(abs(diff)).is_integer() else f"{abs(diff):.1f}"
    return {
        "text": f"{direction} {size} from {metric(previous, kind)}",
        "direction": direction,
        "good": (direction == better),
    }
