"""Raw pipelined RESP2 over redis-py connections.

redis-py's pipeline spends most of its time packing each command and running reply callbacks in
Python (about 35k keys/s measured); packing a whole batch as one bytes buffer and parsing the raw
replies with hiredis straight from the socket is about 4x faster. redis-py still opens the
connection, so its URL handling, AUTH, TLS (rediss://) and SELECT are kept; the connection is then
dedicated to this wire and closed, never returned to the pool.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterable, Sequence

import hiredis
import redis

Arg = bytes | str | int | float


def _b(arg: Arg) -> bytes:
    if isinstance(arg, bytes):
        return arg
    if isinstance(arg, str):
        return arg.encode()
    if isinstance(arg, int):
        return b"%d" % arg
    return repr(arg).encode()


def pack(args: Sequence[Arg]) -> bytes:
    """One command in RESP: an array of bulk strings."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if type(arg) is bytes else _b(arg)
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def per_key(verbs: Sequence[bytes], keys: Sequence[bytes]) -> tuple[bytes, int]:
    """`VERB key` for every verb and key, packed from templates (the hot path of copy and verify).

    Returns the payload and the number of commands in it.
    """
    templates = [b"*2\r\n$%d\r\n%s\r\n$%%d\r\n%%s\r\n" % (len(v), v) for v in verbs]
    payload = b"".join(t % (len(k), k) for k in keys for t in templates)
    return payload, len(keys) * len(verbs)


class Wire:
    """One dedicated connection to one logical database, sending whole batches at a time.

    `name` (e.g. `--to redis://host:6379`) starts every error, so a failure mid-copy says which
    server it was. The socket keeps the pool's read timeout: a server that accepts and then says
    nothing fails the run after that long instead of hanging it.
    """

    def __init__(self, pool: redis.ConnectionPool, name: str = "redis") -> None:
        self.name = name
        try:
            self._conn = pool.get_connection()
        except redis.TimeoutError as exc:
            raise redis.TimeoutError(f"{name}: {exc} ({_timeouts(pool)})") from exc
        except redis.ConnectionError as exc:
            raise redis.ConnectionError(f"{name}: cannot connect: {exc}") from exc
        self._timeout = pool.connection_kwargs.get("socket_timeout")
        self._sock = self._conn._sock
        self._reader = hiredis.Reader(replyError=redis.ResponseError)

    def batch(self, commands: Iterable[Sequence[Arg]]) -> list[object]:
        """Send every command, then read every reply; error replies are returned, not raised."""
        payload = [pack(c) for c in commands]
        return self.send(b"".join(payload), len(payload))

    def send(self, payload: bytes, count: int) -> list[object]:
        """Send `count` commands already packed in `payload`; read their replies in order."""
        self.write(payload)
        return self.read(count)

    def write(self, payload: bytes) -> None:
        """Send packed commands without waiting, so two servers can work on a batch at once."""
        try:
            self._sock.sendall(payload)
        except OSError as exc:
            raise self._lost(exc) from exc

    def read(self, count: int) -> list[object]:
        """The next `count` replies; error replies are returned as ResponseError, not raised."""
        reader, replies = self._reader, []
        try:
            while len(replies) < count:
                reply = reader.gets()
                if reply is False:
                    data = self._sock.recv(1 << 20)
                    if not data:
                        raise redis.ConnectionError(
                            f"{self.name}: the server closed the connection"
                        )
                    reader.feed(data)
                else:
                    replies.append(reply)
        except OSError as exc:
            raise self._lost(exc) from exc
        return replies

    def _lost(self, exc: OSError) -> redis.ConnectionError:
        if isinstance(exc, socket.timeout | TimeoutError):
            return redis.TimeoutError(
                f"{self.name}: no reply within {self._timeout:g} s (--read-timeout)"
            )
        return redis.ConnectionError(f"{self.name}: lost the connection: {exc}")

    def clock_offset_ms(self) -> float:
        """The server's clock minus this machine's, in ms (within half a round trip).

        TTLs are carried as deadlines on this machine's clock, taken when the source was read;
        this turns one into the target's clock for RESTORE ... ABSTTL and PEXPIREAT, so the time
        a batch spends in flight does not lengthen the TTLs it carries.
        """
        before = time.time() * 1000
        seconds, micros = self.call("TIME")  # type: ignore[misc]
        after = time.time() * 1000
        return int(seconds) * 1000 + int(micros) / 1000 - (before + after) / 2

    def call(self, *args: Arg) -> object:
        (reply,) = self.batch([args])
        if isinstance(reply, redis.ResponseError):
            raise reply
        return reply

    def close(self) -> None:
        self._conn.disconnect()


def _timeouts(pool: redis.ConnectionPool) -> str:
    kwargs = pool.connection_kwargs
    return (
        f"--connect-timeout {kwargs.get('socket_connect_timeout')} s, "
        f"--read-timeout {kwargs.get('socket_timeout')} s"
    )
