"""Switch a running service's maintenance mode through its Redis: the write freeze of a cutover.

The contract with the service (app/maintenance/flag.py reads it; tests/app check both agree):

- ``KEY`` (``trudeploy:maintenance``) in the Redis database the service's REDIS_URL names,
  written with a raw client (no cache key prefix);
- value JSON ``{"run_id": str, "since": unix time, "retry_after": int seconds, "reason": str}``;
  the key being present is what turns maintenance on;
- every process of the service acts on a value at most ``CACHE_SECONDS`` old. So: call
  ``enter()``, wait ``CACHE_SECONDS``, and no new write starts (web: unsafe methods answer 503
  with Retry-After; worker: tasks go back to the queue). Requests admitted just before may still
  be finishing: a caller that needs *every* write done waits for them on the database side.

The key has no TTL on purpose: a tool that dies mid-cutover leaves the service frozen (writes
safely refused) rather than writing to a database that is half switched; ``leave()`` (or
``trudeploy maintenance off``) ends it.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlsplit

import redis

from migrate.urls import redact

KEY = "trudeploy:maintenance"
CACHE_SECONDS = 0.5
DEFAULT_RETRY_AFTER = 5
_TIMEOUT_SECONDS = 10.0


class MaintenanceError(Exception):
    """Redis could not be asked: one message naming the (redacted) URL."""


class MaintenanceInputError(MaintenanceError):
    """A bad URL or Retry-After: nothing was sent."""


def _client(redis_url: str, ca_cert: str | None) -> redis.Redis:
    parts = urlsplit(redis_url)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise MaintenanceInputError(
            f"{redact(redis_url)!r} is not a Redis URL; expected redis://[user:pass@]host[:port]"
            "[/db] or rediss://... (TLS), the service's REDIS_URL"
        )
    return redis.Redis.from_url(
        redis_url,
        socket_connect_timeout=_TIMEOUT_SECONDS,
        socket_timeout=_TIMEOUT_SECONDS,
        **_pinned(redis_url, ca_cert),
    )


def _pinned(redis_url: str, ca_cert: str | None) -> dict[str, Any]:
    """TLS options that trust only `ca_cert` (a stack's `redisCaCert`: Memorystore signs its
    certificate with a CA of the instance's own, naming the instance by IP in the common name,
    so the hostname check is off once that CA is pinned, as the service does in
    app/config/redis_tls.py)."""
    if not ca_cert:
        return {}
    if not redis_url.startswith("rediss://"):
        raise MaintenanceInputError("a CA certificate is only used over TLS: give a rediss:// URL")
    return {"ssl_ca_data": ca_cert.replace("\\n", "\n"), "ssl_check_hostname": False}


def _call(redis_url: str, ca_cert: str | None, action: str, command: Any) -> Any:
    """One command on a connection closed afterwards (a cutover calls these a few times)."""
    client = _client(redis_url, ca_cert)
    try:
        with client:
            return command(client)
    except redis.RedisError as exc:
        raise MaintenanceError(f"{action} at {redact(redis_url)}: {exc}") from exc


def enter(
    redis_url: str,
    run_id: str,
    retry_after: int = DEFAULT_RETRY_AFTER,
    reason: str = "data migration",
    *,
    ca_cert: str | None = None,
) -> dict[str, Any]:
    """Turn maintenance on (or refresh it); the value written. Writes stop CACHE_SECONDS later."""
    if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 1:
        raise MaintenanceInputError(
            f"retry_after must be a whole number of seconds >= 1, not {retry_after!r}"
        )
    value = {
        "run_id": run_id,
        "since": round(time.time(), 3),
        "retry_after": retry_after,
        "reason": reason,
    }
    _call(
        redis_url,
        ca_cert,
        "entering maintenance",
        lambda client: client.set(KEY, json.dumps(value)),
    )
    return value


def leave(redis_url: str, *, ca_cert: str | None = None) -> bool:
    """Turn maintenance off; whether it was on. Writes resume within CACHE_SECONDS."""
    return bool(_call(redis_url, ca_cert, "leaving maintenance", lambda client: client.delete(KEY)))


def status(redis_url: str, *, ca_cert: str | None = None) -> dict[str, Any] | None:
    """The value while maintenance is on, else None. A value that is not the contract's JSON
    still means on (the service treats it so): it comes back as the service reads it (the
    default Retry-After where it has none usable), with ``malformed`` holding the raw text."""
    raw = _call(redis_url, ca_cert, "reading maintenance", lambda client: client.get(KEY))
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace")
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        return {
            "run_id": "",
            "since": None,
            "retry_after": DEFAULT_RETRY_AFTER,
            "reason": "",
            "malformed": text,
        }
    retry_after = value.get("retry_after")
    if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 1:
        return {**value, "retry_after": DEFAULT_RETRY_AFTER, "malformed": text}
    return value
