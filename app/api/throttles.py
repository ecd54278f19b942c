"""Rate limits counted in the default cache, so every web replica shares one count (Redis).

DRF's stock throttles read a list of timestamps, append, and write it back: concurrent requests
read the same list and each is admitted (a review measured 1,012 of 1,500 concurrent requests let
through against 600/min). Here each request is one atomic step on Redis, INCR of a counter that
expires one period after its first hit, so exactly ``rate`` requests pass per window whatever the
concurrency. The window starts at a client's first request (a fixed window per client, not per
clock minute).

The rates are read on each request, not copied at import time, so a changed ``REST_FRAMEWORK``
setting (tests, a reload) takes effect. Clients are identified by DRF's ``get_ident``, which
honours ``NUM_PROXIES`` (the ``TRUSTED_PROXY_COUNT`` setting).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

# INCR, and on a counter's first hit (or one found without a TTL) start its window; return the
# count and the milliseconds left in the window, in one round trip no other client can split.
_HIT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


class AtomicRateThrottle(SimpleRateThrottle):
    """``SimpleRateThrottle`` with an atomic counter in place of its read-modify-write history."""

    @property
    def THROTTLE_RATES(self) -> dict[str, str | None]:
        return api_settings.DEFAULT_THROTTLE_RATES

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        count, self._left = self._hit(self.key)
        return count <= self.num_requests

    def wait(self) -> float:
        return max(self._left, 1.0)

    def _hit(self, key: str) -> tuple[int, float]:
        """The count including this request, and the seconds left in its window."""
        backend = caches[DEFAULT_CACHE_ALIAS]  # the backend itself, not the ``cache`` proxy
        if isinstance(backend, RedisCache):
            full_key = backend.make_and_validate_key(key)
            # Django's RedisCache has no public atomic "increment or create with expiry" (its incr
            # is EXISTS then INCR, and a key expiring in between would come back without a TTL);
            # its client (shared connection pool, same key prefix) is reached through ``_cache``.
            client = backend._cache.get_client(full_key, write=True)
            count, left_ms = client.eval(_HIT, 1, full_key, self.duration * 1000)
            return int(count), int(left_ms) / 1000
        # Other caches (local memory in development) lock around incr within their process.
        backend.add(key, 0, self.duration)
        try:
            return backend.incr(key), float(self.duration)
        except ValueError:  # expired between add and incr: this request opens a new window
            backend.set(key, 1, self.duration)
            return 1, float(self.duration)


class AnonThrottle(AtomicRateThrottle, AnonRateThrottle):
    """Anonymous clients, keyed by address (``anon`` rate)."""


class UserThrottle(AtomicRateThrottle, UserRateThrottle):
    """Authenticated users, keyed by user id (``user`` rate)."""


class AuthThrottle(AtomicRateThrottle):
    """Password and token endpoints (the API's and the admin's), keyed by client address whether
    or not the request carries a session: one budget of guesses per address (``auth`` rate)."""

    scope = "auth"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def throttle_login_posts(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a login view (the admin's) so its POSTs share the ``auth`` budget of the API's token
    endpoint; showing the form is not counted."""

    @functools.wraps(view)
    def throttled(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            throttle = AuthThrottle()
            if not throttle.allow_request(request, None):
                response = HttpResponse(
                    "Too many login attempts; try again later.\n",
                    status=429,
                    content_type="text/plain",
                )
                response["Retry-After"] = str(int(throttle.wait() + 0.999))
                return response
        return view(request, *args, **kwargs)

    return throttled
