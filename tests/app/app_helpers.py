"""Helpers the app tests import (a unique module name, unlike ``conftest``)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HangingPeer:
    """A TCP server on loopback that accepts every connection and never answers: a database or
    cache that hangs. ``release()`` closes what it accepted (the peer "recovers" by failing)."""

    def __init__(self) -> None:
        import threading

        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port: int = self._listener.getsockname()[1]
        self._accepted: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._accepted.append(conn)

    @property
    def accepted(self) -> int:
        with self._lock:
            return len(self._accepted)

    def release(self) -> None:
        with self._lock:
            for conn in self._accepted:
                conn.close()
            self._accepted.clear()

    def close(self) -> None:
        self._listener.close()
        self._thread.join(timeout=5)
        self.release()


class PrivateRedis:
    """A redis-server of the test's own on a free loopback port: for keys whose name is fixed by
    a contract (``trudeploy:maintenance``), which the shared Redis would share with every other
    test run on the machine. ``stop()`` terminates it."""

    def __init__(self, directory: str) -> None:
        import shutil
        import subprocess
        import time

        import redis

        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (apt-get install redis-server)"
        self.port = free_port()
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
