"""Bench: the online PostgreSQL copy (`migrate postgres --online`) with a writer running.

Starts its own PostgreSQL 15 cluster (wal_level=logical, initdb under /tmp, a free port, removed
at the end), builds a source of `--size-mb` (one large table plus the writer's table), and drives
the phases through the API the stack move uses, timing each:

- catch-up throughput: a backlog of `--backlog` single-row UPDATE transactions committed on the
  source after the bulk copy, then the time `catch_up` takes to apply them (changes/s);
- the row-by-row verification before the cutover (`pre_verify`) and the pause it costs writers;
- the freeze window: from the locks being granted to their release after the final checks, and,
  from the writer's side (`--rate` writes/s throughout), the longest time one write waited.

Source and target are two clusters, as across providers (on one cluster the source's WAL would
also hold the target's writes, which decoding has to read through).

    .venv/bin/python bench/migrate_postgres_online.py [--size-mb 300] [--rate 10] [--backlog 20000]
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import typer
from rich.console import Console

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from migrate.journal import Journal  # noqa: E402
from migrate.postgres.online import OnlinePostgres  # noqa: E402
from migrate.postgres.run import Options  # noqa: E402

BIN = Path("/usr/lib/postgresql/15/bin")
console = Console(stderr=True)


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="pgonline-bench-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self.data = self.root / "data"
        subprocess.run(
            _as_postgres(
                [str(BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
            ),
            check=True,
            capture_output=True,
        )
        self.port = _free_port()
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c wal_level=logical "
            "-c max_replication_slots=4 -c max_wal_senders=4 -c shared_buffers=256MB "
            "-c max_wal_size=4GB"
        )
        subprocess.run(
            _as_postgres(
                [
                    str(BIN / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-o",
                    options,
                    "-l",
                    str(self.root / "log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def url(self, db: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        subprocess.run(
            _as_postgres([str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


class Writer(threading.Thread):
    """Inserts and updates at `rate`/s; records each write's latency and the refusals."""

    def __init__(self, url: str, rate: float) -> None:
        super().__init__(daemon=True)
        self.url, self.rate = url, rate
        self.stop_event = threading.Event()
        self.latencies: list[tuple[float, float]] = []  # (start, seconds)
        self.refused = 0
        self.first_refusal: float | None = None

    def run(self) -> None:
        conn = None
        i = 0
        while not self.stop_event.is_set():
            start = time.monotonic()
            try:
                conn = conn or psycopg.connect(self.url, autocommit=True)
                if i % 2:
                    conn.execute("UPDATE ledger SET n = n + 1 WHERE id = %s", (i % 1000 + 1,))
                else:
                    conn.execute("INSERT INTO ledger (n) VALUES (0)")
                self.latencies.append((start, time.monotonic() - start))
            except psycopg.Error:
                self.refused += 1
                self.first_refusal = self.first_refusal or start
                if conn is not None:
                    conn.close()
                conn = None
            i += 1
            time.sleep(max(0.0, 1 / self.rate - (time.monotonic() - start)))


def main(
    size_mb: int = typer.Option(300, help="Size of the large source table."),
    rate: float = typer.Option(10.0, help="Writer's writes per second, throughout."),
    backlog: int = typer.Option(20000, help="Single-row transactions queued for catch-up."),
    jobs: int = typer.Option(2, help="Copy/verify workers."),
) -> None:
    # two servers, as across providers: the source's WAL holds only the source's changes
    clusters = [Cluster(), Cluster()]
    state = Path(tempfile.mkdtemp(prefix="pgonline-bench-state-"))
    os.environ["TRUDEPLOY_STATE_DIR"] = str(state)
    try:
        for cluster, name in zip(clusters, ("src", "dst"), strict=True):
            with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {name}")
        source, target = clusters[0].url("src"), clusters[1].url("dst")
        rows = size_mb * 1024 * 1024 // 150
        console.print(f"building a {size_mb} MB source ({rows:,} rows)")
        with psycopg.connect(source, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE big (id bigint PRIMARY KEY, body text, n int);"
                f"INSERT INTO big SELECT g, md5(g::text) || md5((g * 7)::text) || "
                f"md5((g * 13)::text), g % 1000 FROM generate_series(1, {rows}) g;"
                "CREATE TABLE ledger (id bigserial PRIMARY KEY, n int NOT NULL);"
                "INSERT INTO ledger (n) SELECT 0 FROM generate_series(1, 1000);"
                "ANALYZE"
            )
            size = conn.execute("SELECT pg_database_size('src')").fetchone()[0]
        writer = Writer(source, rate)
        writer.start()
        journal = Journal.create("postgres", {"source": source, "target": target})
        online = OnlinePostgres(
            Options(source=source, target=target, jobs=jobs, quiet=True), journal
        )
        assert online.preflight() == []
        timings: dict[str, float] = {}
        start = time.monotonic()
        online.bulk_copy()
        timings["bulk_copy"] = time.monotonic() - start
        start = time.monotonic()
        online.catch_up(timeout=600)
        timings["catch_up_after_bulk"] = time.monotonic() - start
        with psycopg.connect(source, autocommit=True) as conn:
            for i in range(backlog):
                conn.execute("UPDATE big SET n = n + 1 WHERE id = %s", (i * 37 % rows + 1,))
        before = online.report.stats.get("changes_applied", 0)
        start = time.monotonic()
        lag = online.catch_up(timeout=900)
        spent = time.monotonic() - start
        applied = lag.changes_applied - before
        timings["catch_up_backlog"] = spent
        start = time.monotonic()
        pre = online.pre_verify(10)
        timings["pre_verify"] = time.monotonic() - start
        online.catch_up(timeout=600)
        token = online.freeze(10)
        online.drain(token)
        result = online.finalize()
        online.unfreeze(token, switched=result.ok)
        online.cleanup()
        time.sleep(1)
        writer.stop_event.set()
        writer.join(10)
        journal.close()
        frozen_at = token.started
        worst = max((s for t, s in writer.latencies if t >= frozen_at - 1), default=0.0)
        out = {
            "source_bytes": size,
            "verified": result.ok and pre.ok,
            "timings_s": {k: round(v, 3) for k, v in timings.items()},
            "phase_timings_s": online.report.timings,
            "backlog_changes": applied,
            "catch_up_changes_per_s": round(applied / spent) if spent else None,
            "freeze_window_s": online.report.timings.get("freeze_window"),
            "pre_verify_pause_s": online.report.timings.get("pre_verify_pause"),
            "longest_write_wait_s": round(worst, 3),
            "writes_acknowledged": len(writer.latencies),
            "writes_refused_after_retire": writer.refused,
        }
        print(json.dumps(out, indent=2))
    finally:
        for cluster in clusters:
            cluster.stop()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    typer.run(main)
