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
