"""API: import past reference activities into the usage ledger (``POST usage/import/``, multipart).

The same import as the page (``ledger.imports.usage_import``), all or nothing:

- 201 with the counts when asks were written, 200 when every row was already in the ledger;
- 400 ``{"file": [...]}`` without a file (a JSON body has none), and 400 ``{"detail", "code":
  "import_invalid", "rows", "errors": [{"line", "column", "value", "message"}]}`` when anything in
  the file is wrong (nothing was written);
- 403 without ``reserve_capacity`` (the managers who keep the ledger).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from refprogram.parsers import JSONParser

from .. import imports
from ..views_import import IMPORT_CAPABILITY
from .views import CapabilityMixin

CODE_IMPORT_INVALID = "import_invalid"


class UsageImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The CSV file: UTF-8, comma separated, with the header row.")


_ERRORS = inline_serializer(
    "UsageImportRowError",
    {
        "line": serializers.IntegerField(help_text="Line in the file; the header is 1, 0 is the file."),
        "column": serializers.CharField(),
        "value": serializers.CharField(),
        "message": serializers.CharField(),
    },
    many=True,
    required=False,
)
_WRITTEN = inline_serializer(
    "UsageImportResult",
    {
        "rows": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "skipped": serializers.IntegerField(),
        "skipped_lines": serializers.ListField(child=serializers.IntegerField()),
        "by_status": serializers.DictField(child=serializers.IntegerField()),
        "counting_now": serializers.IntegerField(),
    },
)
# Both 400s in one shape (every field optional): the upload's field error, or the file's row report.
_REFUSED = inline_serializer(
    "UsageImportRefused",
    {
        "file": serializers.ListField(child=serializers.CharField(), required=False),
        "detail": serializers.CharField(required=False),
        "code": serializers.CharField(required=False),
        "rows": serializers.IntegerField(required=False),
        "errors": _ERRORS,
    },
)


class UsageImportView(CapabilityMixin, APIView):
    """Import past reference activities (CSV, the columns of the page's template), all or nothing."""

    # JSON too, so a JSON body (which cannot carry a file) is the same 400 field error, not a 415.
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    required_capabilities = {"POST": IMPORT_CAPABILITY}

    @extend_schema(
        request={"multipart/form-data": UsageImportUploadSerializer},
        responses={201: _WRITTEN, 200: _WRITTEN, 400: _REFUSED},
    )
    def post(self, request):
        upload = UsageImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        report = imports.usage_import(file=upload.validated_data["file"], actor=request.user)
        if not report.ok:
            body = {
                "detail": f"Nothing was imported: {len(report.errors)} problem(s) in the file.",
                "code": CODE_IMPORT_INVALID,
                **report.as_dict(),
            }
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            report.as_dict(), status=status.HTTP_201_CREATED if report.created else status.HTTP_200_OK
        )
