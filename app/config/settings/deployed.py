"""What staging and production share: refuse unsafe defaults, trust the proxy, HTTPS only.

Every refusal is an ImproperlyConfigured naming the variable, raised while settings load, so a
misconfigured release fails its migrate step instead of serving.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, require

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, CELERY_EAGER, DATABASE_URL, REDIS_URL, SECRET_KEY

_MIN_SECRET_LENGTH = 50
_MIN_SECRET_UNIQUE = 5

DEBUG = env_bool("DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off outside ENV=development (unset DEBUG)")

require("SECRET_KEY", SECRET_KEY, "generate one with at least 50 random characters")
if (
    len(SECRET_KEY) < _MIN_SECRET_LENGTH
    or len(set(SECRET_KEY)) < _MIN_SECRET_UNIQUE
    or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        f"SECRET_KEY is weak: it needs at least {_MIN_SECRET_LENGTH} characters, "
        f"{_MIN_SECRET_UNIQUE} distinct ones, and no 'django-insecure-' prefix"
    )
require("ALLOWED_HOSTS", ALLOWED_HOSTS, "list the service's host names, comma-separated")
require("DATABASE_URL", DATABASE_URL, "a deployed service keeps its data in PostgreSQL, not SQLite")
require("REDIS_URL", REDIS_URL, "cache, sessions, throttling and Celery are shared through Redis")
if CELERY_EAGER:
    raise ImproperlyConfigured("CELERY_EAGER must be off outside ENV=development")

# TLS ends at the platform's load balancer, which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_INCLUDE_SUBDOMAINS = True

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
