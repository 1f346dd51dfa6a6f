"""API of integrations (managers and admins: ``manage_integrations``).

- ``webhooks/`` GET, POST ``{url, events, secret?}`` → ``{id, secret, …}`` (the secret only here);
  ``webhooks/{id}/`` GET, DELETE; ``webhooks/{id}/deliveries/`` GET (the delivery log, newest
  first, with response codes); ``webhooks/{id}/deliveries/{delivery_id}/redeliver/`` POST.
- ``integrations/opportunities/`` POST: upsert an opportunity by (crm, crm_id): 201 created,
  200 updated or unchanged. Token-authenticated like the rest of the API.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as perms
from accounts.permissions import HasCapability
from references.choices import SizeBand
from references.models import Industry, Region
from refprogram.authentication import TokenAuthentication
from requests_app.api.serializers import ListValueField
from requests_app.models import Opportunity
from requests_app.services import opportunities

from ..choices import Crm, WebhookEvent
from ..models import WebhookDelivery, WebhookSubscription
from ..services import webhooks


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


class WebhookSerializer(serializers.ModelSerializer):
    """A webhook subscription. The secret is never shown again after creation."""

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "is_active", "created_by", "created_at"]
        read_only_fields = fields


class WebhookCreateSerializer(StrictSerializer):
    url = serializers.URLField(max_length=2000)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), allow_empty=False, max_length=20
    )
    secret = serializers.CharField(
        required=False,
        allow_blank=True,
        min_length=16,
        max_length=200,
        help_text="At least 16 characters; left out, one is generated.",
    )


class WebhookCreatedSerializer(WebhookSerializer):
    """The new webhook, with its secret: shown this once."""

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookAttemptSerializer(serializers.Serializer):
    """One attempt at a delivery: when, the receiver's status code (none without an answer), why not."""

    at = serializers.DateTimeField()
    response_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_blank=True)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    """One delivery of an event to the webhook, its attempts and the receiver's answer."""

    delivery = serializers.UUIDField(source="uuid", read_only=True, help_text="X-RefProgram-Delivery.")
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "delivery",
            "event",
            "event_id",
            "status",
            "attempts",
            "response_code",
            "response_body",
            "error",
            "attempt_log",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
            "redelivery_of",
        ]
        read_only_fields = fields


class CapabilityMixin:
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [HasCapability]
    required_capabilities: dict[str, str] = {}


class WebhookViewSet(
    CapabilityMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Outbound webhooks: subscriptions to product events, and their delivery logs."""

    serializer_class = WebhookSerializer
    http_method_names = ["get", "post", "delete", "head", "options"]
    required_capabilities = {
        "GET": perms.MANAGE_INTEGRATIONS,
        "POST": perms.MANAGE_INTEGRATIONS,
        "DELETE": perms.MANAGE_INTEGRATIONS,
    }

    def get_queryset(self):
        return WebhookSubscription.objects.visible_to(self.request.user)

    @extend_schema(request=WebhookCreateSerializer, responses={201: WebhookCreatedSerializer})
    def create(self, request):
        """Subscribe a URL to events; the answer carries the signing secret, this once."""
        data = WebhookCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = webhooks.webhook_create(actor=request.user, **data.validated_data)
        return Response(WebhookCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        webhooks.webhook_delete(subscription=instance, actor=self.request.user)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=WebhookDeliverySerializer)
    def deliveries(self, request, pk=None):
        """The webhook's delivery log, newest first."""
        subscription = self.get_object()
        page = self.paginate_queryset(WebhookDelivery.objects.filter(subscription=subscription))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={201: WebhookDeliverySerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[0-9]+)/redeliver",
        serializer_class=WebhookDeliverySerializer,
    )
    def redeliver(self, request, pk=None, delivery_id=None):
        """Send a delivery's body again (a new delivery in the log)."""
        subscription = self.get_object()
        delivery = get_object_or_404(WebhookDelivery, subscription=subscription, pk=delivery_id)
        copy = webhooks.delivery_redeliver(delivery=delivery)
        return Response(WebhookDeliverySerializer(copy).data, status=status.HTTP_201_CREATED)


