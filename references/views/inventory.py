"""Pages: inventory, profiles, customers and contacts, catalog (and the inventory's part of home)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from accounts.teams import require_in_scope, team_scope
from refprogram.csvsafe import csv_lines
from refprogram.errors import RuleViolation
from refprogram.facets import (
    build_facets,
    chosen_count,
    count_by,
    count_facet_keys,
    facet_response,
    other_fields,
    yes_no_radios,
)
from refprogram.paging import KeysFirstPaginator
from refprogram.views import add_service_errors, capability_required, paginate, posted, safe_next_url

from .. import services
from ..choices import PROFILE_TRANSITIONS, ProfileStatus, country_choices
from ..filters import CUSTOM_PARAM, ReferenceProfileFilter
from ..forms import (
    ContactForm,
    CustomerForm,
    NewProfileForm,
    ProfileForm,
    TransitionForm,
    style_filter_form,
)
from ..models import (
    ActivityType,
    Contact,
    Customer,
    Industry,
    Nomination,
    ReferenceProfile,
    program_policy,
)
from ..selectors import profile_history

# Inventory columns a manager may sort by: ?sort=<key> or ?sort=-<key>.
SORTS = {
    "customer": ("customer__name", "id"),
    "industry": ("customer__industry__name", "customer__name", "id"),
    "status": ("status", "customer__name", "id"),
    "validated": ("last_validated", "id"),
    "used": ("cap_used", "customer__name", "id"),
}


def profile_rows(queryset):
    """The columns every profile list shows, in a fixed number of queries."""
    return queryset.select_related(
        "customer__industry", "customer__region", "contact", "validated_by"
    ).prefetch_related("products", "activity_types", "use_cases", "contact__languages")


def attach_capacity(profiles, today, policy) -> None:
    for profile in profiles:
        profile.cap = profile.capacity(today=today, policy=policy)


# --- Home ----------------------------------------------------------------------------------


def home_context(user, *, counts: bool = True) -> dict:
    """What the inventory contributes to each role's home page (served by ``reporting.views.home``,
    the layer that may also list requests and approvals): counts for the roles that see the
    inventory (unless ``counts`` is false: the manager's work queue counts instead), a sales
    rep's own nominations, the lists the catalog search offers."""
    context: dict = {}
    if counts and perms.has_capability(user, perms.VIEW_INVENTORY):
        today, policy = timezone.localdate(), program_policy()
        profiles = ReferenceProfile.objects.visible_to(user)
        context["counts"] = {
            "active": profiles.filter(status=ProfileStatus.ACTIVE).count(),
            "resting": profiles.filter(status=ProfileStatus.RESTING).count(),
            "stale": profiles.in_catalog().stale(today, policy).count(),
        }
        if perms.has_capability(user, perms.VET_NOMINATIONS):
            nominations = Nomination.objects.visible_to(user)
            context["counts"]["open_nominations"] = nominations.open().count()
            context["counts"]["aging_nominations"] = nominations.aging().count()
    if not perms.has_capability(user, perms.VET_NOMINATIONS) and perms.has_capability(user, perms.NOMINATE):
        context["my_nominations"] = list(
            Nomination.objects.visible_to(user).select_related("customer").order_by("-created_at")[:10]
        )
    if perms.has_capability(user, perms.VIEW_CATALOG):
        context["industries"] = Industry.objects.all()
        context["activity_types"] = ActivityType.objects.all()
    return context


# --- Inventory -----------------------------------------------------------------------------


def facet_fields() -> list:
    """The program's own list and yes/no fields (the profile lists' facets) and number and date
    fields (their ranges): one query."""
    return [d for d in services.custom_definitions() if d.is_facet or d.is_range]


def _inventory_filter(request, queryset):
    filterset = ReferenceProfileFilter(
        request.GET or None, queryset=queryset, request=request, custom_fields=facet_fields()
    )
    style_filter_form(filterset.form, hide=("customer",), order=["search", "available", "stale"])
    plain_words(filterset.form)
    return filterset


# The profile filters shown as checkbox facets, in this order, and how each counts its options.
PROFILE_FACETS = {
    "status": count_by("status"),
    "activity_type": count_facet_keys("activity"),
    "industry": count_facet_keys("industry"),
    "region": count_facet_keys("region"),
    "size_band": count_facet_keys("size"),
    "product": count_facet_keys("product"),
    "use_case": count_facet_keys("usecase"),
    "deployment": count_facet_keys("deployment"),
    "seniority": count_facet_keys("seniority"),
    "language": count_facet_keys("language"),
}
PROFILE_FACET_LABELS = {
    "activity_type": gettext_lazy("Will do"),
    "seniority": gettext_lazy("Contact seniority"),
}


def plain_words(form) -> None:
    """Yes/no filters as radios; the country chosen by its name (the filter still takes its code)."""
    yes_no_radios(form)
    if "country" in form.fields:
        form.fields["country"].label = _("Country")
        form.fields["country"].widget = forms.Select(choices=[("", _("Any country")), *country_choices()])


def facet_context(filterset, names) -> dict:
    """The filter panel of a profile list: facets with counts, the other fields, how many are in use."""
    counters = {name: PROFILE_FACETS[name] for name in names if name in filterset.form.fields}
    # The program's own fields, after the built-in ones (``ReferenceProfileFilter(custom_fields=)``).
    counters.update(
        {name: count_facet_keys(name) for name in filterset.form.fields if CUSTOM_PARAM.match(name)}
    )
    facets = build_facets(filterset, counters, PROFILE_FACET_LABELS)
    return {
        "filter": filterset,
        "facets": facets,
        "other": other_fields(filterset.form, facets),
        "chosen": chosen_count(filterset),
    }


@capability_required(perms.VIEW_INVENTORY)
def inventory_list(request):
    """Every reference profile, filtered, sorted and paginated, with capacity and staleness."""
    today, policy = timezone.localdate(), program_policy()
    scope = team_scope(request)  # a manager's teams first, "All" one click away
    base = scope.apply(ReferenceProfile.objects.visible_to(request.user)).with_capacity(today, policy)
    filterset = _inventory_filter(request, base)
    sort = request.GET.get("sort", "customer")
    order = SORTS.get(sort.lstrip("-"), SORTS["customer"])
    if sort.startswith("-"):
        order = tuple(f"-{field}" for field in order)
    page = paginate(request, profile_rows(filterset.qs).order_by(*order), paginator_class=KeysFirstPaginator)
    attach_capacity(page.object_list, today, policy)
    return facet_response(
        request,
        "references/referenceprofile_list.html",
        "references/_inventory_body.html",
        {
            **facet_context(filterset, PROFILE_FACETS),
            "page": page,
            "sort": sort,
            "today": today,
            "team_scope": scope,
        },
    )


@capability_required(perms.EXPORT_INVENTORY)
def inventory_export(request):
    """The filtered inventory as CSV (same filters as the list), with only the columns the
    viewer may see (no contact email or phone without ``view_contact_pii``)."""
    from ..imports import inventory_export_rows

    today, policy = timezone.localdate(), program_policy()
    base = team_scope(request).apply(ReferenceProfile.objects.visible_to(request.user))
    filterset = ReferenceProfileFilter(
        request.GET or None, queryset=base.with_capacity(today, policy), request=request
    )
    queryset = profile_rows(filterset.qs).order_by("customer__name", "id")
    response = StreamingHttpResponse(
        csv_lines(inventory_export_rows(queryset, viewer=request.user)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="inventory-{today.isoformat()}.csv"'
    return response


# --- Catalog -------------------------------------------------------------------------------


# The catalog's facets: what a sales rep searches by, most asked first.
CATALOG_FACETS = (
    "activity_type",
    "industry",
    "size_band",
    "region",
    "product",
    "use_case",
    "deployment",
    "seniority",
    "language",
)


@capability_required(perms.VIEW_CATALOG)
def catalog(request):
    """The sales rep's self-service search of active and resting references (no contact PII)."""
    today, policy = timezone.localdate(), program_policy()
    base = ReferenceProfile.objects.visible_to(request.user).in_catalog().with_capacity(today, policy)
    filterset = ReferenceProfileFilter(
        request.GET or None, queryset=base, request=request, custom_fields=facet_fields()
    )
    style_filter_form(
        filterset.form,
        hide=("customer", "status", "stale", "marquee", "product_line"),
        order=["search", "available"],
    )
    plain_words(filterset.form)
    page = paginate(
        request,
        profile_rows(filterset.qs).order_by("is_stale_now", "customer__name", "id"),
        paginator_class=KeysFirstPaginator,
    )
    attach_capacity(page.object_list, today, policy)
    return facet_response(
        request,
        "references/referenceprofile_catalog.html",
        "references/_catalog_body.html",
        {**facet_context(filterset, CATALOG_FACETS), "page": page},
    )


# --- Profile detail, edit, lifecycle -------------------------------------------------------


def _visible_profile(request, pk):
    today, policy = timezone.localdate(), program_policy()
    queryset = (
        ReferenceProfile.objects.visible_to(request.user)
        .with_capacity(today, policy)
        .select_related(
            "customer__industry", "customer__region", "customer__account_owner", "contact", "validated_by"
        )
    )
    return get_object_or_404(queryset, pk=pk)


@login_required
def profile_detail(request, pk):
    """Everything about one reference profile; sales reps see the catalog's view of it."""
    user = request.user
    profile = _visible_profile(request, pk)
    today, policy = timezone.localdate(), program_policy()
    can_change = perms.has_capability(user, perms.CHANGE_INVENTORY)
    inventory = perms.has_capability(user, perms.VIEW_INVENTORY)
    context = {
        "profile": profile,
        "customer": profile.customer,
        "contact": profile.contact,
        "cap": profile.capacity(today=today, policy=policy),
        "is_stale": profile.is_stale_now,
        "show_pii": perms.has_capability(user, perms.VIEW_CONTACT_PII),
        "inventory": inventory,
        "can_change": can_change,
        "transitions": sorted(PROFILE_TRANSITIONS.get(profile.status, set()), key=ProfileStatus.values.index),
        "status_labels": dict(ProfileStatus.choices),
        "history": profile_history(profile, user) if inventory else [],
        "policy": policy,
        # The consent box (inventory roles): every record of the person, read when shown.
        "consents": profile.contact.consents.select_related("recorded_by").order_by(
            "scope", "-given_on", "-id"
        ),
    }
    definitions = services.custom_definitions()  # the program's own fields, one query for the three
    context["profile_custom"] = services.custom_facts(profile.custom, definitions, "profile")
    context["customer_custom"] = services.custom_facts(profile.customer.custom, definitions, "customer")
    context["contact_custom"] = services.custom_facts(profile.contact.custom, definitions, "contact")
    return render(request, "references/referenceprofile_detail.html", context)


@capability_required(perms.CHANGE_INVENTORY)
def profile_edit(request, pk):
    profile = _visible_profile(request, pk)
    require_in_scope(request.user, profile)  # a team that edits only inside its scope
    form = ProfileForm(posted(request), instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(profile=profile, actor=request.user, **form.cleaned_data)
        except (ValidationError, RuleViolation) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Reference profile saved."))
            return redirect("profile-detail", pk=profile.pk)
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(
        request, "references/referenceprofile_form.html", {"form": form, "profile": profile, "customer": None}
    )


@capability_required(perms.CHANGE_INVENTORY)
@require_POST
def profile_transition(request, pk):
    """A lifecycle button: move the profile to another status, with an optional note."""
    profile = _visible_profile(request, pk)
    require_in_scope(request.user, profile)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status to move the reference to."))
        return redirect("profile-detail", pk=profile.pk)
    try:
        profile = services.profile_transition(
            profile=profile, to=form.cleaned_data["to"], actor=request.user, note=form.cleaned_data["note"]
        )
    except RuleViolation as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The reference is now %(status)s.") % {"status": profile.get_status_display().lower()}
        )
    return redirect("profile-detail", pk=profile.pk)


@capability_required(perms.CHANGE_INVENTORY)
def profile_new(request, customer_pk):
    """A new reference profile at a customer: an existing contact or a new one."""
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=customer_pk)
    form = NewProfileForm(posted(request), customer=customer)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        contact = data.pop("contact")
        new_contact = {
            "name": data.pop("new_contact_name"),
            "title": data.pop("new_contact_title"),
            "seniority": data.pop("new_contact_seniority"),
            "email": data.pop("new_contact_email"),
        }
        try:
            with transaction.atomic():
                if contact is None:
                    contact = services.contact_create(customer=customer, actor=request.user, **new_contact)
                profile = services.profile_create(
                    customer=customer, contact=contact, actor=request.user, **data
                )
        except (ValidationError, RuleViolation) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Reference profile created."))
            return redirect("profile-detail", pk=profile.pk)
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "references/referenceprofile_form.html",
        {"form": form, "profile": None, "customer": customer},
    )


@login_required
@require_POST
def profile_reconfirm(request, pk):
    """The account owner (or a manager) confirms the customer is still happy to be a reference
    (the same ``services.profile_reconfirm`` as the API's ``revalidate``)."""
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
        messages.error(request, _("The health score must be a whole number from -100 to 100."))
        return redirect(safe_next_url(request, fallback))
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
            request,
            _("Thank you: %(name)s (%(customer)s) is re-confirmed for today.")
            % {"name": profile.contact.name, "customer": profile.customer.name},
        )
    return redirect(safe_next_url(request, fallback))


