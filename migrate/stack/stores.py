"""What the stack move asks of the online PostgreSQL copy and of the app's maintenance switch.

Both are built beside this package (migrate/postgres/online, migrate/maintenance.py); the move
talks to them only through these two shapes, so each can change inside without touching it.
Every PostgreSQL phase raises `migrate.postgres.errors.CopyError` on failure.
"""

from __future__ import annotations

from typing import Any, Protocol

from migrate.journal import Journal
from migrate.report import Report

#: Every journal unit the online PostgreSQL copy records starts with this, beside the other stores'.
PG_PREFIX = "pg:"


class OnlinePostgres(Protocol):
    """The source keeps serving during `bulk_copy` and `catch_up`; `freeze` stops its writes at
    the database (tables locked) and returns what `drain` and `unfreeze` need; `unfreeze` with
    `switched=True` keeps the source from taking writes meant for the target."""

    report: Report

    def preflight(self) -> list[str]: ...
    def bulk_copy(self) -> None: ...
    def catch_up(self, target_lag_bytes: int, timeout: float) -> Any: ...
    def freeze(self, lock_timeout: float) -> Any: ...
    def drain(self, token: Any) -> None: ...
    def finalize(self) -> Report: ...
    def unfreeze(self, token: Any, switched: bool) -> None: ...
    def cleanup(self) -> None: ...
    def abort(self) -> None: ...


class Maintenance(Protocol):
    """The app's maintenance switch, read by the service from its own Redis."""

    KEY: str
    CACHE_SECONDS: float

    def enter(
        self, redis_url: str, run_id: str, retry_after: int = 5, *, ca_cert: str | None = None
    ) -> None: ...
    def leave(self, redis_url: str, *, ca_cert: str | None = None) -> None: ...


def maintenance() -> Maintenance:
    import migrate.maintenance as switch

    return switch  # type: ignore[return-value]


def online_postgres(
    source_url: str, target_url: str, journal: Journal, *, jobs: int, quiet: bool
) -> OnlinePostgres:
    """The online copy of one database, journaling into the stack's journal under `PG_PREFIX`."""
    from migrate.postgres.online import OnlinePostgres as Online
    from migrate.postgres.run import Options

    opts = Options(source=source_url, target=target_url, jobs=jobs, quiet=quiet)
    return Online(opts, journal, unit_prefix=PG_PREFIX)
