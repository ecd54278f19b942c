"""Settings profiles, each loaded in a fresh process exactly as a container would load it."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"

PRODUCTION = {
    "ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "api.example.com",
    "DATABASE_URL": "postgres://app:pw@db.internal:5432/app?sslmode=require",
    "REDIS_URL": "rediss://:pw@cache.internal:6379/0",
    "CORS_ALLOWED_ORIGINS": "https://app.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://api.example.com",
}


def run_app(*args: str, env: dict[str, str], code: str | None = None):
    """Run manage.py (or a Python snippet after django.setup()) with only ``env`` set."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    command = [sys.executable, "manage.py", *args]
    if code is not None:
        setup = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        setup += "'config.settings'); django.setup()\n"
        command = [sys.executable, "-c", setup + code]
    return subprocess.run(
        command, cwd=APP, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_passes_check_deploy_at_warning_level():
    result = run_app("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_staging_loads_with_a_valid_env():
    result = run_app("check", env={**PRODUCTION, "ENV": "staging"})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short-but-secret"}, "SECRET_KEY"),
        ({"SECRET_KEY": "django-insecure-" + secrets.token_urlsafe(50)}, "SECRET_KEY"),
        ({"SECRET_KEY": "ab" * 40}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"REDIS_URL": None}, "REDIS_URL"),
        ({"CELERY_EAGER": "1"}, "CELERY_EAGER"),
        ({"CELERY_EAGER": "maybe"}, "CELERY_EAGER"),
        ({"USE_S3": "true"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"ENV": "prod"}, "ENV"),
    ],
)
@pytest.mark.parametrize("profile", ["production", "staging"])
def test_deployed_profiles_refuse_unsafe_settings_naming_the_variable(profile, change, variable):
    env = {**PRODUCTION, "ENV": profile}
    for key, value in change.items():
        if value is None:
            env.pop(key)
        else:
            env[key] = value
    result = run_app("check", env=env)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: "), result.stderr
    assert variable in last_line


def test_storage_keys_come_in_pairs():
    env = {"USE_S3": "1", "AWS_STORAGE_BUCKET_NAME": "b", "AWS_ACCESS_KEY_ID": "AKIA"}
    result = run_app("check", env=env)
    assert result.returncode != 0
    assert "AWS_SECRET_ACCESS_KEY" in result.stderr.strip().splitlines()[-1]


def test_no_env_at_all_is_the_embedded_default_and_logs_json_on_stdout():
    code = """
import json, logging
from django.conf import settings
from django.core.files.storage import storages
import sentry_sdk
from config import celery_app
logging.getLogger("probe").warning("hello", extra={"answer": 42})
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "storage": type(storages["default"]).__name__,
    "eager": celery_app.conf.task_always_eager,
    "debug": settings.DEBUG,
    "sentry": sentry_sdk.get_client().is_active(),
}))
"""
    result = run_app(env={}, code=code)
    assert result.returncode == 0, result.stderr
    log_line, summary = result.stdout.strip().splitlines()[-2:]
    record = json.loads(log_line)
    assert record["message"] == "hello"
    assert record["level"] == "WARNING"
    assert record["answer"] == 42
    assert json.loads(summary) == {
        "engine": "django.db.backends.sqlite3",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "storage": "FileSystemStorage",
        "eager": True,
        "debug": True,
        "sentry": False,
    }


def test_deployed_settings_use_redis_celery_on_a_queue_and_sentry_with_a_dsn():
    code = """
import json
from django.conf import settings
import sentry_sdk
from config import celery_app
conf = celery_app.conf
print(json.dumps({
    "cache": settings.CACHES["default"]["BACKEND"],
    "sessions": settings.SESSION_ENGINE,
    "eager": conf.task_always_eager,
    "acks_late": conf.task_acks_late,
    "serializer": conf.task_serializer,
    "accept": conf.accept_content,
    "time_limit": conf.task_time_limit,
    "soft_time_limit": conf.task_soft_time_limit,
    "beat": [entry["task"] for entry in conf.beat_schedule.values()],
    "broker_tls_verified": conf.broker_use_ssl == {"ssl_cert_reqs": 2},
    "sentry": sentry_sdk.get_client().is_active(),
}))
"""
    env = {**PRODUCTION, "SENTRY_DSN": "https://public@o0.ingest.sentry.io/0"}
    result = run_app(env=env, code=code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "cache": "django.core.cache.backends.redis.RedisCache",
        "sessions": "django.contrib.sessions.backends.cache",
        "eager": False,
        "acks_late": True,
        "serializer": "json",
        "accept": ["json"],
        "time_limit": 300,
        "soft_time_limit": 240,
        "beat": ["submissions.tasks.checksum_pending_files"],
        "broker_tls_verified": True,
        "sentry": True,
    }


def test_production_redirects_to_https_except_health_which_answers_an_ip_host():
    code = """
import json
from django.test import Client
client = Client()
plain = client.get("/api/v1/submissions/", HTTP_HOST="api.example.com")
probe = client.get("/api/v1/health/live/", HTTP_HOST="10.0.3.7:8000")
secure = client.get("/api/v1/health/live/", HTTP_HOST="api.example.com",
                    HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "probe": probe.status_code,
    "hsts": secure.get("Strict-Transport-Security"),
}))
"""
    result = run_app(env=PRODUCTION, code=code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "plain": [301, "https://api.example.com/api/v1/submissions/"],
        "probe": 200,
        "hsts": "max-age=31536000; includeSubDomains; preload",
    }
