"""Real servers for the stack move: two Redis servers, two S3-compatible servers (moto), and
(in the move tests) two PostgreSQL clusters with wal_level=logical; all on loopback, free ports,
stopped at the end even on failure."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.migrate_redis.conftest import RedisServer
from tests.migrate_redis.tls_server import TLSRedisServer
from tests.migrate_storage.conftest import MotoServer


@pytest.fixture(scope="session")
def stack_redis(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RedisServer, RedisServer]]:
    source = RedisServer(tmp_path_factory.mktemp("stack-redis-src"), 6490)
    target = RedisServer(tmp_path_factory.mktemp("stack-redis-dst"), source.port + 1)
    yield source, target
    source.stop()
    target.stop()


@pytest.fixture
def redis_servers(
    stack_redis: tuple[RedisServer, RedisServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[RedisServer, RedisServer]:
    """Both servers emptied, notifications off and ACLs back to default, a private state dir."""
    for server in stack_redis:
        client = server.client()
        client.flushall()
        client.config_set("notify-keyspace-events", "")
        for user in client.acl_users():
            if user != "default":
                client.acl_deluser(user)
    monkeypatch.setenv("TRUDEPLOY_STATE_DIR", str(tmp_path / "state"))
    return stack_redis


@pytest.fixture(scope="session")
def stack_moto() -> Iterator[tuple[MotoServer, MotoServer]]:
    first, second = MotoServer(), MotoServer()
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture(scope="session")
def stack_pg() -> Iterator[tuple[str, str]]:
    """Two PostgreSQL clusters with logical decoding on (admin URLs)."""
    from tests.migrate_postgres.conftest import cluster

    logical = {"wal_level": "logical", "max_replication_slots": "8", "max_wal_senders": "8"}
    with (
        cluster("stackmove-pg-src-", 56500, logical) as source,
        cluster("stackmove-pg-dst-", 56600, logical) as target,
    ):
        yield source, target


@contextlib.contextmanager
def _deployed(sides: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """(source Side, target Side, env for the CLI) over `sides`: the source seeded, the target
    empty, a private state dir; both databases dropped at the end."""
    from tests.migrate_stack.stack_env import drop_database, seed

    seed(sides[0])
    env = {
        **os.environ,
        "TRUDEPLOY_STATE_DIR": str(tmp_path / "state"),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "COLUMNS": "200",
    }
    monkeypatch.setenv("TRUDEPLOY_STATE_DIR", env["TRUDEPLOY_STATE_DIR"])
    try:
        yield sides[0], sides[1], env
    finally:
        for side in sides:
            drop_database(side.database_url)


@pytest.fixture
def deployment(stack_pg, redis_servers, stack_moto, tmp_path: Path, monkeypatch) -> Iterator:
    """(source Side, target Side, env for the CLI): source seeded, target empty."""
    from tests.migrate_stack.stack_env import Side, make_database

    sides = [
        Side(name, make_database(admin), server, moto, moto.bucket())
        for admin, server, moto, name in zip(
            stack_pg, redis_servers, stack_moto, ("src", "dst"), strict=True
        )
    ]
    with _deployed(sides, tmp_path, monkeypatch) as deployed:
        yield deployed


@pytest.fixture(scope="session")
def stack_tls_redis(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TLSRedisServer, TLSRedisServer]]:
    """Two TLS-only servers like Memorystore, each signed by a CA of its own."""
    source = TLSRedisServer(tmp_path_factory.mktemp("stack-tls-src"), 6530)
    target = TLSRedisServer(tmp_path_factory.mktemp("stack-tls-dst"), source.port + 1)
    yield source, target
    source.stop()
    target.stop()


@pytest.fixture
def tls_deployment(stack_pg, stack_tls_redis, stack_moto, tmp_path: Path, monkeypatch) -> Iterator:
    """As `deployment`, with both sides' Redis over TLS and each side's CA in its outputs."""
    from tests.migrate_stack.stack_env import Side, make_database

    sides = []
    for admin, server, moto, name in zip(
        stack_pg, stack_tls_redis, stack_moto, ("src", "dst"), strict=True
    ):
        client = server.client()
        client.flushall()
        client.config_set("notify-keyspace-events", "")
        sides.append(
            Side(name, make_database(admin), server, moto, moto.bucket(), redis_ca=server.ca_pem)
        )
    with _deployed(sides, tmp_path, monkeypatch) as deployed:
        yield deployed
