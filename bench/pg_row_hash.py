"""Bench: what each part of the PostgreSQL row hash costs, one hash query at a time.

Builds the migrate bench's `orders` table (`bench/migrate_postgres.py`'s generator, no small
tables) in a throwaway database, then times `SELECT count(*), sum(row_hash) FROM orders` for the
row hash as it was before the content fixes, each fix alone on top of it, and the hash
verification now uses (`verify._row_hash` and its mix), serially
(`max_parallel_workers_per_gather = 0`): wall time and the server backend's own CPU time (from
/proc/PID/stat, so the server must run on this machine), fastest and median of --repeat runs. On
a machine shared with other work the backend's CPU time is the figure to compare: wall time also
counts the time other processes held the cores. The database is dropped afterwards.

    .venv/bin/python bench/pg_row_hash.py [--size-mb 256] [--repeat 5]
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

from migrate.postgres.catalog import tables
from migrate.postgres.conn import apply_verify_settings, connect_source, parse_url
from migrate.postgres.verify import _row_hash

NAME = "trudeploy_bench_pg_rowhash"
STATUS = (
    "CASE r.status WHEN 'new' THEN 0 WHEN 'paid' THEN 1 WHEN 'shipped' THEN 2 "
    "WHEN 'returned' THEN 3 ELSE hashtextextended(r.status::text, 0) END"
)


def _record(amount: str = "r.amount", note: str = "r.note", attrs: str = "r.attrs") -> str:
    return (
        f"hash_record_extended(ROW(r.id, r.customer_id, {STATUS}, {amount}, r.placed_at, "
        f"{note}, {attrs}), 0)"
    )


# The mix verify applies (see verify.table_digest): the record hash computed once, behind an
# OFFSET 0 fence, then hashint8extended(h, h).
MIX = (
    "SELECT hashint8extended(h, h) AS m FROM (SELECT {} AS h FROM ONLY public.orders r OFFSET 0) f"
)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a local process has used (fields 14 and 15 of /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _mixed(record: str) -> str:
    return f"hash_record_extended(ROW(int8send({record})), 0)"


def main(
    size_mb: int = typer.Option(256, help="Approximate size of the generated source in MB."),
    repeat: int = typer.Option(5, help="Runs per variant."),
) -> None:
    admin = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    url = _recreate(admin, NAME)
    try:
        generate(url, size_mb, 0)
        with connect_source(parse_url(url, "--from")) as conn:
            conn.autocommit = True
            apply_verify_settings(conn)
            conn.execute("SET max_parallel_workers_per_gather = 0")
            orders = next(t for t in tables(conn) if t.name == "orders")
            variants = {
                "count(*) only": "0",
                "before: linear record hash": _record(),
                "+ mix via bytea hash of int8send(h)": _mixed(_record()),
                "+ mix via hashtextextended(h::text)": f"hashtextextended(({_record()})::text, 0)",
                "+ mix via hashint8extended(h, h) (kept)": MIX.format(_record()),
                "+ numeric scale": _record(amount="r.amount, scale(r.amount)"),
                "+ numeric scale or text (kept)": _record(
                    amount="r.amount, COALESCE(scale(r.amount)::text, r.amount::text)"
                ),
                "numeric as text instead": _record(amount="r.amount::text"),
                '+ text COLLATE "C"': _record(note='r.note COLLATE "C"'),
                "+ jsonb as text": _record(attrs="r.attrs::text"),
                "after: verify (hash_record_extended + mix)": MIX.format(
                    _row_hash(orders, "record").as_string(conn)
                ),
            }
            results = {}
            for label, expression in variants.items():
                if "FROM" not in expression:
                    expression = f"SELECT {expression} AS m FROM ONLY public.orders r"
                query = f"SELECT count(*), sum(m)::text FROM ({expression}) AS s"
                conn.execute(query)  # warm the cache
                walls, cpus = [], []
                pid = conn.info.backend_pid
                for _ in range(repeat):
                    started, cpu = time.perf_counter(), _cpu_seconds(pid)
                    conn.execute(query).fetchone()
                    walls.append(time.perf_counter() - started)
                    cpus.append(_cpu_seconds(pid) - cpu)
                results[label] = {
                    "wall_min": round(min(walls), 3),
                    "wall_median": round(statistics.median(walls), 3),
                    "cpu_min": round(min(cpus), 3),
                    "cpu_median": round(statistics.median(cpus), 3),
                }
                print(f"{label:45s} {results[label]}", file=sys.stderr)
            results["rows"] = conn.execute("SELECT count(*) FROM public.orders").fetchone()[0]
    finally:
        _drop(admin, NAME)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    typer.run(main)
