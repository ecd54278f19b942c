"""Bench: `trudeploy migrate storage` vs `rclone copy` between two local S3 endpoints.

Starts two moto S3 servers (separate processes), fills a bucket on the first with a few thousand
objects of mixed sizes, then copies it to the second: with our migration twice (`--verify full`:
copy, then read every target object back and hash it; `--verify checksum`: the SHA-256 sent with
each PUT and kept by the store), and with `rclone copy` (which checks size and MD5/ETag), all with
the same number of parallel transfers. moto stores the checksum it is sent without validating it,
so on moto the checksum mode measures cost, not safety. Installs rclone with apt if missing. Usage:

    .venv/bin/python bench/migrate_storage.py [--small 2500] [--medium 200] [--large 4] [--jobs 16]

moto keeps objects in Python memory and serves them from one process, so both tools run against
the same slow-ish server; the ratio is the point, not the absolute MB/s.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import boto3

from migrate.storage.locate import Side
from migrate.storage.run import StorageOptions, migrate_storage

CREDS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "us-east-1"}


def _moto() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    raise SystemExit("moto server did not start")


def _rclone() -> str:
    found = shutil.which("rclone")
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-qq", "rclone"], check=True, env=env)
    return shutil.which("rclone") or "rclone"


def _fill(client, bucket: str, small: int, medium: int, large: int) -> tuple[int, int]:
    rng = random.Random(5)
    sizes = (
        [rng.randint(1_000, 64_000) for _ in range(small)]
        + [rng.randint(256_000, 2_000_000) for _ in range(medium)]
        + [rng.randint(20_000_000, 40_000_000) for _ in range(large)]
    )
    blob = os.urandom(max(sizes))

    def put(item: tuple[int, int]) -> None:
        i, size = item
        client.put_object(Bucket=bucket, Key=f"media/{i % 50:02d}/obj-{i:05d}", Body=blob[:size])

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(put, enumerate(sizes)))
    return len(sizes), sum(sizes)


def _rclone_env(name: str, endpoint: str) -> dict[str, str]:
    prefix = f"RCLONE_CONFIG_{name.upper()}_"
    return {
        prefix + "TYPE": "s3",
        prefix + "PROVIDER": "Other",
        prefix + "ENDPOINT": endpoint,
        prefix + "ACCESS_KEY_ID": "bench",
        prefix + "SECRET_ACCESS_KEY": "bench",
        prefix + "REGION": "us-east-1",
    }


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _plain_env() -> dict[str, str]:
    """The environment without AWS_CA_BUNDLE: rclone's SDK fails on it even for http:// URLs."""
    return {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=2500, help="objects of 1-64 KB")
    parser.add_argument("--medium", type=int, default=200, help="objects of 0.25-2 MB")
    parser.add_argument("--large", type=int, default=4, help="objects of 20-40 MB (multipart)")
    parser.add_argument("--jobs", type=int, default=16)
    args = parser.parse_args()
    rclone = _rclone()
    first, a = _moto()
    second, b = _moto()
    try:
        src = boto3.client("s3", endpoint_url=a, **CREDS)
        dst = boto3.client("s3", endpoint_url=b, **CREDS)
        src.create_bucket(Bucket="source")
        for bucket in ("ours-full", "ours-checksum", "rclone"):
            dst.create_bucket(Bucket=bucket)
        count, size = _fill(src, "source", args.small, args.medium, args.large)
        mb = size / 1e6
        print(f"source: {count:,} objects, {mb:,.1f} MB; {args.jobs} parallel transfers each")
        os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        timings, cpus = {}, {}
        with tempfile.TemporaryDirectory() as state:
            os.environ["TRUDEPLOY_STATE_DIR"] = state
            for verify in ("full", "checksum"):
                started, cpu = time.perf_counter(), _cpu(resource.RUSAGE_SELF)
                report = migrate_storage(
                    StorageOptions(
                        source=Side("s3://source", "--from", endpoint=a),
                        target=Side(f"s3://ours-{verify}", "--to", endpoint=b),
                        jobs=args.jobs,
                        verify=verify,
                        quiet=True,
                    )
                )
                timings[verify] = time.perf_counter() - started
                cpus[verify] = _cpu(resource.RUSAGE_SELF) - cpu
                assert report.ok, report.to_json()
        started, cpu = time.perf_counter(), _cpu(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [rclone, "copy", "src:source", "dst:rclone", "--transfers", str(args.jobs),
             "--checkers", str(args.jobs), "--s3-upload-cutoff", "16M", "--s3-chunk-size", "16M"],
            check=True,
            env={**_plain_env(), **_rclone_env("src", a), **_rclone_env("dst", b)},
        )  # fmt: skip
        theirs = time.perf_counter() - started
        their_cpu = _cpu(resource.RUSAGE_CHILDREN) - cpu
        got = sum(1 for p in dst.get_paginator("list_objects_v2").paginate(Bucket="rclone")
                  for _ in p.get("Contents", []))  # fmt: skip
        assert got == count, f"rclone copied {got} of {count} objects"
        for verify, took in timings.items():
            rate = f"{mb / took:6.1f} MB/s  {count / took:6.0f} obj/s"
            ratio = f"rclone/ours {theirs / took:.2f}x"
            cpu_s = f"CPU {cpus[verify]:.1f} s"
            print(f"trudeploy --verify {verify:8s}: {took:7.2f} s  {rate}  {ratio}  {cpu_s}")
        rate = f"{mb / theirs:6.1f} MB/s  {count / theirs:6.0f} obj/s"
        print(f"rclone copy:                  {theirs:7.2f} s  {rate}  CPU {their_cpu:.1f} s")
    finally:
        first.kill()
        second.kill()


if __name__ == "__main__":
    main()
