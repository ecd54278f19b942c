"""One function per dependency; ``run`` calls them and never raises.

A failed check reports the exception's class only: the endpoints are public, so hostnames and
messages go to the log, not to the probe's response.

Readiness must answer within HEALTH_CHECK_TIMEOUT whatever a dependency does: a database that
accepts the connection and never answers used to hold the probe (and a request thread) for its
whole connect timeout, then the cache's on top. Each check therefore runs on its own small thread
pool and ``run`` waits for all of them together, at most that long; a check still running then is
reported as ``timeout``. A check still running from an earlier probe is not started again (it would
only pile more threads onto the same hung socket): it is reported as ``timeout`` straight away.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from concurrent import futures
from pathlib import Path
from typing import TypedDict

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connections

logger = logging.getLogger(__name__)


class CheckResult(TypedDict, total=False):
    """What one check reports: ``ok`` or ``error`` and how long it took."""

    status: str
    duration_ms: float
    error: str


def database() -> None:
    """A query on a fresh connection to the default database, closed afterwards: it proves the
    database takes connections now, and leaves no idle connection on a probe thread."""
    connection = connections.create_connection("default")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


def cache_round_trip() -> None:
    """Write, read back and delete a unique key in the default cache."""
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    try:
        if cache.get(key) != "1":
            raise RuntimeError("cache did not return the value just written")
    finally:
        cache.delete(key)


def storage() -> None:
    """S3: HEAD the bucket, which fails on a missing bucket or wrong credentials (a HEAD on a
    missing object cannot tell those apart). Cloud Storage: list at most one object, which fails
    the same two ways and needs only the object permissions the service account holds (reading
    the bucket's metadata would need more). Azure Blob: list at most one blob of the container,
    likewise (the managed identity holds data roles on the container, not the account's control
    plane). Disk: the media directory, or the nearest parent it will be created in, is writable."""
    bucket_name = getattr(default_storage, "bucket_name", None)
    if bucket_name and hasattr(default_storage, "connection"):
        default_storage.connection.meta.client.head_bucket(Bucket=bucket_name)
        return
    if bucket_name:
        next(iter(default_storage.client.list_blobs(bucket_name, max_results=1)), None)
        return
    if getattr(default_storage, "azure_container", None):
        next(iter(default_storage.client.list_blobs(results_per_page=1)), None)
        return
    location = Path(default_storage.location)
    existing = next(path for path in (location, *location.parents) if path.exists())
    if not os.access(existing, os.W_OK):
        raise PermissionError(f"media directory {existing} is not writable")


class _SingleFlight:
    """At most one run of each check at a time in this process, each on a thread of its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pools: dict[str, futures.ThreadPoolExecutor] = {}
        self._running: dict[str, futures.Future[None]] = {}

    def start(self, name: str, check: Callable[[], None]) -> futures.Future[None] | None:
        """The new run's future, or None while the previous run is still going."""
        with self._lock:
            running = self._running.get(name)
            if running is not None and not running.done():
                return None
            pool = self._pools.get(name)
            if pool is None:
                pool = futures.ThreadPoolExecutor(1, thread_name_prefix=f"health-{name}")
                self._pools[name] = pool
            future = pool.submit(check)
            self._running[name] = future
            return future


_flights = _SingleFlight()


def run(checks: dict[str, Callable[[], None]]) -> tuple[bool, dict[str, CheckResult]]:
    """Run every check at once (a failure does not stop the others), waiting at most
    HEALTH_CHECK_TIMEOUT seconds; all passed, and each result."""
    started = time.perf_counter()
    flights = {name: _flights.start(name, check) for name, check in checks.items()}
    pending = [future for future in flights.values() if future is not None]
    futures.wait(pending, timeout=settings.HEALTH_CHECK_TIMEOUT)
    results: dict[str, CheckResult] = {}
    for name, future in flights.items():
        if future is None or not future.done():
            logger.warning("health check timed out", extra={"check": name})
            results[name] = {"status": "error", "error": "timeout"}
        elif (exc := future.exception()) is not None:
            logger.warning("health check failed", extra={"check": name, "error": repr(exc)})
            results[name] = {"status": "error", "error": type(exc).__name__}
        else:
            results[name] = {"status": "ok"}
        results[name]["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return all(r["status"] == "ok" for r in results.values()), results
