"""The OpenAPI schema (``/api/v1/schema/``) and its interactive page (``/api/v1/docs/``).

Both answer 404 unless API_DOCS_ENABLED is on (development's default; off in deployed profiles
unless an operator turns it on). The check is made per request rather than by routing, so the
setting is read where it is used and a test can flip it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView


class _Switchable:
    """Answer 404 while API_DOCS_ENABLED is off, before anything else runs."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.API_DOCS_ENABLED:
            raise Http404("the API docs are off (API_DOCS_ENABLED)")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class SchemaView(_Switchable, SpectacularAPIView):
    """The OpenAPI 3 document (YAML, or JSON with ``?format=json``)."""


class DocsView(_Switchable, SpectacularSwaggerView):
    """Swagger UI over SchemaView; "Authorize" takes a JWT access token."""