# --- Customers and contacts ----------------------------------------------------------------


@capability_required(perms.VIEW_INVENTORY)
def customer_detail(request, pk):
    customer = get_object_or_404(
        Customer.objects.visible_to(request.user).select_related("industry", "region", "account_owner"),
        pk=pk,
    )
    contacts = (
        Contact.objects.visible_to(request.user)
        .filter(customer=customer)
        .prefetch_related("languages", "profiles")
    )
    profiles = (
        ReferenceProfile.objects.visible_to(request.user).filter(customer=customer).select_related("contact")
    )
    return render(
        request,
        "references/customer_detail.html",
        {
            "customer": customer,
            "customer_custom": services.custom_facts(
                customer.custom, services.custom_definitions("customer"), "customer"
            ),
            "contacts": contacts,
            "profiles": profiles,
            "show_pii": perms.has_capability(request.user, perms.VIEW_CONTACT_PII),
            "can_change": perms.has_capability(request.user, perms.CHANGE_INVENTORY),
        },
    )


def _save_with_service(request, form, save):
    """Validate a form, call the service, map its refusals onto the form. Returns the saved object."""
    if request.method != "POST":
        return None
    if form.is_valid():
        try:
            return save(form.cleaned_data)
        except (ValidationError, RuleViolation) as exc:
            add_service_errors(form, exc)
    messages.error(request, _("Please correct the errors below."))
    return None


