"""API of teams (API.md ``teams/``): administrators set them up, managers and executives read
them. A team is its name, its scope (region and industry codes, product names) and its members
(user ids); every change is a call to ``accounts.teams``."""

from __future__ import annotations

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from refprogram.authentication import TokenAuthentication

from .. import permissions as perms
from ..models import Team
from ..permissions import HasCapability
from ..teams import team_create, team_delete, team_scope_describe, team_update

MAX_CODES = 200  # more regions, industries or products than any managed list sensibly holds


def _codes(help_text: str):
    return serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=MAX_CODES, required=False, help_text=help_text
    )


class TeamSerializer(serializers.ModelSerializer):
    """A team as clients read and write it. ``regions``, ``industries``, ``products`` make its
    scope (at least one; within a facet any value matches, across facets all must);
    ``members`` are user ids."""

    regions = _codes("Region codes (see `regions/`), e.g. `emea`.")
    industries = _codes("Industry codes (see `industries/`), e.g. `finance`.")
    products = _codes("Product names (see `products/`).")
    members = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=1000,
        required=False,
        help_text="User ids.",
    )

    class Meta:
        model = Team
        fields = ["id", "name", "regions", "industries", "products", "members", "edit_only_in_scope"]
        extra_kwargs = {"name": {"validators": []}}  # uniqueness is the service's (case-blind) rule

    def to_representation(self, team):
        described = self.context.get("described") or team_scope_describe([team])
        scope = described[team.pk]
        return {
            "id": team.pk,
            "name": team.name,
            "regions": scope["regions"],
            "industries": scope["industries"],
            "products": scope["products"],
            "members": sorted(m.pk for m in team.members.all()),
            "edit_only_in_scope": team.edit_only_in_scope,
        }


class TeamViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Teams: managers who own a scope of regions, industries and products. Requests route to
    the team owning the prospect's region; a manager's queue, request list and inventory open
    on their teams' scope. Administrators create, change and remove teams; managers and
    executives read them."""

    queryset = Team.objects.none()
    serializer_class = TeamSerializer
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [HasCapability]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    required_capabilities = {
        "GET": perms.VIEW_TEAMS,
        "POST": perms.MANAGE_TEAMS,
        "PATCH": perms.MANAGE_TEAMS,
        "DELETE": perms.MANAGE_TEAMS,
    }

    def check_permissions(self, request):
        if request.method.lower() not in self.http_method_names:
            raise MethodNotAllowed(request.method)
        super().check_permissions(request)

    def get_queryset(self):
        return Team.objects.visible_to(self.request.user).prefetch_related("members").order_by("name", "id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        described = team_scope_describe(page)
        data = TeamSerializer(
            page, many=True, context={**self.get_serializer_context(), "described": described}
        )
        return self.get_paginated_response(data.data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        team = team_create(actor=request.user, **serializer.validated_data)
        team = self.get_queryset().get(pk=team.pk)
        return Response(self.get_serializer(team).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            raise MethodNotAllowed(request.method)
        team = self.get_object()
        serializer = self.get_serializer(team, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        team_update(actor=request.user, team=team, data=serializer.validated_data)
        team = self.get_queryset().get(pk=team.pk)
        return Response(self.get_serializer(team).data)

    def perform_destroy(self, instance):
        team_delete(actor=self.request.user, team=instance)
