"""Filters of the usage ledger, shared by its page and its API."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q
from django.utils import timezone

from references.models import ActivityType
from refprogram.validators import validate_date_in_range

from .choices import UsageStatus
from .models import Hold, HoldKind, UsageEntry, hold_active_q


class UsageEntryFilter(filters.FilterSet):
    """Filters of the usage ledger (page and `GET /api/v1/usage/`)."""

    reference = filters.NumberFilter(field_name="reference_id")
    customer = filters.NumberFilter(field_name="customer_id")
    activity_type = filters.ModelMultipleChoiceFilter(
        distinct=False, queryset=ActivityType.objects.all(), to_field_name="code"
    )
    status = filters.MultipleChoiceFilter(distinct=False, choices=UsageStatus.choices)
    request = filters.NumberFilter(field_name="request_ref")
    override = filters.BooleanFilter()
    since = filters.DateFilter(
        field_name="occurred_on", lookup_expr="gte", validators=[validate_date_in_range]
    )
    until = filters.DateFilter(
        field_name="occurred_on", lookup_expr="lte", validators=[validate_date_in_range]
    )

    class Meta:
        model = UsageEntry
        fields: list[str] = []


class HoldFilter(filters.FilterSet):
    """Filters of the holds (``GET /api/v1/holds/``): ``active`` (in force today), whose, which kind."""

    active = filters.BooleanFilter(method="filter_active")
    customer = filters.NumberFilter(method="filter_customer")
    reference = filters.NumberFilter(field_name="reference_id")
    kind = filters.MultipleChoiceFilter(distinct=False, choices=HoldKind.choices)

    class Meta:
        model = Hold
        fields: list[str] = []

    def filter_active(self, queryset, name, value):
        in_force = hold_active_q(timezone.localdate())
        return queryset.filter(in_force) if value else queryset.exclude(in_force)

    def filter_customer(self, queryset, name, value):
        """The customer's own holds and those of each of its references."""
        return queryset.filter(Q(customer_id=value) | Q(reference__customer_id=value))
