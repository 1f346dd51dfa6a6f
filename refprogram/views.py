"""View plumbing every app's pages share: the capability gate, service refusals onto forms, the safe
``next`` redirect and pagination. One version of each; apps import them from here."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import permissions as perms

from .errors import RuleViolation

__all__ = ["PAGE_SIZE", "add_service_errors", "capability_required", "paginate", "posted", "safe_next_url"]

PAGE_SIZE = 25


def capability_required(capability: str):
    """Anonymous users go to the login page; a logged-in role without the capability gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not perms.has_capability(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def add_service_errors(form: forms.Form, exc: ValidationError | RuleViolation) -> None:
    """Show what a service refused on the form, next to the field it concerns when it names one
    (a field the form lacks becomes a form-wide error that names it)."""
    if isinstance(exc, RuleViolation):
        form.add_error(None, exc.message)
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                message = " ".join(error.messages)
                if target is None and field != NON_FIELD_ERRORS:
                    message = f"{field.replace('_', ' ').capitalize()}: {message}"
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def safe_next_url(request, fallback: str) -> str:
    """Where to go after a POST: the ``next`` the page sent when it points into this site, else
    ``fallback`` (never another host: an open redirect would make our links phishing bait)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def posted(request, files: bool = False):
    """Bind a form to the POST data (even an empty POST, so its required fields complain)."""
    if request.method != "POST":
        return (None, None) if files else None
    return (request.POST, request.FILES) if files else request.POST


def paginate(request, queryset, per_page: int = PAGE_SIZE, paginator_class=Paginator) -> Page:
    """The page ``?page=`` asks for (the last one when it is past the end, the first when it is junk)."""
    paginator = paginator_class(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))
