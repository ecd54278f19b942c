"""`release` waits, bounded and logged, for a database that is not reachable yet (Cloud Run's
Direct VPC egress can take a minute to connect), against real PostgreSQL on loopback."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from app_helpers import free_port
from test_app_processes import entrypoint, service_env  # noqa: F401  (fixture)


def with_port(url: str, port: int) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)
    creds = host[0] + "@" if len(host) == 2 else ""
    return urlunsplit(parts._replace(netloc=f"{creds}127.0.0.1:{port}"))


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def late_relay(service_env) -> Iterator[int]:  # noqa: F811
    """A loopback port that starts relaying to the real PostgreSQL only after a few seconds."""
    target = urlsplit(service_env["DATABASE_URL"])
    port = free_port()
    stop = threading.Event()
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)

    def serve() -> None:
        time.sleep(5)
        server.bind(("127.0.0.1", port))
        server.listen()
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                client, _ = server.accept()
            except TimeoutError:
                continue
            upstream = socket.create_connection((target.hostname, target.port or 5432))
            threading.Thread(target=_pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port
    stop.set()
    thread.join(timeout=10)
    server.close()


def test_release_waits_for_a_database_that_listens_later(service_env, late_relay):  # noqa: F811
    env = {**service_env, "DATABASE_URL": with_port(service_env["DATABASE_URL"], late_relay)}
    result = entrypoint("release", "--db-wait-seconds", "60", env=env)
    assert result.returncode == 0, result.stderr
    assert "database not reachable yet (attempt 1" in result.stderr
    with psycopg.connect(service_env["DATABASE_URL"]) as conn:
        tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables")}
    assert "accounts_user" in tables


def test_release_gives_up_on_a_closed_port_with_a_clear_message(service_env):  # noqa: F811
    env = {**service_env, "DATABASE_URL": with_port(service_env["DATABASE_URL"], free_port())}
    result = entrypoint("release", "--db-wait-seconds", "3", env=env)
    assert result.returncode != 0
    assert "database not reachable after" in result.stderr
    assert "--db-wait-seconds" in result.stderr
