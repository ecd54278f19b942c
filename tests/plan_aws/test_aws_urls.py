"""The connection URLs the AWS target hands the app ask for verified TLS in the very clients the
app uses (redis-py for the cache, kombu for Celery, psycopg / dj-database-url for Django)."""

from __future__ import annotations

import ssl

import aws_checks as checks
import dj_database_url
import redis
from aws_plans import plan_for
from kombu import Connection
from psycopg.conninfo import conninfo_to_dict


def urls() -> dict[str, str]:
    return checks.secret_document(plan_for("production"))


def test_cache_url_uses_tls_with_certificate_verification_in_redis_py() -> None:
    pool = redis.ConnectionPool.from_url(urls()["REDIS_URL"])
    assert pool.connection_class is redis.SSLConnection
    assert pool.connection_kwargs["ssl_cert_reqs"] == "required"
    assert pool.connection_kwargs["port"] == 6379
    assert len(pool.connection_kwargs["password"]) == 64


def test_celery_broker_url_verifies_the_certificate_in_kombu() -> None:
    # without ssl_cert_reqs in a rediss:// URL kombu falls back to CERT_NONE (no verification)
    conn = Connection(urls()["REDIS_URL"])
    assert conn.transport_cls == "rediss"
    assert conn.ssl == {"ssl_cert_reqs": ssl.CERT_REQUIRED}


def test_database_url_requires_tls_in_psycopg_and_django() -> None:
    url = urls()["DATABASE_URL"]
    info = conninfo_to_dict(url)
    assert (info["sslmode"], info["port"], info["dbname"], info["user"]) == (
        "require",
        "5432",
        "app",
        "app",
    )
    settings = dj_database_url.parse(url)
    assert settings["ENGINE"] == "django.db.backends.postgresql"
    assert settings["OPTIONS"]["sslmode"] == "require"
    assert len(settings["PASSWORD"]) == 40
