"""The app suite runs twice: on the real PostgreSQL + Redis (this process) and on the embedded
default, SQLite + local-memory cache (test_app_sqlite.py re-runs the suite with
``TRUDEPLOY_APP_TEST_DB=sqlite``).

That variable is honoured only in the child run test_app_sqlite.py starts, which also sets
``TRUDEPLOY_APP_TEST_DB_PARENT`` to its own process id: exported anywhere else (a shell, a CI
job), it would silently move the whole suite off PostgreSQL and Redis, so the run is refused.

On PostgreSQL the test database gets a unique name, so concurrent runs on one server never collide,
and every cache key lives under the test's own Redis prefix, deleted afterwards.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import dj_database_url
import pytest
from app_helpers import HangingPeer, free_port
from django.db import connections
from moto.server import ThreadedMotoServer


def _embedded() -> bool:
    """Whether this is test_app_sqlite.py's child run; refuse the variable anywhere else."""
    value = os.environ.get("TRUDEPLOY_APP_TEST_DB")
    if value is None:
        return False
    if value != "sqlite" or os.environ.get("TRUDEPLOY_APP_TEST_DB_PARENT") != str(os.getppid()):
        pytest.exit(
            f"TRUDEPLOY_APP_TEST_DB={value!r} is set: it would move the app suite off PostgreSQL "
            "and Redis. Unset it; tests/app/test_app_sqlite.py runs the SQLite pass itself.",
            returncode=4,
        )
    return True


EMBEDDED = _embedded()
EXPECTED_VENDOR = "sqlite" if EMBEDDED else "postgresql"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request: pytest.FixtureRequest) -> None:
    """Point pytest-django's test database at the real PostgreSQL (unless running embedded)."""
    if EMBEDDED:
        return
    pg_admin_url = request.getfixturevalue("pg_admin_url")
    config = dj_database_url.parse(pg_admin_url, conn_max_age=0)
    config.setdefault("OPTIONS", {})["connect_timeout"] = 5
    config["TEST"] = {"NAME": f"trudeploy_app_test_{uuid.uuid4().hex[:10]}"}
    configured = connections.configure_settings({"default": config})["default"]
    connections["default"].close()
    del connections["default"]
    connections.settings["default"] = configured


@pytest.fixture(autouse=True)
def _real_backends(request: pytest.FixtureRequest, settings) -> None:
    """Every test on the PostgreSQL run also uses Redis as its cache, under a unique prefix; the
    embedded run starts each test with an empty local-memory cache."""
    # Hashing strength is not under test; the default hasher costs a second per user on 2 cores.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if EMBEDDED:
        from django.core.cache import cache

        cache.clear()
        return
    redis_url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix.rstrip(":"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


@pytest.fixture
def db_vendor(db) -> str:
    """The database this test runs on, checked against the run it belongs to."""
    vendor = connections["default"].vendor
    assert vendor == EXPECTED_VENDOR, (
        f"app tests expected {EXPECTED_VENDOR}, got {vendor}: another suite set up the test "
        "database first"
    )
    return vendor


@pytest.fixture
def user(db_vendor):
    from accounts.models import User

    return User.objects.create_user("author", "author@example.com", "correct horse battery")


@pytest.fixture
def other_user(db_vendor):
    from accounts.models import User

    return User.objects.create_user("someone", "someone@example.com", "another horse battery")


@pytest.fixture
def reviewer(db_vendor):
    from accounts.models import User

    return User.objects.create_user(
        "reviewer", "reviewer@example.com", "reviewer horse battery", is_staff=True
    )


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def author_api(api, user):
    api.force_authenticate(user)
    return api


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server over real HTTP on a free loopback port."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def hanging_peer() -> Iterator[HangingPeer]:
    """A loopback TCP server that accepts and never answers (see app_helpers.HangingPeer)."""
    peer = HangingPeer()
    try:
        yield peer
    finally:
        peer.close()


@contextlib.contextmanager
def database_at(**changes: object) -> Iterator[None]:
    """Point the default database somewhere else for the block, in every thread: the connection
    settings dict is shared by all threads' connections (the readiness check dials from its own
    thread), and this thread's connection is swapped for one built from the changed dict (an
    in-memory SQLite connection would otherwise stay open to the real database)."""
    real = connections["default"]
    settings_dict = real.settings_dict
    saved = dict(settings_dict)
    settings_dict.update(changes)
    moved = real.__class__(settings_dict, alias="default")
    connections["default"] = moved
    try:
        yield
    finally:
        moved.close()
        settings_dict.clear()
        settings_dict.update(saved)
        connections["default"] = real


@pytest.fixture
def database_down(db_vendor) -> Iterator[None]:
    """The default database cannot be reached (nothing listens / no such directory)."""
    if db_vendor == "sqlite":
        change = {"NAME": "/nonexistent-dir/db.sqlite3"}
    else:
        change = {"PORT": free_port()}
    with database_at(**change):
        yield


@pytest.fixture
def cache_down(settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
