"""Filters of the usage ledger, shared by its page and its API."""

from __future__ import annotations

import django_filters as filters

from references.models import ActivityType
from refprogram.validators import validate_date_in_range

from .choices import UsageStatus
from .models import UsageEntry


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
