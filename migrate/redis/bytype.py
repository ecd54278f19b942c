"""Copy and digest keys by type, for servers whose DUMP payloads are not compatible.

DUMP/RESTORE moves a key's serialised form, which only loads on a server with the same or a newer
RDB version. Reading each value with the type's own commands and writing it back with them works
between any two versions. Writes are delete-then-write per key so re-applying a batch after a crash
is idempotent.

A TTL travels as a deadline on this machine's clock, taken before the source was read, and is set
with PEXPIREAT on the target's clock: a relative PEXPIRE would add the time the batch spent being
read, queued and written (seconds, for large keys). A key whose deadline passed in flight is
deleted on the target, not written.

Streams keep their metadata: XSETID restores the last ID and, on Redis 7 targets, entries-added
and max-deleted-entry-id; consumer groups are recreated with their last-delivered ID (and
entries-read on Redis 7), their consumers with XGROUP CREATECONSUMER, and each pending entry with
XCLAIM ... FORCE (owner, delivery count and idle time). A pending entry whose message was deleted
from the stream cannot be recreated by any command; verification then reports the stream.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from migrate.redis.wire import Arg, Wire

CHUNK = 1000


class UnsupportedType(Exception):
    """A key of a type this mode cannot copy (e.g. a module type)."""


@dataclass
class Stream:
    entries: list
    info: dict[bytes, object]
    groups: list[dict[bytes, object]]
    pending: dict[bytes, list] = field(default_factory=dict)  # group -> [id, owner, idle, count]
    consumers: dict[bytes, list[dict[bytes, object]]] = field(default_factory=dict)


@dataclass
class Value:
    key: bytes
    type: str
    deadline: float  # ms on this machine's clock when the key expires; -1: no TTL
    data: object


def _pairs(flat: Sequence[bytes]) -> list[tuple[bytes, bytes]]:
    return list(zip(flat[0::2], flat[1::2], strict=True))


def _read_commands(key: bytes, kind: str) -> list[list[Arg]]:
    if kind == "string":
        return [["GET", key]]
    if kind == "hash":
        return [["HGETALL", key]]
    if kind == "list":
        return [["LRANGE", key, 0, -1]]
    if kind == "set":
        return [["SMEMBERS", key]]
    if kind == "zset":
        return [["ZRANGE", key, 0, -1, "WITHSCORES"]]
    if kind == "stream":
        return [["XRANGE", key, "-", "+"], ["XINFO", "STREAM", key], ["XINFO", "GROUPS", key]]
    raise UnsupportedType(f"key {key!r} has type {kind!r}, which by-type copy does not support")


def read_values(wire: Wire, keys: Sequence[bytes]) -> list[Value]:
    """TYPE and PTTL of each key, then its value; keys gone in between are left out."""
    read_at = time.time() * 1000
    meta = wire.batch([c for k in keys for c in (["TYPE", k], ["PTTL", k])])
    live: list[tuple[bytes, str, float]] = []
    commands: list[list[Arg]] = []
    for i, key in enumerate(keys):
        kind = meta[2 * i].decode() if isinstance(meta[2 * i], bytes) else str(meta[2 * i])
        pttl = meta[2 * i + 1]
        if kind == "none" or pttl == -2:
            continue
        live.append((key, kind, -1 if int(pttl) < 0 else read_at + int(pttl)))  # type: ignore[call-overload]
        commands.extend(_read_commands(key, kind))
    replies = wire.batch(commands)
    values: list[Value] = []
    pos = 0
    for key, kind, deadline in live:
        width = 3 if kind == "stream" else 1
        got = replies[pos : pos + width]
        pos += width
        if any(isinstance(r, Exception) for r in got) or got[0] is None:
            continue  # the key vanished or changed type between the two batches
        if kind == "stream":
            entries, info, groups = got
            data: object = Stream(entries, _info_map(info), [_info_map(g) for g in groups])  # type: ignore[arg-type]
        else:
            data = got[0]
        values.append(Value(key, kind, deadline, data))
    _read_groups(wire, [v for v in values if v.type == "stream"])
    return values


def _read_groups(wire: Wire, streams: list[Value]) -> None:
    """Each consumer group's pending entries and consumers, which XINFO GROUPS only counts."""
    asked: list[tuple[Stream, bytes, str]] = []
    commands: list[list[Arg]] = []
    for value in streams:
        stream: Stream = value.data  # type: ignore[assignment]
        for group in stream.groups:
            name, count = group[b"name"], int(group[b"pending"])  # type: ignore[call-overload]
            stream.pending[name], stream.consumers[name] = [], []  # type: ignore[index]
            if count:
                commands.append(["XPENDING", value.key, name, "-", "+", count])  # type: ignore[list-item]
                asked.append((stream, name, "pending"))  # type: ignore[arg-type]
            commands.append(["XINFO", "CONSUMERS", value.key, name])  # type: ignore[list-item]
            asked.append((stream, name, "consumers"))  # type: ignore[arg-type]
    if not commands:
        return
    for (stream, name, what), reply in zip(asked, wire.batch(commands), strict=True):
        if isinstance(reply, Exception):
            continue  # the stream or group went away since it was read; verification will tell
        if what == "pending":
            stream.pending[name] = list(reply)  # type: ignore[call-overload]
        else:
            stream.consumers[name] = [_info_map(c) for c in reply]  # type: ignore[union-attr]


