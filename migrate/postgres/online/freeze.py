"""The database side of the cutover: writes to the copied tables stop on the source for the
seconds it takes to apply the last changes and verify, while reads go on.

One source transaction takes `LOCK ... IN EXCLUSIVE MODE` on every copied table: that lock
conflicts with every row change (ROW EXCLUSIVE) but not with reads (ACCESS SHARE), waits for
the transactions already writing to finish, and makes new writers queue. `lock_timeout` bounds
the wait, so a long-running writer makes the freeze fail instead of stalling the app. Once held,
the WAL insert position is the last change there will be: draining to it leaves nothing behind.

Unfreezing after a switch ends every other session of the source database (writers queued on
the locks first among them: their writes were never acknowledged and must not land on a
database that is no longer the primary) and sets `default_transaction_read_only` on it, so a
stale app instance that reconnects cannot write there. Unfreezing on rollback just releases.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from migrate.postgres.conn import PgUrl, connect
from migrate.postgres.errors import CopyError
from migrate.postgres.online.slot import lsn_int


class FreezeError(CopyError):
    """The locks were not all granted within the lock timeout: nothing is frozen."""


@dataclass
class FreezeToken:
    """A held freeze: the session holding the locks, and the LSN to drain to."""

    lsn: int
    started: float  # time.monotonic() when the locks were granted
    conn: psycopg.Connection = field(repr=False)
    tables: list[str] = field(default_factory=list)


def freeze(source: PgUrl, tables: list[str], lock_timeout: float) -> FreezeToken:
    """`tables`: quoted qualified names. Raises FreezeError (nothing held) on lock timeout."""
    conn = connect(source)
    try:
        conn.execute(
            "SELECT set_config('lock_timeout', %s, true)", (f"{int(lock_timeout * 1000)}ms",)
        )
        conn.execute(
            sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(
                sql.SQL(", ").join(sql.SQL(t) for t in tables)
            )
        )
        lsn = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()[0]
    except psycopg.errors.LockNotAvailable:
        conn.close()
        raise FreezeError(
            f"freeze: the copied tables were not all locked within {lock_timeout}s (a long "
            "transaction is writing to them); writes go on, try again later"
        ) from None
    except BaseException:
        conn.close()
        raise
    return FreezeToken(lsn_int(lsn), time.monotonic(), conn, tables)


def unfreeze(source: PgUrl, token: FreezeToken, switched: bool) -> list[int]:
    """Release the freeze; after a switch, first retire the source (see the module docstring).
    Returns the pids of the sessions ended."""
    conn = token.conn
    try:
        ended: list[int] = []
        if switched:
            # Committed before any session is ended: one that reconnects at once must already
            # start read-only, or it could queue on the locks and write once they are released.
            with connect(source, autocommit=True) as admin:
                admin.execute(
                    sql.SQL("ALTER DATABASE {} SET default_transaction_read_only = on").format(
                        sql.Identifier(admin.info.dbname)
                    )
                )
            rows = conn.execute(
                "SELECT pid, pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend' "
                "AND application_name <> 'trudeploy-migrate'"
            ).fetchall()
            ended = [pid for pid, _ in rows]
            conn.commit()
        else:
            conn.rollback()
        return ended
    finally:
        conn.close()
