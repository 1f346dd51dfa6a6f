"""Pages of a person's consents: the consent box (the reference manager records how and when a
person consented, or a withdrawal they asked for by phone) and the person's own "withdraw or
leave" page, reached without logging in from the link at the foot of every e-mail we send them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache

from accounts import permissions as perms
from refprogram import links
from refprogram.errors import RuleViolation
from refprogram.i18n import contact_language
from refprogram.views import add_service_errors, capability_required

from .. import services
from ..consent_forms import ConsentRecordForm, EraseForm, WithdrawalForm
from ..models import Contact


def _contact(request, pk) -> Contact:
    return get_object_or_404(Contact.objects.visible_to(request.user).select_related("customer"), pk=pk)


def consent_box_context(contact: Contact) -> dict:
    """What the consent box shows: every record of the person (withdrawn and expired ones too)."""
    consents = contact.consents.select_related("recorded_by").order_by("scope", "-given_on", "-id")
    return {"consent_contact": contact, "consents": list(consents)}


@capability_required(perms.VIEW_INVENTORY)
def contact_consents(request, pk):
    """The person's consent records, and (for those who change the inventory) the forms to record
    a consent or a withdrawal they asked for."""
    contact = _contact(request, pk)
    can_change = perms.has_capability(request.user, perms.CHANGE_INVENTORY)
    form = ConsentRecordForm(initial={"given_on": timezone.localdate()})
    withdraw_form = WithdrawalForm(on_their_behalf=True)
    status = 200
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if request.POST.get("action") == "withdraw":
            withdraw_form = WithdrawalForm(request.POST, on_their_behalf=True)
            if withdraw_form.is_valid():
                try:
                    services.consent_withdraw(
                        contact=contact,
                        scopes=withdraw_form.cleaned_data["scopes"],
                        leave_program=withdraw_form.cleaned_data["leave_program"],
                        via=f"recorded by {request.user.get_full_name() or request.user.username}",
                    )
                except (ValidationError, RuleViolation) as exc:
                    add_service_errors(withdraw_form, exc)
                else:
                    messages.success(request, f"{contact.name}'s withdrawal is recorded and in effect.")
                    return redirect("contact-consents", pk=contact.pk)
        else:
            form = ConsentRecordForm(request.POST)
            if form.is_valid():
                try:
                    services.consent_record(contact=contact, by=request.user, **form.cleaned_data)
                except (ValidationError, RuleViolation) as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, f"{contact.name}'s consent is recorded.")
                    return redirect("contact-consents", pk=contact.pk)
        messages.error(request, "Please correct the errors below.")
        status = 400
    context = {
        "contact": contact,
        "profile": contact.profiles.first(),
        "can_change": can_change,
        "form": form,
        "withdraw_form": withdraw_form,
        **consent_box_context(contact),
    }
    return render(request, "references/contact_consents.html", context, status=status)


@capability_required(perms.CHANGE_INVENTORY)
def contact_erase_page(request, pk):
    """Erase the person, confirmed by typing their name: irreversible."""
    contact = _contact(request, pk)
    if contact.erased_at:
        messages.info(request, "This contact is already erased.")
        return redirect("contact-consents", pk=contact.pk)
    form = EraseForm(request.POST if request.method == "POST" else None, contact_name=contact.name)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.contact_erase(contact=contact, reason=form.cleaned_data["reason"], by=request.user)
            except (ValidationError, RuleViolation) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, f"The contact is erased: it now reads {services.erased_placeholder(contact.pk)}."
                )
                return redirect("contact-consents", pk=contact.pk)
        messages.error(request, "Please correct the errors below.")
    status = 400 if request.method == "POST" else 200
    return render(request, "references/contact_erase.html", {"contact": contact, "form": form}, status=status)


def _link_render(request, template: str, ctx: dict, status: int = 200):
    return links.link_headers(render(request, template, ctx, status=status))


@never_cache
def withdrawal_page(request, token: str):
    """The person's own page (no log-in): withdraw any consent, or leave the program. A GET
    shows; only a POST withdraws, at once, and the link is then spent."""
    try:
        link = services.withdrawal_link_get(token=token)
    except links.LinkInvalid as exc:
        return _link_render(request, "requests_app/link_invalid.html", {"message": exc.message}, exc.status)
    with translation.override(contact_language(link.contact)):
        return _withdrawal_answer(request, token, link)


def _withdrawal_answer(request, token: str, link):
    """The withdrawal page in the contact's language (``refprogram.i18n``)."""
    contact = link.contact
    form = WithdrawalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            withdrawal = services.withdrawal_by_link(
                token=token,
                scopes=form.cleaned_data["scopes"],
                leave_program=form.cleaned_data["leave_program"],
            )
        except links.LinkInvalid as exc:
            return _link_render(
                request, "requests_app/link_invalid.html", {"message": exc.message}, exc.status
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _link_render(request, "references/withdrawal_done.html", {"withdrawal": withdrawal})
    today = timezone.localdate()
    given = sorted({c.get_scope_display() for c in contact.consents.valid(today)})
    ctx = {"form": form, "contact_name": contact.name, "customer": contact.customer.name, "given": given}
    return _link_render(
        request, "references/withdrawal.html", ctx, status=400 if request.method == "POST" else 200
    )


urlpatterns: list = [
    path("contacts/<int:pk>/consents/", contact_consents, name="contact-consents"),
    path("contacts/<int:pk>/erase/", contact_erase_page, name="contact-erase"),
    path("withdraw/<str:token>/", withdrawal_page, name="consent-withdrawal"),
]
