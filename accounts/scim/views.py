"""SCIM 2.0 endpoints (RFC 7643/7644 subset): ``/scim/v2/Users`` and ``/scim/v2/Groups``.

Users: list (``filter=userName eq "…"``, ``startIndex``, ``count``), get, create, replace (PUT),
patch (``active``, ``userName``, ``name.givenName``, ``name.familyName``, ``emails``, ``roles``)
and delete (a deactivation: people's history stays). Groups are the five roles, fixed: list,
get, create (only a role's name: answers that group), replace and patch ``members``.
Every call needs ``Authorization: Bearer <token>`` from ``manage.py scim_token``.
"""

from __future__ import annotations

import json
import re
from functools import wraps

from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from ..choices import Role
from ..models import User
from .services import (
    ScimError,
    scim_group_members_set,
    scim_token_check,
    scim_user_create,
    scim_user_deactivate,
    scim_user_update,
)

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
CONTENT_TYPE = "application/scim+json"
MAX_COUNT = 200

FILTER_RE = re.compile(r'^\s*(userName|displayName)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)
MEMBER_PATH_RE = re.compile(r'^members\[value eq "([^"]*)"\]$', re.IGNORECASE)


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, content_type=CONTENT_TYPE)


def _error(status: int, detail: str, scim_type: str = "") -> JsonResponse:
    body = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    response = _json(body, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="scim"'
    return response


def scim_view(func):
    """Bearer-token authentication, JSON bodies and SCIM errors for one endpoint."""

    @csrf_exempt
    @wraps(func)
    def wrapper(request, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or scim_token_check(raw.strip()) is None:
            return _error(401, "A valid SCIM bearer token is required.")
        body = None
        if request.method in ("POST", "PUT", "PATCH"):
            try:
                body = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError):
                return _error(400, "The body is not JSON.", "invalidSyntax")
            if not isinstance(body, dict):
                return _error(400, "The body must be a JSON object.", "invalidSyntax")
        try:
            return func(request, body, *args, **kwargs)
        except ScimError as exc:
            return _error(exc.status, exc.detail, exc.scim_type)

    return wrapper


def _not_allowed(request) -> JsonResponse:
    return _error(405, f"{request.method} is not supported here.")


# --- Representations --------------------------------------------------------------------------


def user_resource(request, user: User) -> dict:
    location = request.build_absolute_uri(reverse("scim-user", args=[user.pk]))
    resource = {
        "schemas": [USER_SCHEMA],
        "id": str(user.pk),
        "userName": user.username,
        "name": {"givenName": user.first_name, "familyName": user.last_name},
        "displayName": user.get_full_name() or user.username,
        "active": user.is_active,
        "emails": [{"value": user.email, "type": "work", "primary": True}] if user.email else [],
        "roles": [{"value": user.role, "display": user.get_role_display(), "primary": True}],
        "groups": [{"value": user.role, "display": user.get_role_display()}],
        "meta": {"resourceType": "User", "location": location},
    }
    if user.date_joined:
        resource["meta"]["created"] = user.date_joined.isoformat()
    return resource


def group_resource(request, role: str, members: list[User] | None) -> dict:
    resource = {
        "schemas": [GROUP_SCHEMA],
        "id": role,
        "displayName": Role(role).label,
        "meta": {
            "resourceType": "Group",
            "location": request.build_absolute_uri(reverse("scim-group", args=[role])),
        },
    }
    if members is not None:
        resource["members"] = [{"value": str(u.pk), "display": u.username} for u in members]
    return resource


def _list(resources: list[dict], total: int, start: int) -> dict:
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def _paging(request) -> tuple[int, int]:
    try:
        start = max(int(request.GET.get("startIndex", 1)), 1)
        count = min(max(int(request.GET.get("count", 100)), 0), MAX_COUNT)
    except ValueError as exc:
        raise ScimError(400, "startIndex and count must be integers.", "invalidValue") from exc
    return start, count


# --- Users ------------------------------------------------------------------------------------


def _user_fields(body: dict, *, partial: bool) -> dict:
    """The attributes of a SCIM User we keep, as ``scim_user_update`` keywords."""
    fields: dict = {}
    if "userName" in body or not partial:
        username = body.get("userName")
        if not isinstance(username, str) or not username.strip():
            raise ScimError(400, "userName is required.", "invalidValue")
        fields["username"] = username.strip()
    name = body.get("name")
    if isinstance(name, dict):
        if "givenName" in name or not partial:
            fields["first_name"] = str(name.get("givenName") or "")
        if "familyName" in name or not partial:
            fields["last_name"] = str(name.get("familyName") or "")
    elif not partial:
        fields["first_name"] = fields["last_name"] = ""
    if "emails" in body or not partial:
        emails = body.get("emails") or []
        if not isinstance(emails, list):
            raise ScimError(400, "emails must be a list.", "invalidValue")
        chosen = next((e for e in emails if isinstance(e, dict) and e.get("primary")), None) or next(
            (e for e in emails if isinstance(e, dict)), {}
        )
        fields["email"] = str(chosen.get("value") or "")
    if "active" in body or not partial:
        active = body.get("active", True)
        if isinstance(active, str) and active.lower() in ("true", "false"):
            active = active.lower() == "true"  # Azure AD sends "False" as a string
        if not isinstance(active, bool):
            raise ScimError(400, "active must be true or false.", "invalidValue")
        fields["active"] = active
    if "roles" in body:
        roles = body.get("roles") or []
        values = (
            [r.get("value") if isinstance(r, dict) else r for r in roles] if isinstance(roles, list) else []
        )
        if values:
            try:
                fields["role"] = _role_of(values[0])
            except ScimError as exc:
                raise ScimError(400, exc.detail, "invalidValue") from exc
    return fields


def _get_user(pk: str) -> User:
    user = User.objects.filter(pk=int(pk)).first() if str(pk).isdigit() else None
    if user is None:
        raise ScimError(404, f"User {pk} not found.")
    return user


@scim_view
def users(request, body):
    """``GET``: the people, filtered by ``userName eq "…"``; ``POST``: provision one."""
    if request.method == "GET":
        start, count = _paging(request)
        queryset = User.objects.order_by("id")
        raw_filter = request.GET.get("filter")
        if raw_filter:
            match = FILTER_RE.match(raw_filter)
            if not match or match.group(1).lower() != "username":
                raise ScimError(400, 'Only the filter userName eq "…" is supported.', "invalidFilter")
            queryset = queryset.filter(username__iexact=match.group(2).replace('\\"', '"'))
        total = queryset.count()
        page = list(queryset[start - 1 : start - 1 + count]) if count else []
        return _json(_list([user_resource(request, u) for u in page], total, start))
    if request.method == "POST":
        fields = _user_fields(body, partial=False)
        user = scim_user_create(**fields)
        response = _json(user_resource(request, user), 201)
        response["Location"] = user_resource(request, user)["meta"]["location"]
        return response
    return _not_allowed(request)


def _patch_user_fields(body: dict) -> dict:
    if PATCH_SCHEMA not in (body.get("schemas") or [PATCH_SCHEMA]):
        raise ScimError(400, "A PATCH body is a PatchOp message.", "invalidSyntax")
    operations = body.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "Operations is required.", "invalidSyntax")
    fields: dict = {}
    for op in operations:
        if not isinstance(op, dict) or str(op.get("op", "")).lower() not in ("replace", "add"):
            raise ScimError(400, "Only add and replace operations are supported on Users.", "invalidSyntax")
        path, value = op.get("path"), op.get("value")
        if path:
            # "name.givenName" → {"name": {"givenName": v}}; "active" → {"active": v}
            head, _, tail = str(path).partition(".")
            value = {head: {tail: value}} if tail else {head: value}
        if not isinstance(value, dict):
            raise ScimError(400, "An operation without a path needs an object value.", "invalidValue")
        known = {"userName", "name", "emails", "active", "roles"}
        unknown = set(value) - known
        if unknown:
            raise ScimError(400, f"Unsupported attribute: {', '.join(sorted(unknown))}.", "invalidPath")
        fields.update(_user_fields(value, partial=True))
    return fields


