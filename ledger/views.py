"""Pages of overuse protection: the usage ledger, the overuse policy, stale profiles and the
account owner's re-confirmation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.forms import modelformset_factory
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from references.forms import style_filter_form
from references.models import ActivityType, ReferenceProfile
from refprogram.errors import RuleViolation
from refprogram.facets import count_by, facet_panel, facet_response
from refprogram.views import add_service_errors, capability_required, paginate, safe_next_url

from . import selectors, services
from .choices import USAGE_TRANSITIONS, UsageStatus
from .filters import UsageEntryFilter
from .models import OverusePolicy, UsageEntry

LEDGER_PAGE_SIZE = 50


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
        labels={"override": _("Manager override"), "since": _("From (date)"), "until": _("To (date)")},
    )
    for name in ("since", "until"):
        filterset.form.fields[name].widget = forms.DateInput(attrs={"type": "date"})
    entries = filterset.qs if filterset.is_bound else base
    if filterset.is_bound and not filterset.is_valid():
        entries = base.none()
    page = paginate(request, entries.order_by("-occurred_on", "-id"), per_page=LEDGER_PAGE_SIZE)
    # Filtered to one reference (from its profile page): say whose asks these are, and link back.
    reference = None
    if filterset.is_bound and filterset.is_valid() and filterset.form.cleaned_data.get("reference"):
        reference = (
            ReferenceProfile.objects.visible_to(request.user)
            .select_related("contact", "customer")
            .filter(pk=filterset.form.cleaned_data["reference"])
            .first()
        )
    can_transition = perms.has_capability(request.user, perms.RESERVE_CAPACITY)
    labels = dict(UsageStatus.choices)
    for entry in page.object_list:
        entry.next_statuses = [
            (status, labels[status])
            for status in UsageStatus.values
            if status in USAGE_TRANSITIONS.get(entry.status, set())
        ]
    panel = facet_panel(
        filterset,
        {"activity_type": count_by("activity_type_id"), "status": count_by("status")},
        {"activity_type": _("Activity")},
        hidden=("reference", "customer", "request"),
    )
    return facet_response(
        request,
        "ledger/usage_list.html",
        "ledger/_usage_body.html",
        {"filter": filterset, "page": page, "can_transition": can_transition, "reference": reference} | panel,
    )


@capability_required(perms.VIEW_USAGE)
def profile_usage(request, pk):
    """One reference's usage history: its asks, its capacity month by month against the cap, the
    requests it was asked for. The profile page (references, below the ledger) loads it with htmx;
    without JavaScript its link opens it as a page."""
    profile = get_object_or_404(
        ReferenceProfile.objects.visible_to(request.user).select_related("contact", "customer"), pk=pk
    )
    usage = selectors.profile_usage(profile=profile, viewer=request.user)
    template = "ledger/_profile_usage.html" if request.htmx else "ledger/profile_usage.html"
    response = render(request, template, {"profile": profile, "usage": usage})
    patch_vary_headers(response, ["HX-Request"])  # the same address answers a partial or a page
    return response


@capability_required(perms.RESERVE_CAPACITY)
@require_POST
def usage_transition(request, pk):
    """A ledger row's button: the customer was asked, declined, did it; or the ask was withdrawn."""
    entry = get_object_or_404(UsageEntry.objects.visible_to(request.user), pk=pk)
    form = UsageTransitionForm(request.POST)
    back = safe_next_url(request, reverse("usage-list"))
    if not form.is_valid():
        messages.error(request, gettext("Choose what became of the ask."))
        return redirect(back)
    try:
        entry = services.usage_transition(
            entry=entry, to=form.cleaned_data["to"], actor=request.user, note=form.cleaned_data["note"]
        )
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            gettext("Ask #%(number)s is now %(status)s.")
            % {"number": entry.pk, "status": entry.get_status_display().lower()},
        )
    return redirect(back)


# --- Overuse policy ------------------------------------------------------------------------------


