"""What staging and production share: refuse unsafe defaults, trust the declared proxies, HTTPS
only.

Every refusal is an ImproperlyConfigured naming the variable, raised while settings load, so a
misconfigured release fails its migrate step instead of serving.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, require, require_present

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    CELERY_EAGER,
    DATABASES,
    REDIS_URL,
    REST_FRAMEWORK,
    SECRET_KEY,
)

_MIN_SECRET_LENGTH = 50
# 50 random characters from any usual alphabet have 30 or more distinct ones; 20 leaves room and
# still refuses keys typed by hand ("abcde" * 10) that pass Django's own check of 5.
_MIN_SECRET_UNIQUE = 20

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
if "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must name the service's hosts, not '*': any Host header would be believed"
    )
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DATABASE_URL must be a postgres:// URL outside ENV=development: a deployed service keeps "
        "its data in PostgreSQL, not SQLite"
    )
require("REDIS_URL", REDIS_URL, "cache, sessions, throttling and Celery are shared through Redis")
if CELERY_EAGER:
    raise ImproperlyConfigured("CELERY_EAGER must be off outside ENV=development")

require_present(
    "TRUSTED_PROXY_COUNT",
    "the number of proxies in front of the service (0 = none, 1 = one load balancer such as an "
    "AWS ALB); throttles key on the client address they report",
)
# The browsable API is a development aid: deployed profiles answer JSON only.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

# TLS ends at the platform's load balancer, which says so in X-Forwarded-Proto (believed only when
# TRUSTED_PROXY_COUNT says a proxy is there: see base.py).
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_INCLUDE_SUBDOMAINS = True

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
