"""JWT endpoints with the ``auth`` throttle, and the bench-only bare view."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from .throttles import AuthThrottle


class TokenObtainView(TokenObtainPairView):
    """POST username + password, get an access and a refresh token."""

    throttle_classes = [AuthThrottle]


class RevocableRefreshSerializer(TokenRefreshSerializer):
    """simplejwt checks the password-hash claim (``CHECK_REVOKE_TOKEN``) on access tokens only;
    without this a refresh token issued before a password change kept minting access tokens."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        refresh = RefreshToken(attrs["refresh"])
        user = (
            get_user_model()
            .objects.filter(**{jwt_settings.USER_ID_FIELD: refresh.get(jwt_settings.USER_ID_CLAIM)})
            .first()
        )
        claim = refresh.get(jwt_settings.REVOKE_TOKEN_CLAIM)
        if user is None or claim != get_md5_hash_password(user.password):
            raise AuthenticationFailed("Token is no longer valid", "token_revoked")
        return super().validate(attrs)


class TokenRefreshThrottledView(TokenRefreshView):
    """POST a refresh token, get a new access token."""

    throttle_classes = [AuthThrottle]
    serializer_class = RevocableRefreshSerializer


def bare(request: HttpRequest) -> HttpResponse:
    """The cheapest Django response: the baseline bench/app_http.py compares the API against.

    Routed only when BENCH_BARE_VIEW is on.
    """
    return HttpResponse(b"ok", content_type="text/plain")
