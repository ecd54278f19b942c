"""Rate limits counted in the default cache, so every web replica shares one count (Redis).

DRF's stock throttles copy their rates at import time; these read them on each request, so a
changed ``REST_FRAMEWORK`` setting (tests, a reload) takes effect.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _LiveRates:
    """Looks the rates up in the current settings instead of a class-level copy."""

    @property
    def THROTTLE_RATES(self) -> dict[str, str | None]:
        return api_settings.DEFAULT_THROTTLE_RATES


class AnonThrottle(_LiveRates, AnonRateThrottle):
    """Anonymous clients, keyed by address (``anon`` rate)."""


class UserThrottle(_LiveRates, UserRateThrottle):
    """Authenticated users, keyed by user id (``user`` rate)."""


class AuthThrottle(_LiveRates, AnonRateThrottle):
    """Token endpoints, keyed by address: a tighter limit against password guessing."""

    scope = "auth"
