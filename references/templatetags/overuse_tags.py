"""Template tags of overuse protection: the account owner's re-confirmation tasks on the home page."""

from __future__ import annotations

from django import template
from django.utils import timezone

from ..models import ReferenceProfile, program_policy

register = template.Library()

TASKS_SHOWN = 20


@register.simple_tag(takes_context=True)
def reconfirm_tasks(context) -> dict:
    """Stale profiles of the customers the signed-in user owns: ``{"profiles", "more"}``.

    Two queries (the policy and the list), whatever the number of profiles.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"profiles": [], "more": False}
    today, policy = timezone.localdate(), program_policy()
    rows = list(
        ReferenceProfile.objects.in_catalog()
        .stale(today, policy)
        .filter(customer__account_owner=user)
        .select_related("customer", "contact")
        .order_by("last_validated", "customer__name", "id")[: TASKS_SHOWN + 1]
    )
    return {
        "profiles": rows[:TASKS_SHOWN],
        "more": len(rows) > TASKS_SHOWN,
        "stale_after_days": policy.stale_after_days,
        "cutoff": policy.stale_cutoff(today),
    }
