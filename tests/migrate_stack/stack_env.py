"""A source and a target deployment made of real servers, the outputs files naming them, an
app-like writer, and an equality check that uses none of the migration's own code."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis

from migrate import maintenance
from tests.migrate_redis.conftest import RedisServer
from tests.migrate_redis.tls_server import TLSRedisServer
from tests.migrate_storage.conftest import MotoServer

REPO = Path(__file__).resolve().parents[2]
SCHEMA = """
CREATE TABLE items (id bigserial PRIMARY KEY, token uuid NOT NULL, n int NOT NULL,
                    note text, at timestamptz NOT NULL DEFAULT now());
CREATE TABLE tags (item bigint REFERENCES items(id), tag text, PRIMARY KEY (item, tag));
"""


@dataclass
class Side:
    name: str
    database_url: str
    redis: RedisServer | TLSRedisServer
    moto: MotoServer
    bucket: str
    #: The PEM put in the outputs as `redisCaCert` (a GCP stack's); None: no such output.
    redis_ca: str | None = None

    @property
    def redis_url(self) -> str:
        return f"{self.redis.url}/0"

    def outputs(self, path: Path) -> Path:
        path.write_text(
            json.dumps(
                {
                    "databaseUrl": self.database_url,
                    "redisUrl": self.redis_url,
                    "storageUrl": f"s3://{self.bucket}/media",
                    "storageEndpoint": self.moto.endpoint,
                    "storageRegion": "us-east-1",
                    "storageAccessKeyId": "test",
                    "storageSecretAccessKey": "test",
                    **({"redisCaCert": self.redis_ca} if self.redis_ca else {}),
                }
            )
        )
        return path


def make_database(admin_url: str) -> str:
    name = f"app_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    admin, name = url.rsplit("/", 1)
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        for row in conn.execute(
            "SELECT slot_name FROM pg_replication_slots WHERE database = %s", (name,)
        ).fetchall():
            conn.execute("SELECT pg_drop_replication_slot(%s)", row)
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(side: Side, rows: int = 3000, keys: int = 300, objects: int = 20) -> None:
    with psycopg.connect(side.database_url) as conn:
        conn.execute(SCHEMA)
        conn.execute(
            "INSERT INTO items (token, n, note) SELECT gen_random_uuid(), g, repeat('x', g %% 50) "
            "FROM generate_series(1, %s) g",
            (rows,),
        )
        conn.execute("INSERT INTO tags SELECT id, 't' || (id % 7) FROM items WHERE id % 3 = 0")
    client = side.redis.client()
    pipe = client.pipeline()
    for i in range(keys):
        pipe.set(f"cache:{i}", f"value-{i}")
    pipe.hset("session:1", mapping={"user": "1", "csrf": "abc"})
    pipe.set("ttl", "soon", ex=600)
    pipe.execute()
    s3 = side.moto.client()
    for i in range(objects):
        s3.put_object(Bucket=side.bucket, Key=f"media/seed/{i}.bin", Body=os.urandom(1000 + i))


@dataclass
class Writer:
    """Writes like the app does: reads the maintenance flag (cached CACHE_SECONDS), then a Redis
    key, an object now and then, and a row; a write is acknowledged once its row committed.
    It writes to whichever side is out of maintenance, as a client behind the switched DNS."""

    sides: list[Side]
    interval: float = 0.02
    acked: list[tuple[str, str]] = field(default_factory=list)  # (side, token)
    refused: int = 0
    failed: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _open(self, side: Side) -> tuple[psycopg.Connection, redis.Redis, object]:
        return (
            psycopg.connect(side.database_url, autocommit=True),
            redis.Redis.from_url(side.redis_url),
            side.moto.client(),
        )

    def start(self) -> Writer:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        links: dict[str, tuple] = {}
        flags: dict[str, tuple[float, bool]] = {}
        i = 0
        while not self._stop.is_set():
            time.sleep(self.interval)
            i += 1
            now = time.monotonic()
            for side in self.sides:
                seen = flags.get(side.name)
                if seen is None or now - seen[0] > maintenance.CACHE_SECONDS:
                    on = maintenance.status(side.redis_url) is not None
                    flags[side.name] = seen = (now, on)
                if not seen[1]:
                    break
            else:
                self.refused += 1
                continue
            token = str(uuid.uuid4())
            try:
                db, cache, s3 = links.get(side.name) or links.setdefault(
                    side.name, self._open(side)
                )
                cache.set(f"w:{token}", i)
                if i % 5 == 0:
                    s3.put_object(Bucket=side.bucket, Key=f"media/w/{token}", Body=token.encode())
                if i % 7 == 0 and side.name == "src":  # the app deletes too
                    cache.delete(f"cache:{i}")
                    s3.delete_object(Bucket=side.bucket, Key=f"media/seed/{i % 20}.bin")
                db.execute("INSERT INTO items (token, n) VALUES (%s, %s)", (token, i))
                self.acked.append((side.name, token))
            except Exception as exc:  # a write refused by the freeze is not acknowledged
                self.failed.append(f"{side.name}: {type(exc).__name__}: {exc}")
                links.pop(side.name, None)

    def wait_for(self, side: str, timeout: float = 10.0) -> None:
        """Until a write lands on `side` (or `timeout`): a move can switch between two of the
        writer's attempts, and the next one comes up to CACHE_SECONDS after the flag changed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not any(s == side for s, _ in self.acked):
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


def rows(url: str, exclude: set[str] = frozenset()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        found = conn.execute("SELECT id, token::text, n, note FROM items ORDER BY id").fetchall()
        tags = conn.execute("SELECT item, tag FROM tags ORDER BY 1, 2").fetchall()
    return [r for r in found if r[1] not in exclude] + [("tags", *t) for t in tags]


def tokens(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute("SELECT token::text FROM items").fetchall()]


def redis_state(side: Side) -> dict[bytes, tuple[bytes | None, bool]]:
    client = side.redis.client()
    return {
        k: (client.dump(k), client.pttl(k) > 0)
        for k in client.scan_iter()
        if k != maintenance.KEY.encode()
    }


def objects(side: Side) -> dict[str, str]:
    s3 = side.moto.client()
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=side.bucket):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=side.bucket, Key=item["Key"])["Body"].read()
            out[item["Key"]] = hashlib.sha256(body).hexdigest()
    return out


def replication_leftovers(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as conn:
        slots = conn.execute("SELECT count(*) FROM pg_replication_slots").fetchone()[0]
        pubs = conn.execute("SELECT count(*) FROM pg_publication").fetchone()[0]
    return slots, pubs


def cli(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "migrate", "stack", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_cli(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", "migrate", "stack", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_at(proc: subprocess.Popen, point: str, timeout: float = 120) -> None:
    """Wait for the run to announce it paused at `point`, then kill -9 it."""
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if f"paused at {point}" in line:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return
        if time.monotonic() > deadline:
            break
    proc.kill()
    raise AssertionError(f"the run never paused at {point}: {''.join(seen)[-3000:]}")
