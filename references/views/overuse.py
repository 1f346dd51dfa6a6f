"""Pages of overuse protection: the usage ledger, the overuse policy, stale profiles and the
account owner's re-confirmation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.db.models import Q
from django.forms import modelformset_factory
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from refprogram.errors import RuleViolation

from .. import services
from ..choices import USAGE_TRANSITIONS, UsageStatus
from ..filters import UsageEntryFilter
from ..forms import add_service_errors, style_filter_form
from ..models import ActivityType, OverusePolicy, ReferenceProfile, UsageEntry
from .inventory import capability_required, paginate

LEDGER_PAGE_SIZE = 50


def _next_url(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


# --- Usage ledger ------------------------------------------------------------------------------


class UsageTransitionForm(forms.Form):
    to = forms.ChoiceField(choices=UsageStatus.choices)
    note = forms.CharField(required=False, max_length=2000)


@capability_required(perms.VIEW_USAGE)
def usage_list(request):
    """The usage ledger: every ask and use of a reference, filtered, newest first."""
    base = UsageEntry.objects.visible_to(request.user).select_related(
        "reference__contact", "customer", "activity_type", "asked_by"
    )
    filterset = UsageEntryFilter(request.GET or None, queryset=base, request=request)
    style_filter_form(
        filterset.form,
        checkboxes=("status",),
        labels={"override": "Manager override", "since": "From (date)", "until": "To (date)"},
    )
    for name in ("since", "until"):
        filterset.form.fields[name].widget = forms.DateInput(attrs={"type": "date"})
    entries = filterset.qs if filterset.is_bound else base
    if filterset.is_bound and not filterset.is_valid():
        entries = base.none()
    page = paginate(request, entries.order_by("-occurred_on", "-id"), per_page=LEDGER_PAGE_SIZE)
    can_transition = perms.has_capability(request.user, perms.RESERVE_CAPACITY)
    labels = dict(UsageStatus.choices)
    for entry in page.object_list:
        entry.next_statuses = [
            (status, labels[status])
            for status in UsageStatus.values
            if status in USAGE_TRANSITIONS.get(entry.status, set())
        ]
    return render(
        request,
        "references/usage_list.html",
        {"filter": filterset, "page": page, "can_transition": can_transition},
    )


@capability_required(perms.RESERVE_CAPACITY)
@require_POST
def usage_transition(request, pk):
    """A ledger row's button: the customer was asked, declined, did it; or the ask was withdrawn."""
    entry = get_object_or_404(UsageEntry.objects.visible_to(request.user), pk=pk)
    form = UsageTransitionForm(request.POST)
    back = _next_url(request, reverse("usage-list"))
    if not form.is_valid():
        messages.error(request, "Choose what became of the ask.")
        return redirect(back)
    try:
        entry = services.usage_transition(
            entry=entry, to=form.cleaned_data["to"], actor=request.user, note=form.cleaned_data["note"]
        )
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Ask #{entry.pk} is now {entry.get_status_display().lower()}.")
    return redirect(back)


# --- Overuse policy ------------------------------------------------------------------------------