@capability_required(perms.CHANGE_INVENTORY)
def customer_edit(request, pk):
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
    form = CustomerForm(posted(request), instance=customer)
    saved = _save_with_service(
        request, form, lambda data: services.customer_update(customer=customer, actor=request.user, **data)
    )
    if saved:
        messages.success(request, _("Customer saved."))
        return redirect("customer-detail", pk=saved.pk)
    return render(request, "references/customer_form.html", {"form": form, "customer": customer})


@capability_required(perms.CHANGE_INVENTORY)
def customer_new(request):
    form = CustomerForm(posted(request))
    saved = _save_with_service(
        request, form, lambda data: services.customer_create(actor=request.user, **data)
    )
    if saved:
        messages.success(request, _("Customer created."))
        return redirect("customer-detail", pk=saved.pk)
    return render(request, "references/customer_form.html", {"form": form, "customer": None})


@capability_required(perms.CHANGE_INVENTORY)
def contact_edit(request, pk):
    contact = get_object_or_404(Contact.objects.visible_to(request.user).select_related("customer"), pk=pk)
    form = ContactForm(posted(request), instance=contact)
    saved = _save_with_service(
        request, form, lambda data: services.contact_update(contact=contact, actor=request.user, **data)
    )
    if saved:
        messages.success(request, _("Contact saved."))
        return redirect(safe_next_url(request, reverse("customer-detail", args=[contact.customer_id])))
    return render(request, "references/contact_form.html", {"form": form, "contact": contact})


urlpatterns: list = [
    path("inventory/", inventory_list, name="inventory"),
    path("inventory/export.csv", inventory_export, name="inventory-export"),
    path("catalog/", catalog, name="catalog"),
    path("references/<int:pk>/", profile_detail, name="profile-detail"),
    path("references/<int:pk>/edit/", profile_edit, name="profile-edit"),
    path("references/<int:pk>/transition/", profile_transition, name="profile-transition"),
    path("references/<int:pk>/reconfirm/", profile_reconfirm, name="profile-reconfirm"),
    path("customers/new/", customer_new, name="customer-new"),
    path("customers/<int:pk>/", customer_detail, name="customer-detail"),
    path("customers/<int:pk>/edit/", customer_edit, name="customer-edit"),
    path("customers/<int:customer_pk>/references/new/", profile_new, name="profile-new"),
    path("contacts/<int:pk>/edit/", contact_edit, name="contact-edit"),
]
