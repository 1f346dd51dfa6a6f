from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from refprogram.authentication import TokenAuthentication
from refprogram.security import LoginRateThrottle, raise_if_locked_out

from .. import second_factor
from ..services import api_token_create, api_token_revoke


class TokenRequestSerializer(serializers.Serializer):
    """A user name and password; a user name no account can have is a 400 before any log-in
    attempt is recorded."""

    username = serializers.CharField(label="Username", max_length=150, write_only=True)
    password = serializers.CharField(
        label="Password",
        max_length=4096,
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )
    otp = serializers.CharField(
        label="Second-factor code",
        max_length=32,
        required=False,
        write_only=True,
        help_text="For users with a second factor: the 6-digit code of their authenticator app, or a "
        "recovery code. Missing or wrong: 400 with an `otp` field error (a wrong code counts toward "
        "the lockout).",
    )

    def validate(self, attrs):
        # Through the authentication backends, so the lockout (django-axes) counts and refuses it.
        user = authenticate(
            request=self.context["request"], username=attrs["username"], password=attrs["password"]
        )
        if user is None:  # wrong password, unknown user, deactivated, or locked out
            raise ValidationError(
                {"non_field_errors": [_("Unable to log in with provided credentials.")]}, code="authorization"
            )
        attrs["user"] = user
        self._second_factor(user, attrs.get("otp", ""))
        return attrs

    def _second_factor(self, user, code: str) -> None:
        """A token is a log-in: someone with a second factor sends its code too; an administrator
        who must set one up does that on the log-in page first."""
        if second_factor.authenticator_for(user) is None:
            if second_factor.second_factor_required(user):
                raise ValidationError(
                    {"otp": [_("Set up your second factor on the log-in page first.")]}, code="required"
                )
            return
        if not code:
            raise ValidationError(
                {"otp": [_("This account has a second factor: send its current code as otp.")]},
                code="required",
            )
        if second_factor.second_factor_verify(user=user, code=code) is None:
            second_factor.second_factor_failure_record(
                request=self.context["request"]._request, username=user.username
            )
            raise ValidationError({"otp": [_("The code is wrong or has expired.")]}, code="invalid")


class ObtainTokenView(APIView):
    """API tokens for scripts and integrations, sent as `Authorization: Token <key>`.

    `POST {"username", "password"}` → `{"token", "expiry"}`: a new token, valid until `expiry`
    (`API_TOKEN_HOURS` after it was issued). A user with a second factor adds `"otp"`: the code
    of their authenticator app (or a recovery code). `DELETE` with the token revokes it (log out).
    A password change or deactivation revokes all of a user's tokens.
    """

    # Per address, and tighter per username and address; failures also lock out (axes).
    throttle_scope = "auth-token"

    def _revoking(self) -> bool:
        # ``request`` is None while the schema generator builds its mock request.
        return getattr(self.request, "method", None) == "DELETE"

    def get_authenticators(self):
        # Asking for a token takes a password, not a token or a session; revoking takes the token.
        return [TokenAuthentication()] if self._revoking() else []

    def get_permissions(self):
        return [IsAuthenticated()] if self._revoking() else [AllowAny()]

    def get_throttles(self):
        return [UserRateThrottle()] if self._revoking() else [AnonRateThrottle(), LoginRateThrottle()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse",
                {
                    "token": serializers.CharField(help_text="Send as `Authorization: Token <token>`."),
                    "expiry": serializers.DateTimeField(help_text="The token is refused after this."),
                },
            )
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            raise_if_locked_out(request)  # 429 locked_out rather than "wrong password"
            raise
        user = serializer.validated_data["user"]
        instance, token = api_token_create(user=user)
        # A log-in like the page's: last_login, the access log, and the lockout count reset.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        expiry = serializers.DateTimeField().to_representation(instance.expiry)
        return Response({"token": token, "expiry": expiry})

    @extend_schema(request=None, responses={204: OpenApiResponse(description="The token is revoked.")})
    def delete(self, request, *args, **kwargs):
        api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
