"""One FilterSet for requests, shared by the HTML lists (mine, queue) and the API."""

import django_filters as filters
from django.db.models import Q
from django.utils import timezone

from references.models import ActivityType

from .choices import DUE_SOON_HOURS, OPEN_REQUEST_STATUSES, RequestStatus, Urgency
from .models import Request


class RequestFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=RequestStatus.choices)
    open = filters.BooleanFilter(method="filter_open", label="Open only")
    activity_type = filters.ModelMultipleChoiceFilter(
        queryset=ActivityType.objects.all(), to_field_name="code", label="Activity type"
    )
    assignee = filters.CharFilter(method="filter_assignee", label="Assignee (user id, me or none)")
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

    def filter_assignee(self, queryset, name, value: str):
        value = (value or "").strip().lower()
        if not value:
            return queryset
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value == "me":
            user = getattr(self.request, "user", None)
            return queryset.filter(assignee_id=getattr(user, "pk", None))
        if value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset.none()

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
