"""Which Redis keys changed on the source since the bulk copy began, for the cutover's delta copy.

Two ways, best first:

- Keyspace notifications. Subscribed before the bulk copy starts, so every write the source
  applies from then on names its key to us; the cutover copies exactly those keys, so its work
  follows the writes made during the move, not the size of the keyspace. It needs `CONFIG SET
  notify-keyspace-events` (refused by ElastiCache, Memorystore and Upstash, which disable CONFIG)
  and an unbroken subscription: a notification is not stored anywhere, so a dropped connection or
  a run resumed by another process has lost some.
- A fingerprint re-scan when notifications are unavailable or were interrupted: SCAN both sides
  and compare, per key, the SHA-1 of its DUMP payload computed *on the server* (a Lua script), and
  its TTL. 40 bytes per key cross the network instead of values, but the scan grows with the
  keyspace. Two servers of different versions write different payloads for equal values, so there
  every key counts as changed and is copied again: correct, only slower.

`barrier()` makes "every write acknowledged before now" concrete: a PING sent on the subscription
connection is answered after every notification the server queued before it, and a write's
notification is queued before the write's own reply.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator

import redis

from migrate.redis.endpoint import Endpoint
from migrate.redis.wire import Wire

#: Keyspace events on every key (K) for every command class (A: generic, string, list, set,
#: hash, zset, expired, evicted, stream, module key type).
NEEDED = "KA"
#: Hashes a batch of keys on the server: {sha1(DUMP) or false, PTTL} per key.
FINGERPRINT = """
local out = {}
for i, key in ipairs(KEYS) do
  local payload = redis.call('DUMP', key)
  out[2 * i - 1] = payload and redis.sha1hex(payload) or ''
  out[2 * i] = redis.call('PTTL', key)
end
return out
"""
#: How far two TTLs of one key may differ (ms) before it counts as changed: the two servers' clocks
#: and the time between the two reads.
TTL_SLACK_MS = 2000


def merged_flags(current: str) -> str:
    """`current` plus what the feed needs; the same string when it already has it."""
    have = set(current)
    if "A" in have or set("g$lshzxetd") <= have:
        have |= {"A"}
    return current if {"K", "A"} <= have else "".join(sorted(have | set(NEEDED)))


class ChangeFeed:
    """Collects the names of source keys written since `start()`, per database, until `stop()`."""

    def __init__(self, source: Endpoint, databases: list[int], exclude: set[bytes]) -> None:
        self.source, self.databases, self.exclude = source, databases, exclude
        self.original: str | None = None  # the config to put back, when we changed it
        self.unavailable = ""  # why the feed cannot run (then the cutover re-scans)
        self.lost = ""  # why it stopped hearing notifications part-way
        self._changed: dict[int, set[bytes]] = {db: set() for db in databases}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._barrier: tuple[str, threading.Event] | None = None
        self._thread: threading.Thread | None = None
        self._pubsub: redis.client.PubSub | None = None

    def start(self) -> None:
        """Turn notifications on where needed and subscribe; on refusal note why and return."""
        client = self.source.client(0)
        try:
            current = str(
                client.config_get("notify-keyspace-events").get("notify-keyspace-events", "")
            )
            wanted = merged_flags(current)
            if wanted != current:
                client.config_set("notify-keyspace-events", wanted)
                self.original = current
            self._pubsub = client.pubsub(ignore_subscribe_messages=True)
            self._pubsub.psubscribe(*[f"__keyspace@{db}__:*" for db in self.databases])
        except redis.RedisError as exc:
            self.unavailable = f"keyspace notifications unavailable on the source ({exc})"
            return
        self._thread = threading.Thread(target=self._listen, name="redis-changes", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and not self.lost

    def _listen(self) -> None:
        assert self._pubsub is not None
        pinged = ""  # the barrier token already sent: the connection is used by this thread only
        try:
            while not self._stop.is_set():
                wanted = self._barrier
                if wanted is not None and wanted[0] != pinged:
                    self._pubsub.ping(wanted[0])
                    pinged = wanted[0]
                message = self._pubsub.get_message(timeout=0.1)
                if message is None:
                    continue
                if message["type"] == "pong":
                    data = message["data"]
                    token = data.decode() if isinstance(data, bytes) else str(data)
                    if wanted is not None and token == wanted[0]:
                        wanted[1].set()
                    continue
                if message["type"] != "pmessage":
                    continue
                channel: bytes = message["channel"]
                head, _, key = channel.partition(b"__:")
                db = int(head.rsplit(b"@", 1)[1])
                if key not in self.exclude:
                    with self._lock:
                        self._changed.setdefault(db, set()).add(key)
        except (redis.RedisError, OSError) as exc:
            self.lost = f"the keyspace notification connection dropped ({exc})"

    def barrier(self, timeout: float = 10.0) -> bool:
        """Wait until every notification the source queued before this call has been read."""
        if not self.running:
            return False
        done = threading.Event()
        self._barrier = (uuid.uuid4().hex, done)
        ok = done.wait(timeout)
        self._barrier = None
        return ok and not self.lost

    def take(self) -> dict[int, set[bytes]]:
        """The keys changed so far, per database; the feed keeps collecting later ones."""
        with self._lock:
            taken, self._changed = self._changed, {db: set() for db in self.databases}
        return taken

    def stop(self) -> None:
        """Unsubscribe and put the source's notification setting back as it was."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._pubsub is not None:
            with contextlib.suppress(redis.RedisError, OSError):
                self._pubsub.close()
        restore_config(self.source, self.original)


