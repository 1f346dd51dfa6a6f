"""``GET /api/v1/metrics/summary/``: the dashboard's figures as numbers."""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as perms
from accounts.permissions import HasCapability
from references.models import ActivityType, Industry, Product, Region

from .. import metrics
from ..periods import PRESETS, period_from_params
from .serializers import MetricsSummarySerializer

SEGMENT_SOURCES = {
    "industry": lambda: Industry.objects.values_list("code", flat=True),
    "region": lambda: Region.objects.values_list("code", flat=True),
    "product_line": lambda: Product.objects.values_list("product_line", flat=True).distinct(),
    "activity_type": lambda: ActivityType.objects.values_list("code", flat=True),
}


def segment_clean(params) -> metrics.Segment:
    """Read the segment filters; an unknown value is a 400 that names the valid ones."""
    values, errors = {}, {}
    for name, source in SEGMENT_SOURCES.items():
        raw = (params.get(name) or "").strip()
        if not raw:
            continue
        known = sorted(set(source()))
        if raw not in known:
            errors[name] = [f"Unknown value. Valid: {', '.join(known)}."]
        values[name] = raw
    if errors:
        raise ValidationError(errors)
    return metrics.Segment(**values)


class MetricsSummaryView(APIView):
    """The program metrics the dashboard shows, for a period compared with the previous one."""

    permission_classes = [HasCapability]
    required_capabilities = {"GET": perms.VIEW_DASHBOARD}

    @extend_schema(
        operation_id="metrics_summary",
        summary="Program metrics",
        description=(
            "Every figure of the executive dashboard for the period (default: the last 90 days), "
            "with the previous period of the same length. A request counts as received in the period "
            "it was created and as fulfilled, unfulfilled or cancelled in the period it was closed. "
            "Rates with nothing to divide by are null. `revenue` is null for roles without the "
            "`view_revenue` capability (admins)."
        ),
        parameters=[
            OpenApiParameter("preset", OpenApiTypes.STR, enum=list(PRESETS), description="Period preset"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (custom period)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (custom period; default today)"),
            OpenApiParameter("industry", OpenApiTypes.STR, description="Industry code"),
            OpenApiParameter("region", OpenApiTypes.STR, description="Region code"),
            OpenApiParameter("product_line", OpenApiTypes.STR, description="Product line name"),
            OpenApiParameter("activity_type", OpenApiTypes.STR, description="Activity type code"),
        ],
        responses={200: MetricsSummarySerializer},
        tags=["metrics"],
    )
    def get(self, request):
        period = period_from_params(request.query_params)
        segment = segment_clean(request.query_params)
        summary = metrics.program_summary_cached(
            period, segment, include_revenue=perms.has_capability(request.user, perms.VIEW_REVENUE)
        )
        return Response(summary)
