"""Bench: `trudeploy migrate redis` on one million small keys vs a naive per-key DUMP/RESTORE loop.

Starts two private redis-servers (no persistence), fills the source with DEBUG POPULATE, then times
our copy (and its verification, separately) end to end, and the naive loop on a sample (it is far
too slow to run on a million keys). Prints keys/s for both. Usage:

    .venv/bin/python bench/migrate_redis.py [--keys 1000000] [--naive-sample 50000]
        [--streams 0] [--mode auto|dump|by-type]

`--streams N` adds N streams (20 entries, a consumer group with 3 consumers and 10 pending
entries each), whose groups verification reads with XPENDING and XINFO CONSUMERS.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import tempfile
import time

import redis

from migrate.redis.run import RedisOptions, migrate_redis


def _free_port(start: int) -> int:
    for port in range(start, start + 100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise SystemExit("no free port")


def _server(workdir: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--enable-debug-command", "local", "--dir", workdir,
        ],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(200):
        try:
            redis.Redis(port=port).ping()
            return proc
        except redis.ConnectionError:
            time.sleep(0.05)
    raise SystemExit(f"redis-server on {port} did not start")


def naive_loop(src: redis.Redis, dst: redis.Redis, sample: int) -> float:
    """One DUMP, one PTTL and one RESTORE round trip per key, as a hand-written script does."""
    keys = []
    for key in src.scan_iter(count=1000):
        keys.append(key)
        if len(keys) >= sample:
            break
    started = time.perf_counter()
    for key in keys:
        payload = src.dump(key)
        ttl = src.pttl(key)
        dst.restore(key, max(ttl, 0), payload, replace=True)
    return len(keys) / (time.perf_counter() - started)


def _add_streams(src: redis.Redis, count: int) -> None:
    pipe = src.pipeline(transaction=False)
    for i in range(count):
        key = f"stream:{i}"
        for n in range(20):
            pipe.xadd(key, {"n": n}, id=f"{n + 1}-0")
        pipe.xgroup_create(key, "g", id="0")
        for consumer in ("a", "b", "c"):
            pipe.xreadgroup("g", consumer, {key: ">"}, count=4 if consumer != "c" else 2)
        pipe.xack(key, "g", "1-0", "5-0")
        if i % 100 == 99:
            pipe.execute()
    pipe.execute()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--naive-sample", type=int, default=50_000)
    parser.add_argument("--streams", type=int, default=0)
    parser.add_argument("--mode", default="auto")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TRUDEPLOY_STATE_DIR"] = tmp
        sport = _free_port(6397)
        source = _server(tmp, sport)
        dport = _free_port(sport + 1)
        target = _server(tmp, dport)
        try:
            src, dst = redis.Redis(port=sport), redis.Redis(port=dport)
            src.execute_command("DEBUG", "POPULATE", args.keys, "key", 16)
            _add_streams(src, args.streams)
            print(f"source: {src.dbsize():,} keys, {src.info('memory')['used_memory_human']}")
            started = time.perf_counter()
            report = migrate_redis(
                RedisOptions(
                    source=f"redis://127.0.0.1:{sport}",
                    target=f"redis://127.0.0.1:{dport}",
                    mode=args.mode,
                    quiet=True,
                )
            )
            total = time.perf_counter() - started
            assert report.ok, report.to_json()
            keys = args.keys + args.streams
            copy_s, verify_s = report.timings["copy_s"], report.timings["verify_s"]
            print(f"trudeploy copy:   {keys / copy_s:>10,.0f} keys/s ({copy_s:.2f} s)")
            print(f"trudeploy verify: {keys / verify_s:>10,.0f} keys/s ({verify_s:.2f} s)")
            print(f"trudeploy total:  {keys / total:>10,.0f} keys/s ({total:.2f} s, "
                  "preflight + copy + verify)")  # fmt: skip
            dst.flushall()
            naive = naive_loop(src, dst, args.naive_sample)
            print(f"naive loop:       {naive:>10,.0f} keys/s (sample of {args.naive_sample:,})")
            print(f"ratio (copy / naive): {args.keys / copy_s / naive:.1f}x")
        finally:
            source.kill()
            target.kill()


if __name__ == "__main__":
    main()
