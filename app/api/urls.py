"""Routes under /api/v1/ (health paths are answered earlier, by health.middleware); the schema
and docs routes answer only while API_DOCS_ENABLED is on (api.docs)."""

from django.conf import settings
from django.urls import include, path
from rest_framework.routers import DefaultRouter
from submissions.views import ManuscriptFileViewSet, SubmissionViewSet

from . import views
from .docs import DocsView, SchemaView

router = DefaultRouter()
router.register("submissions", SubmissionViewSet, basename="submission")

files = ManuscriptFileViewSet.as_view({"get": "list", "post": "create"})
file_detail = ManuscriptFileViewSet.as_view({"get": "retrieve", "delete": "destroy"})

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="token-obtain"),
    path("auth/token/refresh/", views.TokenRefreshThrottledView.as_view(), name="token-refresh"),
    path("submissions/<int:submission_pk>/files/", files, name="submission-files"),
    path("submissions/<int:submission_pk>/files/<int:pk>/", file_detail, name="submission-file"),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]

if settings.BENCH_BARE_VIEW:
    urlpatterns.append(path("bench/bare/", views.bare, name="bench-bare"))
