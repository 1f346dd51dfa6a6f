"""The second factor for password log-ins: a code from an authenticator app (TOTP, django-otp),
or one of ten one-time recovery codes.

Who is asked: everyone who logs in with a RefProgram password and has set up an authenticator;
administrators must set one up (``OTP_REQUIRED_FOR_ADMINS``, on unless ``DEBUG``) and can do nothing
else until they have. People who sign in through the company's identity provider are never asked:
the provider vouches for them (and for its own second factor).

The log-in page (``accounts.views.PasswordLoginView``) checks the password and, when a second
step is due, keeps only the pending user's id in the session: the session counts as logged in
after the code (``second_factor_verify``) or, for an administrator without an authenticator, after
the set-up is confirmed with a first code. The API token request takes the same code as ``otp``.

Wrong codes count toward the log-in lockout (django-axes) like wrong passwords, and show in the
audit log as ``second factor failed``; setting up, removing and resetting (``manage.py
otp_reset``) show there too, with who did it. Recovery codes are stored hashed (shown once).
"""

from __future__ import annotations

import hashlib
import secrets

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .choices import Role
from .models import User

RECOVERY_CODES = 10
RECOVERY_CODE_BYTES = 5  # 8 characters of base 32, 40 random bits each
# Marks a wrong code in django-axes' failure log (its ``path_info``), apart from a wrong password.
FAILURE_MARK = " (second factor)"
# The reasons on the user's history rows the audit log shows as second-factor events.
ENROLLED = "second factor set up"
REMOVED = "second factor removed"
RESET = "second factor reset"
DEVICE_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def uses_password(user: User) -> bool:
    """Does this person log in with a RefProgram password (not only through single sign-on)?"""
    return user.has_usable_password()


def second_factor_required(user: User) -> bool:
    """Must this person set up a second factor: an administrator with a password, when
    ``OTP_REQUIRED_FOR_ADMINS`` is on."""
    return (
        bool(getattr(settings, "OTP_REQUIRED_FOR_ADMINS", True))
        and user.role == Role.ADMIN
        and (uses_password(user))
    )


def authenticator_for(user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _hashed(code: str) -> str:
    """How a recovery code is stored (StaticToken.token holds 16 characters)."""
    plain = "".join(code.split()).lower().replace("-", "")
    return hashlib.sha256(plain.encode()).hexdigest()[:16]


def _recovery_code() -> str:
    """Eight letters and digits in two groups of four (``k3mq-7hxa``), easy to copy from paper."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
    raw = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def _record(user: User, *, by: User | None, reason: str) -> None:
    """A line of the user's history (the audit log reads it) saying what happened to their second
    factor and who did it; the history keeps no secret, only the user's own fields."""
    User.history.bulk_history_create([user], update=True, default_user=by, default_change_reason=reason)


# --- Setting up and removing ----------------------------------------------------------------------


@transaction.atomic
def second_factor_enrol_start(*, user: User) -> TOTPDevice:
    """A new authenticator for the person, not yet in use: its secret goes into their app (QR code
    or typed), and it counts once they confirm it with a first code. Starting again replaces a
    set-up not yet confirmed; a confirmed authenticator stays in use until the new one is."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def pending_authenticator(user: User, device_id: int | None) -> TOTPDevice | None:
    """The set-up in progress (``second_factor_enrol_start``) of this person."""
    if not device_id:
        return None
    return TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False).first()


@transaction.atomic
def second_factor_enrol_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the new authenticator with a code it shows. Right: it replaces any earlier
    authenticator and recovery codes, and the ten new recovery codes are returned (to show once).
    Wrong: None (the caller counts the failure)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(_digits(code)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=_hashed(c)) for c in codes)
    _record(user, by=user, reason=ENROLLED)
    return codes


@transaction.atomic
def second_factor_remove(*, user: User, by: User | None, reason: str = REMOVED) -> bool:
    """Remove the person's authenticator and recovery codes (they log in with a password alone
    until they set one up again, or are sent to set one up if it is required). True if there was one."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    removed_codes, _ = StaticDevice.objects.filter(user=user).delete()
    if removed or removed_codes:
        _record(user, by=by, reason=reason)
        return True
    return False


# --- Checking a code ------------------------------------------------------------------------------


def _digits(code: str) -> str:
    return "".join(str(code or "").split())


def second_factor_verify(*, user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts ``code``: the authenticator's current code (each code once), or an
    unused recovery code (then used up). None when neither does."""
    code = str(code or "").strip()[:32]
    with transaction.atomic():
        device = authenticator_for(user)
        if device is not None and _digits(code).isdigit():
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            if device.verify_token(_digits(code)):
                return device
        recovery = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if recovery is not None and recovery.verify_token(_hashed(code)):
            return recovery
    return None


def second_factor_failure_record(*, request: HttpRequest, username: str) -> bool:
    """Count a wrong code toward the lockout like a wrong password (django-axes), marked in the
    failure log as a second-factor failure. True when it locked the person out."""
    AxesProxyHandler.update_request(request)
    request.axes_path_info = (str(request.axes_path_info or "") + FAILURE_MARK)[-255:]
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def locked_out(*, request: HttpRequest, username: str) -> bool:
    """Is this username locked out from this address (too many wrong passwords or codes)?"""
    return not AxesProxyHandler.is_allowed(request, {"username": username})


# --- The QR code ----------------------------------------------------------------------------------


def qr_svg(device: TOTPDevice) -> SafeString:
    """The authenticator's set-up link as an inline SVG QR code (no script, no style, no data: URL,
    so the content-security policy allows it)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#111", light="#fff")
    return mark_safe(svg)  # noqa: S308 - segno's own markup of our own URL


def secret_text(device: TOTPDevice) -> str:
    """The secret in base 32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
