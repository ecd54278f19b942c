"""JWT endpoints with the ``auth`` throttle, and the bench-only bare view."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from .throttles import AuthThrottle


class TokenObtainView(TokenObtainPairView):
    """POST username + password, get an access and a refresh token."""

    throttle_classes = [AuthThrottle]


class TokenRefreshThrottledView(TokenRefreshView):
    """POST a refresh token, get a new access token."""

    throttle_classes = [AuthThrottle]


def bare(request: HttpRequest) -> HttpResponse:
    """The cheapest Django response: the baseline bench/app_http.py compares the API against.

    Routed only when BENCH_BARE_VIEW is on.
    """
    return HttpResponse(b"ok", content_type="text/plain")
