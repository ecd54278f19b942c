"""Settings shared by every profile. Everything platform-specific is read from the environment.

With no environment at all this is the embedded default: SQLite, the local-memory cache, media on
disk and Celery tasks run eagerly in the calling process.
"""

from __future__ import annotations

import ssl
from datetime import timedelta
from pathlib import Path

import dj_database_url

from config.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_positive_int,
    env_str,
)
from config.logs import json_logging
from config.redis_tls import redis_tls_options
from config.storage import STORAGE_BACKENDS, media_storage

BASE_DIR = Path(__file__).resolve().parent.parent.parent

ENV = env_str("ENV", "development") or "development"
SECRET_KEY = env_str("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
# How many proxies (load balancers) the deploy target puts in front of the service: 0 means clients
# connect directly and REMOTE_ADDR is theirs; N means the client is the Nth address from the right
# of X-Forwarded-For, and X-Forwarded-Proto is the proxy's word. Deployed profiles require it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "accounts",
    "submissions",
    "health",
    "api",
    "deploy",
]

# The health middleware sits right after SecurityMiddleware: probes are answered before anything
# that validates the Host header (CommonMiddleware, CSRF), so a load balancer probing by IP gets an
# answer without its IP being in ALLOWED_HOSTS, and SECURE_REDIRECT_EXEMPT keeps them on plain HTTP.
# Maintenance mode (the Redis key trudeploy:maintenance) refuses writes after CORS, before any
# session, CSRF, auth or throttle work: see maintenance/middleware.py.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "health.middleware.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "maintenance.middleware.MaintenanceMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "api.outage.DependencyOutageMiddleware",
]

ROOT_URLCONF = "config.urls"
# The Django admin at /admin/ (its login shares the API's ``auth`` throttle); off removes the route.
ADMIN_ENABLED = env_bool("ADMIN_ENABLED", True)
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: DATABASE_URL, or SQLite beside the code -------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
DATABASE_APPLICATION_NAME = "trudeploy-app"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A dead database must fail a readiness probe in seconds, not hang it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # The service's sessions name themselves, so a cutover can tell when the writes admitted
    # before maintenance began have finished (pg_stat_activity.application_name; docs/service.md).
    DATABASES["default"]["OPTIONS"].setdefault("application_name", DATABASE_APPLICATION_NAME)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions: Redis when REDIS_URL is set, else local memory --------------------------
REDIS_URL = env_str("REDIS_URL")
# One namespace for every key the service writes (cache, Celery), so services can share a Redis.
REDIS_KEY_PREFIX = env_str("REDIS_KEY_PREFIX", "trudeploy")
# The PEM of the certificate authority that signs the Redis server's certificate, where it is the
# instance's own (Memorystore), not one the system trust store holds: see config/redis_tls.py.
REDIS_CA_CERT = env_str("REDIS_CA_CERT")
REDIS_TLS = redis_tls_options(REDIS_URL, REDIS_CA_CERT)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2, **REDIS_TLS},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": REDIS_KEY_PREFIX,
        }
    }

# --- Object storage: the backend STORAGE_BACKEND names (s3, gcs), else files on disk -----------
STORAGE_BACKEND = env_choice("STORAGE_BACKEND", STORAGE_BACKENDS)
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATIC_URL = "/static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if STORAGE_BACKEND:
    STORAGES["default"] = media_storage(STORAGE_BACKEND)

# --- REST API, JWT, throttling -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # The browsable API is a development aid; deployed profiles answer JSON only.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # The client address throttles key on: see TRUSTED_PROXY_COUNT.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttles.AnonThrottle",
        "api.throttles.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("THROTTLE_RATE_ANON", "60/min"),
        "user": env_str("THROTTLE_RATE_USER", "600/min"),
        "auth": env_str("THROTTLE_RATE_AUTH", "20/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 1)),
    # Tokens carry a digest of the password hash: changing the password ends every token issued
    # before it (api.views checks refresh tokens too, which simplejwt leaves to access tokens).
    "CHECK_REVOKE_TOKEN": True,
}

