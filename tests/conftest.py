"""Fixtures for the real services the suite runs against.

A test that needs PostgreSQL or Redis and cannot reach it fails with what to start; it never skips.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
import redis

from tests.private_redis import PrivateRedis

TEST_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _with_database(url: str, name: str) -> str:
    """Swap the database name in a libpq URL, keeping credentials and options."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    try:
        with psycopg.connect(TEST_DATABASE_URL, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at TEST_DATABASE_URL={TEST_DATABASE_URL!r}: {exc}\n"
            "Start PostgreSQL or point TEST_DATABASE_URL at one.",
            pytrace=False,
        )
    return TEST_DATABASE_URL


@pytest.fixture
def make_database(pg_admin_url: str) -> Iterator:
    """Create throwaway databases named for the test; drop them afterwards."""
    created: list[str] = []

    def make(prefix: str = "t") -> str:
        name = f"trudeploy_{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return _with_database(pg_admin_url, name)

    yield make
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        pytest.fail(
            f"Redis is not reachable at TEST_REDIS_URL={TEST_REDIS_URL!r}: {exc}\n"
            "Start Redis or point TEST_REDIS_URL at one.",
            pytrace=False,
        )
    return TEST_REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix unique to the test; every key under it is deleted afterwards."""
    prefix = f"trudeploy-test:{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(scope="session")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    """A redis-server of this session's own (tests/private_redis.py), stopped at the end."""
    server = PrivateRedis(str(tmp_path_factory.mktemp("private-redis")))
    try:
        yield server
    finally:
        server.stop()
