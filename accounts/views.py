import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import second_factor
from .forms import EnrolConfirmForm, PreferencesForm, SecondFactorCodeForm
from .models import Notification, User
from .oidc import LoginView
from .services import notification_mark_read, user_preferences_update


@login_required
def notification_list(request):
    notifications = Notification.objects.visible_to(request.user)[:100]
    return render(request, "accounts/notification_list.html", {"notifications": notifications})


@login_required
@require_POST
def notification_read(request):
    notification_mark_read(user=request.user)
    return redirect("notification-list")


# --- The second factor (accounts/second_factor.py) -------------------------------------------------

PENDING = "second_factor_pending"  # the session key of a log-in waiting for its second step
PENDING_SECONDS = 10 * 60


class PasswordLoginView(LoginView):
    """The log-in page (``accounts.oidc.LoginView``) with the second step: a right password of
    someone with an authenticator (or an administrator who must set one up) does not log in yet;
    the session keeps only who is waiting, and the code page (or the set-up page) finishes it."""

    def form_valid(self, form):
        user = form.get_user()
        has_authenticator = second_factor.authenticator_for(user) is not None
        if not has_authenticator and not second_factor.second_factor_required(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_redirect_url(),
            "until": time.time() + PENDING_SECONDS,
        }
        return redirect("login-second-factor" if has_authenticator else "login-second-factor-setup")


def _pending(request) -> tuple[User | None, dict]:
    """The user whose password was right and who now owes the second step (10 minutes at most)."""
    data = request.session.get(PENDING) or {}
    if not data or data.get("until", 0) < time.time():
        return None, {}
    return User.objects.filter(pk=data.get("user"), is_active=True).first(), data


def _finish_login(request, user: User, data: dict, device) -> None:
    """The session counts as logged in from here: Django's log-in (the access log, the lockout
    count reset) and the device that verified it (``request.user.is_verified()``)."""
    request.session.pop(PENDING, None)
    login(request, user, backend=data.get("backend"))
    otp_login(request, device)


def _next_url(request, data: dict) -> str:
    target = data.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _wrong_code(request, user: User) -> bool:
    """Count a wrong code; True (and the pending log-in dropped) when it locked the person out:
    django-axes' middleware then answers with the log-in page and the reason (429)."""
    if second_factor.second_factor_failure_record(request=request, username=user.username):
        request.session.pop(PENDING, None)
        return True
    return False


def _refused_when_locked(request, user: User) -> bool:
    if second_factor.locked_out(request=request, username=user.username):
        request.session.pop(PENDING, None)
        request.axes_locked_out = True  # axes' middleware renders the lockout page
        return True
    return False


def second_factor_login(request):
    """The log-in's second step: the code from the authenticator app, or a recovery code."""
    user, data = _pending(request)
    if user is None:
        return redirect("login")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _refused_when_locked(request, user):
            return render(request, "accounts/otp_verify.html", {"form": form})
        device = second_factor.second_factor_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            _finish_login(request, user, data, device)
            if device.name == second_factor.RECOVERY_NAME:
                left = second_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "You logged in with a recovery code: %(left)s left. "
                        "Set up your authenticator again from your second-factor page if you lost it."
                    )
                    % {"left": left},
                )
            return redirect(_next_url(request, data))
        if not _wrong_code(request, user):
            form.wrong_code()
    return render(request, "accounts/otp_verify.html", {"form": form})


