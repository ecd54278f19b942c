"""Top-level URLs: the versioned API and the admin. Health paths are served by middleware.

The admin's login form shares the API token endpoint's ``auth`` throttle, so it is no back door
for password guessing; ``ADMIN_ENABLED=false`` takes the admin off the router altogether.
"""

from api.throttles import throttle_login_posts
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [path("api/v1/", include("api.urls"))]

if settings.ADMIN_ENABLED:
    urlpatterns += [
        path("admin/login/", throttle_login_posts(admin.site.login), name="admin-login"),
        path("admin/", admin.site.urls),
    ]
