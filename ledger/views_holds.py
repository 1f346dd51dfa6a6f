"""Pages of holds and of a customer's asks: put a reference or a customer on hold, end a hold,
mark a renewal done (buttons on the customer and profile pages), and the customer "in their
words", everything asked of it, the page an account owner opens before a renewal call."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from references.models import Customer, ReferenceProfile
from refprogram.errors import RuleViolation
from refprogram.views import safe_next_url

from . import holds, selectors
from .models import Hold


class HoldForm(forms.Form):
    """Put on hold: why, and until when (from today unless a later start is given)."""

    reason = forms.CharField(max_length=300)
    starts_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    whole_customer = forms.BooleanField(required=False)


def _errors(exc: ValidationError | RuleViolation) -> str:
    if isinstance(exc, RuleViolation):
        return exc.message
    if hasattr(exc, "message_dict"):
        return " ".join(m for messages_ in exc.message_dict.values() for m in messages_)
    return " ".join(exc.messages)


def _back(request, customer: Customer | None = None, profile: ReferenceProfile | None = None) -> str:
    fallback = reverse("profile-detail", args=[profile.pk]) if profile else reverse("home")
    return safe_next_url(request, fallback)


@login_required
@require_POST
def hold_new(request):
    """The "Put on hold" form of a customer page (``customer``) or a profile page (``reference``;
    ``whole_customer`` holds its customer instead)."""
    profile = customer = None
    if request.POST.get("reference"):
        profile = get_object_or_404(
            ReferenceProfile.objects.visible_to(request.user).select_related("customer"),
            pk=_int(request.POST["reference"]),
        )
    elif request.POST.get("customer"):
        customer = get_object_or_404(
            Customer.objects.visible_to(request.user), pk=_int(request.POST["customer"])
        )
    else:
        raise Http404
    if not holds.can_manage(request.user, customer or profile.customer):
        raise PermissionDenied  # only a reference manager or the account owner
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Hold not set: %(errors)s")
            % {"errors": " ".join(e for errs in form.errors.values() for e in errs)},
        )
        return redirect(_back(request, customer, profile))
    data = form.cleaned_data
    if profile is not None and data["whole_customer"]:
        customer, held_profile = profile.customer, None
    else:
        held_profile = profile
    try:
        hold = holds.hold_create(
            actor=request.user,
            customer=customer if held_profile is None else None,
            reference=held_profile,
            reason=data["reason"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )
    except (ValidationError, RuleViolation) as exc:
        messages.error(request, _("Hold not set: %(errors)s") % {"errors": _errors(exc)})
    else:
        messages.success(request, f"{hold.sentence()}.")
    return redirect(_back(request, customer, profile))


@login_required
@require_POST
def hold_end(request, pk):
    """The "End hold" button: from today it no longer holds."""
    hold = get_object_or_404(
        Hold.objects.visible_to(request.user).select_related("reference__customer", "customer"), pk=pk
    )
    if not holds.can_manage(request.user, hold.customer_id or hold.reference.customer_id):
        raise PermissionDenied  # only a reference manager or the account owner
    try:
        holds.hold_end(hold=hold, actor=request.user, note=request.POST.get("note", ""))
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Hold ended: it can be asked again (if nothing else stands in the way)."))
    return redirect(_back(request))


@login_required
@require_POST
def renewal_done(request, pk):
    """Mark the customer's renewal done (optionally with the next renewal date): its hold ends."""
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
    if not holds.can_manage(request.user, customer):
        raise PermissionDenied  # only a reference manager or the account owner
    field = forms.DateField(required=False)
    try:
        next_renewal = field.clean(request.POST.get("next_renewal") or None)
        holds.customer_renewal_done(customer=customer, actor=request.user, next_renewal=next_renewal)
    except (ValidationError, RuleViolation) as exc:
        messages.error(request, _("Renewal not marked done: %(errors)s") % {"errors": _errors(exc)})
    else:
        messages.success(request, _("Renewal of %(name)s marked done.") % {"name": customer.name})
    return redirect(_back(request))


@login_required
def customer_asks(request, pk):
    """Everything asked of a customer, through all its contacts: when, whom, for what, who asked,
    what they answered and the feedback. For the ledger's readers and the account owner (404 for
    others: a page one may not see does not exist for them)."""
    customer = get_object_or_404(
        Customer.objects.visible_to(request.user).select_related("account_owner"), pk=pk
    )
    if not selectors.may_see_customer_asks(request.user, customer):
        raise Http404
    asks = selectors.customer_asks(customer=customer, viewer=request.user)
    return render(
        request,
        "ledger/customer_asks.html",
        {
            "customer": customer,
            "asks": asks,
            "limit": selectors.CUSTOMER_ASKS_LIMIT,
            "holds": list(holds.holds_of_customer(customer)),
        },
    )


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


urlpatterns = [
    path("holds/new/", hold_new, name="hold-new"),
    path("holds/<int:pk>/end/", hold_end, name="hold-end"),
    path("customers/<int:pk>/renewal-done/", renewal_done, name="customer-renewal-done"),
    path("customers/<int:pk>/asks/", customer_asks, name="customer-asks"),
]
