"""The docker target's app env, by value: plain values are visible in the plan and checked; the
secret URLs are read from the values the plan keeps out of its JSON and checked against the
containers they must reach (host = the container's alias on the backend network, its port, its
database and credentials)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from docker_plans import ENVS, aliases_on, container, containers, env_of, plan_for, secret_env

from components.app_env import DEFAULT_KEEPALIVE_SECONDS, SECRET_KEYS
from core.plan import MASK, Plan

BACKEND = "trudeploy-t-backend"
APP_PROCESSES = ("release", "web", "worker", "beat")


def app_envs(plan: Plan) -> list[dict[str, str]]:
    return [env_of(res) for process in APP_PROCESSES for res in containers(plan, process)]


@pytest.mark.parametrize("env", ENVS)
def test_only_the_secret_values_are_masked(env: str) -> None:
    for shown in app_envs(plan_for(env)):
        masked = {k for k, v in shown.items() if v == MASK}
        assert masked == SECRET_KEYS & set(shown)
        assert masked >= {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"}


@pytest.mark.parametrize("env", ENVS)
def test_plain_values(env: str) -> None:
    plan = plan_for(env)
    for shown in app_envs(plan):
        assert shown["ENV"] == env
        assert shown["DEBUG"] == "false"
        assert shown["CELERY_EAGER"] == "false"
        # web's port is published straight from its container: no proxy in front to trust
        assert shown["TRUSTED_PROXY_COUNT"] == "0"
        assert shown["GUNICORN_KEEPALIVE"] == str(DEFAULT_KEEPALIVE_SECONDS)
        assert shown["PORT"] == "8000"
        assert shown["USE_S3"] == "true"
        assert shown["ALLOWED_HOSTS"] == "localhost,127.0.0.1"
        assert shown["CSRF_TRUSTED_ORIGINS"] == "http://localhost:8000"
        assert shown["AWS_S3_REGION_NAME"] == "us-east-1"
        assert shown["AWS_STORAGE_BUCKET_NAME"] == "trudeploy-t-media"
    init = container(plan, "-bucket-init")
    assert "mc mb --ignore-existing local/trudeploy-t-media" in init.inputs["command"][0]


@pytest.mark.parametrize("env", ENVS)
def test_storage_endpoint_is_the_minio_container(env: str) -> None:
    plan = plan_for(env)
    minio = container(plan, "-storage-minio")
    for shown in app_envs(plan):
        url = urlsplit(shown["AWS_S3_ENDPOINT_URL"])
        assert url.scheme == "http"
        assert url.hostname in aliases_on(minio, BACKEND)
        # `minio server /data` without --address listens on :9000
        assert minio.inputs["command"] == ["server", "/data"]
        assert url.port == 9000


@pytest.mark.parametrize("env", ENVS)
def test_database_url_reaches_the_postgres_container(env: str) -> None:
    plan = plan_for(env)
    postgres = container(plan, "-postgres-container")
    pg_env = env_of(postgres)
    url = urlsplit(secret_env(plan, "DATABASE_URL"))
    assert url.scheme == "postgresql"
    assert url.hostname in aliases_on(postgres, BACKEND)
    assert url.port == 5432  # the image's port: the container sets no other
    assert url.path == f"/{pg_env['POSTGRES_DB']}"
    assert url.username == pg_env["POSTGRES_USER"]
    assert url.password == secret_env(plan, "POSTGRES_PASSWORD")
    for res in (r for p in APP_PROCESSES for r in containers(plan, p)):
        assert BACKEND in [n["name"] for n in res.inputs["networksAdvanced"]]


@pytest.mark.parametrize("env", ENVS)
def test_redis_url_reaches_the_redis_container(env: str) -> None:
    plan = plan_for(env)
    redis = container(plan, "-redis-container")
    url = urlsplit(secret_env(plan, "REDIS_URL"))
    assert url.scheme == "redis"
    assert url.hostname in aliases_on(redis, BACKEND)
    assert url.port == 6379
    assert url.path == "/0"
    assert url.password == secret_env(plan, "REDIS_PASSWORD")


@pytest.mark.parametrize("env", ENVS)
def test_storage_keys_are_the_scoped_app_user(env: str) -> None:
    plan = plan_for(env)
    assert secret_env(plan, "AWS_ACCESS_KEY_ID") == secret_env(plan, "APP_ACCESS_KEY")
    assert secret_env(plan, "AWS_SECRET_ACCESS_KEY") == secret_env(plan, "APP_SECRET_KEY")
    assert secret_env(plan, "AWS_SECRET_ACCESS_KEY") != secret_env(plan, "MINIO_ROOT_PASSWORD")
