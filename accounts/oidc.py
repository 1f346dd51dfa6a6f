"""Single sign-on with the company's identity provider (OpenID Connect, mozilla-django-oidc).

When ``OIDC_ISSUER`` and ``OIDC_RP_CLIENT_ID`` are set, the log-in page offers "Sign in with
<OIDC_PROVIDER_NAME>": the authorization code flow with PKCE and a nonce; the endpoints come from the
provider's discovery document (``<issuer>/.well-known/openid-configuration``) and the ID token's
signature is checked against the provider's published keys.

Who the person is: the ``OIDC_USERNAME_CLAIM`` claim (``preferred_username`` by default) is their
RefProgram user name; a person signing in for the first time gets a user (no password).

Their role: the ``OIDC_ROLE_CLAIM`` claim (``groups`` by default) is read through ``OIDC_ROLE_MAP``
(``refprogram-managers:manager,refprogram-sales:sales``), at every log-in, so a person whose group was
removed at the provider loses that role the next time they sign in. When several groups map, the first
one listed in ``OIDC_ROLE_MAP`` wins (list the most powerful first). A person with no mapped group is
refused: RefProgram has no "no role", and the provider says they are no longer in the program; their
API tokens are revoked too.

``SSO_ONLY=1`` turns password log-ins off (the page and the token API) for everyone but the
break-glass administrator named by ``SSO_BREAK_GLASS_USERNAME``, who signs in with a password at
``/login/?break_glass=1`` when the provider is down. Without ``OIDC_ISSUER``, passwords work as before.
"""

from __future__ import annotations

import logging
import time

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.checks import Error as CheckError
from django.core.checks import Tags
from django.core.checks import register as register_check
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, SuspiciousOperation
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .choices import Role
from .models import User
from .services import api_tokens_revoke_all

logger = logging.getLogger(__name__)

# mozilla-django-oidc setting → the discovery document's field that gives it.
_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
DISCOVERY_CACHE_SECONDS = 3600