class CrmOpportunitySerializer(serializers.ModelSerializer):
    """An opportunity as the CRM sent it; ``amount`` is null for people who may not see revenue."""

    size_band = serializers.ChoiceField(choices=SizeBand.choices, allow_blank=True, read_only=True)
    owner_email = serializers.EmailField(
        allow_blank=True, read_only=True, help_text='The opportunity owner\'s e-mail address, or "".'
    )

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "crm",
            "crm_id",
            "name",
            "amount",
            "stage",
            "close_date",
            "is_closed",
            "is_won",
            "account_name",
            "account_crm_id",
            "industry",
            "region",
            "country",
            "size_band",
            "employees",
            "owner_email",
            "opened_on",
            "modified_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "industry": {"help_text": "The prospect account's industry code; null when unknown."},
            "region": {"help_text": "The prospect account's region code; null when unknown."},
        }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context.get("user")
        if not perms.has_capability(user, perms.VIEW_REVENUE):
            data["amount"] = None
        return data


class CrmOpportunityUpsertSerializer(StrictSerializer):
    crm = serializers.ChoiceField(choices=Crm.choices)
    crm_id = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=300)
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    stage = serializers.CharField(max_length=100, required=False, allow_blank=True)
    close_date = serializers.DateField(required=False, allow_null=True)
    is_closed = serializers.BooleanField(required=False)
    is_won = serializers.BooleanField(required=False)
    account_name = serializers.CharField(max_length=300, required=False, allow_blank=True)
    account_crm_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    industry = ListValueField(
        slug_field="code",
        queryset=Industry.objects.all(),
        required=False,
        allow_null=True,
        help_text="The prospect account's industry code (see `industries/`).",
    )
    region = ListValueField(
        slug_field="code",
        queryset=Region.objects.all(),
        required=False,
        allow_null=True,
        help_text="The prospect account's region code (see `regions/`).",
    )
    country = serializers.CharField(
        max_length=2, required=False, allow_blank=True, help_text="ISO 3166-1 alpha-2 (`DE`, `US`)."
    )
    size_band = serializers.ChoiceField(choices=SizeBand.choices, required=False, allow_blank=True)
    employees = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, allow_null=True)
    owner_email = serializers.EmailField(
        required=False, allow_blank=True, help_text="The opportunity owner's e-mail address."
    )
    opened_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="When the deal was created in the CRM (with the close date: the sales cycle).",
    )
    modified_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When the CRM last changed it; older changes are ignored."
    )

    def validate_country(self, value):
        value = (value or "").strip().upper()
        if value and not (len(value) == 2 and value.isalpha()):
            raise serializers.ValidationError(_("Use an ISO 3166-1 alpha-2 country code, e.g. DE or US."))
        return value

    def validate(self, attrs):
        if attrs.get("is_won") and attrs.get("is_closed") is False:
            raise serializers.ValidationError(
                {"is_won": [_("A won opportunity is closed: send is_closed true.")]}
            )
        if attrs.get("is_won") and "is_closed" not in attrs:
            attrs["is_closed"] = True
        return attrs


class OpportunityUpsertView(CapabilityMixin, APIView):
    """For CRM automations: push an opportunity's current state, keyed by (crm, crm_id)."""

    required_capabilities = {"POST": perms.MANAGE_INTEGRATIONS}

    @extend_schema(
        request=CrmOpportunityUpsertSerializer,
        responses={200: CrmOpportunitySerializer, 201: CrmOpportunitySerializer},
    )
    def post(self, request):
        """201 when the opportunity is new, 200 when it was updated or already up to date."""
        data = CrmOpportunityUpsertSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        crm, crm_id = values.pop("crm"), values.pop("crm_id")
        opportunity, created, _changed = opportunities.opportunity_upsert(crm=crm, crm_id=crm_id, data=values)
        return Response(
            CrmOpportunitySerializer(opportunity, context={"user": request.user}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def register(router) -> None:
    router.register("webhooks", WebhookViewSet, basename="webhook")
