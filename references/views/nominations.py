"""Pages: nominate a customer, the vetting queue, vet / accept / reject a nomination."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from refprogram.errors import RuleViolation
from refprogram.views import add_service_errors, capability_required, paginate, posted

from .. import services
from ..choices import NOMINATION_AGING_DAYS, NominationStatus
from ..filters import NominationFilter
from ..forms import (
    NominationAcceptForm,
    NominationForm,
    NominationRejectForm,
    NominationVetForm,
    style_filter_form,
)
from ..models import Contact, Customer, Nomination

CUSTOMER_MATCHES = 25


@capability_required(perms.NOMINATE)
def nomination_new(request):
    """Step 1: find the customer (search). Step 2: who, where the idea came from, and why."""
    user = request.user
    customers = Customer.objects.visible_to(user)
    customer_id = request.POST.get("customer") or request.GET.get("customer")
    customer = None
    if customer_id and str(customer_id).isdigit():
        customer = customers.select_related("account_owner").filter(pk=customer_id).first()
    if customer is None:
        query = request.GET.get("q", "").strip()[:100]
        matches = customers.select_related("industry", "region")
        if query:
            matches = matches.filter(Q(name__icontains=query) | Q(crm_id__iexact=query))
        else:
            matches = matches.filter(account_owner=user)
        return render(
            request,
            "references/nomination_customer.html",
            {"query": query, "matches": list(matches[:CUSTOMER_MATCHES]), "limit": CUSTOMER_MATCHES},
        )
    contacts = Contact.objects.visible_to(user).filter(customer=customer, profiles__isnull=True)
    form = NominationForm(
        posted(request),
        customers=customers,
        contacts=contacts,
        owners=services.nomination_owner_choices(user=user, customer=customer),
        initial={"customer": customer.pk, "account_owner": customer.account_owner_id},
    )
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                nomination = services.nomination_submit(
                    nominated_by=user,
                    customer=data["customer"],
                    contact=data.get("contact"),
                    contact_name=data["contact_name"],
                    contact_title=data["contact_title"],
                    contact_email=data["contact_email"],
                    contact_seniority=data["contact_seniority"],
                    source=data["source"],
                    reason=data["reason"],
                    products=data["products"],
                    account_owner=data["account_owner"],
                )
            except (ValidationError, RuleViolation) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Thank you: your nomination of %(customer)s was sent for vetting.")
                    % {"customer": customer},
                )
                return redirect("nomination-detail", pk=nomination.pk)
        messages.error(request, _("Please correct the errors below."))
    return render(request, "references/nomination_form.html", {"form": form, "customer": customer})


@capability_required(perms.NOMINATE)
def nomination_list(request):
    """The vetting queue (open first, oldest first) for vetters; one's own nominations for others."""
    user = request.user
    vetter = perms.has_capability(user, perms.VET_NOMINATIONS)
    base = Nomination.objects.visible_to(user)
    filterset = NominationFilter(request.GET or None, queryset=base, request=request)
    style_filter_form(filterset.form, checkboxes=("status", "source"))
    queryset = (
        filterset.qs.select_related("customer__industry", "customer__region", "nominated_by", "account_owner")
        .prefetch_related("products")
        .annotate(
            open_first=Case(
                When(status__in=(NominationStatus.SUBMITTED, NominationStatus.VETTING), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "created_at", "id")
    )
    page = paginate(request, queryset)
    return render(
        request,
        "references/nomination_list.html",
        {"filter": filterset, "page": page, "vetter": vetter, "aging_days": NOMINATION_AGING_DAYS},
    )


def _visible_nomination(request, pk) -> Nomination:
    queryset = Nomination.objects.visible_to(request.user).select_related(
        "customer__industry",
        "customer__region",
        "customer__account_owner",
        "contact",
        "nominated_by",
        "account_owner",
        "decided_by",
        "profile",
    )
    return get_object_or_404(queryset, pk=pk)


@capability_required(perms.NOMINATE)
def nomination_detail(request, pk, vet_form=None, reject_form=None, accept_form=None):
    nomination = _visible_nomination(request, pk)
    vetter = perms.has_capability(request.user, perms.VET_NOMINATIONS)
    context = {
        "nomination": nomination,
        "vetter": vetter and nomination.is_open,
        "vet_form": vet_form or NominationVetForm(instance=nomination),
        "reject_form": reject_form or NominationRejectForm(),
        "accept_form": accept_form or NominationAcceptForm(),
        "missing_checks": services.nomination_missing_checks(nomination) if nomination.is_open else [],
        "show_pii": perms.has_capability(request.user, perms.VIEW_CONTACT_PII),
        "aging_days": NOMINATION_AGING_DAYS,
    }
    return render(request, "references/nomination_detail.html", context)


@capability_required(perms.VET_NOMINATIONS)
@require_POST
def nomination_vet(request, pk):
    nomination = _visible_nomination(request, pk)
    form = NominationVetForm(request.POST, instance=nomination)
    if form.is_valid():
        try:
            services.nomination_vet(nomination=nomination, actor=request.user, **form.cleaned_data)
        except (ValidationError, RuleViolation) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Vetting checks saved."))
            return redirect("nomination-detail", pk=pk)
    messages.error(request, _("The vetting checks were not saved."))
    nomination.refresh_from_db()
    return nomination_detail(request, pk, vet_form=form)


@capability_required(perms.VET_NOMINATIONS)
@require_POST
def nomination_accept(request, pk):
    nomination = _visible_nomination(request, pk)
    form = NominationAcceptForm(request.POST)
    if form.is_valid():
        try:
            profile = services.nomination_accept(
                nomination=nomination,
                actor=request.user,
                note=form.cleaned_data["note"],
                activity_types=form.cleaned_data["activity_types"],
            )
        except (ValidationError, RuleViolation) as exc:
            if not nomination.is_open:  # decided meanwhile: nothing left to fill in
                messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
                return redirect("nomination-detail", pk=pk)
            add_service_errors(form, exc)
    if form.errors:
        messages.error(request, _("The nomination was not accepted."))
        return nomination_detail(request, pk, accept_form=form)
    messages.success(
        request, _("Nomination accepted: the new reference profile is active. Complete its story.")
    )
    return redirect("profile-detail", pk=profile.pk)


@capability_required(perms.VET_NOMINATIONS)
@require_POST
def nomination_reject(request, pk):
    nomination = _visible_nomination(request, pk)
    form = NominationRejectForm(request.POST)
    if form.is_valid():
        try:
            services.nomination_reject(
                nomination=nomination, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, RuleViolation) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Nomination rejected."))
            return redirect("nomination-list")
    messages.error(request, _("Say why the nomination is rejected."))
    return nomination_detail(request, pk, reject_form=form)


urlpatterns: list = [
    path("nominations/", nomination_list, name="nomination-list"),
    path("nominations/new/", nomination_new, name="nomination-new"),
    path("nominations/<int:pk>/", nomination_detail, name="nomination-detail"),
    path("nominations/<int:pk>/vet/", nomination_vet, name="nomination-vet"),
    path("nominations/<int:pk>/accept/", nomination_accept, name="nomination-accept"),
    path("nominations/<int:pk>/reject/", nomination_reject, name="nomination-reject"),
]
