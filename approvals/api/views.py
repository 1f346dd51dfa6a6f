"""API of public-use approvals (API.md ``approvals/``) and the content library (``library/``).

Lists and details start from ``Approval.objects.visible_to(user)`` (not visible = 404); who may
act is a capability (403); every change is a service call (a refused rule = 409 with a code).
"""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts import permissions as perms
from accounts.permissions import HasCapability
from refprogram.authentication import TokenAuthentication
from refprogram.parsers import JSONParser

from .. import services
from ..filters import ApprovalFilter
from ..models import Approval
from ..selectors import library_assets
from .serializers import (
    ApprovalDetailSerializer,
    ApprovalPatchSerializer,
    ApprovalSendLinkSerializer,
    ApprovalSerializer,
    ApprovalTransitionSerializer,
    ApprovalUploadSerializer,
    LibraryAssetSerializer,
)


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
