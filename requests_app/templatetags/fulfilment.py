"""Template filters of the request page's candidate rows."""

from django import template

register = template.Library()


@register.filter
def contact_visible_to(candidate, user) -> bool:
    """``{% if c|contact_visible_to:user %}``: the one rule, ``Candidate.contact_visible_to``."""
    return candidate.contact_visible_to(user)