def _setup_page(request, user: User, *, session_key: str, finish) -> HttpResponse:
    """Setting up an authenticator, for the log-in (an administrator who must) and for the
    second-factor page: the QR code and the secret, then the first code confirms it and the
    recovery codes are shown, once."""
    device = second_factor.pending_authenticator(user, request.session.get(session_key))
    if device is None or request.method == "GET":
        device = device or second_factor.second_factor_enrol_start(user=user)
        request.session[session_key] = device.pk
    form = EnrolConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _refused_when_locked(request, user):
            return render(request, "accounts/otp_setup.html", {"form": form})
        codes = second_factor.second_factor_enrol_confirm(
            user=user, device=device, code=form.cleaned_data["code"]
        )
        if codes is not None:
            request.session.pop(session_key, None)
            next_url = finish(device)
            return render(request, "accounts/otp_recovery_codes.html", {"codes": codes, "next_url": next_url})
        if _wrong_code(request, user):
            return render(request, "accounts/otp_setup.html", {"form": form})
        form.wrong_code()
    context = {
        "form": form,
        "qr": second_factor.qr_svg(device),
        "secret": second_factor.secret_text(device),
        "required": second_factor.second_factor_required(user),
        "logging_in": not request.user.is_authenticated,
    }
    return render(request, "accounts/otp_setup.html", context)


def second_factor_login_setup(request):
    """An administrator without an authenticator, after their password: set one up now; nothing
    else opens until they have."""
    user, data = _pending(request)
    if user is None:
        return redirect("login")
    if second_factor.authenticator_for(user) is not None:
        return redirect("login-second-factor")

    def finish(device) -> str:
        _finish_login(request, user, data, device)
        return _next_url(request, data)

    return _setup_page(request, user, session_key="second_factor_setup", finish=finish)


@login_required
def second_factor_settings(request):
    """A person's second factor: set one up, replace it, or remove it (administrators keep one)."""
    user = request.user
    context = {
        "uses_password": second_factor.uses_password(user),
        "authenticator": second_factor.authenticator_for(user),
        "recovery_left": second_factor.recovery_codes_left(user),
        "required": second_factor.second_factor_required(user),
        "form": SecondFactorCodeForm(),
    }
    return render(request, "accounts/otp_settings.html", context)


@login_required
def second_factor_setup(request):
    """Set up (or replace) one's own authenticator while logged in."""
    if not second_factor.uses_password(request.user):
        messages.info(
            request, _("You sign in through your identity provider: it asks for your second factor.")
        )
        return redirect("second-factor")

    def finish(device) -> str:
        otp_login(request, device)
        return reverse("second-factor")

    return _setup_page(request, request.user, session_key="second_factor_setup_self", finish=finish)


@login_required
@require_POST
def second_factor_remove(request):
    """Remove one's own authenticator and recovery codes, confirmed with a current code; an
    administrator who must have one replaces it instead."""
    user = request.user
    if second_factor.second_factor_required(user):
        messages.error(
            request, _("Administrators must keep a second factor: set up a new authenticator to replace it.")
        )
        return redirect("second-factor")
    form = SecondFactorCodeForm(request.POST)
    if form.is_valid() and not _refused_when_locked(request, user):
        if second_factor.second_factor_verify(user=user, code=form.cleaned_data["code"]) is not None:
            second_factor.second_factor_remove(user=user, by=user)
            messages.success(
                request, _("Your second factor is removed: you log in with your password alone.")
            )
            return redirect("second-factor")
        if not _wrong_code(request, user):
            form.wrong_code()
    context = {
        "uses_password": True,
        "authenticator": second_factor.authenticator_for(user),
        "recovery_left": second_factor.recovery_codes_left(user),
        "required": False,
        "form": form,
    }
    return render(request, "accounts/otp_settings.html", context, status=200)


@login_required
def preferences(request):
    """A person's own language and time zone."""
    user = request.user
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            user_preferences_update(
                user=user, language=form.cleaned_data["language"], time_zone=form.cleaned_data["time_zone"]
            )
            # Answer in the language just chosen (the middleware chose the old one).
            translation.activate(user.language or translation.get_language_from_request(request))
            messages.success(request, _("Your preferences are saved."))
            return redirect("preferences")
    else:
        form = PreferencesForm(initial={"language": user.language, "time_zone": user.time_zone})
    return render(request, "accounts/preferences.html", {"form": form})
