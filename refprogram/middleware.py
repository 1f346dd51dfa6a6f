"""Request-wide plumbing: the request id that ties log lines to one request, the answer when the
database is unreachable, and the signed-in person's language and time zone."""

from __future__ import annotations

import logging
import re
import uuid

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.utils import timezone, translation

from refprogram.i18n import preferences_activate
from refprogram.logging import request_id_var

logger = logging.getLogger("refprogram.requests")

# A caller's own id (a proxy's X-Request-ID) is kept only if it is short and plain.
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Takes the proxy's ``X-Request-ID`` or makes one, exposes it to logs and echoes it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("x-request-id", "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class NoStoreMiddleware:
    """Pages and API answers carry people's data and deal data: no browser or proxy keeps a copy
    (``Cache-Control: no-store, private``), so the back button after log-out or a shared machine
    shows nothing. Static files never come this far (whitenoise answers them first, cached)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store, private"
        return response


_DATABASE_DOWN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Unavailable · RefProgram</title></head>
<body><h1>RefProgram is briefly unavailable</h1>
<p>The database is unavailable, so nothing was saved. Please try again in a minute.</p>
<p>Reference: {request_id}</p></body></html>
"""


class DatabaseUnavailableMiddleware:
    """A lost or refused database connection on a page is a plain 503 "try again" page, not a
    500 stack trace. Each service runs in its own transaction, so nothing half-done was kept.
    (The API answers the same with JSON, see ``refprogram.api``.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable during %s", request.path, exc_info=exception)
        request_id = getattr(request, "request_id", "-")
        response = HttpResponse(_DATABASE_DOWN_PAGE.format(request_id=request_id), status=503)
        response["Retry-After"] = "30"
        return response


class PersonalPreferencesMiddleware:
    """Speaks the signed-in person's language and shows dates in their time zone, when their
    profile names them (``refprogram.i18n``); otherwise Django's ``LocaleMiddleware`` has already
    chosen the browser's language, and dates stay in the company's time zone. After
    ``AuthenticationMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.deactivate()
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            preferences_activate(user)
            request.LANGUAGE_CODE = translation.get_language()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()  # the thread's next request starts in the company's zone