def restore_config(source: Endpoint, original: str | None) -> None:
    """Put notify-keyspace-events back (after a crash: from the value the journal kept)."""
    if original is None:
        return
    with contextlib.suppress(redis.RedisError):
        source.client(0).config_set("notify-keyspace-events", original)


def _scan(wire: Wire, batch: int) -> Iterator[list[bytes]]:
    cursor: bytes = b"0"
    while True:
        cursor, keys = wire.call("SCAN", cursor, "COUNT", batch)  # type: ignore[misc]
        if keys:
            yield list(keys)
        if cursor == b"0":
            return


def fingerprints(wire: Wire, keys: list[bytes]) -> list[tuple[str, int]]:
    """(sha1 of the DUMP payload, '' if missing; PTTL) per key, computed on the server."""
    flat = list(wire.call("EVAL", FINGERPRINT, len(keys), *keys))  # type: ignore[call-overload]
    digests = [d.decode() if isinstance(d, bytes) else "" for d in flat[0::2]]
    return list(zip(digests, (int(t) for t in flat[1::2]), strict=True))


def differs(a: tuple[str, int], b: tuple[str, int]) -> bool:
    if a[0] != b[0]:
        return True
    if (a[1] < 0) != (b[1] < 0):
        return True
    return a[1] >= 0 and abs(a[1] - b[1]) > TTL_SLACK_MS


def rescan(
    source: Endpoint, target: Endpoint, db: int, exclude: set[bytes], batch: int = 500
) -> set[bytes]:
    """Every key whose fingerprint differs between the two sides, or that only one side has."""
    changed: set[bytes] = set()
    src, dst = source.wire(db), target.wire(db)
    try:
        for keys in _scan(src, batch):
            keys = [k for k in keys if k not in exclude]
            if not keys:
                continue
            ours, theirs = fingerprints(src, keys), fingerprints(dst, keys)
            changed |= {k for k, a, b in zip(keys, ours, theirs, strict=True) if differs(a, b)}
        for keys in _scan(dst, batch):
            keys = [k for k in keys if k not in exclude]
            if keys:
                present = src.batch([["EXISTS", k] for k in keys])
                changed |= {k for k, n in zip(keys, present, strict=True) if not n}
    finally:
        src.close()
        dst.close()
    return changed
