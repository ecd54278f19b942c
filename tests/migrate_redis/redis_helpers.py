"""Data for the Redis migration tests, and an independent snapshot to compare servers with."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app
from tests.migrate_redis.conftest import RedisServer


def fill(server: RedisServer, db: int, n_plain: int = 300) -> None:
    """Every type, with and without TTLs, binary and unicode, in database `db` of `server`."""
    c = server.client(db)
    c.set("str", "plain")
    c.set(b"bin\x00\xff", b"\x00\x01\xfe")
    c.set("unicode:é", "ünïcödé ✓")
    c.set("ttl:str", "soon", ex=3600)
    c.hset("hash", mapping={f"f{i}": f"v{i}" for i in range(50)})
    c.hset("hash:big", mapping={f"f{i}": "x" * 100 for i in range(1000)})
    c.expire("hash", 7200)
    c.rpush("list", *[f"item{i % 7}" for i in range(200)])
    c.sadd("set", *[f"m{i}" for i in range(100)])
    c.zadd("zset", {"a": 1.5, "b": -2.25, "c": 1e-300, "d": float("inf")})
    c.pexpire("zset", 900_000)
    for i in range(5):
        c.xadd("stream", {"n": str(i), "k": "v"}, id=f"{1000 + i}-{i}")
    c.xgroup_create("stream", "workers", id="1001-1")
    c.xreadgroup("workers", "alice", {"stream": ">"}, count=2)  # two pending for alice
    c.xclaim("stream", "workers", "bob", 0, ["1002-2"])  # bob owns one, delivered twice
    c.xgroup_createconsumer("stream", "workers", "idle-carol")  # a consumer with nothing pending
    c.xdel("stream", "1000-0")  # entries-added 5, max-deleted-entry-id 1000-0
    c.xgroup_create("stream", "audit", id="0")
    c.xreadgroup("audit", "dave", {"stream": ">"}, count=3)  # entries-read known
    c.xadd("stream:emptied", {"x": "1"}, id="5-5")
    c.xdel("stream:emptied", "5-5")
    pipe = c.pipeline(transaction=False)
    for i in range(n_plain):
        pipe.set(f"plain:{db}:{i}", i)
    pipe.execute()


def snapshot(server: RedisServer, db: int) -> dict[bytes, tuple]:
    """Each key's type, value (by redis-py's own commands) and whether it has a TTL."""
    c = server.client(db)
    keys = list(c.scan_iter(count=1000))
    pipe = c.pipeline(transaction=False)
    for key in keys:
        pipe.type(key)
        pipe.pttl(key)
    meta = pipe.execute()
    kinds = [k.decode() for k in meta[0::2]]
    readers = {
        "string": lambda p, k: p.get(k),
        "hash": lambda p, k: p.hgetall(k),
        "list": lambda p, k: p.lrange(k, 0, -1),
        "set": lambda p, k: p.smembers(k),
        "zset": lambda p, k: p.zrange(k, 0, -1, withscores=True),
    }
    for key, kind in zip(keys, kinds, strict=True):
        if kind == "stream":
            pipe.xrange(key)
            pipe.xinfo_stream(key)
            pipe.xinfo_groups(key)
        else:
            readers[kind](pipe, key)
    values = iter(pipe.execute())
    out: dict[bytes, tuple] = {}
    for key, kind, ttl in zip(keys, kinds, meta[1::2], strict=True):
        value = next(values)
        if kind == "hash":
            value = sorted(value.items())
        elif kind == "set":
            value = sorted(value)
        elif kind == "stream":
            info, groups = next(values), next(values)
            value = (
                value,
                info["last-generated-id"],
                info["entries-added"],
                info["max-deleted-entry-id"],
                [_group(c, key, g) for g in groups],
            )
        out[key] = (kind, value, ttl > 0)
    return out


def _group(c, key: bytes, group: dict) -> tuple:
    """A consumer group as verification must see it: position, consumers and pending entries."""
    name = group["name"]
    pending = c.xpending_range(key, name, "-", "+", 1_000_000) if group["pending"] else []
    return (
        name,
        group["last-delivered-id"],
        group["entries-read"],
        sorted(x["name"] for x in c.xinfo_consumers(key, name)),
        [(p["message_id"], p["consumer"], p["times_delivered"]) for p in pending],
    )


def run_cli(*args: str) -> tuple[int, dict | None, str]:
    """Run `trudeploy migrate redis ARGS --json` in-process: exit code, report, stderr."""
    result = CliRunner().invoke(app, ["migrate", "redis", *args, "--json"])
    report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
    return result.exit_code, report, result.stderr
