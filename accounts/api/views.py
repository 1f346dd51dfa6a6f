from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.throttling import AnonRateThrottle

from refprogram.security import LoginRateThrottle, raise_if_locked_out


class TokenRequestSerializer(AuthTokenSerializer):
    """A user name no account can have is a 400 before any log-in attempt is recorded."""

    username = serializers.CharField(label="Username", max_length=150, write_only=True)
    password = serializers.CharField(
        label="Password",
        max_length=4096,
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )


class ObtainTokenView(ObtainAuthToken):
    """`POST {"username", "password"}` → `{"token": "..."}` for `Authorization: Token <key>`."""

    serializer_class = TokenRequestSerializer
    permission_classes = [AllowAny]
    authentication_classes = []
    # Per address, and tighter per username and address; 5 failures also lock the pair out (axes).
    throttle_classes = [AnonRateThrottle, LoginRateThrottle]
    throttle_scope = "auth-token"

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {
                "username": serializers.CharField(max_length=150),
                "password": serializers.CharField(max_length=4096),
            },
        ),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            raise_if_locked_out(request)  # 429 locked_out rather than "wrong password"
            raise
