"""API of public-use approvals (API.md ``approvals/``) and the content library (``library/``).

Lists and details start from ``Approval.objects.visible_to(user)`` (not visible = 404); who may
act is a capability (403); every change is a service call (a refused rule = 409 with a code).
"""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from knox.auth import TokenAuthentication
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts import permissions as perms
from accounts.permissions import HasCapability
from refprogram.parsers import JSONParser
from refprogram.validators import BoundedSerializerMixin

from .. import services
from ..approval_choices import ApprovalStatus, Channel
from ..approval_filters import ApprovalFilter
from ..approval_models import Approval, ApprovalEvent
from ..approval_selectors import library_assets
from ..models import Contact, Customer

# --- Serializers ---------------------------------------------------------------------------


def _shows_contact_data(context: dict) -> bool:
    """May the caller see contacts' personal data (e-mail, phone): the ``view_contact_pii``
    capability, the rule every page, export and API response applies."""
    request = context.get("request")
    return perms.has_capability(getattr(request, "user", None), perms.VIEW_CONTACT_PII)


class ApprovalEventSerializer(serializers.ModelSerializer):
    """One history row; a customer person's e-mail address only for roles with contact data."""

    who = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalEvent
        fields = ["kind", "from_status", "to_status", "who", "changes", "note", "created_at"]

    def get_who(self, obj) -> str:
        return obj.who_for(show_contact_data=_shows_contact_data(self.context))

    def get_note(self, obj) -> str:
        return obj.note_for(show_contact_data=_shows_contact_data(self.context))