@scim_view
def user_detail(request, body, pk: str):
    """One person: ``GET``, ``PUT`` (replace), ``PATCH`` and ``DELETE`` (deactivates)."""
    user = _get_user(pk)
    if request.method == "GET":
        return _json(user_resource(request, user))
    if request.method == "PUT":
        user = scim_user_update(user=user, **_user_fields(body, partial=False))
        return _json(user_resource(request, user))
    if request.method == "PATCH":
        user = scim_user_update(user=user, **_patch_user_fields(body))
        return _json(user_resource(request, user))
    if request.method == "DELETE":
        scim_user_deactivate(user=user)
        return HttpResponse(status=204)
    return _not_allowed(request)


# --- Groups (the roles) -----------------------------------------------------------------------


def _role_of(value: str) -> str:
    """A role code from a group id or name (code or label, any case)."""
    wanted = str(value or "").strip().lower()
    for role in Role:
        if wanted in (role.value, role.label.lower()):
            return role.value
    valid = ", ".join(Role.values)
    raise ScimError(404, f"No group {value!r}; the groups are the roles: {valid}.")


def _members_of(role: str) -> list[User]:
    return list(User.objects.filter(role=role, is_active=True).order_by("id"))


def _users_from(values) -> list[User]:
    if not isinstance(values, list):
        raise ScimError(400, "members must be a list.", "invalidValue")
    ids = [str(m.get("value") if isinstance(m, dict) else m) for m in values]
    found = {str(u.pk): u for u in User.objects.filter(pk__in=[i for i in ids if i.isdigit()])}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ScimError(400, f"Unknown member(s): {', '.join(missing)}.", "invalidValue")
    return [found[i] for i in ids]


