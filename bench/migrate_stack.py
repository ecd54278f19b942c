"""Bench: the write-unavailable window of `trudeploy migrate stack` as a client feels it, next to
the stop-the-world move of the same data with the per-store commands.

Servers (all on loopback, free ports, removed at the end): two PostgreSQL clusters started with
initdb (`wal_level=logical`), two redis-server processes, two moto S3 servers, as the tests start
them. The source gets a database of `--size-mb` (one large table, generated server-side), 10,000
Redis keys and 200 objects.

The client: a writer at 10 writes/s that behaves as the app does — it reads the maintenance key
(cached `CACHE_SECONDS`), then inserts a row into whichever side is open (the source, or after the
switch the target). It writes straight to the databases, not through the Django app: the app adds
the same flag check and a few milliseconds per request, nothing that changes the window. The
window is the longest gap between two acknowledged writes (minus the 0.1 s between attempts).

Stop-the-world: the writer stopped (source in maintenance) for `migrate postgres` + `migrate
redis` + `migrate storage` run one after the other into empty targets; its window is their
wall-clock sum plus the flag cache.

    .venv/bin/python bench/migrate_stack.py --size-mb 100 --size-mb 1024

Goal (issue 15): window <= 5 s at both sizes, and not growing with size.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from migrate import maintenance  # noqa: E402
from tests.migrate_postgres.conftest import cluster  # noqa: E402
from tests.migrate_redis.conftest import RedisServer  # noqa: E402
from tests.migrate_storage.conftest import MotoServer  # noqa: E402

console = Console(stderr=True)
ROW_BYTES = 182  # on-disk bytes per row of `items` below (heap + primary key), measured at 1 GB
LOGICAL = {"wal_level": "logical", "max_replication_slots": "8", "max_wal_senders": "8"}


def _database(admin: str) -> str:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0] + f"/{name}"


def generate(url: str, size_mb: int) -> int:
    rows = int(size_mb * 1024 * 1024 / ROW_BYTES)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE items (id bigserial PRIMARY KEY, n int NOT NULL, note text, "
            "at timestamptz NOT NULL DEFAULT now())"
        )
        conn.execute(
            "INSERT INTO items (n, note) SELECT g, md5(g::text) || md5((g + 1)::text) "
            "|| md5((g + 2)::text) FROM generate_series(1, %s) g",
            (rows,),
        )
        conn.execute("VACUUM ANALYZE items")
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def fill_redis(server: RedisServer) -> None:
    pipe = server.client().pipeline(transaction=False)
    for i in range(10_000):
        pipe.set(f"cache:{i}", f"value-{i}" * 4)
    pipe.execute()


def fill_bucket(moto: MotoServer, bucket: str) -> None:
    s3 = moto.client()
    for i in range(200):
        s3.put_object(Bucket=bucket, Key=f"media/{i}.bin", Body=os.urandom(10_000))


class Writer:
    """10 writes/s to whichever side is open; the times of acknowledged writes."""

    def __init__(self, sides: list[tuple[str, str]], interval: float = 0.1) -> None:
        self.sides, self.interval = sides, interval  # (database_url, redis_url)
        self.acked: list[float] = []
        self.refused = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Writer:
        self._thread.start()
        return self

    def _run(self) -> None:
        conns: dict[str, psycopg.Connection] = {}
        flags: dict[str, tuple[float, bool]] = {}
        next_at = time.monotonic()
        while not self._stop.is_set():
            next_at += self.interval
            time.sleep(max(0.0, next_at - time.monotonic()))
            now = time.monotonic()
            chosen = None
            for db, cache in self.sides:
                seen = flags.get(cache)
                if seen is None or now - seen[0] > maintenance.CACHE_SECONDS:
                    seen = flags[cache] = (now, maintenance.status(cache) is not None)
                if not seen[1]:
                    chosen = db
                    break
            if chosen is None:
                self.refused += 1
                continue
            try:
                conn = conns.get(chosen) or conns.setdefault(
                    chosen, psycopg.connect(chosen, autocommit=True)
                )
                conn.execute("INSERT INTO items (n) VALUES (-1)")
                self.acked.append(time.monotonic())
            except psycopg.Error:
                self.refused += 1
                conns.pop(chosen, None)

    def stop(self) -> float:
        """The longest time without an acknowledged write, less the writer's own interval."""
        self._stop.set()
        self._thread.join()
        gaps = [b - a for a, b in zip(self.acked, self.acked[1:], strict=False)]
        return round(max(gaps, default=0.0) - self.interval, 2)


def outputs(path: Path, db: str, server: RedisServer, moto: MotoServer, bucket: str) -> str:
    path.write_text(
        json.dumps(
            {
                "databaseUrl": db,
                "redisUrl": f"{server.url}/0",
                "storageUrl": f"s3://{bucket}/media",
                "storageEndpoint": moto.endpoint,
                "storageAccessKeyId": "test",
                "storageSecretAccessKey": "test",
                "storageRegion": "us-east-1",
            }
        )
    )
    return str(path)