class OverusePolicyForm(forms.ModelForm):
    class Meta:
        model = OverusePolicy
        fields = list(services.POLICY_FIELDS)
        labels = {
            "window_days": "Rolling window (days)",
            "reference_cap": "Cap per contact (points in the window)",
            "customer_cap": "Cap per customer, all contacts together (points in the window)",
            "rest_days": "Rest after each live activity (days)",
            "stale_after_days": "Stale after (days without re-confirmation or health check)",
            "near_cap_ratio": "Near the cap from (share of the cap, for metrics)",
        }
        help_texts = {
            "window_days": "Asks older than this no longer count against the caps. 1 to 730 days.",
            "reference_cap": "Default 6: three reference calls, or one case study or site visit. 1 to 100.",
            "customer_cap": "Default 8: about one call per quarter plus one heavy activity a year. 1 to 500.",
            "rest_days": "Default 30: nobody asks a contact again within a month of a call or visit. "
            "0 to 365 days.",
            "stale_after_days": "Default 180: love does not last forever; re-confirm twice a year. "
            "1 to 730 days.",
            "near_cap_ratio": "Default 0.75: references at 75% of their cap show as nearly full. "
            "0.05 to 1.00.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_fields(self.fields, services.POLICY_LIMITS)


def limit_fields(fields, limits: dict) -> None:
    """Give form fields the service's bounds: the browser's min/max and the same error as the API."""
    for name, (low, high) in limits.items():
        field = fields[name]
        field.validators += [MinValueValidator(low), MaxValueValidator(high)]
        field.widget.attrs.update(min=low, max=high)


class ActivityTypeForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_fields(self.fields, {"lead_time_days": (0, services.LEAD_TIME_MAX_DAYS)})


ActivityTypeFormSet = modelformset_factory(
    ActivityType,
    form=ActivityTypeForm,
    fields=["weight", "lead_time_days", "live"],
    extra=0,
    labels={"weight": "Weight (points)", "lead_time_days": "Lead time (days)", "live": "Live"},
)


@capability_required(perms.VIEW_INVENTORY)
def policy_edit(request):
    """The overuse policy and what each activity type costs; managers change it, others read it."""
    can_edit = perms.has_capability(request.user, perms.SET_POLICY)
    policy = OverusePolicy.current()
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = OverusePolicyForm(data, instance=policy)
    formset = ActivityTypeFormSet(data, queryset=ActivityType.objects.all(), prefix="types")
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
        for sub in formset.forms:
            for field in sub.fields.values():
                field.disabled = True
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                with transaction.atomic():
                    services.policy_update(
                        actor=request.user,
                        **{name: form.cleaned_data[name] for name in services.POLICY_FIELDS},
                    )
                    for sub in formset.forms:
                        if sub.has_changed():
                            services.activity_type_update(
                                actor=request.user,
                                activity_type=sub.instance,
                                weight=sub.cleaned_data["weight"],
                                lead_time_days=sub.cleaned_data["lead_time_days"],
                                live=sub.cleaned_data["live"],
                            )
            except (ValidationError, RuleViolation) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, "Overuse policy saved. References rest or wake to follow the new caps."
                )
                return redirect("policy-edit")
        messages.error(request, "Please correct the errors below.")
    return render(
        request,
        "references/policy_form.html",
        {"form": form, "formset": formset, "policy": policy, "can_edit": can_edit},
    )


# --- Staleness -----------------------------------------------------------------------------------


@capability_required(perms.CHANGE_INVENTORY)
def stale_list(request):
    """Profiles in the catalog whose validation or customer health is too old: nobody asks them
    until their account owner (or a manager) re-confirms."""
    today, policy = timezone.localdate(), OverusePolicy.current()
    profiles = (
        ReferenceProfile.objects.visible_to(request.user)
        .in_catalog()
        .stale(today, policy)
        .select_related("customer__account_owner", "contact", "validated_by")
        .order_by("last_validated", "customer__name", "id")
    )
    owner = request.GET.get("owner", "")
    if owner == "none":
        profiles = profiles.filter(customer__account_owner__isnull=True)
    elif owner.isdigit():
        profiles = profiles.filter(customer__account_owner_id=int(owner))
    page = paginate(request, profiles, per_page=LEDGER_PAGE_SIZE)
    return render(
        request,
        "references/stale_list.html",
        {"page": page, "policy": policy, "cutoff": policy.stale_cutoff(today), "owner": owner},
    )


@login_required
@require_POST
def profile_reconfirm(request, pk):
    """The account owner (or a manager) confirms the customer is still happy to be a reference."""
    user = request.user
    if perms.has_capability(user, perms.CHANGE_INVENTORY):
        queryset = ReferenceProfile.objects.visible_to(user)
    else:
        # An account owner is usually a sales rep who only sees the catalog: the object-level
        # right is owning the customer (anything else is not theirs to see: 404).
        queryset = ReferenceProfile.objects.filter(Q(customer__account_owner=user))
    profile = get_object_or_404(queryset.select_related("customer", "contact"), pk=pk)
    fallback = (
        reverse("profile-detail", args=[profile.pk])
        if ReferenceProfile.objects.visible_to(user).filter(pk=profile.pk).exists()
        else reverse("home")
    )
    health = (request.POST.get("health_score") or "").strip()
    try:
        health_score = int(health) if health else None
    except ValueError:
        messages.error(request, "The health score must be a whole number from -100 to 100.")
        return redirect(_next_url(request, fallback))
    try:
        services.profile_reconfirm(
            profile=profile,
            actor=user,
            note=(request.POST.get("note") or "")[:2000],
            health_score=health_score,
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Thank you: {profile.contact.name} ({profile.customer.name}) is re-confirmed for today."
        )
    return redirect(_next_url(request, fallback))


urlpatterns = [
    path("usage/", usage_list, name="usage-list"),
    path("usage/<int:pk>/transition/", usage_transition, name="usage-transition"),
    path("policy/", policy_edit, name="policy-edit"),
    path("stale/", stale_list, name="stale-list"),
    path("references/<int:pk>/reconfirm/", profile_reconfirm, name="profile-reconfirm"),
]
