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
    "TRUSTED_PROXY_COUNT": "1",
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


def test_staging_passes_check_deploy_at_warning_level_too():
    env = {**PRODUCTION, "ENV": "staging"}
    result = run_app("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short-but-secret"}, "SECRET_KEY"),
        ({"SECRET_KEY": "django-insecure-" + secrets.token_urlsafe(50)}, "SECRET_KEY"),
        ({"SECRET_KEY": "ab" * 40}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "api.example.com,*"}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": "sqlite:////tmp/trudeploy.sqlite3"}, "DATABASE_URL"),
        ({"SECRET_KEY": "abcdefghij" * 6}, "SECRET_KEY"),
        ({"TRUSTED_PROXY_COUNT": None}, "TRUSTED_PROXY_COUNT"),
        ({"TRUSTED_PROXY_COUNT": ""}, "TRUSTED_PROXY_COUNT"),
        ({"TRUSTED_PROXY_COUNT": "one"}, "TRUSTED_PROXY_COUNT"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT"),
        ({"UPLOAD_MAX_BYTES": "0"}, "UPLOAD_MAX_BYTES"),
        ({"HEALTH_CHECK_TIMEOUT": "0"}, "HEALTH_CHECK_TIMEOUT"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"REDIS_URL": None}, "REDIS_URL"),
        ({"CELERY_EAGER": "1"}, "CELERY_EAGER"),
        ({"CELERY_EAGER": "maybe"}, "CELERY_EAGER"),
        ({"STORAGE_BACKEND": "s3"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"STORAGE_BACKEND": "gcs"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"STORAGE_BACKEND": "azure"}, "STORAGE_BACKEND"),
        ({"REDIS_CA_CERT": "not a certificate"}, "REDIS_CA_CERT"),
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
    env = {"STORAGE_BACKEND": "s3", "AWS_STORAGE_BUCKET_NAME": "b", "AWS_ACCESS_KEY_ID": "AKIA"}
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


def test_development_honours_an_explicit_debug_false():
    code = "from django.conf import settings; print(settings.DEBUG)"
    assert run_app(env={"DEBUG": "false"}, code=code).stdout.strip().splitlines()[-1] == "False"
    assert run_app(env={}, code=code).stdout.strip().splitlines()[-1] == "True"


RENDERERS_AND_PROXIES = """
import json
from django.conf import settings
print(json.dumps({
    "renderers": [
        r.rsplit(".", 1)[-1] for r in settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]
    ],
    "num_proxies": settings.REST_FRAMEWORK["NUM_PROXIES"],
    "ssl_header": settings.SECURE_PROXY_SSL_HEADER,
}))
"""


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, (["JSONRenderer", "BrowsableAPIRenderer"], 0, None)),
        (
            {"TRUSTED_PROXY_COUNT": "1"},
            (["JSONRenderer", "BrowsableAPIRenderer"], 1, ["HTTP_X_FORWARDED_PROTO", "https"]),
        ),
        (PRODUCTION, (["JSONRenderer"], 1, ["HTTP_X_FORWARDED_PROTO", "https"])),
        (
            {**PRODUCTION, "ENV": "staging"},
            (["JSONRenderer"], 1, ["HTTP_X_FORWARDED_PROTO", "https"]),
        ),
        ({**PRODUCTION, "TRUSTED_PROXY_COUNT": "0"}, (["JSONRenderer"], 0, None)),
    ],
)
def test_browsable_api_only_in_development_and_proxies_trusted_as_declared(env, expected):
    result = run_app(env=env, code=RENDERERS_AND_PROXIES)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert [summary["renderers"], summary["num_proxies"], summary["ssl_header"]] == list(expected)


SCHEME_AND_HOST = """
import json
from django.test import Client
client = Client(raise_request_exception=False)
claimed_https = client.get("/no-such-page/", HTTP_HOST="api.example.com",
                           HTTP_X_FORWARDED_PROTO="https")
bad_host = client.get("/no-such-page/", HTTP_HOST="evil.example.net",
                      HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({"claimed_https": claimed_https.status_code, "bad_host": bad_host.status_code}))
"""


@pytest.mark.parametrize(("count", "claimed_https"), [("0", 301), ("1", 404)])
def test_x_forwarded_proto_is_believed_only_from_a_declared_proxy_and_bad_hosts_warn(
    count, claimed_https
):
    result = run_app(env={**PRODUCTION, "TRUSTED_PROXY_COUNT": count}, code=SCHEME_AND_HOST)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert json.loads(lines[-1]) == {"claimed_https": claimed_https, "bad_host": 400}
    records = [json.loads(line) for line in lines[:-1]]
    disallowed = [r for r in records if r["logger"] == "django.security.DisallowedHost"]
    assert len(disallowed) == 1
    assert disallowed[0]["level"] == "WARNING"
    assert "exc_info" not in disallowed[0]
    assert not [r for r in records if r["level"] in ("ERROR", "CRITICAL")]


GUNICORN_SETTINGS = """
import json, runpy
conf = runpy.run_path("gunicorn.conf.py")
print(json.dumps({key: conf[key] for key in
      ("keepalive", "forwarded_allow_ips", "loglevel", "worker_class")}
      | {"gunicorn_level": conf["logconfig_dict"]["loggers"]["gunicorn.access"]["level"]}))
"""


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"keepalive": 75, "forwarded_allow_ips": "", "loglevel": "info"}),
        (
            {"TRUSTED_PROXY_COUNT": "1", "GUNICORN_KEEPALIVE": "90", "LOG_LEVEL": "warning"},
            {"keepalive": 90, "forwarded_allow_ips": "*", "loglevel": "warning"},
        ),
        (
            {"TRUSTED_PROXY_COUNT": "1", "FORWARDED_ALLOW_IPS": "10.0.0.0/16"},
            {"keepalive": 75, "forwarded_allow_ips": "10.0.0.0/16", "loglevel": "info"},
        ),
    ],
)
def test_gunicorn_takes_keepalive_proxy_trust_and_log_level_from_the_env(env, expected):
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    result = subprocess.run(
        [sys.executable, "-c", GUNICORN_SETTINGS],
        cwd=APP,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary == {
        **expected,
        "worker_class": "health.worker.LivenessFirstWorker",
        "gunicorn_level": expected["loglevel"].upper(),
    }
