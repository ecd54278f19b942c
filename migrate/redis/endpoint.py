"""A Redis server named by URL: validated, connected per logical database, and described."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
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
    maxmemory_policy: str = "noeviction"
    modules: list[str] = field(default_factory=list)

    @property
    def major_minor(self) -> tuple[int, int]:
        major, minor, *_ = (int(p) for p in self.version.split("."))
        return major, minor


#: Defaults for `--connect-timeout` and `--read-timeout`, in seconds. The read timeout bounds how
#: long one server may stay silent on a connection (a batch, however large, is answered
#: incrementally), not how long a batch takes.
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 60.0


PEM_BEGIN = "-----BEGIN CERTIFICATE-----"


def read_ca_file(path: Path, option: str) -> str:
    """The PEM text of a server CA given on the command line, refused with the file named."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not text"
        raise RedisInputError(f"{option} {path}: cannot read it ({reason})") from None
    if PEM_BEGIN not in text:
        raise RedisInputError(
            f"{option} {path}: not a PEM certificate (no {PEM_BEGIN!r} line); expected the "
            "server CA, e.g. a GCP stack's redisCaCert output"
        )
    return text


def pinned_tls(url: str, ca_cert: str | None, option: str) -> dict[str, Any]:
    """redis-py options that trust only `ca_cert`, as the app does (app/config/redis_tls.py):
    Memorystore names the instance by IP in the certificate's CN only, which Python's hostname
    check (subjectAltName) refuses; the instance's own CA signs for that one instance, so the
    chain check is what proves the server. {} without a CA: the URL's own TLS settings apply."""
    if not ca_cert:
        return {}
    if not url.startswith("rediss://"):
        raise RedisInputError(
            f"{option}: a server CA is given but the URL is not rediss://; a CA is only used "
            "over TLS"
        )
    pem = ca_cert.replace("\\n", "\n")
    if PEM_BEGIN not in pem:
        raise RedisInputError(f"{option}: the server CA is not PEM (no {PEM_BEGIN!r} line)")
    return {"ssl_ca_data": pem, "ssl_check_hostname": False, "ssl_cert_reqs": "required"}


class Endpoint:
    """One side of the migration. `option` (`--from`/`--to`) names it in every error message."""

    def __init__(
        self,
        url: str,
        option: str,
        *,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        read_timeout: float = READ_TIMEOUT_S,
        ca_cert: str | None = None,
    ) -> None:
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
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self.ca_pinned = bool(ca_cert)
        self._base = redis.ConnectionPool.from_url(
            url,
            socket_connect_timeout=connect_timeout,
            socket_timeout=read_timeout,
            protocol=2,
            **pinned_tls(url, ca_cert, option),
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
        return Wire(self.pool(db), f"{self.option} {self.display}")

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
        except redis.TimeoutError as exc:
            raise RedisInputError(
                f"{self.option} {self.display}: {self._timeout_text(exc)}"
            ) from None
        except redis.ConnectionError as exc:
            hint = ""
            text = str(exc)
            if "CERTIFICATE_VERIFY_FAILED" in text and "mismatch" not in text and self.ca_pinned:
                hint = " (the server's certificate is not signed by the given server CA)"
            raise RedisInputError(
                f"{self.option} {self.display}: cannot connect{hint}: {exc}"
            ) from None
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
            maxmemory_policy=str(info.get("maxmemory_policy", "noeviction")),
            modules=[m.get("name", "?") if isinstance(m, dict) else str(m) for m in modules],
        )

    def _timeout_text(self, exc: redis.TimeoutError) -> str:
        if "connect" in str(exc).lower():
            return f"no connection within {self.connect_timeout:g} s (--connect-timeout): {exc}"
        return f"connected, but no reply within {self.read_timeout:g} s (--read-timeout)"

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
