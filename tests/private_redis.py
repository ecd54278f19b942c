"""A redis-server of a test's own, for keys whose name a contract fixes (the service's
``trudeploy:maintenance``): on the shared Redis every test run on the machine would share them."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import redis


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """redis-server on a free loopback port, no persistence; ``stop()`` terminates it."""

    def __init__(self, directory: str) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (apt-get install redis-server)"
        self.port = _free_port()
        self._proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", directory],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.client = redis.Redis.from_url(self.url)
        for _ in range(200):
            try:
                self.client.ping()
                return
            except redis.ConnectionError:
                if self._proc.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"the private redis-server on port {self.port} did not start")

    def stop(self) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=10)