def _info_map(flat: Sequence[object]) -> dict[bytes, object]:
    return dict(zip(flat[0::2], flat[1::2], strict=True))  # type: ignore[arg-type]


def _write_commands(value: Value, target: tuple[int, int], offset: float) -> list[list[Arg]]:
    key, data = value.key, value.data
    out: list[list[Arg]] = [["DEL", key]]
    if value.type == "string":
        out.append(["SET", key, data])  # type: ignore[list-item]
    elif value.type == "hash":
        flat = list(data)  # type: ignore[call-overload]
        for i in range(0, len(flat), 2 * CHUNK):
            out.append(["HSET", key, *flat[i : i + 2 * CHUNK]])
    elif value.type in {"list", "set"}:
        items = list(data)  # type: ignore[call-overload]
        verb = "RPUSH" if value.type == "list" else "SADD"
        for i in range(0, len(items), CHUNK):
            out.append([verb, key, *items[i : i + CHUNK]])
    elif value.type == "zset":
        flat = list(data)  # type: ignore[call-overload]
        for i in range(0, len(flat), 2 * CHUNK):
            chunk = flat[i : i + 2 * CHUNK]
            out.append(["ZADD", key, *[x for m, s in _pairs(chunk) for x in (s, m)]])
    elif value.type == "stream":
        out.extend(_stream_commands(key, data, target))  # type: ignore[arg-type]
    if value.deadline >= 0:
        out.append(["PEXPIREAT", key, int(value.deadline + offset)])
    return out


def _stream_commands(key: bytes, stream: Stream, target: tuple[int, int]) -> list[list[Arg]]:
    info = stream.info
    out: list[list[Arg]] = []
    for entry_id, fields in stream.entries:
        out.append(["XADD", key, entry_id, *fields])
    if not stream.entries:
        # A stream with no entries left: create it, drop the placeholder, keep its last ID.
        out.append(["XADD", key, "0-1", "_", "_"])
        out.append(["XDEL", key, "0-1"])
    setid: list[Arg] = ["XSETID", key, info[b"last-generated-id"]]  # type: ignore[list-item]
    if target >= (7, 0) and b"entries-added" in info:
        setid += ["ENTRIESADDED", info[b"entries-added"], "MAXDELETEDID"]  # type: ignore[list-item]
        setid.append(info[b"max-deleted-entry-id"])  # type: ignore[arg-type]
    out.append(setid)
    for g in stream.groups:
        name = g[b"name"]
        create: list[Arg] = ["XGROUP", "CREATE", key, name, g[b"last-delivered-id"]]  # type: ignore[list-item]
        if target >= (7, 0) and g.get(b"entries-read") is not None:
            create += ["ENTRIESREAD", g[b"entries-read"]]  # type: ignore[list-item]
        out.append(create)
        if target >= (6, 2):
            for consumer in stream.consumers.get(name, []):  # type: ignore[call-overload]
                out.append(["XGROUP", "CREATECONSUMER", key, name, consumer[b"name"]])  # type: ignore[list-item]
        for entry_id, owner, idle, count in stream.pending.get(name, []):  # type: ignore[call-overload]
            claim = ["XCLAIM", key, name, owner, 0, entry_id, "IDLE", idle, "RETRYCOUNT", count]
            out.append([*claim, "FORCE", "JUSTID"])  # type: ignore[list-item]
    return out


