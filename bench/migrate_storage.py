"""Bench: `trudeploy migrate storage` vs `rclone copy` between two local S3 endpoints.

Starts two moto S3 servers (separate processes), fills a bucket on the first with a few thousand
objects of mixed sizes, then copies it to the second: with our migration twice (`--verify full`:
copy, then read every target object back and hash it; `--verify checksum`: the SHA-256 sent with
each PUT and kept by the store), with `rclone copy` (which checks size and MD5/ETag, HEADing each
upload) and with `rclone copy --s3-no-head` (which trusts the PUT reply), all with the same number
of parallel transfers. moto stores the checksum it is sent without validating it,
so on moto the checksum mode measures cost, not safety. Installs rclone with apt if missing. Usage:

    .venv/bin/python bench/migrate_storage.py [--small 2500] [--medium 200] [--large 4] [--jobs 16]
        [--runs full,checksum,boto3-full,boto3-checksum,obstore-full,obstore-checksum,rclone,
                rclone-no-head]

`full` and `checksum` run s3:// as shipped: obstore (migrate/storage/objstore.py, Rust's
object_store) for the data path, boto3 for the steps obstore cannot do (migrate/storage/s3.py).
`boto3-full` and `boto3-checksum` route every step of every object to boto3, as s3:// was before
(the "before" of docs/benchmarks.md, measured in the same run). `obstore-full` and
`obstore-checksum` put both S3 sides on obstore alone, sending the same SHA-256 with each PUT
(object_store's checksum_algorithm), to measure the engine without the boto3 steps; they drop
Expires, so they are not a shippable s3://.

Per run it prints wall time, CPU of the tool and of each server process, requests per object on
each server (from moto's request log) and, for ours, the report's phase timings. Each run's copy
is deleted afterwards so every run meets a target server holding the same data.

moto keeps objects in Python memory and serves them from one process, so both tools run against
the same slow-ish server; the ratio is the point, not the absolute MB/s.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import boto3
from obstore.store import S3Store

import migrate.storage.run as storage_run
from migrate.storage.locate import Side, open_backend
from migrate.storage.objstore import ObjectStoreBackend
from migrate.storage.run import StorageOptions, migrate_storage
from migrate.storage.s3 import S3Backend
from migrate.storage.schemes import Location, Scheme

CREDS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "us-east-1"}


class Moto:
    """One moto S3 server process whose request log (werkzeug's, on stderr) and CPU we can read,
    so each run's requests per object and server CPU are measured, not guessed."""

    def __init__(self, logs: str, name: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.log_path = os.path.join(logs, f"{name}.log")
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - open for the server's lifetime
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("moto server did not start")

    def cpu(self) -> float:
        """User + system CPU seconds of the server process so far."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def mark(self) -> int:
        self._log.flush()
        return os.path.getsize(self.log_path)

    def requests(self, since: int) -> Counter[str]:
        """Requests logged after `since`, by kind (method, plus `list`/`multipart` for queries)."""
        with open(self.log_path, "rb") as f:
            f.seek(since)
            text = f.read().decode(errors="replace")
        kinds: Counter[str] = Counter()
        for method, path in re.findall(r'"(GET|PUT|HEAD|POST|DELETE) (\S+) HTTP', text):
            if "uploadId=" in path or "uploads" in path:
                kinds[f"{method}(multipart)"] += 1
            elif (method == "GET" and path.count("/") <= 1) or "list-type" in path:
                kinds["LIST"] += 1
            else:
                kinds[method] += 1
        return kinds

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self._log.close()


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


def _s3_on_obstore(where: Location, endpoint, client, retry) -> S3Store:
    return S3Store(
        where.container,
        endpoint=endpoint,
        region="us-east-1",
        access_key_id="bench",
        secret_access_key="bench",
        checksum_algorithm="sha256",
        client_options=client,
        retry_config=retry,
    )


#: s3:// on obstore, for this bench only (see the module docstring).
S3_OBSTORE = Scheme("s3", "s3://bucket[/prefix]", "bench keys", lambda u, o: None, _s3_on_obstore)  # type: ignore[arg-type]


def _open_on_obstore(side: Side, *, part_size: int, connect_timeout: float, read_timeout: float,
                     **_: object):  # fmt: skip
    bucket, _, prefix = side.url.removeprefix("s3://").partition("/")
    return ObjectStoreBackend(
        S3_OBSTORE,
        Location("", bucket, prefix),
        option=side.option,
        endpoint=side.endpoint,
        part_size=part_size,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )


class _Boto3Only(S3Backend):
    """s3:// before the obstore engine: every object's every step on boto3."""

    def _on_obstore(self, key: str) -> bool:
        return False


def _open_on_boto3(side: Side, **common: object):
    backend = open_backend(side, **common)  # type: ignore[arg-type]
    if isinstance(backend, S3Backend):
        backend.__class__ = _Boto3Only
    return backend


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _plain_env() -> dict[str, str]:
    """The environment without AWS_CA_BUNDLE: rclone's SDK fails on it even for http:// URLs."""
    return {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}


@dataclass
class Run:
    took: float
    cpu: float  # the tool's own process
    source_cpu: float
    target_cpu: float
    source_requests: Counter[str]
    target_requests: Counter[str]


def _measure(servers: tuple[Moto, Moto], who: int, work: Callable[[], None]) -> Run:
    """Time `work` and take the tool's and both servers' CPU and request counts around it."""
    marks = [m.mark() for m in servers]
    cpus = [m.cpu() for m in servers]
    started, cpu = time.perf_counter(), _cpu(who)
    work()
    took, cpu = time.perf_counter() - started, _cpu(who) - cpu
    time.sleep(0.3)  # let the servers flush the last log lines
    return Run(
        took,
        cpu,
        *(m.cpu() - c for m, c in zip(servers, cpus, strict=True)),
        *(m.requests(k) for m, k in zip(servers, marks, strict=True)),
    )


def _empty(client, bucket: str) -> None:
    """Delete a run's copy, so every run writes to a target server holding the same data."""
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys})


