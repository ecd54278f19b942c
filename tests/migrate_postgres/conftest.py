"""Fixtures for the PostgreSQL migration tests: a state dir per test and a second cluster.

The second cluster is a real, separate PostgreSQL server (initdb + pg_ctl) on port 55432, so at
least one copy crosses servers, not just databases.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

FIRST_PORT = int(os.environ.get("TRUDEPLOY_TEST_PG2_PORT", "55432"))
_BIN_DIRS = ["/usr/lib/postgresql/15/bin", "/usr/local/bin", "/usr/bin"]


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test journals into its own state directory."""
    path = tmp_path / "state"
    monkeypatch.setenv("TRUDEPLOY_STATE_DIR", str(path))
    return path


def _binary(name: str) -> str:
    for folder in _BIN_DIRS:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} not found in {_BIN_DIRS} or PATH; install postgresql-15", pytrace=False
        )
    return found


def _free_port(start: int) -> int:
    """The first free port from `start`: two test sessions at once each get their own cluster."""
    for port in range(start, start + 100):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port in {start}-{start + 99} for the second cluster", pytrace=False)


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb refuses to run as root; run the cluster as the postgres user when we are root."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def cluster(prefix: str, first_port: int, settings: dict[str, str] | None = None) -> Iterator[str]:
    """Admin URL of a fresh PostgreSQL cluster on 127.0.0.1 (the first free port from
    `first_port`), started with `settings` and stopped and removed on exit, even on failure."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    pg_ctl = _binary("pg_ctl")
    try:
        init = subprocess.run(
            _as_postgres([_binary("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]),
            capture_output=True,
            text=True,
            check=False,
        )
        if init.returncode != 0:
            pytest.fail(f"initdb for {prefix} failed:\n{init.stderr}", pytrace=False)
        port = _free_port(first_port)
        extra = " ".join(f"-c {name}={value}" for name, value in (settings or {}).items())
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 {extra}".strip()
        start = subprocess.run(
            _as_postgres(
                [pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]
            ),
            capture_output=True,
            text=True,
            check=False,
        )
        if start.returncode != 0:
            log = (root / "log").read_text() if (root / "log").exists() else ""
            pytest.fail(
                f"PostgreSQL cluster {prefix} did not start on port {port}:\n{start.stderr}\n{log}",
                pytrace=False,
            )
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def second_cluster() -> Iterator[str]:
    """Admin URL of a second cluster (port 55432, or the next free one), stopped at session end."""
    with cluster("trudeploy-pg2-", FIRST_PORT) as url:
        yield url


@pytest.fixture
def second_database(second_cluster: str) -> Iterator[str]:
    """An empty database on the second cluster, dropped afterwards."""
    with psycopg.connect(second_cluster, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS migrate_target WITH (FORCE)")
        conn.execute("CREATE DATABASE migrate_target")
    yield second_cluster.rsplit("/", 1)[0] + "/migrate_target"
    with psycopg.connect(second_cluster, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS migrate_target WITH (FORCE)")


LOGICAL = {"wal_level": "logical", "max_replication_slots": "4", "max_wal_senders": "4"}


@pytest.fixture(scope="session")
def logical_clusters() -> Iterator[tuple[str, str]]:
    """Admin URLs of two fresh clusters with wal_level=logical (source side, target side), for
    the online copy; started once per session, stopped and removed at its end."""
    with (
        cluster("pgonline-src-", FIRST_PORT + 100, LOGICAL) as source,
        cluster("pgonline-dst-", FIRST_PORT + 200, LOGICAL) as target,
    ):
        yield source, target


def _reset(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        for (slot,) in conn.execute("SELECT slot_name FROM pg_replication_slots").fetchall():
            conn.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def online_pair(logical_clusters: tuple[str, str]) -> Iterator[tuple[str, str]]:
    """(source URL, target URL): empty databases on the two logical clusters, dropped after the
    test together with every replication slot left on the source cluster."""
    pairs = list(zip(logical_clusters, ("online_src", "online_dst"), strict=True))
    for admin, name in pairs:
        _reset(admin, name)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
    source, target = (admin.rsplit("/", 1)[0] + "/" + name for admin, name in pairs)
    yield source, target
    for admin, name in pairs:
        _reset(admin, name)
