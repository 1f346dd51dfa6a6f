"""Log-in protection: the lockout after repeated failures (django-axes) and the token throttle.

Five failed log-ins for one username from one address lock that pair out for 15 minutes
(``AXES_*`` in settings). Twenty failed log-ins from one address across any usernames (password
spraying, ``LOGIN_ADDRESS_FAILURE_LIMIT``) lock that address out for every username, as long.
The log-in page says so in plain words; the API answers 429 with the same reason. An
administrator lifts a lockout early with ``manage.py axes_reset_username NAME`` or
``manage.py axes_reset_ip ADDRESS``.
"""

from __future__ import annotations

import hashlib

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.throttling import ScopedRateThrottle


def lockout_minutes() -> int:
    cool_off = get_cool_off()
    return int(cool_off.total_seconds() // 60) if cool_off else 0


def lockout_message(request=None) -> str:
    minutes = lockout_minutes()
    wait = f"for {minutes} minutes" if minutes else "until an administrator unlocks it"
    if getattr(request, "axes_address_locked_out", False):
        return (
            f"Too many failed log-ins from this network address: log-ins from it are locked {wait}. "
            "Try again later, or ask an administrator to unlock it."
        )
    return (
        f"Too many failed log-ins: this account is locked {wait} on this device. "
        "Try again later, or ask an administrator to unlock it."
    )


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuses log-ins of a locked-out username and address before the password is checked.

    Authentication without an HTTP request (management commands, the test client's
    ``login()``) is not a log-in attempt from outside, so it is not counted or refused here.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LoginLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler (attempts, lockouts and a log of log-ins in the database,
    shared by every worker), for log-ins that came over the network.

    A log-in without a client address did not come from outside (``force_login`` in tests,
    internal code): it is not written to the access log, as the backend above does not count it.
    """

    def get_failures(self, request, credentials=None) -> int:
        """The failures that count against this log-in: the username-and-address pair's (axes), or
        the lockout limit itself once the address alone has ``LOGIN_ADDRESS_FAILURE_LIMIT``
        failures across all usernames within the lockout window.

        axes compares one count with one limit (``AXES_FAILURE_LIMIT``); a second lockout
        parameter ``"ip_address"`` would lock an address after five failures and let one
        successful log-in wipe the address's count, so the address is counted here instead.
        A success resets only its own pair's failures.
        """
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        address_limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
        if failures >= limit or not address_limit:
            return failures
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if get_cool_off(request) is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        from_address = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        if from_address >= address_limit:
            request.axes_address_locked_out = True
            return limit
        return failures

    def user_logged_in(self, sender, request, user, **kwargs):
        if request is None or not request.META.get("REMOTE_ADDR"):
            return None
        return super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        if request is None or not request.META.get("REMOTE_ADDR"):
            return None
        return super().user_logged_out(sender, request, user, **kwargs)


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out log-in gets (``AXES_LOCKOUT_CALLABLE``): the log-in page with the reason,
    or a JSON body for API and script callers; 429 either way."""
    message = lockout_message(request)
    wants_json = (
        request.path.startswith("/api/") or request.headers.get("x-requested-with") == "XMLHttpRequest"
    )
    if wants_json:
        return JsonResponse(
            {"detail": message, "code": "locked_out"}, status=status.HTTP_429_TOO_MANY_REQUESTS
        )
    context = {
        "form": AuthenticationForm(request),
        "locked_out": True,
        "lockout_message": message,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=status.HTTP_429_TOO_MANY_REQUESTS)


class LockedOut(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self, request=None):
        # The project's error shape {"detail", "code"}, as RuleViolation answers.
        super().__init__(detail={"detail": lockout_message(request), "code": "locked_out"})


def raise_if_locked_out(request) -> None:
    """After a refused token request: 429 ``locked_out`` when axes locked the caller out."""
    if getattr(request, "axes_locked_out", False):
        raise LockedOut(request)


class LoginRateThrottle(ScopedRateThrottle):
    """Token requests per username and address (scope ``auth-token``), so fifty people behind
    one office address can each log in while one guesser is slowed down."""

    def get_cache_key(self, request, view):
        username = ""
        if hasattr(request.data, "get"):
            username = str(request.data.get("username", ""))[:150].strip().lower()
        # Hashed: any text may be posted as a username, a cache key must stay short and plain.
        who = hashlib.sha256(username.encode()).hexdigest()[:20]
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{who}"}