def _per_object(requests: Counter[str], count: int) -> str:
    return " ".join(f"{kind} {n / count:.2f}" for kind, n in sorted(requests.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=2500, help="objects of 1-64 KB")
    parser.add_argument("--medium", type=int, default=200, help="objects of 0.25-2 MB")
    parser.add_argument("--large", type=int, default=4, help="objects of 20-40 MB (multipart)")
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument(
        "--runs",
        default="full,checksum,rclone,rclone-no-head",
        help="comma-separated, in order: full, checksum (our --verify modes), boto3-full, "
        "boto3-checksum (the same all on boto3, as before), obstore-full, obstore-checksum "
        "(the same on obstore alone), rclone, "
        "rclone-no-head (rclone --s3-no-head: no HEAD after each upload)",
    )
    args = parser.parse_args()
    wanted = args.runs.split(",")
    rclone = _rclone() if any(name.startswith("rclone") for name in wanted) else ""
    with tempfile.TemporaryDirectory() as logs:
        servers = (Moto(logs, "source"), Moto(logs, "target"))
        try:
            _bench(args, wanted, rclone, servers)
        finally:
            for server in servers:
                server.stop()


def _bench(args: argparse.Namespace, wanted: list[str], rclone: str, servers: tuple[Moto, Moto]):
    a, b = servers[0].url, servers[1].url
    src = boto3.client("s3", endpoint_url=a, **CREDS)
    dst = boto3.client("s3", endpoint_url=b, **CREDS)
    src.create_bucket(Bucket="source")
    for name in wanted:
        dst.create_bucket(Bucket=f"out-{name}")
    count, size = _fill(src, "source", args.small, args.medium, args.large)
    mb = size / 1e6
    print(f"source: {count:,} objects, {mb:,.1f} MB; {args.jobs} parallel transfers each")
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    runs: dict[str, Run] = {}
    phases: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as state:
        os.environ["TRUDEPLOY_STATE_DIR"] = state
        for name in wanted:
            if name.startswith("rclone"):
                command = [
                    rclone, "copy", "src:source", f"dst:out-{name}", "--transfers", str(args.jobs),
                    "--checkers", str(args.jobs), "--s3-upload-cutoff", "16M",
                    "--s3-chunk-size", "16M",
                    *(["--s3-no-head"] if name == "rclone-no-head" else []),
                ]  # fmt: skip
                env = {**_plain_env(), **_rclone_env("src", a), **_rclone_env("dst", b)}
                runs[name] = _measure(
                    servers,
                    resource.RUSAGE_CHILDREN,
                    lambda: subprocess.run(command, check=True, env=env),  # noqa: B023
                )
                got = sum(1 for p in dst.get_paginator("list_objects_v2").paginate(
                    Bucket=f"out-{name}") for _ in p.get("Contents", []))  # fmt: skip
                assert got == count, f"rclone copied {got} of {count} objects"
                _empty(dst, f"out-{name}")
                continue

            def ours(run: str = name) -> None:
                engine, _, verify = run.rpartition("-")
                storage_run.open_backend = {  # type: ignore[assignment]
                    "obstore": _open_on_obstore,
                    "boto3": _open_on_boto3,
                }.get(engine, open_backend)
                report = migrate_storage(
                    StorageOptions(
                        source=Side("s3://source", "--from", endpoint=a),
                        target=Side(f"s3://out-{run}", "--to", endpoint=b),
                        jobs=args.jobs,
                        verify=verify,
                        quiet=True,
                    )
                )
                assert report.ok, report.to_json()
                phases[run] = report.timings

            runs[name] = _measure(servers, resource.RUSAGE_SELF, ours)
            _empty(dst, f"out-{name}")
    theirs = {n: r for n, r in runs.items() if n.startswith("rclone")}
    for name, run in runs.items():
        if name.startswith("rclone"):
            label = "rclone copy" + (" --s3-no-head" if name == "rclone-no-head" else "")
            ratio = ""
        else:
            engine, _, verify = name.rpartition("-")
            label = f"trudeploy --verify {verify} ({engine or 'shipped'})"
            ratio = "".join(f"  {n}/ours {r.took / run.took:.2f}x" for n, r in theirs.items())
        print(
            f"{label:28s} {run.took:7.2f} s  {mb / run.took:6.1f} MB/s  "
            f"{count / run.took:5.0f} obj/s{ratio}\n"
            f"    CPU: tool {run.cpu:.1f} s, source server {run.source_cpu:.1f} s, "
            f"target server {run.target_cpu:.1f} s\n"
            f"    requests per object: source {_per_object(run.source_requests, count)}; "
            f"target {_per_object(run.target_requests, count)}"
            + (f"\n    phases: {phases[name]}" if name in phases else "")
        )


if __name__ == "__main__":
    main()