def sso_configured() -> bool:
    """True when the company's identity provider is set up (``OIDC_ISSUER`` and a client id)."""
    return bool(getattr(settings, "OIDC_ISSUER", "") and getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def sso_only() -> bool:
    """True when password log-ins are off for everyone but the break-glass administrator."""
    return sso_configured() and bool(getattr(settings, "SSO_ONLY", False))


def password_login_allowed(username: str | None) -> bool:
    """May this user name log in with a password? Always, unless ``SSO_ONLY``; then only the
    break-glass administrator (``SSO_BREAK_GLASS_USERNAME``)."""
    if not sso_only():
        return True
    break_glass = getattr(settings, "SSO_BREAK_GLASS_USERNAME", "")
    return bool(break_glass) and (username or "") == break_glass


def discovery() -> dict:
    """The provider's discovery document, cached for an hour; its ``issuer`` must be ours."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    key = f"oidc-discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration",
            timeout=getattr(settings, "OIDC_TIMEOUT", 10),
            verify=getattr(settings, "OIDC_VERIFY_SSL", True),
        )
        response.raise_for_status()
        document = response.json()
        if document.get("issuer", "").rstrip("/") != issuer:
            raise SuspiciousOperation(f"The provider's discovery document names another issuer: {issuer}")
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def _setting(attr, *default):
    """mozilla-django-oidc's settings, with the provider's endpoints taken from discovery."""
    if attr in _DISCOVERED and not getattr(settings, attr, None):
        return discovery()[_DISCOVERED[attr]]
    return import_from_settings(attr, *default)


def role_map() -> list[tuple[str, str]]:
    """``OIDC_ROLE_MAP`` as (group, role) pairs, in the order written (the first match wins)."""
    pairs = []
    for entry in getattr(settings, "OIDC_ROLE_MAP", "").split(","):
        if not entry.strip():
            continue
        group, _, role = entry.strip().rpartition(":")
        if not group or role not in Role.values:
            raise ImproperlyConfigured(
                f"OIDC_ROLE_MAP entry {entry.strip()!r}: write group:role, "
                f"the role one of {', '.join(Role.values)}"
            )
        pairs.append((group.strip(), role))
    return pairs


@register_check(Tags.security, deploy=False)
def role_map_check(app_configs=None, **kwargs) -> list[CheckError]:
    """A badly written ``OIDC_ROLE_MAP`` stops the start (``manage.py check``, ``runserver``,
    ``migrate``), not the first person who signs in."""
    if not sso_configured():
        return []
    try:
        role_map()
    except ImproperlyConfigured as exc:
        return [CheckError(str(exc), id="accounts.E001")]
    return []


def role_from_claims(claims: dict) -> str | None:
    """The role the provider's groups give, or None when no group is mapped."""
    groups = claims.get(getattr(settings, "OIDC_ROLE_CLAIM", "groups")) or []
    if isinstance(groups, str):
        groups = groups.split()
    groups = set(groups)
    for group, role in role_map():
        if group in groups:
            return role
    return None


@transaction.atomic
def sso_user_sync(*, claims: dict, user: User | None = None) -> User:
    """Create or refresh the user the provider signed in: name, email and the mapped role
    (administrators and managers get Django admin access, as ``user_create`` gives them)."""
    role = role_from_claims(claims)
    if role is None:
        raise ValueError("no mapped group")
    if user is None:
        user = User(username=claims[settings.OIDC_USERNAME_CLAIM])
        user.set_unusable_password()
    user.role = role
    user.is_staff = role in (Role.ADMIN, Role.MANAGER)
    user.is_superuser = role == Role.ADMIN
    user.email = claims.get("email", user.email) or ""
    user.first_name = (claims.get("given_name") or user.first_name)[:150]
    user.last_name = (claims.get("family_name") or user.last_name)[:150]
    user.save()
    return user


class RoleMappingBackend(OIDCAuthenticationBackend):
    """Signs in the person the provider vouches for, with the role their groups map to."""

    get_settings = staticmethod(_setting)

    def __init__(self, *args, **kwargs):
        # Django loads every backend for every log-in: the provider's endpoints are looked up only
        # when it is this backend's turn, so a password log-in works while the provider is down.
        self.UserModel = User

    def authenticate(self, request, **kwargs):
        # Only the provider's callback (state, nonce, PKCE verifier), never a password log-in.
        if not sso_configured() or request is None or "nonce" not in kwargs or "password" in kwargs:
            return None
        self.load_provider()
        return super().authenticate(request, **kwargs)

    def load_provider(self) -> None:
        """mozilla-django-oidc's set-up: the provider's endpoints (discovery) and the client."""
        super().__init__()

    def get_user(self, user_id):
        """The signed-in user while their account is active (a deactivation ends the session)."""
        return User.objects.filter(pk=user_id, is_active=True).first()

    def verify_token(self, token, **kwargs):
        """The signature (provider's keys) and nonce, then issuer, audience and expiry."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audience = audience if isinstance(audience, list) else [audience]
        if payload.get("iss", "").rstrip("/") != discovery()["issuer"].rstrip("/"):
            raise SuspiciousOperation("ID token from another issuer")
        if self.OIDC_RP_CLIENT_ID not in audience:
            raise SuspiciousOperation("ID token for another client")
        if payload.get("exp", 0) < time.time():
            raise SuspiciousOperation("ID token expired")
        return payload

    def _username(self, claims) -> str:
        return str(claims.get(settings.OIDC_USERNAME_CLAIM) or "")[:150]

    def filter_users_by_claims(self, claims):
        username = self._username(claims)
        if not username:
            return User.objects.none()
        return User.objects.filter(username=username)

    def verify_claims(self, claims):
        if not self._username(claims):
            self.request.sso_refusal = _("Your identity provider did not send a user name.")
            return False
        if role_from_claims(claims) is None:
            self.request.sso_refusal = _(
                "Your account has no RefProgram role at your identity provider: ask your administrator "
                "to add you to a RefProgram group."
            )
            # The person left the program at the provider: the tokens they had here stop too.
            user = User.objects.filter(username=self._username(claims)).first()
            if user is not None:
                api_tokens_revoke_all(user=user)
            return False
        return True

    def create_user(self, claims):
        return sso_user_sync(claims=claims)

    def update_user(self, user, claims):
        return sso_user_sync(claims=claims, user=user)


class SSOOnlyPasswordGate:
    """Refuses password log-ins under ``SSO_ONLY`` (page and token API) but for the break-glass
    administrator; listed before the password backend, a refusal here stops the log-in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is not None and not password_login_allowed(username):
            raise PermissionDenied(_("Password log-ins are off: sign in with single sign-on."))
        return None


class SSOStartView(OIDCAuthenticationRequestView):
    """``/oidc/authenticate/``: off to the provider (the log-in page's button)."""

    get_settings = staticmethod(_setting)

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = getattr(settings, "OIDC_RP_CLIENT_ID", "")

    def get(self, request):
        if not sso_configured():
            return HttpResponseRedirect(resolve_url("login"))
        self.OIDC_OP_AUTH_ENDPOINT = _setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        return super().get(request)


class SSOCallbackView(OIDCAuthenticationCallbackView):
    """``/oidc/callback/``: back from the provider; a refusal says why on the log-in page."""

    get_settings = staticmethod(_setting)

    def get(self, request):
        try:
            return super().get(request)
        except (requests.RequestException, SuspiciousOperation) as exc:
            # A refused code exchange, a bad signature or nonce, an unknown state: no log-in.
            logger.warning("single sign-on refused: %s", exc)
            return self.login_failure()

    def login_failure(self):
        reason = getattr(self.request, "sso_refusal", None)
        if reason is None and getattr(self, "user", None) is not None and not self.user.is_active:
            reason = _("Your RefProgram account is deactivated.")
        messages.error(self.request, reason or _("Single sign-on did not complete. Please try again."))
        return HttpResponseRedirect(resolve_url("login"))


class LoginView(auth_views.LoginView):
    """The log-in page: the password form and, when set up, "Sign in with <provider>";
    under ``SSO_ONLY`` only the button (the break-glass administrator adds ``?break_glass=1``)."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = sso_configured()
        context["sso_name"] = getattr(settings, "OIDC_PROVIDER_NAME", "") or "single sign-on"
        context["break_glass"] = sso_only() and "break_glass" in self.request.GET
        # Named for hiding: the lockout page renders this template without this view.
        context["password_form_hidden"] = sso_only() and not context["break_glass"]
        return context
