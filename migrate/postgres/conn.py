"""Validated connection URLs and the two kinds of session a migration opens.

Source sessions are read-only at the session level (every transaction they start is READ ONLY,
REPEATABLE READ), so no code path can write to the source even by mistake.

Every session, ours and pg_dump's/psql's, runs with `row_security = off`: a query that a
row-level security policy would filter then fails instead of silently returning fewer rows, so a
copy or a verification can never see part of a table and call it the whole. And every session
has the run's timeouts (`Timeouts`): a peer that accepts and never answers, or stops answering,
fails the run naming its side instead of hanging it.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from migrate.postgres.errors import PreflightError
from migrate.postgres.timeouts import Timeouts
from migrate.urls import redact

_SCHEMES = ("postgresql", "postgres")

# Same text rendering of every value on both sides, so row hashes are comparable.
VERIFY_SETTINGS = {
    "DateStyle": "ISO, YMD",
    "TimeZone": "UTC",
    "IntervalStyle": "postgres",
    "extra_float_digits": "3",
    "bytea_output": "hex",
    "lc_monetary": "C",
}


@dataclass(frozen=True)
class PgUrl:
    """A libpq URL checked for shape; `option` names its CLI flag for error messages."""

    url: str
    option: str
    timeouts: Timeouts = field(default_factory=Timeouts)

    @property
    def redacted(self) -> str:
        return redact(self.url)

    @property
    def database(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    def params(self) -> dict:
        """The URL's libpq parameters with the run's timeouts and session settings added."""
        params = conninfo_to_dict(self.url)
        params.update(self.timeouts.libpq())
        params["options"] = f"{params.get('options') or ''} {self.timeouts.options()}".strip()
        return params

    def for_tools(self) -> tuple[str, dict[str, str]]:
        """(conninfo, environment) for pg_dump/psql: the password travels in PGPASSWORD, never
        on the command line where `ps` would show it."""
        params = self.params()
        env = dict(os.environ)
        password = params.pop("password", None)
        if password is not None:
            env["PGPASSWORD"] = str(password)
        return make_conninfo(**params), env


def parse_url(url: str, option: str, timeouts: Timeouts | None = None) -> PgUrl:
    """Check `url` is a postgresql:// URL naming a database; else PreflightError naming the flag."""
    valid = "expected postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a non-numeric port
    except ValueError as exc:
        raise PreflightError(f"{option}: {exc}; {valid}") from None
    if parts.scheme not in _SCHEMES:
        raise PreflightError(
            f"{option}: scheme {parts.scheme or '(none)'!r} is not postgresql; {valid}"
        )
    if not parts.path.strip("/"):
        raise PreflightError(f"{option}: {redact(url)} names no database; {valid}")
    try:
        conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise PreflightError(f"{option}: {exc}; {valid}") from None
    return PgUrl(url, option, timeouts or Timeouts())


def identity(url: str) -> dict[str, str]:
    """What names a URL's database, without its password: a resumed run may now take the
    password from PGPASSWORD or a password file, and is still the same endpoint. Missing parts
    get libpq's defaults (PG* environment, port 5432, the OS user), as the connection would."""
    params = conninfo_to_dict(url)
    user = params.get("user") or os.environ.get("PGUSER") or getpass.getuser()
    return {
        "host": str(params.get("host") or os.environ.get("PGHOST") or "localhost"),
        "port": str(params.get("port") or os.environ.get("PGPORT") or "5432"),
        "user": str(user),
        "dbname": str(params.get("dbname") or os.environ.get("PGDATABASE") or user),
    }


def connect(url: PgUrl, *, autocommit: bool = False) -> psycopg.Connection:
    """Open a session or raise PreflightError saying which side is unreachable and why."""
    try:
        return psycopg.connect(
            make_conninfo(**url.params()),
            autocommit=autocommit,
            application_name="trudeploy-migrate",
        )
    except psycopg.OperationalError as exc:
        lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
        reason = "; ".join(lines) or type(exc).__name__
        raise PreflightError(f"{url.option}: cannot connect to {url.redacted}: {reason}") from None


def connect_source(url: PgUrl) -> psycopg.Connection:
    """A source session whose every transaction is REPEATABLE READ, READ ONLY, and whose lock
    waits end after the run's lock timeout."""
    conn = connect(url)
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    conn.execute(
        "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
    )
    conn.execute("SELECT set_config('lock_timeout', %s, false)", (f"{url.timeouts.lock}s",))
    conn.commit()
    return conn


def apply_verify_settings(conn: psycopg.Connection) -> None:
    """Pin the settings that shape `row::text`, so both servers render identical text."""
    for name, value in VERIFY_SETTINGS.items():
        conn.execute("SELECT set_config(%s, %s, false)", (name, value))
