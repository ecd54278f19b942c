"""Whether the service is in maintenance, read from Redis with a short per-process cache.

The contract with the toolkit (migrate/maintenance.py writes it; tests/app check both agree):

- key ``trudeploy:maintenance`` in the database of REDIS_URL, read with a raw client, never behind
  the Django cache's KEY_PREFIX (the toolkit knows only the URL);
- value JSON ``{"run_id", "since", "retry_after", "reason"}``; the key being present is what
  turns maintenance on, the value only says how to answer;
- a process acts on what it read at most CACHE_SECONDS ago, measured from when the read was
  *sent*, so once the key is set and CACHE_SECONDS have passed no new write is admitted.

Decisions, and why:

- A present key whose value is not the JSON above (hand-set ``SET trudeploy:maintenance 1``, a
  truncated write) is maintenance ON with the default Retry-After: presence is the switch, and an
  operator who set it meant to stop writes. The problem is logged once a period.
- Redis unreachable (or timing out) while reading the flag: the state is UNKNOWN, and writes are
  refused with the outage 503 of api/outage.py (``"unavailable": "cache"``). Failing closed keeps
  the freeze a guarantee even if the app loses its Redis mid-cutover, and costs nothing: a write
  already needs that Redis (throttling, sessions) and answers the same 503 when it is down. Reads
  never look at the flag, so they are not affected either way. A failed read is cached like a
  good one, so a dead Redis is dialled once per CACHE_SECONDS per process, not per request.
- No REDIS_URL (the embedded default, ``make run``): there is no shared switch, never on.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

KEY = "trudeploy:maintenance"
CACHE_SECONDS = 0.5
DEFAULT_RETRY_AFTER = 5
# Reading the flag sits on the path of every write: a hung Redis must cost a write at most this.
_READ_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class Maintenance:
    """The flag as read: on, and how long clients should wait before retrying."""

    retry_after: int
    run_id: str = ""
    since: float | None = None
    reason: str = ""
    malformed: bool = False
    """The key holds no JSON object: on, with the defaults."""

    def as_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "since": self.since,
            "retry_after": self.retry_after,
            "reason": self.reason,
        }


class FlagUnreadable(Exception):
    """Redis could not be asked; carries the redis-py error for the outage log."""

    def __init__(self, error: redis.RedisError) -> None:
        super().__init__(str(error))
        self.error = error


def parse(raw: bytes) -> Maintenance:
    """The flag's value; anything malformed still means ON (see the module docstring)."""
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        return Maintenance(retry_after=DEFAULT_RETRY_AFTER, malformed=True)
    retry_after = value.get("retry_after")
    if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 1:
        retry_after = DEFAULT_RETRY_AFTER
    since = value.get("since")
    return Maintenance(
        retry_after=retry_after,
        run_id=str(value.get("run_id") or ""),
        since=float(since)
        if isinstance(since, int | float) and not isinstance(since, bool)
        else None,
        reason=str(value.get("reason") or ""),
    )


class _Reader:
    """One raw client per REDIS_URL and the last answer, shared by the process's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[str, redis.Redis] = {}
        # (url it was read from, monotonic time the read was sent, Maintenance | None | error)
        self._last: tuple[str, float, Maintenance | redis.RedisError | None] | None = None
        # The malformed value last warned about: one log line per bad value, not per re-read.
        self._warned: bytes | None = None

    def _client(self, url: str) -> redis.Redis:
        client = self._clients.get(url)
        if client is None:
            client = redis.Redis.from_url(
                url,
                socket_connect_timeout=_READ_TIMEOUT_SECONDS,
                socket_timeout=_READ_TIMEOUT_SECONDS,
                **settings.REDIS_TLS,
            )
            self._clients[url] = client
        return client

    def read(self) -> Maintenance | None:
        """The flag, at most CACHE_SECONDS old; raises FlagUnreadable while Redis cannot say."""
        url = settings.REDIS_URL
        if not url:
            return None
        with self._lock:
            last = self._last
            if last is None or last[0] != url or time.monotonic() - last[1] >= CACHE_SECONDS:
                sent = time.monotonic()
                try:
                    raw = self._client(url).get(KEY)
                    state: Maintenance | redis.RedisError | None = (
                        None if raw is None else parse(raw)
                    )
                    if isinstance(state, Maintenance) and state.malformed and raw != self._warned:
                        self._warned = raw
                        logger.warning(
                            "maintenance key holds no JSON object; maintenance is on with defaults",
                            extra={"key": KEY, "value": raw[:100].decode("utf-8", "replace")},
                        )
                except redis.RedisError as exc:
                    state = exc
                self._last = last = (url, sent, state)
        state = last[2]
        if isinstance(state, redis.RedisError):
            # a new exception each time: re-raising one instance would grow its traceback
            raise FlagUnreadable(state)
        return state

    def forget(self) -> None:
        """Drop the cached answer (tests that switch the flag and must not wait)."""
        with self._lock:
            self._last = None


_reader = _Reader()


def current() -> Maintenance | None:
    """Maintenance as this process sees it; FlagUnreadable when Redis cannot be asked."""
    return _reader.read()
