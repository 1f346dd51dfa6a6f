"""Provisioning over SCIM 2.0: the use cases the company's identity provider drives.

The identity provider creates people, changes their name, e-mail and role, and deactivates
leavers. A person's role is their one SCIM group (the groups are the five roles). Deactivating
someone (``active: false``) ends their browser sessions and revokes their API tokens at once;
their open requests then show on the managers' home for reassignment.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from refprogram.links import TOKEN_MAX_LENGTH, token_hash, token_new

from ..choices import Role
from ..models import ScimToken, User
from ..services import user_deactivate, user_role_apply

# What the audit log shows as the reason of a change the identity provider made.
CHANGE_REASON = "SCIM provisioning"


class ScimError(Exception):
    """A SCIM request refused with an RFC 7644 error: HTTP ``status`` and ``scim_type``."""

    def __init__(self, status: int, detail: str, scim_type: str = ""):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type


@transaction.atomic
def scim_token_create(*, label: str = "") -> tuple[ScimToken, str]:
    """A new SCIM bearer token: the stored row (its hash only) and the token, shown this once."""
    token = token_new()
    return ScimToken.objects.create(label=label, token_hash=token_hash(token)), token


def scim_token_check(raw: str) -> ScimToken | None:
    """The usable (not revoked) token for ``raw``, or None."""
    if not raw or len(raw) > TOKEN_MAX_LENGTH:
        return None
    token = ScimToken.objects.filter(token_hash=token_hash(raw), revoked_at__isnull=True).first()
    if token is not None:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def sessions_end(*, user: User) -> int:
    """End every browser session of ``user`` (they are logged out on their next click).

    Sessions are signed blobs keyed by session key, so the unexpired ones are read and the
    user's deleted; it runs when someone leaves, not on a page view."""
    mine = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).only(
            "session_key", "session_data"
        )
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    deleted, _ = Session.objects.filter(session_key__in=mine).delete()
    return deleted


def _save(user: User, **kwargs) -> None:
    user._change_reason = CHANGE_REASON  # read by django-simple-history: the audit log's reason
    try:
        with transaction.atomic():
            user.save(**kwargs)
    except IntegrityError as exc:
        raise ScimError(409, "A user with this userName already exists.", "uniqueness") from exc


def _validate(user: User) -> None:
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as exc:
        detail = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
        raise ScimError(400, detail, "invalidValue") from exc
    if User.objects.filter(username__iexact=user.username).exclude(pk=user.pk).exists():
        raise ScimError(409, "A user with this userName already exists.", "uniqueness")


@transaction.atomic
def scim_user_create(
    *,
    username: str,
    role: str = Role.SALES,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    active: bool = True,
) -> User:
    """Provision a person. They log in through single sign-on: no local password."""
    user = User(username=username, email=email, first_name=first_name, last_name=last_name, is_active=active)
    try:
        user_role_apply(user=user, role=role)
    except ValueError as exc:
        raise ScimError(400, str(exc), "invalidValue") from exc
    user.set_unusable_password()
    _validate(user)
    _save(user)
    return user


@transaction.atomic
def scim_user_update(*, user: User, **fields) -> User:
    """Change what the identity provider manages about a person: ``username``, ``email``,
    ``first_name``, ``last_name``, ``role`` and ``active`` (any subset). ``active: False``
    deactivates them (see :func:`scim_user_deactivate`)."""
    active = fields.pop("active", None)
    role = fields.pop("role", None)
    for name, value in fields.items():
        setattr(user, name, value)
    if role is not None:
        try:
            user_role_apply(user=user, role=role)
        except ValueError as exc:
            raise ScimError(400, str(exc), "invalidValue") from exc
    if active is True:
        user.is_active = True
    _validate(user)
    _save(user)
    if active is False:
        scim_user_deactivate(user=user)
    return user


@transaction.atomic
def scim_user_deactivate(*, user: User) -> dict[str, int]:
    """A leaver: no more log-ins, every session ended and every API token revoked, now.
    Their history, requests and assignments stay (the managers' home lists what to reassign)."""
    user._change_reason = CHANGE_REASON
    tokens = user_deactivate(user=user)
    return {"sessions": sessions_end(user=user), "tokens": tokens}


@transaction.atomic
def scim_group_members_set(*, role: str, add: list[User] = (), remove: list[User] = ()) -> None:
    """Group membership is the role: people added get ``role``; people removed from their own
    role's group fall back to the least-privileged role (sales), as everyone has exactly one."""
    for user in add:
        if user.role != role:
            user_role_apply(user=user, role=role)
            _save(user)
    for user in remove:
        if user.role == role and role != Role.SALES:
            user_role_apply(user=user, role=Role.SALES)
            _save(user)
