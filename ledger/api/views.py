"""API of overuse protection: the usage ledger, the overuse policy and the activity types' weights.

- ``usage/`` (GET, ``view_usage``: managers, admins, executives) and ``usage/{id}/transition/``
  (POST ``{"to", "note"}``, ``reserve_capacity``: managers);
- ``policy/`` (GET for every inventory role, PATCH with ``set_policy``);
- ``activity-types/`` (GET for everyone signed in, PATCH weight / lead time / live with ``set_policy``).
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as perms
from accounts.permissions import HasCapability
from references.models import ActivityType
from refprogram.authentication import TokenAuthentication

from .. import services
from ..choices import UsageStatus
from ..filters import UsageEntryFilter
from ..models import OverusePolicy, UsageEntry


class StrictSerializer(serializers.Serializer):
    """A field the resource does not have is a 400, so a typo is not silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This field does not exist.")] for name in unknown}
                )
        return super().to_internal_value(data)


class UsageEntrySerializer(serializers.ModelSerializer):
    """One ask or use of a reference in the usage ledger."""

    activity_type = serializers.CharField(source="activity_type_id", read_only=True, help_text="Its code.")
    request = serializers.IntegerField(source="request_ref", read_only=True, allow_null=True)
    reference_name = serializers.CharField(source="reference.contact.name", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = UsageEntry
        fields = [
            "id",
            "reference",
            "reference_name",
            "customer",
            "customer_name",
            "activity_type",
            "status",
            "points",
            "occurred_on",
            "request",
            "asked_by",
            "override",
            "override_reason",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class UsageTransitionSerializer(StrictSerializer):
    to = serializers.ChoiceField(choices=UsageStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class OverusePolicySerializer(serializers.ModelSerializer):
    """The caps over the rolling window, the rest period and the staleness limit. Each setting has
    a range (``ledger.services.POLICY_LIMITS``); a value outside it is a 400."""

    class Meta:
        model = OverusePolicy
        fields = [*services.POLICY_FIELDS, "updated_at", "updated_by"]
        read_only_fields = ["updated_at", "updated_by"]
        extra_kwargs = {
            name: {"min_value": low, "max_value": high, "help_text": f"From {low} to {high}."}
            for name, (low, high) in services.POLICY_LIMITS.items()
        }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(services.POLICY_FIELDS))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This field does not exist or cannot be changed.")] for name in unknown}
                )
        return super().to_internal_value(data)


class ActivityTypeSerializer(serializers.ModelSerializer):
    """An activity type and what it costs: its weight in cap points, its lead time, whether it is live."""

    class Meta:
        model = ActivityType
        fields = ["code", "name", "kind", "weight", "lead_time_days", "live"]
        read_only_fields = ["code", "name", "kind"]
        extra_kwargs = {
            "lead_time_days": {
                "min_value": 0,
                "max_value": services.LEAD_TIME_MAX_DAYS,
                "help_text": f"Typical lead time in days, 0 to {services.LEAD_TIME_MAX_DAYS}.",
            }
        }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - {"weight", "lead_time_days", "live"})
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This field does not exist or cannot be changed.")] for name in unknown}
                )
        return super().to_internal_value(data)


class CapabilityMixin:
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [HasCapability]
    required_capabilities: dict[str, str] = {}
    action_capabilities: dict[str, str] = {}


class UsageEntryViewSet(
    CapabilityMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The usage ledger: every ask and use of a reference, newest first."""

    serializer_class = UsageEntrySerializer
    filterset_class = UsageEntryFilter
    http_method_names = ["get", "post", "head", "options"]
    required_capabilities = {"GET": perms.VIEW_USAGE}
    action_capabilities = {"transition": perms.RESERVE_CAPACITY}

    def get_queryset(self):
        return UsageEntry.objects.visible_to(self.request.user).select_related(
            "reference__contact", "customer"
        )

    @extend_schema(request=UsageTransitionSerializer, responses=UsageEntrySerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Record what became of an ask: reserved → asked | withdrawn; asked → declined | done."""
        entry = self.get_object()
        data = UsageTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.usage_transition(
            entry=entry, to=data.validated_data["to"], actor=request.user, note=data.validated_data["note"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data)


class OverusePolicyView(CapabilityMixin, APIView):
    """The overuse policy (one per program)."""

    required_capabilities = {"GET": perms.VIEW_INVENTORY, "PATCH": perms.SET_POLICY}

    @extend_schema(responses=OverusePolicySerializer)
    def get(self, request):
        return Response(OverusePolicySerializer(OverusePolicy.current()).data)

    @extend_schema(request=OverusePolicySerializer, responses=OverusePolicySerializer)
    def patch(self, request):
        serializer = OverusePolicySerializer(OverusePolicy.current(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        policy = services.policy_update(actor=request.user, **serializer.validated_data)
        return Response(OverusePolicySerializer(policy).data)


class ActivityTypeViewSet(
    CapabilityMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Activity types with their weight (cap points), typical lead time and live flag."""

    serializer_class = ActivityTypeSerializer
    queryset = ActivityType.objects.all()
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    http_method_names = ["get", "patch", "head", "options"]
    required_capabilities = {"GET": perms.VIEW_CATALOG, "PATCH": perms.SET_POLICY}
    filterset_class = None
    filter_backends: list = []

    def perform_update(self, serializer):
        serializer.instance = services.activity_type_update(
            actor=self.request.user, activity_type=serializer.instance, **serializer.validated_data
        )


def register(router) -> None:
    """Add this module's viewsets to the API router."""
    router.register("usage", UsageEntryViewSet, basename="usage")
    router.register("activity-types", ActivityTypeViewSet, basename="activity-type")


# Routes a router cannot express (GET and PATCH on one resource without an id).
urlpatterns = [path("policy/", OverusePolicyView.as_view(), name="policy")]
