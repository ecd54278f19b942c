"""A database or Redis outage answers JSON 503 with Retry-After, logged once, not per request.

Without this, every request during an outage was an HTML 500 and a logged traceback: the client
could not tell "retry soon" from "bug", and the log drowned in identical stack traces.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# One log line per dependency per this many seconds, with the count of requests it stood for.
LOG_EVERY_SECONDS = 60.0

_OUTAGES: dict[type[BaseException], str] = {
    OperationalError: "database",
    InterfaceError: "database",
    redis.ConnectionError: "cache",
    redis.TimeoutError: "cache",
}


class _OncePerPeriod:
    """Logs the first failure of each dependency, then at most once a period with a count."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def failed(self, dependency: str, exc: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            last = self._last.get(dependency)
            if last is not None and now - last < LOG_EVERY_SECONDS:
                self._suppressed[dependency] = self._suppressed.get(dependency, 0) + 1
                return
            self._last[dependency] = now
            suppressed = self._suppressed.pop(dependency, 0)
        logger.error(
            "dependency unavailable, answering 503",
            extra={
                "dependency": dependency,
                "error": f"{type(exc).__name__}: {exc}".strip()[:300],
                "requests_since_last_line": suppressed,
            },
        )


_log = _OncePerPeriod()


def dependency_of(exc: BaseException) -> str | None:
    """Which dependency an exception says is unreachable, or None for any other error (a bug,
    or a database error such as an integrity violation, which stays a 500)."""
    for kind, dependency in _OUTAGES.items():
        if isinstance(exc, kind):
            return dependency
    return None


class DependencyOutageMiddleware:
    """Turns an outage raised by a view into a 503 the client can act on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        dependency = dependency_of(exception)
        if dependency is None:
            return None
        return unavailable(dependency, exception)


def unavailable(dependency: str, exc: BaseException) -> JsonResponse:
    """The 503 for an unreachable dependency, logged once a period (maintenance.middleware
    answers it too when the maintenance flag cannot be read)."""
    _log.failed(dependency, exc)
    response = JsonResponse(
        {"detail": "service temporarily unavailable, retry later", "unavailable": dependency},
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # django.request would log every one of these 503s as an error; the line above (once a
    # period) stands for them. Django skips responses carrying this mark (utils.log).
    response._has_been_logged = True
    return response
