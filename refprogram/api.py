"""Shared API plumbing: pagination and the one error shape.

Services raise ``RuleViolation(code, message)``; this handler turns it into
``409 {"detail", "code"}``. Django's ``ValidationError`` from model validation becomes a 400
with field errors, so the API and the forms run the same rules. A lost or refused database
connection is a 503 ``database_unavailable`` (the service's transaction rolled back: nothing was
saved, the call can be retried), not an HTML 500.
"""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from refprogram.errors import RuleViolation

logger = logging.getLogger("refprogram.api")


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (at most 200)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc, context):
    if isinstance(exc, RuleViolation):
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("database unavailable during %s", context["request"].path, exc_info=exc)
        set_rollback()
        response = Response(
            {
                "detail": _("The database is unavailable; nothing was saved. Try again in a minute."),
                "code": "database_unavailable",
            },
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = "30"
        return response
    if isinstance(exc, Http404):
        return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    return drf_exception_handler(exc, context)
