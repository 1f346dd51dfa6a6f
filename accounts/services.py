"""Use cases about users, their passwords and API tokens, and their notifications."""

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from knox.models import AuthToken

from refprogram.i18n import as_reader, user_language

from .choices import Role
from .models import Notification, User


def _check_password(password: str, user: User) -> None:
    """The password policy (``AUTH_PASSWORD_VALIDATORS``: at least 12 characters, not like the
    user's name or email, not a common password, not all digits), as a field error."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


@transaction.atomic
def user_create(
    *, username: str, role: str, password: str, email: str = "", first_name: str = "", last_name: str = ""
) -> User:
    """Create a user with one role; admins also get Django admin access.

    The password must pass the password policy (a ``ValidationError`` on ``password`` otherwise).
    """
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}; valid roles: {', '.join(Role.values)}")
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user_role_apply(user=user, role=role)
    _check_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def user_role_apply(*, user: User, role: str) -> None:
    """Give ``user`` (not saved here) one role; managers and admins also get the Django admin,
    admins as superusers. The one place a role's admin access is decided (command line, SCIM)."""
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}; valid roles: {', '.join(Role.values)}")
    user.role = role
    user.is_staff = role in (Role.ADMIN, Role.MANAGER)
    user.is_superuser = role == Role.ADMIN


@transaction.atomic
def user_set_password(*, user: User, password: str | None) -> int:
    """Give a user a new password (``None``: no password log-in at all) and revoke every API
    token they hold, so a leaked token dies with the old password. Returns the tokens revoked.

    Sessions need nothing here: Django ends a session whose password hash no longer matches.
    """
    if password is None:
        user.set_unusable_password()
    else:
        _check_password(password, user)
        user.set_password(password)
    user.save(update_fields=["password"])
    return api_tokens_revoke_all(user=user)


@transaction.atomic
def user_deactivate(*, user: User) -> int:
    """Stop a user from logging in (their history stays) and revoke every API token they hold.
    Returns the tokens revoked."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return api_tokens_revoke_all(user=user)


@transaction.atomic
def api_token_create(*, user: User) -> tuple[AuthToken, str]:
    """A new API token for ``user``, valid for ``API_TOKEN_HOURS``: the stored row (a digest and
    the expiry, never the token itself) and the token, which the caller sees this once."""
    return AuthToken.objects.create(user=user)


@transaction.atomic
def api_token_revoke(*, token: AuthToken) -> None:
    """Revoke one API token (the client logs out): the next call with it is a 401."""
    token.delete()


@transaction.atomic
def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every API token of ``user``; returns how many there were."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


def notification_send(*, user: User, key: str, subject, body="", link: str = "") -> bool:
    """Notify a user once per ``key``: an in-app notification and an email after commit.

    ``subject`` and ``body`` are text, or functions that write it: those are called in the
    person's own language (their profile's, else the company's), since what is stored and e-mailed
    is for them alone.

    Returns False (and sends nothing) when the user was already notified with this key.
    The subject is made one line (a line break would split the email header) and cut with an
    ellipsis to what its column holds: subjects quote customer and prospect names, which are
    up to 200 characters each.
    """
    with as_reader(user_language(user), user.time_zone):
        subject = str(subject() if callable(subject) else subject)
        body = str(body() if callable(body) else body)
    subject = " ".join(subject.split())
    limit = Notification._meta.get_field("subject").max_length
    if len(subject) > limit:
        subject = subject[: limit - 1] + "…"
    try:
        with transaction.atomic():
            Notification.objects.create(user=user, key=key, subject=subject, body=body, link=link)
    except IntegrityError:
        return False
    if user.email:
        transaction.on_commit(
            lambda: send_mail(
                subject,
                body + (f"\n\n{link}" if link else ""),
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
                fail_silently=True,
            )
        )
    return True


def notification_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    from django.utils import timezone

    qs = Notification.objects.visible_to(user).unread()
    if notification_ids is not None:
        qs = qs.filter(id__in=notification_ids)
    return qs.update(read_at=timezone.now())


def user_preferences_update(*, user: User, language: str, time_zone: str) -> User:
    """A person's own language and time zone (blank: the browser's language, the company's time
    zone); validated like every field of the user, recorded in the user's history."""
    user.language, user.time_zone = language, time_zone
    user.full_clean(validate_unique=False, validate_constraints=False)
    user._change_reason = "Preferences"
    user.save(update_fields=["language", "time_zone"])
    return user