class OverusePolicyForm(forms.ModelForm):
    class Meta:
        model = OverusePolicy
        fields = list(services.POLICY_FIELDS)
        labels = {
            "window_days": _("Rolling window (days)"),
            "reference_cap": _("Cap per contact (points in the window)"),
            "customer_cap": _("Cap per customer, all contacts together (points in the window)"),
            "rest_days": _("Rest after each live activity (days)"),
            "stale_after_days": _("Stale after (days without re-confirmation or health check)"),
            "near_cap_ratio": _("Near the cap from (share of the cap, for metrics)"),
            "detractor_below": _("Detractor below (customer health, -100 to 100)"),
            "c_level_protected_below": _("Keep C-level references from asks below"),
            "renewal_hold_days": _("Hold a customer before its renewal (days)"),
            "health_hold_below": _("Hold a customer while its health is below"),
            "retention_months": _("Review a contact's personal data after (months without activity)"),
            "retention_grace_days": _("Erase a contact due for review after (days)"),
            "notice_auto_send": _("Send the Art. 14 notice to imported and CRM contacts every night"),
        }
        help_texts = {
            "window_days": _("Asks older than this no longer count against the caps. 1 to 730 days."),
            "reference_cap": _(
                "Default 6: three reference calls, or one case study or site visit. 1 to 100."
            ),
            "customer_cap": _(
                "Default 8: about one call per quarter plus one heavy activity a year. 1 to 500."
            ),
            "rest_days": _(
                "Default 30: nobody asks a contact again within a month of a call or visit. 0 to 365 days."
            ),
            "stale_after_days": _(
                "Default 180: love does not last forever; re-confirm twice a year. 1 to 730 days."
            ),
            "near_cap_ratio": _(
                "Default 0.75: references at 75% of their cap show as nearly full. 0.05 to 1.00."
            ),
            "detractor_below": _(
                "Default 0: a customer whose health score is below this is never proposed "
                "(a detractor does not speak to prospects). -100 to 100."
            ),
            "c_level_protected_below": _(
                "Default director: a C-level reference ranks last for asks whose "
                "prospect contact is a manager or individual contributor. Blank: no protection."
            ),
            "renewal_hold_days": _(
                "Default 60: nobody asks a customer in the two months before its renewal, "
                "until the renewal is marked done. 0 to 365 days."
            ),
            "health_hold_below": _(
                "Default 20: a customer whose health drops below this is on hold until "
                "its health is updated to at least this. -100 to 100; blank: no health hold."
            ),
            "retention_months": _(
                "Default 24: a contact with no ask, no use, no consent given and no valid "
                "consent for this long is listed for review. 1 to 120 months."
            ),
            "retention_grace_days": _(
                "Default 30: unless a manager keeps them (with a reason) or they become "
                "active again, the nightly check erases them this long after the review starts. "
                "0 to 365 days."
            ),
            "notice_auto_send": _(
                "Off: a manager sends the notices from the notices page. On: the nightly "
                "check sends them (once per person)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_fields(self.fields, services.POLICY_LIMITS)
        # Left out of a form posted before the setting existed: keep the current value.
        self.fields["renewal_hold_days"].required = False
        self.fields["retention_months"].required = False
        self.fields["retention_grace_days"].required = False

    def clean_renewal_hold_days(self):
        value = self.cleaned_data.get("renewal_hold_days")
        return self.instance.renewal_hold_days if value is None else value

    def clean_retention_months(self):
        value = self.cleaned_data.get("retention_months")
        return self.instance.retention_months if value is None else value

    def clean_retention_grace_days(self):
        value = self.cleaned_data.get("retention_grace_days")
        return self.instance.retention_grace_days if value is None else value


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
    labels={"weight": _("Weight (points)"), "lead_time_days": _("Lead time (days)"), "live": _("Live")},
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
                    request, gettext("Overuse policy saved. References rest or wake to follow the new caps.")
                )
                return redirect("policy-edit")
        messages.error(request, gettext("Please correct the errors below."))
    return render(
        request,
        "ledger/policy_form.html",
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
        "ledger/stale_list.html",
        {"page": page, "policy": policy, "cutoff": policy.stale_cutoff(today), "owner": owner},
    )


# The paths and names the pages had before the ledger became its own app (ledger/urls.py).
urlpatterns = [
    path("usage/", usage_list, name="usage-list"),
    path("usage/<int:pk>/transition/", usage_transition, name="usage-transition"),
    path("references/<int:pk>/usage/", profile_usage, name="profile-usage"),
    path("policy/", policy_edit, name="policy-edit"),
    path("stale/", stale_list, name="stale-list"),
]
