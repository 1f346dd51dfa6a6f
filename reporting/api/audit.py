"""``GET /api/v1/audit/``: the audit log as JSON (managers and admins)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as perms
from accounts.permissions import HasCapability

from .. import audit


@extend_schema_field(
    {
        "type": "array",
        "minItems": 2,
        "maxItems": 2,
        "items": {
            "oneOf": [
                {"type": "string"},
                {"type": "number"},
                {"type": "boolean"},
                {"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "number"}]}},
                {"type": "object", "additionalProperties": True},
            ],
            "nullable": True,
        },
        "description": "[old, new]; a list field (a team's members, a profile's products) as two "
        "lists of ids or values; the program's own fields (`custom`) as two objects, slug → value.",
    }
)
class _OldNew(serializers.JSONField):
    """A field's value before and after: text, a number, true/false, a list, the program's own fields
    (an object), or null (nothing)."""


_ENTRY_FIELDS = {
    "at": serializers.DateTimeField(),
    "actor": serializers.CharField(help_text="A username; the customer or a nightly check; or `system`."),
    "reason": serializers.CharField(help_text="The import, sync or nightly check behind the change."),
    "action": serializers.CharField(
        help_text="`created`, `changed`, `deleted`, `logged in`, `locked out`, …"
    ),
    "object_type": serializers.ChoiceField(choices=list(audit.OBJECT_TYPES)),
    "object_id": serializers.CharField(),
    "changes": serializers.DictField(
        child=_OldNew(),
        help_text="field → [old, new]; a contact's e-mail and phone are `(hidden)` without the "
        "contact-data capability.",
    ),
}


class AuditLogView(APIView):
    """Who changed what, from what to what, and when; and who logged in or was locked out."""

    permission_classes = [HasCapability]
    required_capabilities = {"GET": perms.VIEW_AUDIT}

    @extend_schema(
        operation_id="audit_list",
        summary="Audit log",
        parameters=[
            OpenApiParameter("object_type", OpenApiTypes.STR, enum=list(audit.OBJECT_TYPES)),
            OpenApiParameter("object_id", OpenApiTypes.STR),
            OpenApiParameter("actor", OpenApiTypes.STR, description="A username, or `system`."),
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="From this date or moment on."),
            OpenApiParameter("until", OpenApiTypes.DATETIME, description="Up to this moment."),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="At most 200 (default 50)."),
        ],
        responses=inline_serializer(
            "AuditLog",
            {
                "count": serializers.IntegerField(),
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": inline_serializer("AuditEntry", _ENTRY_FIELDS, many=True),
            },
        ),
    )
    def get(self, request):
        form = audit.AuditFilter(request.query_params)
        if not form.is_valid():
            raise ValidationError(
                {k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()}
            )
        try:
            page = max(int(request.query_params.get("page", 1)), 1)
            size = min(
                max(int(request.query_params.get("page_size", audit.PAGE_SIZE)), 1), audit.MAX_PAGE_SIZE
            )
        except ValueError as exc:
            raise ValidationError({"page": [_("page and page_size must be whole numbers.")]}) from exc
        result = audit.audit_page(
            viewer=request.user, filters=form.cleaned_data, offset=(page - 1) * size, limit=size
        )

        def link(number):
            params = request.query_params.copy()
            params["page"] = number
            return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

        return Response(
            {
                "count": result.count,
                "next": link(page + 1) if page * size < result.count else None,
                "previous": link(page - 1) if page > 1 else None,
                "results": [entry.as_dict() for entry in result.entries],
            }
        )
