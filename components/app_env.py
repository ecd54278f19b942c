"""The app's environment, built in exactly one place from the contract outputs (W1, W2, S1).

Every target gets the same keys from here. Values that carry a credential are returned in
`AppEnv.secret` as Pulumi secret Outputs, never resolved to strings, so they stay encrypted in
state and masked in previews; a target hands them to its secret mechanism.
"""

from __future__ import annotations

import pulumi

from components.contract import AppEnv, Ingress, PostgresOutputs, RedisOutputs, StorageOutputs
from core.vocabulary import Env

REQUIRED_PLAIN = (
    "ENV",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CORS_ALLOWED_ORIGINS",
    "CSRF_TRUSTED_ORIGINS",
    "STORAGE_BACKEND",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_REGION_NAME",
    "CELERY_EAGER",
    "PORT",
    "TRUSTED_PROXY_COUNT",
    "GUNICORN_KEEPALIVE",
)
REQUIRED_SECRET = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")
OPTIONAL_PLAIN = ("AWS_S3_ENDPOINT_URL", "REDIS_CA_CERT", "AZURE_CLIENT_ID")
OPTIONAL_SECRET = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "SENTRY_DSN")
"""Optional keys are present only where they mean something: an endpoint for non-AWS S3, static
keys where the target has no workload identity, a DSN when one is configured, the Redis server's CA
where it is the instance's own (Memorystore), the managed identity's client id on Azure. Setting
them empty instead would make boto3 / sentry-sdk treat an empty string as a value."""

REQUIRED_KEYS = frozenset(REQUIRED_PLAIN + REQUIRED_SECRET)
ALL_KEYS = frozenset(REQUIRED_KEYS | set(OPTIONAL_PLAIN) | set(OPTIONAL_SECRET))
SECRET_KEYS = frozenset(REQUIRED_SECRET + OPTIONAL_SECRET)

KEEPALIVE_MARGIN_SECONDS = 15
"""How much longer web keeps an idle connection than the proxy in front (AWS recommends the
target's keep-alive exceed the ALB idle timeout; 60 + 15 matches gunicorn's usual 75 s advice)."""
DEFAULT_KEEPALIVE_SECONDS = 75
"""Keep-alive where no proxy in front declares an idle timeout."""


def keepalive_seconds(ingress: Ingress) -> int:
    """Web's keep-alive: longer than the front proxy's idle timeout, by the margin above."""
    if ingress.idle_timeout_seconds is None:
        return DEFAULT_KEEPALIVE_SECONDS
    return ingress.idle_timeout_seconds + KEEPALIVE_MARGIN_SECONDS


def build_app_env(
    *,
    env: Env,
    port: int,
    secret_key: pulumi.Output[str],
    postgres: PostgresOutputs,
    redis: RedisOutputs,
    storage: StorageOutputs,
    ingress: Ingress,
    sentry_dsn: pulumi.Output[str] | None = None,
) -> AppEnv:
    """The environment every process of the service gets, on every target."""
    origins = ingress.base_url
    plain: dict[str, pulumi.Input[str]] = {
        "ENV": env.value,
        # Explicit, whatever the profile: a deployed development stack serves the public internet.
        "DEBUG": "false",
        "ALLOWED_HOSTS": ingress.hosts.apply(",".join),
        "CORS_ALLOWED_ORIGINS": origins,
        "CSRF_TRUSTED_ORIGINS": origins,
        # Which django-storages backend reads the bucket settings: s3, gcs or azure.
        "STORAGE_BACKEND": storage.backend,
        "AWS_STORAGE_BUCKET_NAME": storage.bucket,
        "AWS_S3_REGION_NAME": storage.region,
        "CELERY_EAGER": "false",
        "PORT": str(port),
        "TRUSTED_PROXY_COUNT": str(ingress.trusted_proxies),
        "GUNICORN_KEEPALIVE": str(keepalive_seconds(ingress)),
    }
    if storage.endpoint_url is not None:
        plain["AWS_S3_ENDPOINT_URL"] = storage.endpoint_url
    if redis.ca_cert is not None:
        plain["REDIS_CA_CERT"] = redis.ca_cert
    if storage.identity_client_id is not None:
        plain["AZURE_CLIENT_ID"] = storage.identity_client_id
    secret: dict[str, pulumi.Output[str]] = {
        "SECRET_KEY": pulumi.Output.secret(secret_key),
        "DATABASE_URL": pulumi.Output.secret(postgres.url),
        "REDIS_URL": pulumi.Output.secret(redis.url),
    }
    if storage.access_key_id is not None and storage.secret_access_key is not None:
        secret["AWS_ACCESS_KEY_ID"] = pulumi.Output.secret(storage.access_key_id)
        secret["AWS_SECRET_ACCESS_KEY"] = pulumi.Output.secret(storage.secret_access_key)
    if sentry_dsn is not None:
        secret["SENTRY_DSN"] = pulumi.Output.secret(sentry_dsn)
    return AppEnv(plain=plain, secret=secret)
