"""Local development: debug on unless DEBUG says otherwise, and safe-for-a-laptop defaults for
anything left unset."""

from config.env import env_bool

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, SECRET_KEY

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "django-insecure-development-only-never-deploy-this-key"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
# The OpenAPI schema and Swagger UI at /api/v1/schema/ and /api/v1/docs/.
API_DOCS_ENABLED = env_bool("API_DOCS_ENABLED", True)
# Serve static files straight from the apps, without collectstatic, as runserver would.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
