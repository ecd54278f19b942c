"""One function per dependency; each returns its own result and never raises.

A failed check reports the exception's class only: the endpoints are public, so hostnames and
messages go to the log, not to the probe's response.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict

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
    """A query on the default database."""
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # Drop the broken connection so the next probe dials again instead of reusing it.
        connection.close()
        raise


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
    missing object cannot tell those apart). Disk: the media directory, or the nearest parent it
    will be created in, is writable."""
    bucket_name = getattr(default_storage, "bucket_name", None)
    if bucket_name:
        default_storage.connection.meta.client.head_bucket(Bucket=bucket_name)
        return
    location = Path(default_storage.location)
    existing = next(path for path in (location, *location.parents) if path.exists())
    if not os.access(existing, os.W_OK):
        raise PermissionError(f"media directory {existing} is not writable")


def run(checks: dict[str, Callable[[], None]]) -> tuple[bool, dict[str, CheckResult]]:
    """Run every check (a failure does not stop the others); all passed, and each result."""
    results: dict[str, CheckResult] = {}
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:
            logger.warning("health check failed", extra={"check": name, "error": repr(exc)})
            results[name] = {"status": "error", "error": type(exc).__name__}
        else:
            results[name] = {"status": "ok"}
        results[name]["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return all(r["status"] == "ok" for r in results.values()), results
