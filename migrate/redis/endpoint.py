"""A Redis server named by URL: validated, connected per logical database, and described."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import redis

from migrate.redis.wire import Wire
from migrate.urls import redact


class RedisInputError(Exception):
    """Bad input or a refused preflight: one clear message, exit code 2, nothing written."""


@dataclass
class ServerInfo:
    version: str
    run_id: str
    role: str
    keyspace: dict[int, int]
    used_memory: int
    used_memory_dataset: int
    maxmemory: int
    modules: list[str] = field(default_factory=list)

    @property
    def major_minor(self) -> tuple[int, int]:
        major, minor, *_ = (int(p) for p in self.version.split("."))
        return major, minor


class Endpoint:
    """One side of the migration. `option` (`--from`/`--to`) names it in every error message."""

    def __init__(self, url: str, option: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
            raise RedisInputError(
                f"{option} {redact(url)!r} is not a Redis URL; expected redis://[user:pass@]host"
                "[:port][/db] or rediss://... (TLS)"
            )
        self.url = url
        self.option = option
        self.url_db = parts.path.strip("/") or None  # ignored: databases come from --db
        self.display = redact(url)
        self._base = redis.ConnectionPool.from_url(
            url, socket_connect_timeout=5, socket_timeout=120, protocol=2
        )
        self._pools: dict[int, redis.ConnectionPool] = {}

    def pool(self, db: int) -> redis.ConnectionPool:
        """A pool bound to database `db` (the URL's own /db path is overridden)."""
        if db not in self._pools:
            kwargs = dict(self._base.connection_kwargs)
            kwargs["db"] = db
            self._pools[db] = redis.ConnectionPool(
                connection_class=self._base.connection_class, **kwargs
            )
        return self._pools[db]

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(connection_pool=self.pool(db))

    def wire(self, db: int) -> Wire:
        return Wire(self.pool(db))

    def info(self) -> ServerInfo:
        """Reach the server and describe it; unreachable or unauthorised is a RedisInputError."""
        try:
            client = self.client(0)
            client.ping()
            info = client.info("all")
        except redis.AuthenticationError as exc:
            raise RedisInputError(
                f"{self.option} {self.display}: authentication failed: {exc}"
            ) from None
        except redis.ConnectionError as exc:
            raise RedisInputError(f"{self.option} {self.display}: cannot connect: {exc}") from None
        except redis.RedisError as exc:
            raise RedisInputError(f"{self.option} {self.display}: {exc}") from None
        keyspace = {
            int(name[2:]): int(value["keys"])
            for name, value in info.items()
            if name.startswith("db") and name[2:].isdigit() and isinstance(value, dict)
        }
        modules = info.get("modules") or []
        return ServerInfo(
            version=str(info["redis_version"]),
            run_id=str(info.get("run_id", "")),
            role=str(info.get("role", "master")),
            keyspace=keyspace,
            used_memory=int(info.get("used_memory", 0)),
            used_memory_dataset=int(info.get("used_memory_dataset", info.get("used_memory", 0))),
            maxmemory=int(info.get("maxmemory", 0)),
            modules=[m.get("name", "?") if isinstance(m, dict) else str(m) for m in modules],
        )

    def can_select(self, db: int) -> bool:
        """Whether the server has logical database `db` (managed Redis often has only 0)."""
        try:
            self.client(db).ping()
        except redis.ResponseError:
            return False
        return True

    def close(self) -> None:
        for pool in self._pools.values():
            pool.disconnect()
        self._base.disconnect()
