"""Top-level URLs: the versioned API and the admin. Health paths are served by middleware.

The admin's login form shares the API token endpoint's ``auth`` throttle, so it is no back door
for password guessing; ``ADMIN_ENABLED=false`` takes the admin off the router altogether.

Uploaded files on disk (no STORAGE_BACKEND) are served under MEDIA_URL while DEBUG is on, as
``runserver`` serves static files: without it a file's ``file`` URL is a 404 under ``make run``.
Deployed profiles refuse DEBUG and keep files in a bucket whose URLs are signed by the storage.
"""

from api.throttles import throttle_login_posts
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [path("api/v1/", include("api.urls"))]

if settings.DEBUG and not settings.STORAGE_BACKEND:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.ADMIN_ENABLED:
    urlpatterns += [
        path("admin/login/", throttle_login_posts(admin.site.login), name="admin-login"),
        path("admin/", admin.site.urls),
    ]