def write_values(wire: Wire, values: Sequence[Value], target: tuple[int, int]) -> list[str]:
    """Delete-then-write each key; returns error messages (empty when everything applied).

    `target` is the target's (major, minor) version, which decides the stream metadata it takes.
    A key whose deadline has passed since it was read is only deleted.
    """
    offset = wire.clock_offset_ms()
    now = time.time() * 1000
    commands: list[list[Arg]] = []
    for value in values:
        if 0 <= value.deadline <= now:
            commands.append(["DEL", value.key])
        else:
            commands.extend(_write_commands(value, target, offset))
    return [f"{e}" for e in wire.batch(commands) if isinstance(e, Exception)]


def digest(value: Value, stream_meta: bool = True) -> str:
    """SHA-256 over a canonical form of the value, equal on any two servers holding equal data.

    For streams it covers the entries, the last ID, every consumer group's last-delivered ID,
    consumers and pending entries (ID, owner, delivery count; not idle times, which move on their
    own), and with `stream_meta` (both servers Redis 7+) entries-added, max-deleted-entry-id and
    each group's entries-read.
    """
    h = hashlib.sha256(value.type.encode())

    def feed(item: object) -> None:
        data = item if isinstance(item, bytes) else repr(item).encode()
        h.update(b"%d:" % len(data))
        h.update(data)

    data = value.data
    if value.type == "string":
        feed(data)
    elif value.type == "list":
        for item in data:  # type: ignore[attr-defined]
            feed(item)
    elif value.type == "set":
        for item in sorted(data):  # type: ignore[call-overload]
            feed(item)
    elif value.type == "hash":
        for f, v in sorted(_pairs(data)):  # type: ignore[arg-type]
            feed(f)
            feed(v)
    elif value.type == "zset":
        for m, s in _pairs(data):  # type: ignore[arg-type]
            feed(m)
            feed(repr(float(s)).encode())
    elif value.type == "stream":
        _feed_stream(data, stream_meta, feed)  # type: ignore[arg-type]
    return h.hexdigest()


def _feed_stream(stream: Stream, stream_meta: bool, feed: Callable[[object], None]) -> None:
    for entry_id, fields in stream.entries:
        feed(entry_id)
        for f in fields:
            feed(f)
    info = stream.info
    feed(info[b"last-generated-id"])
    if stream_meta:
        feed(info.get(b"entries-added"))
        feed(info.get(b"max-deleted-entry-id"))
    for g in sorted(stream.groups, key=lambda g: g[b"name"]):  # type: ignore[arg-type,return-value]
        name = g[b"name"]
        feed(b"group")
        feed(name)
        feed(g[b"last-delivered-id"])
        if stream_meta:
            feed(g.get(b"entries-read"))
        for entry_id, owner, _idle, count in sorted(stream.pending.get(name, [])):  # type: ignore[call-overload]
            feed(b"pending")
            feed(entry_id)
            feed(owner)
            feed(count)
        for consumer in sorted(c[b"name"] for c in stream.consumers.get(name, [])):  # type: ignore[call-overload,index]
            feed(b"consumer")
            feed(consumer)
