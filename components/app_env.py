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
    "ALLOWED_HOSTS",
    "CORS_ALLOWED_ORIGINS",
    "CSRF_TRUSTED_ORIGINS",
    "USE_S3",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_REGION_NAME",
    "CELERY_EAGER",
    "PORT",
)
REQUIRED_SECRET = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")
OPTIONAL_PLAIN = ("AWS_S3_ENDPOINT_URL",)
OPTIONAL_SECRET = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "SENTRY_DSN")
"""Optional keys are present only where they mean something: an endpoint for non-AWS S3, static
keys where the target has no workload identity, a DSN when one is configured. Setting them empty
instead would make boto3 / sentry-sdk treat an empty string as a value."""

REQUIRED_KEYS = frozenset(REQUIRED_PLAIN + REQUIRED_SECRET)
ALL_KEYS = frozenset(REQUIRED_KEYS | set(OPTIONAL_PLAIN) | set(OPTIONAL_SECRET))
SECRET_KEYS = frozenset(REQUIRED_SECRET + OPTIONAL_SECRET)


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
        "ALLOWED_HOSTS": ingress.hosts.apply(",".join),
        "CORS_ALLOWED_ORIGINS": origins,
        "CSRF_TRUSTED_ORIGINS": origins,
        "USE_S3": "true",
        "AWS_STORAGE_BUCKET_NAME": storage.bucket,
        "AWS_S3_REGION_NAME": storage.region,
        "CELERY_EAGER": "false",
        "PORT": str(port),
    }
    if storage.endpoint_url is not None:
        plain["AWS_S3_ENDPOINT_URL"] = storage.endpoint_url
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
