"""``{% holds_box customer=… %}`` / ``{% holds_box profile=… %}``: the holds in force or to come
on a customer or a reference (and its whole customer), with "Put on hold" and "End hold" for the
people allowed to (a manager, the account owner). The customer and profile pages (references,
an app below the ledger) show it without importing the ledger."""

from __future__ import annotations

from django import template
from django.utils import timezone

from accounts import permissions as perms

from .. import holds, selectors

register = template.Library()


@register.inclusion_tag("ledger/_holds.html", takes_context=True)
def holds_box(context, customer=None, profile=None):
    request = context["request"]
    user = request.user
    customer = customer or profile.customer
    today = timezone.localdate()
    # Shown to whoever may see the customer's holds (``Hold.objects.visible_to``): the inventory
    # roles and the account owner; others see only the capacity's "On hold".
    shown = perms.has_capability(user, perms.VIEW_INVENTORY) or customer.account_owner_id == user.pk
    found = (
        holds.holds_of_profile(profile, today=today)
        if profile
        else holds.holds_of_customer(customer, today=today)
    )
    rows = list(found) if shown else []  # both see every hold of this customer
    return {
        "shown": shown,
        "request": request,
        "customer": customer,
        "profile": profile,
        "holds": rows,
        "today": today,
        "can_manage": holds.can_manage(user, customer),
        "can_see_asks": selectors.may_see_customer_asks(user, customer),
        "csrf_token": context.get("csrf_token"),
    }