@scim_view
def groups(request, body):
    """``GET``: the five roles as groups (``filter=displayName eq "…"``); ``POST``: a group named
    after a role answers that role's group (a role cannot be created over SCIM)."""
    if request.method == "GET":
        start, count = _paging(request)
        roles = list(Role.values)
        raw_filter = request.GET.get("filter")
        if raw_filter:
            match = FILTER_RE.match(raw_filter)
            if not match or match.group(1).lower() != "displayname":
                raise ScimError(400, 'Only the filter displayName eq "…" is supported.', "invalidFilter")
            try:
                roles = [_role_of(match.group(2))]
            except ScimError:
                roles = []
        excluded = "members" in request.GET.get("excludedAttributes", "")
        page = roles[start - 1 : start - 1 + count]
        members: dict[str, list[User]] = {role: [] for role in page}
        if not excluded:
            for user in User.objects.filter(role__in=page, is_active=True).order_by("id"):
                members[user.role].append(user)
        resources = [group_resource(request, role, None if excluded else members[role]) for role in page]
        return _json(_list(resources, len(roles), start))
    if request.method == "POST":
        try:
            role = _role_of(body.get("displayName"))
        except ScimError as exc:
            raise ScimError(400, exc.detail, "invalidValue") from exc
        if "members" in body:
            scim_group_members_set(role=role, add=_users_from(body["members"]))
        response = _json(group_resource(request, role, _members_of(role)), 201)
        response["Location"] = group_resource(request, role, None)["meta"]["location"]
        return response
    return _not_allowed(request)


@scim_view
def group_detail(request, body, pk: str):
    """One role's group: ``GET``, ``PUT`` (its members become exactly these) and ``PATCH``
    (``add`` / ``remove`` / ``replace`` members)."""
    role = _role_of(pk)
    if request.method == "GET":
        return _json(group_resource(request, role, _members_of(role)))
    if request.method == "PUT":
        wanted = _users_from(body.get("members") or [])
        wanted_ids = {u.pk for u in wanted}
        with transaction.atomic():
            gone = [u for u in _members_of(role) if u.pk not in wanted_ids]
            scim_group_members_set(role=role, add=wanted, remove=gone)
        return _json(group_resource(request, role, _members_of(role)))
    if request.method == "PATCH":
        operations = body.get("Operations")
        if not isinstance(operations, list) or not operations:
            raise ScimError(400, "Operations is required.", "invalidSyntax")
        with transaction.atomic():
            for op in operations:
                kind = str(op.get("op", "")).lower() if isinstance(op, dict) else ""
                path = str(op.get("path") or "members")
                member = MEMBER_PATH_RE.match(path)
                if kind == "remove" and member:
                    scim_group_members_set(role=role, remove=_users_from([member.group(1)]))
                elif path.lower() != "members" or kind not in ("add", "remove", "replace"):
                    raise ScimError(400, "Only members can be added, removed or replaced.", "invalidPath")
                elif kind == "add":
                    scim_group_members_set(role=role, add=_users_from(op.get("value") or []))
                elif kind == "remove":
                    scim_group_members_set(role=role, remove=_users_from(op.get("value") or []))
                else:
                    wanted = _users_from(op.get("value") or [])
                    ids = {u.pk for u in wanted}
                    gone = [u for u in _members_of(role) if u.pk not in ids]
                    scim_group_members_set(role=role, add=wanted, remove=gone)
        return _json(group_resource(request, role, _members_of(role)))
    return _not_allowed(request)
