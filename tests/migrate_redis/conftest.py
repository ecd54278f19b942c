"""Two private redis-servers (source and target) for the Redis migration tests.

They run on their own ports (6390 upwards) without persistence, so the tests can FLUSHALL them;
the shared server on 6379 is never touched.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis


def _free_port(start: int = 6390) -> int:
    for port in range(start, start + 100):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 6390-6489")


class RedisServer:
    def __init__(self, workdir: Path, start: int) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not on PATH; install it (Debian: redis-server)")
        self.port = _free_port(start)
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"redis-server on port {self.port} did not start")
                time.sleep(0.05)

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(port=self.port, db=db)

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture(scope="session")
def redis_pair(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RedisServer, RedisServer]]:
    source = RedisServer(tmp_path_factory.mktemp("redis-src"), 6390)
    target = RedisServer(tmp_path_factory.mktemp("redis-dst"), source.port + 1)
    yield source, target
    source.stop()
    target.stop()


@pytest.fixture
def servers(
    redis_pair: tuple[RedisServer, RedisServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[RedisServer, RedisServer]:
    """Both private servers emptied, and a private journal directory for the test."""
    for server in redis_pair:
        server.client().flushall()
    monkeypatch.setenv("TRUDEPLOY_STATE_DIR", str(tmp_path / "state"))
    return redis_pair
