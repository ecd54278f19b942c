"""Bench: the bundled service under gunicorn on real PostgreSQL and Redis, over loopback HTTP.

Creates a throwaway database and a unique Redis key prefix, migrates through the entry script
(`release`), seeds one user with 20 submissions, starts `docker-entrypoint.sh web` with the
production profile (X-Forwarded-Proto: https as the platform's proxy would send), then this separate
process loads it with threads over keep-alive connections: a bounded number of requests per
endpoint. Prints requests/s, p50 and p99 for live, ready and the authenticated submissions list,
and each one's throughput as a fraction of a bare Django view served by the same gunicorn
(BENCH_BARE_VIEW=1 routes it). Everything it created is removed at the end. Usage:

    .venv/bin/python bench/app_http.py [--requests 2000] [--concurrency 8] [--workers 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
import requests
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
ENTRYPOINT = APP / "docker-entrypoint.sh"
PG_ADMIN = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
console = Console(stderr=True)


@dataclass
class Result:
    """One endpoint's figures."""

    name: str
    path: str
    requests: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    vs_bare: float = 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def service_env(database_url: str, prefix: str, port: int, workers: int) -> dict[str, str]:
    """The production env contract, pointed at this bench's own database and key prefix."""
    return {
        "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": prefix,
        # The bench plays the platform's one proxy (it sends X-Forwarded-Proto: https).
        "TRUSTED_PROXY_COUNT": "1",
        "BENCH_BARE_VIEW": "1",
        # The load is one user from one address: lift the limits so the bench measures serving.
        "THROTTLE_RATE_USER": "100000000/min",
        "THROTTLE_RATE_ANON": "100000000/min",
        "THROTTLE_RATE_AUTH": "100000000/min",
        "LOG_LEVEL": "WARNING",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_THREADS": "4",
    }


SEED = """
from accounts.models import User
from submissions.models import Submission
user = User.objects.create_user("bench", "bench@example.com", "bench-password-1234")
Submission.objects.bulk_create(
    Submission(owner=user, title=f"Manuscript {i}", abstract="x" * 500) for i in range(20)
)
"""


def load(base: str, path: str, total: int, concurrency: int, headers: dict[str, str]) -> Result:
    """Send ``total`` GETs from ``concurrency`` threads, each on its own keep-alive session."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        session = requests.Session()
        session.headers.update(headers)
        mine: list[float] = []
        for _ in range(20):  # warm-up, not counted
            session.get(base + path, timeout=10)
        barrier.wait()
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            started = time.perf_counter()
            response = session.get(base + path, timeout=10)
            mine.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors.append(f"{path}: {response.status_code} {response.text[:200]}")
        with lock:
            latencies.extend(mine)

    barrier = threading.Barrier(concurrency + 1)
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"bench: {len(errors)} failed requests, first: {errors[0]}")
    quantiles = statistics.quantiles(latencies, n=100)
    return Result(
        name="",
        path=path,
        requests=len(latencies),
        requests_per_s=round(len(latencies) / elapsed, 1),
        p50_ms=round(quantiles[49] * 1000, 2),
        p99_ms=round(quantiles[98] * 1000, 2),
    )


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit("bench: gunicorn exited during start-up")
        try:
            if requests.get(f"{base}/api/v1/health/live/", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still importing Django
            time.sleep(0.1)
    raise SystemExit("bench: gunicorn did not answer its liveness probe")


def run(total: int, concurrency: int, workers: int) -> list[Result]:
    name = f"trudeploy_bench_{uuid.uuid4().hex[:10]}"
    prefix = f"trudeploy-bench:{uuid.uuid4().hex[:10]}"
    port = free_port()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = service_env(with_database(PG_ADMIN, name), prefix, port, workers)
    server: subprocess.Popen | None = None
    try:
        console.print(f"[bold]release[/]: migrating {name}")
        subprocess.run([str(ENTRYPOINT), "release"], env=env, check=True, capture_output=True)
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SEED],
            cwd=APP,
            env=env,
            check=True,
            capture_output=True,
        )
        console.print(f"[bold]web[/]: gunicorn, {workers} workers x 4 threads, port {port}")
        server = subprocess.Popen(
            [str(ENTRYPOINT), "web"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, server)
        token = requests.post(
            f"{base}/api/v1/auth/token/",
            json={"username": "bench", "password": "bench-password-1234"},
            headers=HEADERS,
            timeout=10,
        ).json()["access"]
        authed = {**HEADERS, "Authorization": f"Bearer {token}", "Accept": "application/json"}
        plan = [
            ("bare Django view", "/api/v1/bench/bare/", HEADERS),
            ("live", "/api/v1/health/live/", HEADERS),
            ("ready (db + cache)", "/api/v1/health/ready/", HEADERS),
            ("submissions list (JWT)", "/api/v1/submissions/", authed),
        ]
        results = []
        for label, path, headers in plan:
            console.print(f"loading {path} ({total} requests, {concurrency} threads)")
            result = load(base, path, total, concurrency, headers)
            result.name = label
            results.append(result)
        bare = results[0].requests_per_s
        for result in results:
            result.vs_bare = round(result.requests_per_s / bare, 3)
        return results
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per endpoint")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    if args.requests < 100 or args.concurrency < 1 or args.workers < 1:
        parser.error("--requests must be at least 100, --concurrency and --workers at least 1")
    results = run(args.requests, args.concurrency, args.workers)
    if args.json:
        print(json.dumps([asdict(result) for result in results], indent=2))
        return
    table = Table(title="bundled service over loopback HTTP (gunicorn, PostgreSQL, Redis)")
    for column in ("endpoint", "path", "requests", "req/s", "p50 ms", "p99 ms", "vs bare"):
        table.add_column(column, justify="left" if column in ("endpoint", "path") else "right")
    for r in results:
        table.add_row(
            r.name,
            r.path,
            str(r.requests),
            f"{r.requests_per_s:.0f}",
            f"{r.p50_ms:.2f}",
            f"{r.p99_ms:.2f}",
            f"{r.vs_bare:.2f}",
        )
    Console(width=110).print(table)


if __name__ == "__main__":
    main()
