"""While in maintenance, unsafe methods answer 503 JSON with Retry-After; everything else passes.

It sits after the health middleware (probes never see it: live and ready stay 200) and after CORS
(a browser can read the 503), and before sessions, CSRF, auth and throttling, so a refused write
touches neither the database nor the cache. Every path is covered, the API and the admin alike,
including the token endpoints: a frozen service admits no POST at all, which keeps the rule one a
client can predict. Safe methods (GET, HEAD, OPTIONS, TRACE) never read the flag.
"""

from __future__ import annotations

from collections.abc import Callable

from api.outage import unavailable
from django.http import HttpRequest, HttpResponse, JsonResponse

from . import flag

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def refused(state: flag.Maintenance) -> JsonResponse:
    """The maintenance answer: the client should retry the same request after Retry-After."""
    response = JsonResponse(
        {
            "detail": "the service is in maintenance; writes are paused, retry later",
            "code": "maintenance",
        },
        status=503,
    )
    response["Retry-After"] = str(state.retry_after)
    # Expected while a migration's cutover runs: not an error for django.request to log per hit.
    response._has_been_logged = True
    return response


class MaintenanceMiddleware:
    """Refuses writes while the maintenance key is set (see maintenance.flag for the rules)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in UNSAFE_METHODS:
            return self.get_response(request)
        try:
            state = flag.current()
        except flag.FlagUnreadable as exc:
            return unavailable("cache", exc.error)
        if state is not None:
            return refused(state)
        return self.get_response(request)
