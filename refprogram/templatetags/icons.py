"""The product's own icons (``static/img/icons.svg``), beside a word, never instead of one:
``{% load icons %}{% icon "queue" %}Request queue``. Decorative, so hidden from screen readers."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

ICONS = frozenset(
    {"home", "queue", "catalog", "inventory", "nominate", "approvals", "dashboard", "alert", "clock", "check"}
)


@register.simple_tag
def icon(name: str) -> str:
    """An inline ``<svg>`` that uses the named symbol of the sprite; an unknown name is a mistake."""
    if name not in ICONS:
        raise template.TemplateSyntaxError(f"No icon named {name!r}.")
    return format_html(
        '<svg class="icon" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        static("img/icons.svg"),
        name,
    )
