"""API of the reference inventory: managed lists, customers, contacts, reference profiles and
nominations (API.md).

Every list and detail starts from the model's ``visible_to(user)`` (not visible = 404); what a
role may do is a capability from ``accounts.permissions`` (not allowed = 403); every change is a
call to ``references.services`` (a refused rule = 409 with a code).
"""

from __future__ import annotations

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from accounts import permissions as perms
from accounts.permissions import HasCapability, has_capability
from refprogram.authentication import TokenAuthentication
from refprogram.paging import KeysFirstPagination

from .. import services
from ..filters import ContactFilter, CustomerFilter, NominationFilter, ReferenceProfileFilter
from ..models import (
    Contact,
    Customer,
    CustomField,
    Industry,
    Nomination,
    Product,
    Program,
    ReferenceProfile,
    Region,
    UseCase,
    policy_model,
    program_policy,
)
from ..selectors import profile_history
from . import personal_data as pd
from . import serializers as s

# --- Plumbing ------------------------------------------------------------------------------


class InventoryViewSet(viewsets.GenericViewSet):
    """Shared set-up: token first so an anonymous caller gets 401 with ``WWW-Authenticate:
    Token`` (not 403), capabilities per method or action."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [HasCapability]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    required_capabilities: dict[str, str] = {}
    action_capabilities: dict[str, str] = {}

    def check_permissions(self, request):
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise MethodNotAllowed(request.method)  # 405 for what the resource never does, not 403
        super().check_permissions(request)

    def write(self, serializer_class, data, **context):
        """Validate input with ``serializer_class``; bad input raises a 400 with field errors."""
        serializer = serializer_class(data=data, context={**self.get_serializer_context(), **context})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class ListsPermission(BasePermission):
    """Managed lists: anyone signed in reads them; ``manage_lists`` changes them."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        return request.method in SAFE_METHODS or has_capability(request.user, perms.MANAGE_LISTS)


class ManagedListViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    InventoryViewSet,
):
    """A managed list (ships with defaults; managers and admins extend it). Nothing is deleted
    here: values in use are protected, and removing one is an admin decision."""

    permission_classes = [ListsPermission]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends: list = []

    def perform_update(self, serializer):
        key = self.lookup_field if self.lookup_field != "pk" else None
        if key and key in serializer.validated_data:
            serializer.validated_data.pop(key)  # the code is the identity other rows point to
        serializer.save()


@extend_schema_view(
    retrieve=extend_schema(parameters=[OpenApiParameter("code", str, "path", description="Industry code.")]),
    partial_update=extend_schema(parameters=[OpenApiParameter("code", str, "path")]),
)
class IndustryViewSet(ManagedListViewSet):
    """Industries, by code (`healthcare`, `finance`, …)."""

    queryset = Industry.objects.all()
    serializer_class = s.IndustrySerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"  # codes are slugs


@extend_schema_view(
    retrieve=extend_schema(parameters=[OpenApiParameter("code", str, "path", description="Region code.")]),
    partial_update=extend_schema(parameters=[OpenApiParameter("code", str, "path")]),
)
class RegionViewSet(ManagedListViewSet):
    """Regions, by code (`na`, `emea`, `apac`, `latam`)."""

    queryset = Region.objects.all()
    serializer_class = s.RegionSerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"  # codes are slugs


ID_LOOKUP = "Looked up by numeric id; other resources refer to it by its unique `name`."


@extend_schema_view(
    retrieve=extend_schema(description=ID_LOOKUP), partial_update=extend_schema(description=ID_LOOKUP)
)
class ProductViewSet(ManagedListViewSet):
    """Products we sell, each in a product line."""

    queryset = Product.objects.all()
    serializer_class = s.ProductSerializer


@extend_schema_view(
    retrieve=extend_schema(description=ID_LOOKUP), partial_update=extend_schema(description=ID_LOOKUP)
)
class UseCaseViewSet(ManagedListViewSet):
    """Use cases customers deployed our products for."""

    queryset = UseCase.objects.all()
    serializer_class = s.UseCaseSerializer


@extend_schema_view(
    retrieve=extend_schema(description=ID_LOOKUP), partial_update=extend_schema(description=ID_LOOKUP)
)
class ProgramViewSet(ManagedListViewSet):
    """Customer programs: advisory board, beta, early adopters, community…"""

    queryset = Program.objects.all()
    serializer_class = s.ProgramSerializer


# --- Customers and contacts ----------------------------------------------------------------


