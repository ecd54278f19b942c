"""Copy and digest keys by type, for servers whose DUMP payloads are not compatible.

DUMP/RESTORE moves a key's serialised form, which only loads on a server with the same or a newer
RDB version. Reading each value with the type's own commands and writing it back with them works
between any two versions. Writes are delete-then-write per key so re-applying a batch after a crash
is idempotent. Stream consumer groups are recreated with their last-delivered ID; their pending
entry lists cannot be rebuilt through commands and are not copied in this mode.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from migrate.redis.wire import Arg, Wire

CHUNK = 1000


class UnsupportedType(Exception):
    """A key of a type this mode cannot copy (e.g. a module type)."""


@dataclass
class Value:
    key: bytes
    type: str
    pttl: int
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
    meta = wire.batch([c for k in keys for c in (["TYPE", k], ["PTTL", k])])
    live: list[tuple[bytes, str, int]] = []
    commands: list[list[Arg]] = []
    for i, key in enumerate(keys):
        kind = meta[2 * i].decode() if isinstance(meta[2 * i], bytes) else str(meta[2 * i])
        pttl = meta[2 * i + 1]
        if kind == "none" or pttl == -2:
            continue
        live.append((key, kind, int(pttl)))
        commands.extend(_read_commands(key, kind))
    replies = wire.batch(commands)
    values: list[Value] = []
    pos = 0
    for key, kind, pttl in live:
        width = 3 if kind == "stream" else 1
        got = replies[pos : pos + width]
        pos += width
        if any(isinstance(r, Exception) for r in got) or got[0] is None:
            continue  # the key vanished or changed type between the two batches
        values.append(Value(key, kind, pttl, got if kind == "stream" else got[0]))
    return values


def _info_map(flat: Sequence[object]) -> dict[bytes, object]:
    return dict(zip(flat[0::2], flat[1::2], strict=True))  # type: ignore[arg-type]


def _write_commands(value: Value) -> list[list[Arg]]:
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
        out.extend(_stream_commands(key, data))  # type: ignore[arg-type]
    if value.pttl > 0:
        out.append(["PEXPIRE", key, value.pttl])
    return out


def _stream_commands(key: bytes, data: Sequence[object]) -> list[list[Arg]]:
    entries, info, groups = data
    info_map = _info_map(info)  # type: ignore[arg-type]
    last_id = info_map[b"last-generated-id"]
    out: list[list[Arg]] = []
    for entry_id, fields in entries:  # type: ignore[union-attr]
        out.append(["XADD", key, entry_id, *fields])
    if not entries:
        # A stream with no entries left: create it, drop the placeholder, keep its last ID.
        out.append(["XADD", key, "0-1", "_", "_"])
        out.append(["XDEL", key, "0-1"])
    out.append(["XSETID", key, last_id])  # type: ignore[list-item]
    for group in groups:  # type: ignore[union-attr]
        g = _info_map(group)
        out.append(["XGROUP", "CREATE", key, g[b"name"], g[b"last-delivered-id"]])  # type: ignore[list-item]
    return out


def write_values(wire: Wire, values: Sequence[Value]) -> list[str]:
    """Delete-then-write each key; returns error messages (empty when everything applied)."""
    commands = [c for v in values for c in _write_commands(v)]
    return [f"{e}" for e in wire.batch(commands) if isinstance(e, Exception)]


def digest(value: Value) -> str:
    """SHA-256 over a canonical form of the value, equal on any two servers holding equal data."""
    h = hashlib.sha256(value.type.encode())

    def feed(item: bytes) -> None:
        h.update(b"%d:" % len(item))
        h.update(item)

    data = value.data
    if value.type == "string":
        feed(data)  # type: ignore[arg-type]
    elif value.type == "list":
        for item in data:  # type: ignore[union-attr]
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
        entries, info, groups = data  # type: ignore[misc]
        for entry_id, fields in entries:
            feed(entry_id)
            for f in fields:
                feed(f)
        feed(_info_map(info)[b"last-generated-id"])  # type: ignore[arg-type]
        for group in sorted(groups, key=lambda g: _info_map(g)[b"name"]):  # type: ignore[arg-type,return-value]
            g = _info_map(group)
            feed(g[b"name"])  # type: ignore[arg-type]
            feed(g[b"last-delivered-id"])  # type: ignore[arg-type]
    return h.hexdigest()