def trudeploy(*args: str, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "migrate", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - started, done


def one_size(size_mb: int, servers: dict, work: Path, env: dict[str, str]) -> dict:
    (src_pg, dst_pg), (src_r, dst_r), (src_m, dst_m) = (
        servers["pg"],
        servers["redis"],
        servers["moto"],
    )
    for server in (src_r, dst_r):
        server.client().flushall()
    source_db = _database(src_pg)
    console.print(f"[bold]{size_mb} MB[/]: generating ...")
    size = generate(source_db, size_mb)
    fill_redis(src_r)
    src_bucket, dst_bucket = src_m.bucket(), dst_m.bucket()
    fill_bucket(src_m, src_bucket)
    result: dict = {"size_mb": size_mb, "db_bytes": size}

    # stop-the-world: the three per-store commands, the source closed throughout
    console.print("stop-the-world: migrate postgres + redis + storage ...")
    stw_db = _database(dst_pg)
    stw_bucket = dst_m.bucket()
    steps = {}
    steps["postgres"], done = trudeploy("postgres", "--from", source_db, "--to", stw_db,
                                        "--json", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    steps["redis"], done = trudeploy("redis", "--from", src_r.url, "--to", dst_r.url, "--db", "0",
                                     "--json", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    steps["storage"], done = trudeploy(
        "storage", "--from", f"s3://{src_bucket}/media", "--to", f"s3://{stw_bucket}/media",
        "--from-endpoint", src_m.endpoint, "--to-endpoint", dst_m.endpoint, "--json", env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result["stop_the_world"] = {
        "window_s": round(sum(steps.values()) + maintenance.CACHE_SECONDS, 2),
        **{f"{k}_s": round(v, 2) for k, v in steps.items()},
    }
    dst_r.client().flushall()

    # online: the writer runs throughout
    console.print("online: migrate stack with a writer at 10 writes/s ...")
    target_db = _database(dst_pg)
    src_out = outputs(work / f"from-{size_mb}.json", source_db, src_r, src_m, src_bucket)
    dst_out = outputs(work / f"to-{size_mb}.json", target_db, dst_r, dst_m, dst_bucket)
    files = ["--from-outputs", src_out, "--to-outputs", dst_out]
    writer = Writer([(source_db, f"{src_r.url}/0"), (target_db, f"{dst_r.url}/0")]).start()
    time.sleep(2)
    took, done = trudeploy("stack", *files, "--json", env=env)
    time.sleep(2)
    window = writer.stop()
    report = json.loads(done.stdout)
    assert done.returncode == 0, (report.get("errors"), done.stderr[-2000:])
    result["online"] = {
        "client_window_s": window,
        "tool_window_s": report["write_unavailable_s"],
        "total_s": round(took, 1),
        "phases_s": report["timings"],
        "cutover_steps_s": report["stats"].get("cutover_steps_s"),
        "refused_writes": writer.refused,
        "acked_writes": len(writer.acked),
    }
    console.print(result)
    return result


def main(
    size_mb: Annotated[
        list[int] | None, typer.Option("--size-mb", help="Database sizes (default: 100, 1024).")
    ] = None,
) -> None:
    size_mb = size_mb or [100, 1024]
    work = Path(tempfile.mkdtemp(prefix="stackmove-bench-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    env = {
        **os.environ,
        "TRUDEPLOY_STATE_DIR": str(work / "state"),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    results = []
    with ExitStack() as stack:
        pg = (
            stack.enter_context(cluster("stackmove-bench-src-", 57500, LOGICAL)),
            stack.enter_context(cluster("stackmove-bench-dst-", 57600, LOGICAL)),
        )
        redis_pair = (RedisServer(work, 7490), RedisServer(work, 7590))
        moto_pair = (MotoServer(), MotoServer())
        for server in (*redis_pair, *moto_pair):
            stack.callback(server.stop)
        servers = {"pg": pg, "redis": redis_pair, "moto": moto_pair}
        for size in size_mb:
            results.append(one_size(size, servers, work, env))
    table = Table(title="Write-unavailable window (s): migrate stack vs stop-the-world")
    for column in ("database", "online: client", "online: tool", "stop-the-world", "online total"):
        table.add_column(column)
    for r in results:
        table.add_row(
            f"{r['db_bytes'] / 1e6:,.0f} MB",
            str(r["online"]["client_window_s"]),
            str(r["online"]["tool_window_s"]),
            str(r["stop_the_world"]["window_s"]),
            str(r["online"]["total_s"]),
        )
    console.print(table)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    typer.run(main)