class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    InventoryViewSet,
):
    """Customers (accounts). Sales reps see the ones in the catalog and the accounts they own."""

    serializer_class = s.CustomerSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CustomerFilter
    required_capabilities = {
        "GET": perms.VIEW_CATALOG,
        "POST": perms.CHANGE_INVENTORY,
        "PATCH": perms.CHANGE_INVENTORY,
        "DELETE": perms.CHANGE_INVENTORY,
    }

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user).prefetch_related("products", "programs")

    def perform_create(self, serializer):
        serializer.instance = services.customer_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.customer_update(
            customer=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.customer_delete(customer=instance, actor=self.request.user)


class ContactViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    InventoryViewSet,
):
    """People at customers. Email and phone only for roles with ``view_contact_pii``."""

    serializer_class = s.ContactSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ContactFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_capabilities = {
        "GET": perms.VIEW_INVENTORY,
        "POST": perms.CHANGE_INVENTORY,
        "PATCH": perms.CHANGE_INVENTORY,
    }

    # Personal data (retention review, the Art. 14 notice): the roles that may erase a person.
    action_capabilities = {
        "retention": perms.CHANGE_INVENTORY,
        "retention_keep": perms.CHANGE_INVENTORY,
        "notice": perms.CHANGE_INVENTORY,
    }

    def get_queryset(self):
        return Contact.objects.visible_to(self.request.user).prefetch_related("languages")

    def perform_create(self, serializer):
        serializer.instance = services.contact_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.contact_update(
            contact=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=s.ContactEraseSerializer, responses=s.ContactSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def erase(self, request, pk=None):
        """Erase the person (GDPR Art. 17), irreversibly: their personal fields read "Erased
        contact #id", free text and history naming them are masked, the files of approvals that
        name them deleted; the usage ledger keeps its counts. A second erasure is 409
        `already_erased`; proposing them afterwards is 409 `consent_withdrawn`."""
        contact = self.get_object()
        data = self.write(s.ContactEraseSerializer, request.data)
        contact = services.contact_erase(contact=contact, reason=data["reason"], by=request.user)
        return Response(s.ContactSerializer(contact, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=pd.RetentionReviewSerializer(many=True), filters=False)
    @action(detail=False, methods=["get"], filter_backends=[])
    def retention(self, request):
        """People due for review (retention): no activity and no valid consent for the policy's
        `retention_months`, longest waiting first, each with the day the nightly check erases them
        (`erase_on`) unless kept or active again."""
        from ..services.retention import contacts_due_for_review

        page = self.paginate_queryset(contacts_due_for_review())
        context = {**self.get_serializer_context(), "policy": program_policy()}
        data = pd.RetentionReviewSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    @extend_schema(request=pd.RetentionKeepSerializer, responses=pd.RetentionReviewSerializer)
    @action(detail=True, methods=["post"], url_path="retention/keep", filter_backends=[])
    def retention_keep(self, request, pk=None):
        """Keep the person, saying why: off the review list, their retention clock restarts today.
        An erased person is 409 `already_erased`."""
        from ..services.retention import retention_keep

        contact = self.get_object()
        data = self.write(pd.RetentionKeepSerializer, request.data)
        contact = retention_keep(contact=contact, reason=data["reason"], by=request.user)
        context = {**self.get_serializer_context(), "policy": program_policy()}
        return Response(pd.RetentionReviewSerializer(contact, context=context).data)

    @extend_schema(methods=["GET"], request=None, responses=pd.ContactNoticeSerializer, filters=False)
    @extend_schema(methods=["POST"], request=None, responses={201: pd.ContactNoticeSerializer})
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def notice(self, request, pk=None):
        """The person's Art. 14 notice (GET); send it (POST, no body): once per person, with their
        private withdrawal link. 409 `notice_already_sent`, `no_email` (add an address first),
        `already_erased`, `consent_withdrawn` (they left the program)."""
        from ..services import notices

        contact = self.get_object()
        if request.method == "POST":
            notices.notice_send(
                contact=contact, by=request.user, via="API", base_url=request.build_absolute_uri("/")
            )
            contact = Contact.objects.select_related("notice__template", "notice__sent_by").get(pk=contact.pk)
            return Response(pd.notice_data(contact, due=False), status=status.HTTP_201_CREATED)
        contact = Contact.objects.select_related("notice__template", "notice__sent_by").get(pk=contact.pk)
        due = notices.notices_due().filter(pk=contact.pk).exists()
        return Response(pd.notice_data(contact, due=due))

    @extend_schema(
        methods=["GET"], request=None, responses=s.ContactConsentSerializer(many=True), filters=False
    )
    @extend_schema(
        methods=["POST"], request=s.ContactConsentSerializer, responses={201: s.ContactConsentSerializer}
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def consents(self, request, pk=None):
        """The person's consent records, newest first per scope (GET); record one more (POST:
        scope, how it was given, the exact text version shown, when, until when). Withdrawn and
        expired records stay, as the proof of what was consented to and when it ended."""
        contact = self.get_object()
        if request.method == "POST":
            data = self.write(s.ContactConsentSerializer, request.data)
            consent = services.consent_record(contact=contact, by=request.user, **data)
            return Response(s.ContactConsentSerializer(consent).data, status=status.HTTP_201_CREATED)
        consents = contact.consents.select_related("recorded_by").order_by("scope", "-given_on", "-id")
        page = self.paginate_queryset(consents)
        return self.get_paginated_response(s.ContactConsentSerializer(page, many=True).data)


# --- Reference profiles --------------------------------------------------------------------


class ReferenceProfileViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    InventoryViewSet,
):
    """Reference profiles: the inventory for managers, the catalog (active and resting) for sales
    reps. Each carries its capacity today: points used of its cap, and whether it can be asked."""

    serializer_class = s.ReferenceProfileSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReferenceProfileFilter
    pagination_class = KeysFirstPagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_capabilities = {
        "GET": perms.VIEW_CATALOG,
        "POST": perms.CHANGE_INVENTORY,
        "PATCH": perms.CHANGE_INVENTORY,
    }
    action_capabilities = {
        "transition": perms.CHANGE_INVENTORY,
        # and, for non-managers, only their own accounts (``services.can_reconfirm``)
        "revalidate": perms.VIEW_CATALOG,
        "reconfirm": perms.VIEW_CATALOG,
        "history": perms.VIEW_INVENTORY,
    }

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.today = timezone.localdate()
        self.policy = program_policy()  # once per request, shared by every row

    def _today_policy(self):
        if not hasattr(self, "policy"):  # schema generation never runs initial()
            self.today, self.policy = timezone.localdate(), policy_model()()
        return self.today, self.policy

    def get_serializer_context(self):
        today, policy = self._today_policy()
        return {**super().get_serializer_context(), "today": today, "policy": policy}

    def get_queryset(self):
        today, policy = self._today_policy()
        return (
            ReferenceProfile.objects.visible_to(self.request.user)
            .with_capacity(today, policy)
            .select_related("customer", "contact")
            .prefetch_related(
                "activity_types", "products", "use_cases", "customer__programs", "contact__languages"
            )
        )

    def _fresh(self, profile: ReferenceProfile) -> Response:
        profile = self.get_queryset().get(pk=profile.pk)
        return Response(self.get_serializer(profile).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = services.profile_create(actor=request.user, **serializer.validated_data)
        response = self._fresh(profile)
        response.status_code = status.HTTP_201_CREATED
        return response

    def update(self, request, *args, **kwargs):
        profile = self.get_object()
        serializer = self.get_serializer(profile, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        profile = services.profile_update(profile=profile, actor=request.user, **serializer.validated_data)
        return self._fresh(profile)

    @extend_schema(request=s.ProfileTransitionSerializer, responses=s.ReferenceProfileSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the profile through its lifecycle: nominated → vetting → active ⇄ resting → retired.
        A move the lifecycle forbids is a 409 with code `invalid_transition`."""
        profile = self.get_object()
        data = self.write(s.ProfileTransitionSerializer, request.data)
        profile = services.profile_transition(
            profile=profile,
            to=data["to"],
            actor=request.user,
            note=data["note"],
            resting_reason=data["resting_reason"],
        )
        return self._fresh(profile)

    @extend_schema(request=s.ProfileReconfirmSerializer, responses=s.ReferenceProfileSerializer)
    @action(detail=True, methods=["post"])
    def reconfirm(self, request, pk=None):
        """Re-confirm that the customer is still happy to be a reference: the profile is validated
        today and, when the customer's health date is missing or stale, so is the customer (the
        profile is no longer stale). Managers and admins, or the customer's account owner. The
        same re-confirm as the page's button."""
        profile = self.get_object()
        data = self.write(s.ProfileReconfirmSerializer, request.data)
        profile = services.profile_reconfirm(
            profile=profile, actor=request.user, note=data["note"], health_score=data.get("health_score")
        )
        return self._fresh(profile)

    @extend_schema(
        request=s.ProfileReconfirmSerializer,
        responses=s.ReferenceProfileSerializer,
        description="The first name of `reconfirm/` (kept for existing clients); identical.",
    )
    @action(detail=True, methods=["post"])
    def revalidate(self, request, pk=None):
        """Re-confirm the reference: the same as `reconfirm/`."""
        return self.reconfirm(request, pk=pk)

    @extend_schema(responses=s.ProfileHistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        """Who changed what and when, newest first: field changes and lifecycle events."""
        profile = self.get_object()
        entries = profile_history(profile, request.user)
        return Response(s.ProfileHistoryEntrySerializer(entries, many=True).data)


# --- Nominations ---------------------------------------------------------------------------


class NominationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    InventoryViewSet,
):
    """Nominations: anyone proposes a customer; the reference manager vets, accepts or rejects.
    Vetters see every nomination, everyone else the ones they made."""

    serializer_class = s.NominationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = NominationFilter
    http_method_names = ["get", "post", "head", "options"]
    required_capabilities = {"GET": perms.NOMINATE, "POST": perms.NOMINATE}
    action_capabilities = {
        "vet": perms.VET_NOMINATIONS,
        "accept": perms.VET_NOMINATIONS,
        "reject": perms.VET_NOMINATIONS,
    }

    def get_queryset(self):
        return Nomination.objects.visible_to(self.request.user).prefetch_related("products")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        products = data.pop("products", [])
        serializer.instance = services.nomination_submit(
            nominated_by=self.request.user, products=products, **data
        )

    def _fresh(self, nomination: Nomination) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=nomination.pk)).data)

    @extend_schema(request=s.NominationVetSerializer, responses=s.NominationSerializer)
    @action(detail=True, methods=["post"])
    def vet(self, request, pk=None):
        """Record the vetting checks: strategic fit, customer health, account owner consent."""
        nomination = self.get_object()
        data = self.write(s.NominationVetSerializer, request.data)
        return self._fresh(services.nomination_vet(nomination=nomination, actor=request.user, **data))

    @extend_schema(request=s.NominationAcceptSerializer, responses=s.NominationSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the nomination: it becomes an active reference profile (see `profile`). Needs the
        three vetting checks passed (409 `vetting_incomplete`, `vetting_failed`,
        `owner_consent_missing`) and at least one activity in `activity_types` (409
        `activities_missing`)."""
        nomination = self.get_object()
        data = self.write(s.NominationAcceptSerializer, request.data)
        services.nomination_accept(
            nomination=nomination,
            actor=request.user,
            note=data["note"],
            activity_types=data["activity_types"],
        )
        return self._fresh(nomination)

    @extend_schema(request=s.NominationRejectSerializer, responses=s.NominationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject the nomination with a reason (required)."""
        nomination = self.get_object()
        data = self.write(s.NominationRejectSerializer, request.data)
        return self._fresh(
            services.nomination_reject(nomination=nomination, actor=request.user, reason=data["reason"])
        )


# --- The program's own fields ----------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(
        parameters=[OpenApiParameter("slug", str, "path", description="The field's slug.")]
    ),
    partial_update=extend_schema(parameters=[OpenApiParameter("slug", str, "path")]),
)
class CustomFieldViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    InventoryViewSet,
):
    """The fields the program defines on customers, contacts and reference profiles: read by
    everyone who sees the catalog (inactive ones only by those who manage them), defined and
    changed by managers and admins (``manage_lists``). Nothing is deleted: set ``active`` false."""

    serializer_class = s.CustomFieldSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[a-z0-9_]+"
    filter_backends: list = []
    pagination_class = None
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_capabilities = {
        "GET": perms.VIEW_CATALOG,
        "POST": perms.MANAGE_LISTS,
        "PATCH": perms.MANAGE_LISTS,
    }

    def get_queryset(self):
        qs = CustomField.objects.all()
        if not has_capability(self.request.user, perms.MANAGE_LISTS):
            qs = qs.filter(active=True)
        return qs

    def perform_create(self, serializer):
        serializer.instance = services.custom_field_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.custom_field_update(
            field=serializer.instance, actor=self.request.user, **serializer.validated_data
        )


def register(router) -> None:
    """Add this module's viewsets to the API router."""
    router.register("industries", IndustryViewSet, basename="industry")
    router.register("regions", RegionViewSet, basename="region")
    router.register("products", ProductViewSet, basename="product")
    router.register("use-cases", UseCaseViewSet, basename="usecase")
    router.register("programs", ProgramViewSet, basename="program")
    router.register("customers", CustomerViewSet, basename="customer")
    router.register("contacts", ContactViewSet, basename="contact")
    router.register("references", ReferenceProfileViewSet, basename="reference")
    router.register("nominations", NominationViewSet, basename="nomination")
    router.register("custom-fields", CustomFieldViewSet, basename="customfield")