# --- API schema and docs: /api/v1/schema/ (OpenAPI 3) and /api/v1/docs/ (Swagger UI) ------------
# Off here, so deployed profiles do not publish them unless an operator says so; development
# turns them on. ``manage.py spectacular`` writes the schema whatever this says.
API_DOCS_ENABLED = env_bool("API_DOCS_ENABLED", False)
SPECTACULAR_SETTINGS = {
    "TITLE": "trudeploy submissions API",
    "DESCRIPTION": (
        "Authors create submissions, upload manuscript files (PDF, DOCX, ODT) and submit them; "
        "staff reviewers who are not the author move them through review. Authenticate with "
        "POST /api/v1/auth/token/ and send `Authorization: Bearer <access>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema documents /api/v1/ only; the admin is not part of the API.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # A submission's ``state`` and a transition's ``to`` are one set of states: one schema name.
    "ENUM_NAME_OVERRIDES": {"SubmissionState": "submissions.models.Submission.State"},
}

# --- Uploads -------------------------------------------------------------------------------------
UPLOAD_MAX_BYTES = env_positive_int("UPLOAD_MAX_BYTES", 50 * 1024 * 1024)

# --- Browser security ----------------------------------------------------------------------------
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# X-Forwarded-Proto is believed only when a proxy the deploy target declared sets it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None
# Health paths stay reachable over plain HTTP where the profile redirects to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Celery: Redis broker, eager without one (or when CELERY_EAGER says so) ----------------------
CELERY_EAGER = env_bool("CELERY_EAGER", not REDIS_URL)
CELERY_BROKER_URL = REDIS_URL or "memory://"
if REDIS_TLS:
    # The instance's own CA, pinned for the broker's connections as for the cache's.
    CELERY_BROKER_USE_SSL = {"ssl_cert_reqs": ssl.CERT_REQUIRED, **REDIS_TLS}
elif REDIS_URL.startswith("rediss://") and "ssl_cert_reqs" not in REDIS_URL:
    # Celery refuses a TLS Redis URL that does not say how to check the certificate: check it.
    CELERY_BROKER_USE_SSL = {"ssl_cert_reqs": ssl.CERT_REQUIRED}
CELERY_TASK_ALWAYS_EAGER = CELERY_EAGER
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Keep the JSON-on-stdout logging configured below; Celery would otherwise replace it with its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{REDIS_KEY_PREFIX}:celery:"}
# Beat keeps its schedule and a lock in Redis (celery-redbeat): a second beat, such as the new one
# of a rollout that starts before the old one stops (Cloud Run worker pools, Container Apps), waits
# for the lock instead of sending every task twice. It retries every max loop interval, and a
# crashed holder's lock expires after the lock timeout.
if REDIS_URL:
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_KEY_PREFIX = f"{REDIS_KEY_PREFIX}:redbeat"
    CELERY_BEAT_MAX_LOOP_INTERVAL = env_int("CELERY_BEAT_MAX_LOOP_INTERVAL", 30)
    CELERY_REDBEAT_LOCK_TIMEOUT = 5 * CELERY_BEAT_MAX_LOOP_INTERVAL
CELERY_BEAT_SCHEDULE = {
    "checksum-pending-files": {
        "task": "submissions.tasks.checksum_pending_files",
        "schedule": timedelta(minutes=10),
    },
}

# --- Logging: one JSON object per line on stdout, never files ------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = json_logging(LOG_LEVEL, ["django"])

# --- Health probes -------------------------------------------------------------------------------
# Readiness answers within this many seconds whatever its dependencies do (a hung database counts
# as down); keep it below the load balancer's health-check timeout.
HEALTH_CHECK_TIMEOUT = env_positive_int("HEALTH_CHECK_TIMEOUT", 2)

# --- Errors: Sentry only when SENTRY_DSN is set --------------------------------------------------
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=ENV,
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
        send_default_pii=False,
    )

# Bench-only: a bare Django view on the same server, as the baseline the API is measured against.
BENCH_BARE_VIEW = env_bool("BENCH_BARE_VIEW", False)
