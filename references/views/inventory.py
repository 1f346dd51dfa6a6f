"""Pages: home, inventory, profiles, customers and contacts, catalog."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from refprogram.csvsafe import csv_lines
from refprogram.errors import RuleViolation
from refprogram.paging import KeysFirstPaginator

from .. import services
from ..choices import PROFILE_TRANSITIONS, ProfileStatus
from ..filters import ReferenceProfileFilter
from ..forms import (
    ContactForm,
    CustomerForm,
    NewProfileForm,
    ProfileForm,
    TransitionForm,
    add_service_errors,
    style_filter_form,
)
from ..models import (
    ActivityType,
    Contact,
    Customer,
    Industry,
    Language,
    Nomination,
    OverusePolicy,
    Product,
    Program,
    ReferenceProfile,
    Region,
    UseCase,
)

PAGE_SIZE = 25

# Inventory columns a manager may sort by: ?sort=<key> or ?sort=-<key>.
SORTS = {
    "customer": ("customer__name", "id"),
    "industry": ("customer__industry__name", "customer__name", "id"),
    "status": ("status", "customer__name", "id"),
    "validated": ("last_validated", "id"),
    "used": ("cap_used", "customer__name", "id"),
}

# Contact fields only ``view_contact_pii`` may see, in pages and in change history.
PII_FIELDS = {"email", "phone"}


def capability_required(capability: str):
    """Anonymous users go to the login page; a logged-in role without the capability gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not perms.has_capability(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def posted(request, files: bool = False):
    """Bind a form to the POST data (even an empty POST, so its required fields complain)."""
    if request.method != "POST":
        return (None, None) if files else None
    return (request.POST, request.FILES) if files else request.POST


def paginate(request, queryset, per_page: int = PAGE_SIZE, paginator_class=Paginator):
    paginator = paginator_class(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def profile_rows(queryset):
    """The columns every profile list shows, in a fixed number of queries."""
    return queryset.select_related(
        "customer__industry", "customer__region", "contact", "validated_by"
    ).prefetch_related("products", "activity_types", "use_cases", "contact__languages")


def attach_capacity(profiles, today, policy) -> None:
    for profile in profiles:
        profile.cap = profile.capacity(today=today, policy=policy)


# --- Home ----------------------------------------------------------------------------------


@login_required
def home(request):
    """Each role's starting point: the manager's counts, the sales rep's search and nominations."""
    user = request.user
    context = {}
    if perms.has_capability(user, perms.VIEW_INVENTORY):
        today, policy = timezone.localdate(), OverusePolicy.current()
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
    elif perms.has_capability(user, perms.NOMINATE):
        context["my_nominations"] = list(
            Nomination.objects.visible_to(user).select_related("customer").order_by("-created_at")[:10]
        )
    if perms.has_capability(user, perms.VIEW_CATALOG):
        context["industries"] = Industry.objects.all()
        context["activity_types"] = ActivityType.objects.all()
    return render(request, "home.html", context)


# --- Inventory -----------------------------------------------------------------------------


def _inventory_filter(request, queryset):
    filterset = ReferenceProfileFilter(request.GET or None, queryset=queryset, request=request)
    style_filter_form(
        filterset.form,
        checkboxes=("status", "size_band", "seniority", "deployment"),
        hide=("customer",),
        order=["search", "status", "available", "stale", "industry", "region", "country", "size_band"],
    )
    return filterset


@capability_required(perms.VIEW_INVENTORY)
def inventory_list(request):
    """Every reference profile, filtered, sorted and paginated, with capacity and staleness."""
    today, policy = timezone.localdate(), OverusePolicy.current()
    base = ReferenceProfile.objects.visible_to(request.user).with_capacity(today, policy)
    filterset = _inventory_filter(request, base)
    sort = request.GET.get("sort", "customer")
    order = SORTS.get(sort.lstrip("-"), SORTS["customer"])
    if sort.startswith("-"):
        order = tuple(f"-{field}" for field in order)
    page = paginate(request, profile_rows(filterset.qs).order_by(*order), paginator_class=KeysFirstPaginator)
    attach_capacity(page.object_list, today, policy)
    return render(
        request,
        "references/referenceprofile_list.html",
        {"filter": filterset, "page": page, "sort": sort, "today": today},
    )


@capability_required(perms.EXPORT_INVENTORY)
def inventory_export(request):
    """The filtered inventory as CSV (same filters as the list), with only the columns the
    viewer may see (no contact email or phone without ``view_contact_pii``)."""
    from ..services.imports import inventory_export_rows

    today, policy = timezone.localdate(), OverusePolicy.current()
    base = ReferenceProfile.objects.visible_to(request.user).with_capacity(today, policy)
    filterset = ReferenceProfileFilter(request.GET or None, queryset=base, request=request)
    queryset = profile_rows(filterset.qs).order_by("customer__name", "id")
    response = StreamingHttpResponse(
        csv_lines(inventory_export_rows(queryset, viewer=request.user)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="inventory-{today.isoformat()}.csv"'
    return response


# --- Catalog -------------------------------------------------------------------------------


@capability_required(perms.VIEW_CATALOG)
def catalog(request):
    """The sales rep's self-service search of active and resting references (no contact PII)."""
    today, policy = timezone.localdate(), OverusePolicy.current()
    base = ReferenceProfile.objects.visible_to(request.user).in_catalog().with_capacity(today, policy)
    filterset = ReferenceProfileFilter(request.GET or None, queryset=base, request=request)
    style_filter_form(
        filterset.form,
        checkboxes=("size_band", "seniority", "deployment"),
        hide=("customer", "status", "stale", "marquee", "product_line"),
        order=["search", "available", "activity_type", "industry", "size_band", "region", "country"],
    )
    page = paginate(
        request,
        profile_rows(filterset.qs).order_by("is_stale_now", "customer__name", "id"),
        paginator_class=KeysFirstPaginator,
    )
    attach_capacity(page.object_list, today, policy)
    return render(request, "references/referenceprofile_catalog.html", {"filter": filterset, "page": page})


# --- Profile detail, edit, lifecycle -------------------------------------------------------


def _names(model, key="pk") -> dict:
    return {getattr(obj, key): str(obj) for obj in model.objects.all()}


def _history(records, label: str, hidden: set[str], lookups: dict, shown_elsewhere=()) -> list[dict]:
    """One entry per history record: who changed what, from what to what. Fields in
    ``shown_elsewhere`` are left out (a change of nothing else is no entry)."""
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(
                previous, excluded_fields=["updated_at", "created_at", *shown_elsewhere]
            )
            if not delta.changes and shown_elsewhere:
                previous = record
                continue
            for change in delta.changes:
                if change.field in hidden:
                    changes.append({"field": change.field.replace("_", " "), "old": "…", "new": "(hidden)"})
                    continue
                field = record.instance_type._meta.get_field(change.field)
                changes.append(
                    {
                        "field": str(field.verbose_name),
                        "old": _display(field, change.old, lookups),
                        "new": _display(field, change.new, lookups),
                    }
                )
        entries.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "what": label,
                "kind": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                "changes": changes,
            }
        )
        previous = record
    return entries


def _display(field, value, lookups: dict) -> str:
    if value in (None, ""):
        return "—"
    if field.many_to_many:
        names = lookups.get(field.related_model, {})
        target = field.m2m_reverse_field_name()
        ids = [row.get(target) if isinstance(row, dict) else row for row in value]
        return ", ".join(sorted(names.get(i, str(i)) for i in ids)) or "—"
    if field.is_relation:
        return lookups.get(field.related_model, {}).get(value, str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _change_history(profile, user) -> list[dict]:
    """Simple-history records of the profile, its customer and contact, and its lifecycle events."""
    User = get_user_model()
    lookups = {
        ActivityType: _names(ActivityType),
        Product: _names(Product),
        UseCase: _names(UseCase),
        Program: _names(Program),
        Language: _names(Language),
        Industry: _names(Industry),
        Region: _names(Region),
        User: {u.pk: u.username for u in User.objects.only("username")},
        Customer: {profile.customer_id: str(profile.customer.name)},
        Contact: {profile.contact_id: profile.contact.name},
    }
    hidden = set() if perms.has_capability(user, perms.VIEW_CONTACT_PII) else PII_FIELDS
    entries = (
        # Status moves are the lifecycle events below (with their reason), not profile edits.
        _history(
            profile.history.select_related("history_user"),
            "Reference profile",
            set(),
            lookups,
            shown_elsewhere=("status", "resting_reason", "stale_notified_on"),
        )
        + _history(profile.customer.history.select_related("history_user"), "Customer", set(), lookups)
        + _history(profile.contact.history.select_related("history_user"), "Contact", hidden, lookups)
    )
    for event in profile.events.select_related("actor"):
        entries.append(
            {
                "when": event.created_at,
                "who": event.actor,
                "what": "Lifecycle",
                "kind": event.get_kind_display().lower(),
                "changes": [
                    {
                        "field": "status",
                        "old": event.get_from_status_display() or "—",
                        "new": event.get_to_status_display(),
                    }
                ]
                if event.from_status != event.to_status
                else [],
                "note": event.note,
            }
        )
    return sorted(entries, key=lambda e: e["when"], reverse=True)


def _visible_profile(request, pk):
    today, policy = timezone.localdate(), OverusePolicy.current()
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
    today, policy = timezone.localdate(), OverusePolicy.current()
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
        "history": _change_history(profile, user) if inventory else [],
        "policy": policy,
    }
    return render(request, "references/referenceprofile_detail.html", context)


@capability_required(perms.CHANGE_INVENTORY)
def profile_edit(request, pk):
    profile = _visible_profile(request, pk)
    form = ProfileForm(posted(request), instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(profile=profile, actor=request.user, **form.cleaned_data)
        except (ValidationError, RuleViolation) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Reference profile saved.")
            return redirect("profile-detail", pk=profile.pk)
    if request.method == "POST":
        messages.error(request, "Please correct the errors below.")
    return render(
        request, "references/referenceprofile_form.html", {"form": form, "profile": profile, "customer": None}
    )


@capability_required(perms.CHANGE_INVENTORY)
@require_POST
def profile_transition(request, pk):
    """A lifecycle button: move the profile to another status, with an optional note."""
    profile = _visible_profile(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status to move the reference to.")
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
        messages.success(request, f"The reference is now {profile.get_status_display().lower()}.")
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
            messages.success(request, "Reference profile created.")
            return redirect("profile-detail", pk=profile.pk)
    if request.method == "POST":
        messages.error(request, "Please correct the errors below.")
    return render(
        request,
        "references/referenceprofile_form.html",
        {"form": form, "profile": None, "customer": customer},
    )


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
    messages.error(request, "Please correct the errors below.")
    return None


@capability_required(perms.CHANGE_INVENTORY)
def customer_edit(request, pk):
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
    form = CustomerForm(posted(request), instance=customer)
    saved = _save_with_service(
        request, form, lambda data: services.customer_update(customer=customer, actor=request.user, **data)
    )
    if saved:
        messages.success(request, "Customer saved.")
        return redirect("customer-detail", pk=saved.pk)
    return render(request, "references/customer_form.html", {"form": form, "customer": customer})


@capability_required(perms.CHANGE_INVENTORY)
def customer_new(request):
    form = CustomerForm(posted(request))
    saved = _save_with_service(
        request, form, lambda data: services.customer_create(actor=request.user, **data)
    )
    if saved:
        messages.success(request, "Customer created.")
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
        messages.success(request, "Contact saved.")
        next_url = request.GET.get("next", "")
        if next_url.startswith("/") and not next_url.startswith("//"):
            return redirect(next_url)
        return redirect(reverse("customer-detail", args=[contact.customer_id]))
    return render(request, "references/contact_form.html", {"form": form, "contact": contact})


urlpatterns: list = [
    path("", home, name="home"),
    path("inventory/", inventory_list, name="inventory"),
    path("inventory/export.csv", inventory_export, name="inventory-export"),
    path("catalog/", catalog, name="catalog"),
    path("references/<int:pk>/", profile_detail, name="profile-detail"),
    path("references/<int:pk>/edit/", profile_edit, name="profile-edit"),
    path("references/<int:pk>/transition/", profile_transition, name="profile-transition"),
    path("customers/new/", customer_new, name="customer-new"),
    path("customers/<int:pk>/", customer_detail, name="customer-detail"),
    path("customers/<int:pk>/edit/", customer_edit, name="customer-edit"),
    path("customers/<int:customer_pk>/references/new/", profile_new, name="profile-new"),
    path("contacts/<int:pk>/edit/", contact_edit, name="contact-edit"),
]