class ApprovalSerializer(BoundedSerializerMixin, serializers.ModelSerializer):
    single_line_fields = ("title",)  # its dates are bounded too (2000-2100)

    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.none(), required=False, allow_null=True
    )
    supersedes = serializers.PrimaryKeyRelatedField(
        queryset=Approval.objects.none(), required=False, allow_null=True
    )
    scope = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), allow_empty=False)
    # null until the customer decided, and for roles that may not see contacts' personal data
    approver_email = serializers.EmailField(read_only=True, allow_null=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    is_valid_today = serializers.SerializerMethodField()
    has_document = serializers.SerializerMethodField()
    has_asset_file = serializers.SerializerMethodField()

    class Meta:
        model = Approval
        fields = [
            "id",
            "customer",
            "customer_name",
            "use",
            "status",
            "title",
            "quote_text",
            "asset_url",
            "scope",
            "expires_on",
            "contact",
            "notes",
            "requested_by",
            "supersedes",
            "approver_name",
            "approver_title",
            "approver_email",
            "decided_at",
            "decision_comment",
            "is_valid_today",
            "has_document",
            "document_name",
            "has_asset_file",
            "asset_file_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "requested_by",
            "approver_name",
            "approver_title",
            "approver_email",
            "decided_at",
            "decision_comment",
            "document_name",
            "asset_file_name",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None:
            self.fields["customer"].queryset = Customer.objects.visible_to(user)
            self.fields["contact"].queryset = Contact.objects.visible_to(user)
            self.fields["supersedes"].queryset = Approval.objects.visible_to(user)

    def get_is_valid_today(self, obj) -> bool:
        return obj.is_valid_for(obj.use)

    def get_has_document(self, obj) -> bool:
        return bool(obj.document)

    def get_has_asset_file(self, obj) -> bool:
        return bool(obj.asset_file)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not _shows_contact_data(self.context):
            data["approver_email"] = None  # the customer contact's personal data
        data["approver_email"] = data["approver_email"] or None
        return data


class ApprovalDetailSerializer(ApprovalSerializer):
    history = ApprovalEventSerializer(source="events", many=True, read_only=True)

    class Meta(ApprovalSerializer.Meta):
        fields = [*ApprovalSerializer.Meta.fields, "history"]


class ApprovalPatchSerializer(ApprovalSerializer):
    class Meta(ApprovalSerializer.Meta):
        read_only_fields = [*ApprovalSerializer.Meta.read_only_fields, "customer", "supersedes"]


class ApprovalTransitionSerializer(BoundedSerializerMixin, serializers.Serializer):
    single_line_fields = ("approver_name", "approver_title")

    to = serializers.ChoiceField(choices=ApprovalStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    approver_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    approver_title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    approver_email = serializers.EmailField(required=False, allow_blank=True, default="")
    decided_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)


class ApprovalSendLinkSerializer(BoundedSerializerMixin, serializers.Serializer):
    single_line_fields = ("name",)

    email = serializers.EmailField(required=False, allow_blank=True, default="")
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    valid_days = serializers.IntegerField(required=False, min_value=1, max_value=30, default=14)


class ApprovalUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class LibraryAssetSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    industry = serializers.CharField(source="customer.industry_id", read_only=True)
    scope = serializers.ListField(child=serializers.CharField(), read_only=True)
    has_asset_file = serializers.SerializerMethodField()

    class Meta:
        model = Approval
        fields = [
            "id",
            "customer",
            "customer_name",
            "industry",
            "use",
            "status",
            "title",
            "quote_text",
            "asset_url",
            "has_asset_file",
            "scope",
            "expires_on",
        ]

    def get_has_asset_file(self, obj) -> bool:
        return bool(obj.asset_file)


# --- Views ---------------------------------------------------------------------------------


def _file_response(approval: Approval, kind: str) -> FileResponse:
    """Stream a stored file to a permitted user: never by URL, always as a download."""
    field = approval.document if kind == "document" else approval.asset_file
    name = approval.document_name if kind == "document" else approval.asset_file_name
    content_type = approval.document_type if kind == "document" else approval.asset_file_type
    response = FileResponse(
        field.open("rb"), as_attachment=True, filename=name or field.name.rsplit("/", 1)[-1]
    )
    response["Content-Type"] = content_type or "application/octet-stream"
    response["Cache-Control"] = "private, no-store"
    return response


class ApprovalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Public-use approvals: marketing requests, managers run them through review."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [HasCapability]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = ApprovalFilter
    required_capabilities = {
        "GET": perms.VIEW_APPROVALS,
        "POST": perms.REQUEST_APPROVALS,
        "PATCH": perms.REQUEST_APPROVALS,
    }
    action_capabilities = {
        "transition": perms.MANAGE_APPROVALS,
        "send_link": perms.MANAGE_APPROVALS,
        "document": perms.REQUEST_APPROVALS,
        "asset": perms.VIEW_APPROVALS,
    }

    def get_queryset(self):
        qs = Approval.objects.visible_to(self.request.user).select_related("customer")
        if self.action == "retrieve":
            qs = qs.prefetch_related("events__actor")
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ApprovalDetailSerializer
        if self.action == "partial_update":
            return ApprovalPatchSerializer
        return ApprovalSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.approval_request(
            customer=data["customer"],
            use=data["use"],
            requested_by=self.request.user,
            scope=data["scope"],
            quote_text=data.get("quote_text", ""),
            title=data.get("title", ""),
            asset_url=data.get("asset_url", ""),
            expires_on=data.get("expires_on"),
            contact=data.get("contact"),
            notes=data.get("notes", ""),
            supersedes=data.get("supersedes"),
        )

    def perform_update(self, serializer):
        serializer.instance = services.approval_update(
            approval=serializer.instance, by=self.request.user, data=dict(serializer.validated_data)
        )

    @extend_schema(request=ApprovalTransitionSerializer, responses=ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the approval along its lifecycle; 409 ``invalid_transition`` when the map forbids it."""
        approval = self.get_object()
        serializer = ApprovalTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        approval = services.approval_transition(
            approval=approval, by=request.user, **serializer.validated_data
        )
        return Response(ApprovalSerializer(approval, context=self.get_serializer_context()).data)

    @extend_schema(request=ApprovalSendLinkSerializer, responses={201: None})
    @action(detail=True, methods=["post"], url_path="send-link")
    def send_link(self, request, pk=None):
        """Email the customer contact a private, expiring, one-time link to approve or decline."""
        approval = self.get_object()
        serializer = ApprovalSendLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sent = services.approval_send_link(
            approval=approval,
            by=request.user,
            base_url=request.build_absolute_uri("/"),
            **serializer.validated_data,
        )
        return Response(
            {
                "sent_to": sent.link.email,
                "expires_at": sent.link.expires_at,
                "status": sent.link.approval.status,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": ApprovalUploadSerializer},
        responses=ApprovalSerializer,
    )
    @action(detail=True, methods=["get", "post"])
    def document(self, request, pk=None):
        """GET downloads the signed document; POST (managers) uploads it: PDF, PNG or JPEG, ≤ 10 MB."""
        return self._file(request, "document")

    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": ApprovalUploadSerializer},
        responses=ApprovalSerializer,
    )
    @action(detail=True, methods=["get", "post"])
    def asset(self, request, pk=None):
        """GET downloads the asset file (e.g. the logo); POST uploads it (those who request approvals)."""
        return self._file(request, "asset")

    def _file(self, request, kind: str):
        approval = self.get_object()
        if request.method == "POST":
            needed = perms.MANAGE_APPROVALS if kind == "document" else perms.REQUEST_APPROVALS
            if not perms.has_capability(request.user, needed):
                raise PermissionDenied()
            serializer = ApprovalUploadSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            approval = services.approval_file_attach(
                approval=approval, by=request.user, upload=serializer.validated_data["file"], kind=kind
            )
            return Response(ApprovalSerializer(approval, context=self.get_serializer_context()).data)
        if not (approval.document if kind == "document" else approval.asset_file):
            return Response({"detail": "No file attached."}, status=status.HTTP_404_NOT_FOUND)
        return _file_response(approval, kind)


class LibraryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The content library: approved quotes, case studies, videos and logos to re-use (valid
    today unless ``status`` says otherwise), searchable by industry, product and free text."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [HasCapability]
    required_capabilities = {"GET": perms.VIEW_APPROVALS}
    filterset_class = ApprovalFilter
    serializer_class = LibraryAssetSerializer

    def get_queryset(self):
        return library_assets(
            Approval.objects.visible_to(self.request.user), status_given=bool(self.request.GET.get("status"))
        )


def register(router) -> None:
    """Add the approvals and library endpoints to the API router."""
    router.register("approvals", ApprovalViewSet, basename="approval")
    router.register("library", LibraryViewSet, basename="library")
