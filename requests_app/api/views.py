"""API: requests, their matches and candidates, and the workflow verbs (API.md)."""

from __future__ import annotations

import json

from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as perms
from accounts.models import User
from accounts.permissions import HasCapability
from accounts.teams import within_edit_scope
from ledger.models import OverusePolicy
from references.models import ReferenceProfile

from .. import calendar, matching, services
from ..filters import RequestFilter
from ..models import Candidate, CandidateEvent, Request
from .serializers import (
    CandidateProposeSerializer,
    CandidateSerializer,
    CandidateTransitionSerializer,
    MatchSerializer,
    RequestAssignSerializer,
    RequestBulkAssignResultSerializer,
    RequestBulkAssignSerializer,
    RequestOutcomeSerializer,
    RequestRateSerializer,
    RequestReasonSerializer,
    RequestSavedSerializer,
    RequestSerializer,
    SupplySerializer,
)


def _candidates_qs():
    return Candidate.objects.select_related(
        "request", "reference__customer", "reference__contact", "usage"
    ).prefetch_related(
        "reference__products", Prefetch("events", queryset=CandidateEvent.objects.select_related("actor"))
    )


def _assignee_for(data: dict, actor: User) -> User | None:
    if "assignee" not in data:
        return actor
    if data["assignee"] is None:
        return None
    return get_object_or_404(User, pk=data["assignee"], is_active=True)


class RequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Requests for references: the requester's own, or every request for managers, admins and
    executives. Workflow verbs are actions; refused rules are 409 ``{"detail", "code"}``."""

    serializer_class = RequestSerializer
    filterset_class = RequestFilter
    permission_classes = [HasCapability]
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_capabilities = {
        "GET": perms.VIEW_REQUESTS,
        "POST": perms.SUBMIT_REQUESTS,
        "PATCH": perms.VIEW_REQUESTS,
    }
    action_capabilities = {
        "matches": perms.TRIAGE_REQUESTS,
        "supply": perms.TRIAGE_REQUESTS,
        "assign": perms.TRIAGE_REQUESTS,
        "bulk_assign": perms.TRIAGE_REQUESTS,
        "close": perms.TRIAGE_REQUESTS,
        "cancel": perms.VIEW_REQUESTS,
        "outcome": perms.VIEW_REQUESTS,
        "rate": perms.VIEW_REQUESTS,
        "candidates": perms.VIEW_REQUESTS,
    }

    def get_queryset(self):
        if self.action in ("matches", "supply"):
            # What matching reads of the request, and no more: these are the reads a rep repeats.
            return (
                Request.objects.visible_to(self.request.user)
                .select_related("activity_type")
                .prefetch_related("products")
            )
        return (
            Request.objects.visible_to(self.request.user)
            .select_related("requester", "assignee", "activity_type", "opportunity")
            .prefetch_related("products")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(responses={201: RequestSavedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj, warnings = services.request_submit(requester=request.user, data=dict(serializer.validated_data))
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(
            {**self.get_serializer(obj).data, "warnings": warnings}, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: RequestSavedSerializer})
    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        serializer = self.get_serializer(obj, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        obj, warnings = services.request_update(
            request=obj, actor=request.user, data=dict(serializer.validated_data)
        )
        obj = self.get_queryset().get(pk=obj.pk)
        return Response({**self.get_serializer(obj).data, "warnings": warnings})

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        responses={200: MatchSerializer(many=True)},
        parameters=[
            OpenApiParameter(
                "limit", OpenApiTypes.INT, description="How many matches (1–100, default 20).", default=20
            )
        ],
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def matches(self, request, pk=None):
        """Ranked matches, best first, each with its score, the criteria it meets and misses,
        whether it can be proposed now, and an explanation. ``?limit=`` (1–100, default 20).
        Reading them records nothing (unmet demand is recorded when the request is submitted or
        changed)."""
        obj = self.get_object()
        try:
            limit = max(1, min(100, int(request.query_params.get("limit", 20))))
        except ValueError:
            limit = 20
        policy = OverusePolicy.current()
        today = timezone.localdate()
        return Response(matching.matches_for_request(obj, limit=limit, today=today, policy=policy))

    @extend_schema(responses={200: SupplySerializer})
    @action(detail=True, methods=["get"])
    def supply(self, request, pk=None):
        """Is supply short? ``{"short", "reason", "message", "nearest_misses", "alternatives",
        "weights"}``. Reading it records nothing."""
        obj = self.get_object()
        result = matching.supply_for_request(obj, user=request.user)
        return Response({**result, "weights": [{"what": w, "points": p} for w, p in matching.WEIGHTS_DOC]})

    @extend_schema(
        methods=["GET"],
        summary="List the candidates of a request",
        request=None,
        responses={200: CandidateSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Propose a reference for a request",
        request=CandidateProposeSerializer,
        responses={201: CandidateSerializer},
    )
    # A plain list (a request has a handful of candidates): no pagination or filters, in the schema too.
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def candidates(self, request, pk=None):
        """GET: the candidates proposed for this request with their timelines. POST
        ``{"reference": id}``: propose one (reserves capacity; 409 when it cannot be asked)."""
        obj = self.get_object()
        if request.method == "GET":
            qs = _candidates_qs().filter(request=obj)
            return Response(CandidateSerializer(qs, many=True, context={"request": request}).data)
        if not perms.has_capability(request.user, perms.TRIAGE_REQUESTS):
            self.permission_denied(request, message="Only a reference manager may propose references.")
        data = CandidateProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reference = (
            ReferenceProfile.objects.visible_to(request.user)
            .filter(pk=data.validated_data["reference"])
            .first()
        )
        if reference is None:
            return Response({"reference": ["No such reference."]}, status=status.HTTP_400_BAD_REQUEST)
        candidate = services.candidate_propose(
            request=obj,
            reference=reference,
            actor=request.user,
            override_reason=data.validated_data.get("override_reason", ""),
            base_url=request.build_absolute_uri("/"),
        )
        return Response(
            CandidateSerializer(_candidates_qs().get(pk=candidate.pk), context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=RequestOutcomeSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        """The deal's outcome ``{"result": "won"|"lost", "amount"}``, by the requester or a manager."""
        obj = self.get_object()
        data = RequestOutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.request_outcome(
            request=obj,
            actor=request.user,
            result=data.validated_data["result"],
            amount=data.validated_data.get("amount"),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)

    @extend_schema(request=RequestRateSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        """The requester rates the reference experience ``{"rating": 1–5, "comment"}``."""
        obj = self.get_object()
        data = RequestRateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.request_rate(
            request=obj,
            actor=request.user,
            rating=data.validated_data["rating"],
            comment=data.validated_data.get("comment", ""),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)

    @extend_schema(request=RequestReasonSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel an open request ``{"reason"}`` (its requester or a manager)."""
        obj = self.get_object()
        data = RequestReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.request_cancel(request=obj, actor=request.user, reason=data.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)

    @extend_schema(request=RequestReasonSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close an open request unfulfilled ``{"reason"}`` (a manager); records unmet demand."""
        obj = self.get_object()
        data = RequestReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.request_close_unfulfilled(
            request=obj, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)

    @extend_schema(request=RequestAssignSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign the request ``{"assignee": user id}`` (omit for yourself, null to unassign)."""
        obj = self.get_object()
        data = RequestAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.request_assign(
            requests=[obj], assignee=_assignee_for(data.validated_data, request.user), actor=request.user
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)

    @extend_schema(
        request=RequestBulkAssignSerializer,
        responses={200: RequestBulkAssignResultSerializer},
        operation_id="requests_bulk_assign",
    )
    @action(detail=False, methods=["post"], url_path="assign")
    def bulk_assign(self, request):
        """Assign many requests at once ``{"requests": [ids], "assignee": id}``; returns how many changed."""
        data = RequestBulkAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Outside the manager's teams' scope (when their team edits only inside it): skipped.
        chosen = self.get_queryset().filter(pk__in=data.validated_data["requests"])
        requests = list(within_edit_scope(request.user, chosen))
        changed = services.request_assign(
            requests=requests, assignee=_assignee_for(data.validated_data, request.user), actor=request.user
        )
        return Response({"changed": changed})


class CandidateViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A candidate reference of a request and its state machine (``transition``)."""

    serializer_class = CandidateSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"GET": perms.VIEW_REQUESTS, "POST": perms.TRIAGE_REQUESTS}

    def get_queryset(self):
        return _candidates_qs().visible_to(self.request.user)

    @extend_schema(request=CandidateTransitionSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the candidate ``{"to", "note"}``; 409 ``invalid_transition`` for a move the state
        machine forbids. ``scheduled`` needs ``scheduled_for`` (future, with a time zone) and
        ``meeting_details`` (``duration_minutes`` defaults to the activity's usual length) and
        sends the calendar invitation; ``scheduled`` again reschedules. ``completed`` needs
        ``completion_notes`` (``found_useful`` optional). Missing or invalid ones: 400."""
        candidate = self.get_object()
        data = CandidateTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        services.candidate_transition(
            candidate=candidate,
            to=v["to"],
            actor=request.user,
            note=v.get("note", ""),
            scheduled_for=v.get("scheduled_for"),
            duration_minutes=v.get("duration_minutes"),
            meeting_details=v.get("meeting_details", ""),
            completion_notes=v.get("completion_notes", ""),
            found_useful=v.get("found_useful"),
            deal_shared=v.get("deal_shared", False),
            base_url=request.build_absolute_uri("/"),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=candidate.pk)).data)


class CalendarRenderer(BaseRenderer):
    """Lets a calendar client ask for ``Accept: text/calendar``; errors stay JSON text."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


class CandidateCalendarView(APIView):
    """``GET candidates/{id}/calendar.ics``: the scheduled activity as an RFC 5545 invitation,
    for people who may see the candidate (404 otherwise, and when nothing is scheduled). The
    reference's contact is among the attendees only for a viewer who may see the contact."""

    permission_classes = [HasCapability]
    required_capabilities = {"GET": perms.VIEW_REQUESTS}
    renderer_classes = [JSONRenderer, CalendarRenderer]

    @extend_schema(
        responses={(200, "text/calendar"): OpenApiTypes.BINARY}, operation_id="candidates_calendar"
    )
    def get(self, request, pk: int):
        candidate = get_object_or_404(
            Candidate.objects.visible_to(request.user).select_related(
                "request__activity_type",
                "request__requester",
                "request__assignee",
                "reference__customer__account_owner",
                "reference__contact",
                "scheduled_by",
            ),
            pk=pk,
        )
        if not candidate.has_meeting:
            raise Http404("Nothing is scheduled for this candidate.")
        ics = calendar.invitation(candidate, with_contact=candidate.contact_visible_to(request.user))
        response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="reference-{candidate.pk}.ics"'
        return response


def register(router) -> None:
    router.register("requests", RequestViewSet, basename="request")
    router.register("candidates", CandidateViewSet, basename="candidate")
