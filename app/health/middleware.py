"""Answers the health paths before Host validation, CSRF, sessions, auth and throttling.

Load balancers probe by IP (``Host: 10.0.3.7:8000``), which ALLOWED_HOSTS would reject with a 400;
answering here, ahead of anything that calls ``request.get_host()``, keeps ALLOWED_HOSTS strict for
every other path. Probes need no auth and are never throttled, and SECURE_REDIRECT_EXEMPT keeps
them on plain HTTP where production redirects everything else to HTTPS.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from maintenance import flag

from . import checks
from .paths import FULL, LIVE, READY

_PROBES: dict[str, dict[str, Callable[[], None]]] = {
    READY: {"database": checks.database, "cache": checks.cache_round_trip},
    FULL: {
        "database": checks.database,
        "cache": checks.cache_round_trip,
        "storage": checks.storage,
    },
}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def live() -> HttpResponse:
    """Liveness: the process can answer. No database, cache or network call at all."""
    return _no_store(JsonResponse({"status": "ok"}))


def _maintenance() -> dict[str, object] | str | bool:
    """Whether writes are frozen, for the probe's body: the flag's value, False, or "unknown"
    when Redis cannot be asked (the cache check reports why)."""
    try:
        state = flag.current()
    except flag.FlagUnreadable:
        return "unknown"
    return False if state is None else state.as_dict()


def probe(path: str) -> HttpResponse:
    """Readiness or the full check: 200 when every dependency answers, else 503 with details.
    Maintenance does not make the service unready (it still serves reads); the body says so."""
    healthy, results = checks.run(_PROBES[path])
    body = {
        "status": "ok" if healthy else "error",
        "checks": results,
        "maintenance": _maintenance(),
    }
    return _no_store(JsonResponse(body, status=200 if healthy else 503))


class HealthCheckMiddleware:
    """Serves LIVE, READY and FULL (with or without the trailing slash); passes the rest on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info if request.path_info.endswith("/") else f"{request.path_info}/"
        if path != LIVE and path not in _PROBES:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return live() if path == LIVE else probe(path)
