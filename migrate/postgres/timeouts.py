"""The run's timeouts, in a module of their own so the CLI can name their defaults without
importing psycopg."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Timeouts:
    """Seconds; 0 means no limit. `connect`: establishing a session (TCP, TLS, authentication).
    `read`: how long sent data may go unacknowledged, and a silent peer is probed by TCP
    keepalives, before the session is dropped (libpq `tcp_user_timeout` + keepalives).
    `statement`: the server cancels any one statement (a COPY of a whole table is one) running
    longer (`statement_timeout`). `lock`: how long a source session (pg_dump's too) waits for a
    lock another session of the source holds, e.g. an application's long migration
    (`lock_timeout`); target sessions wait only for each other, so they have none."""

    connect: int = 10
    read: int = 120
    statement: int = 0
    lock: int = 60

    def libpq(self) -> dict[str, str | int]:
        """The libpq parameters for these timeouts, shared by psycopg and pg_dump/psql."""
        params: dict[str, str | int] = {"connect_timeout": self.connect}
        if self.read:
            params.update(
                keepalives=1,
                keepalives_idle=max(1, self.read // 3),
                keepalives_interval=max(1, self.read // 9),
                keepalives_count=3,
                tcp_user_timeout=self.read * 1000,
            )
        return params

    def options(self) -> str:
        """Server settings every session starts with (libpq `options`): the statement timeout,
        row security off (see `conn`), and a search_path of pg_catalog alone, so every name the
        catalog prints (regclass, pg_get_*def) is schema-qualified the same way on both sides,
        whatever search_path the databases set for themselves."""
        return (
            f"-c statement_timeout={self.statement * 1000} -c row_security=off "
            "-c search_path=pg_catalog"
        )
