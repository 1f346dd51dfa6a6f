"""API of holds: ``holds/`` (GET ``?active=true``, POST), ``holds/{id}/`` (GET, DELETE ends it early).

Everyone signed in may list the holds they may see (``Hold.objects.visible_to``: the inventory
roles all of them, a sales rep those of the accounts they own). A manager may put and end holds on
any customer, an account owner on their own accounts (``ledger.holds.can_manage``; 403 otherwise).
Proposing a held reference answers 409 ``on_hold`` (``ledger.capacity``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts import permissions as perms
from references.models import Customer, ReferenceProfile

from .. import holds as hold_services
from ..filters import HoldFilter
from ..models import Hold
from .views import CapabilityMixin, StrictSerializer


class HoldSerializer(serializers.ModelSerializer):
    """A period in which a reference, or a whole customer, must not be asked."""

    customer_name = serializers.SerializerMethodField()
    reference_name = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField(help_text="In force today.")

    class Meta:
        model = Hold
        fields = [
            "id",
            "customer",
            "customer_name",
            "reference",
            "reference_name",
            "kind",
            "reason",
            "starts_on",
            "ends_on",
            "lifted_on",
            "lifted_by",
            "lift_note",
            "active",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_customer_name(self, hold: Hold) -> str:
        return hold.customer.name if hold.customer_id else hold.reference.customer.name

    def get_reference_name(self, hold: Hold) -> str | None:
        return hold.reference.contact.name if hold.reference_id else None

    def get_active(self, hold: Hold) -> bool:
        return hold.is_active()


class HoldCreateSerializer(StrictSerializer):
    """``{customer | reference, reason, starts_on, ends_on}``: exactly one of customer and reference."""

    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)
    reference = serializers.PrimaryKeyRelatedField(queryset=ReferenceProfile.objects.all(), required=False)
    reason = serializers.CharField(max_length=300)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:  # (the schema generator builds it without one)
            self.fields["customer"].queryset = Customer.objects.visible_to(request.user)
            self.fields["reference"].queryset = ReferenceProfile.objects.visible_to(request.user)

    def validate(self, data):
        if ("customer" in data) == ("reference" in data):
            raise serializers.ValidationError({"customer": [_("Give either a customer or a reference.")]})
        return data


class HoldViewSet(
    CapabilityMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Holds on references and customers, newest first."""

    serializer_class = HoldSerializer
    filterset_class = HoldFilter
    http_method_names = ["get", "post", "delete", "head", "options"]
    # The door is open to every role; who may put or end a hold is the service's rule (403).
    required_capabilities = {
        "GET": perms.VIEW_CATALOG,
        "POST": perms.VIEW_CATALOG,
        "DELETE": perms.VIEW_CATALOG,
    }

    def get_queryset(self):
        return (
            Hold.objects.visible_to(self.request.user)
            .select_related("customer", "reference__contact", "reference__customer")
            .order_by("-starts_on", "-id")
        )

    @extend_schema(request=HoldCreateSerializer, responses={201: HoldSerializer})
    def create(self, request, *args, **kwargs):
        """Put a reference, or a whole customer, on hold (managers; account owners for their accounts)."""
        if not hold_services.may_put_holds(request.user):
            raise PermissionDenied(_("Only a reference manager or an account owner may put a hold."))
        data = HoldCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        hold = hold_services.hold_create(actor=request.user, **data.validated_data)
        hold = self.get_queryset().get(pk=hold.pk)
        return Response(self.get_serializer(hold).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: HoldSerializer})
    def destroy(self, request, *args, **kwargs):
        """End the hold early (it stays, with who ended it): 409 ``hold_ended`` if already over."""
        hold = hold_services.hold_end(hold=self.get_object(), actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=hold.pk)).data)


def register(router) -> None:
    router.register("holds", HoldViewSet, basename="hold")
