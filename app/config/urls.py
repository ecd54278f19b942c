"""Top-level URLs: the versioned API and the admin. Health paths are served by middleware."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
]
