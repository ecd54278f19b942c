"""Bench: what comparing schema objects by definition costs against comparing names only.

Builds the migrate bench's source shape (`bench/migrate_postgres.py`'s generator: the orders
table, at --size-mb, and --small-tables tables with an index each) in a throwaway database, then
runs every kind's catalog query (`catalog.OBJECT_KINDS`) as verification does, and the same
queries reading the names only (what verification compared before). Reports the server backend's
CPU time (/proc/PID/stat; the server must run on this machine) and wall time, fastest and median
of --repeat runs, for one side (verification runs it on both). The database is dropped afterwards.

    .venv/bin/python bench/pg_schema_compare.py [--size-mb 8] [--small-tables 300] [--repeat 5]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

import typer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from migrate_postgres import _drop, _recreate, generate
from pg_row_hash import _cpu_seconds

from migrate.postgres.catalog import OBJECT_KINDS
from migrate.postgres.conn import connect_source, parse_url

NAME = "trudeploy_bench_pg_schema"


def main(
    size_mb: int = typer.Option(8, help="Approximate size of the orders table in MB."),
    small_tables: int = typer.Option(300, help="Number of small tables (each with an index)."),
    repeat: int = typer.Option(5, help="Runs of each way."),
) -> None:
    admin = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    url = _recreate(admin, NAME)
    ways = {
        "names only (before)": [
            f"SELECT q.n FROM ({k}) AS q (n, d)" for k in OBJECT_KINDS.values()
        ],
        "definitions (after)": list(OBJECT_KINDS.values()),
    }
    results: dict[str, object] = {}
    try:
        generate(url, size_mb, small_tables)
        with connect_source(parse_url(url, "--from")) as conn:
            conn.autocommit = True
            pid = conn.info.backend_pid
            for label, queries in ways.items():
                walls, cpus = [], []
                for _ in range(repeat + 1):  # the first run warms the catalog caches
                    started, cpu = time.perf_counter(), _cpu_seconds(pid)
                    for query in queries:
                        conn.execute(query).fetchall()
                    walls.append(time.perf_counter() - started)
                    cpus.append(_cpu_seconds(pid) - cpu)
                walls, cpus = walls[1:], cpus[1:]
                results[label] = {
                    "wall_min": round(min(walls), 3),
                    "wall_median": round(statistics.median(walls), 3),
                    "cpu_min": round(min(cpus), 3),
                    "cpu_median": round(statistics.median(cpus), 3),
                }
                print(f"{label:22s} {results[label]}", file=sys.stderr)
            results["objects"] = {
                kind: len(conn.execute(query).fetchall()) for kind, query in OBJECT_KINDS.items()
            }
    finally:
        _drop(admin, NAME)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    typer.run(main)
