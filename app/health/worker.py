"""A gunicorn gthread worker that answers liveness in its event loop, never behind the threads.

A request waits in the thread pool's queue until a thread is free. When the database hangs, every
thread can be busy waiting on it (readiness probes, API requests), and a liveness probe queued
behind them times out: the platform then restarts a process that was alive, which cures nothing and
drops every request in flight. Here a request's first bytes are peeked in the worker's own loop
(on a new connection, or a kept-alive one whose parser holds nothing read ahead); a complete
``GET``/``HEAD`` of the liveness path is answered right there (the same body the Django middleware
gives) and everything else goes to the threads as before. That the loop runs is exactly what
liveness should prove: gunicorn's arbiter restarts a worker whose loop stops.

Only gunicorn's ThreadWorker hooks are used (``enqueue_req`` and its pending-connection parking),
which is why app/pyproject.toml pins gunicorn's major version.
"""

from __future__ import annotations

import re
import selectors
import socket
import time
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

from .paths import LIVE

_PEEK_BYTES = 4096
_PROBE = re.compile(
    rb"(GET|HEAD) " + re.escape(LIVE.encode()) + rb"? HTTP/1\.[01]\r\n(?P<headers>.*?)\r\n\r\n",
    re.DOTALL,
)
_BODY_HEADERS = re.compile(rb"^(content-length|transfer-encoding):", re.IGNORECASE | re.MULTILINE)
_BODY = b'{"status": "ok"}'


def probe_request_length(head: bytes) -> int | None:
    """The length of a complete, bodiless liveness request at the start of ``head``, or None when
    ``head`` is anything else (or not all there yet): those go the ordinary way."""
    match = _PROBE.match(head)
    if match is None or _BODY_HEADERS.search(match.group("headers")):
        return None
    return match.end()


def probe_response(method: bytes) -> bytes:
    """The liveness answer, closing the connection (probes open one per check)."""
    headers = (
        b"HTTP/1.1 200 OK\r\n"
        b"Content-Type: application/json\r\n"
        b"Cache-Control: no-store\r\n"
        b"Content-Length: %d\r\n"
        b"Connection: close\r\n\r\n" % len(_BODY)
    )
    return headers if method == b"HEAD" else headers + _BODY


class LivenessFirstWorker(ThreadWorker):
    """gthread, plus liveness answered in the event loop (see the module docstring)."""

    def enqueue_req(self, conn: TConn) -> None:
        if conn.initialized and (conn.is_http2 or conn.parser.unreader.buf.getvalue()):
            # HTTP/2, or a kept-alive connection whose parser already holds the next request's
            # first bytes: the socket does not show them, so only the parser can read them.
            super().enqueue_req(conn)
            return
        try:
            head = conn.sock.recv(_PEEK_BYTES, socket.MSG_PEEK)
        except BlockingIOError:
            self._wait_for_first_bytes(conn)
            return
        except OSError:
            head = b""
        length = probe_request_length(head)
        if length is None:
            super().enqueue_req(conn)
            return
        try:
            conn.sock.recv(length)  # consume the request, so closing sends FIN, not RST
            conn.sock.settimeout(1.0)
            conn.sock.sendall(probe_response(head.split(b" ", 1)[0]))
        except OSError:
            pass  # the prober went away; nothing to answer
        finally:
            self.nr_conns -= 1
            conn.close()

    def _wait_for_first_bytes(self, conn: TConn) -> None:
        """Park a connection with nothing sent yet on the poller, as gthread parks a deferred one;
        it comes back through ``on_pending_socket_readable`` and so through ``enqueue_req``."""
        conn.timeout = time.monotonic() + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(
            conn.sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn)
        )
