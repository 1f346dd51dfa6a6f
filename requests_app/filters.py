"""One FilterSet for requests, shared by the HTML lists (mine, queue) and the API."""

import django_filters as filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from references.models import ActivityType

from .choices import DUE_SOON_HOURS, OPEN_REQUEST_STATUSES, RequestStatus, Urgency
from .models import Request


class AssigneeField(forms.MultipleChoiceField):
    """Whose requests: ``me``, ``none`` (nobody yet) or a user's id; several mean any of them.
    The choices shown are set by the page (``queue_facets``); any id is accepted."""

    def valid_value(self, value) -> bool:
        value = str(value).strip().lower()
        return value in ("me", "none") or value.isdigit()


class AssigneeFilter(filters.MultipleChoiceFilter):
    field_class = AssigneeField


class RequestFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=RequestStatus.choices)
    open = filters.BooleanFilter(method="filter_open", label="Open only")
    activity_type = filters.ModelMultipleChoiceFilter(
        queryset=ActivityType.objects.all(), to_field_name="code", label="Activity type"
    )
    assignee = AssigneeFilter(method="filter_assignee", label="Assignee")
    urgency = filters.ChoiceFilter(
        choices=[(Urgency.OVERDUE, "Overdue"), (Urgency.DUE_SOON, "Due within 72 hours")],
        method="filter_urgency",
        label="Urgency",
    )
    requester = filters.NumberFilter(field_name="requester_id")
    search = filters.CharFilter(method="filter_search", label="Search")

    class Meta:
        model = Request
        fields: list[str] = []

    def filter_open(self, queryset, name, value: bool | None):
        if value is None:
            return queryset
        return (
            queryset.filter(status__in=OPEN_REQUEST_STATUSES)
            if value
            else queryset.exclude(status__in=OPEN_REQUEST_STATUSES)
        )

    def filter_assignee(self, queryset, name, value: list[str]):
        values = {str(v).strip().lower() for v in (value or []) if str(v).strip()}
        if not values:
            return queryset
        condition = Q(pk__in=[])
        if "none" in values:
            condition |= Q(assignee__isnull=True)
        if "me" in values:
            condition |= Q(assignee_id=getattr(getattr(self.request, "user", None), "pk", None))
        ids = [int(v) for v in values if v.isdigit()]
        if ids:
            condition |= Q(assignee_id__in=ids)
        return queryset.filter(condition)

    def filter_urgency(self, queryset, name, value: str):
        now = timezone.now()
        if value == Urgency.OVERDUE:
            return queryset.filter(status__in=OPEN_REQUEST_STATUSES, needed_by__lte=now)
        if value == Urgency.DUE_SOON:
            return queryset.filter(
                status__in=OPEN_REQUEST_STATUSES,
                needed_by__gt=now,
                needed_by__lte=now + timezone.timedelta(hours=DUE_SOON_HOURS),
            )
        return queryset

    def filter_search(self, queryset, name, value: str):
        value = (value or "").strip()[:200]
        if not value:
            return queryset
        condition = Q(prospect_name__icontains=value) | Q(opportunity_crm_id__iexact=value)
        if value.isdigit():
            condition |= Q(pk=int(value))
        return queryset.filter(condition)


# --- The queue's filters as facets ------------------------------------------------------------


def _assignee_counter(user):
    """Requests per assignee, with ``me`` (the viewer) and ``none`` (nobody yet): one query."""
    from refprogram.facets import count_by

    by_id = count_by("assignee_id")

    def counter(queryset):
        counts = by_id(queryset)
        counts["me"] = counts.get(str(user.pk), 0)
        return counts

    return counter


def queue_facets(filterset, user) -> dict:
    """The request queue's filter panel: status, activity and assignee as checkboxes with
    counts; "Open only" and "Urgency" as radios. Assignees by name: "Me", "Nobody", then the
    people who hold a request here (one query)."""
    from refprogram.facets import build_facets, chosen_count, count_by, other_fields, yes_no_radios

    form = filterset.form
    form.fields.pop("requester", None)
    yes_no_radios(form)
    form.fields["open"].label = "Open requests only"
    form.fields["urgency"].widget = forms.RadioSelect(
        choices=[("", "Any"), *form.fields["urgency"].choices[1:]]
    )
    people = (
        get_user_model()
        .objects.filter(pk__in=filterset.queryset.filter(assignee__isnull=False).values("assignee_id"))
        .exclude(pk=user.pk)
        .order_by("first_name", "last_name", "username")
    )
    form.fields["assignee"].choices = [
        ("me", "Me"),
        ("none", "Nobody yet"),
        *[(str(person.pk), person.get_full_name() or person.get_username()) for person in people],
    ]
    facets = build_facets(
        filterset,
        {
            "status": count_by("status"),
            "activity_type": count_by("activity_type_id"),
            "assignee": _assignee_counter(user),
        },
    )
    return {"facets": facets, "other": other_fields(form, facets), "chosen": chosen_count(filterset)}
