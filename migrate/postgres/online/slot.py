"""The source's side of change capture: a publication naming what to stream and a logical slot
(pgoutput) that keeps the WAL of every change since the bulk copy's snapshot.

The slot is created on a replication connection with `SNAPSHOT 'export'`: the snapshot it exports
is exactly the instant from which the slot streams, so the bulk copy reads that snapshot and the
relay applies every change after it, none twice and none missed. The snapshot lives only while
the replication connection stays idle, so `SlotSnapshot` keeps it open until the copy's
coordinator has imported it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg
from psycopg import pq, sql
from psycopg.conninfo import make_conninfo

from migrate.postgres.conn import PgUrl, connect
from migrate.postgres.errors import CopyError


@dataclass(frozen=True)
class Names:
    """Slot and publication of one run, both derived from its id, so a resumed run, an
    `--abort` and a crash before the journal entry all find them again."""

    slot: str
    publication: str

    @classmethod
    def for_run(cls, run_id: str) -> Names:
        # slot names: lower-case letters, digits and underscores, at most 63 characters
        name = "trudeploy_" + re.sub(r"[^a-z0-9_]", "_", run_id.lower())
        return cls(name[:63], name[:63])


def lsn_int(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def lsn_text(value: int) -> str:
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"


def ensure_publication(conn: psycopg.Connection, name: str, tables: list[str] | None) -> None:
    """FOR ALL TABLES (superuser only) also streams tables created during the run, which the
    relay then reports as DDL; otherwise the copied tables by name (the role must own them)."""
    if conn.execute("SELECT 1 FROM pg_publication WHERE pubname = %s", (name,)).fetchone():
        return
    what = (
        sql.SQL("FOR ALL TABLES")
        if tables is None
        else sql.SQL("FOR TABLE {}").format(sql.SQL(", ").join(sql.SQL(t) for t in tables))
    )
    conn.execute(sql.SQL("CREATE PUBLICATION {} {}").format(sql.Identifier(name), what))


class SlotSnapshot:
    """A freshly created slot and the replication session holding its exported snapshot."""

    def __init__(self, source: PgUrl, slot: str) -> None:
        params = source.params()
        params["replication"] = "database"
        try:
            self._conn = psycopg.connect(
                make_conninfo(**params), autocommit=True, application_name="trudeploy-migrate"
            )
        except psycopg.OperationalError as exc:
            raise CopyError(f"--from: cannot open a replication session: {exc}") from None
        command = f"CREATE_REPLICATION_SLOT {slot} LOGICAL pgoutput (SNAPSHOT 'export')"
        result = self._conn.pgconn.exec_(command.encode())
        if result.status != pq.ExecStatus.TUPLES_OK:
            message = (result.error_message or b"").decode(errors="replace").strip()
            self._conn.close()
            raise CopyError(f"--from: creating replication slot {slot} failed: {message}")
        self.consistent_lsn = result.get_value(0, 1).decode()
        self.snapshot = result.get_value(0, 2).decode()

    def close(self) -> None:
        """Ends the exported snapshot; the slot itself stays (it is not temporary)."""
        self._conn.close()


def connect_admin(source: PgUrl) -> psycopg.Connection:
    """An autocommit source session that may write even once the run has retired the source
    (`default_transaction_read_only` set on its database by the cutover)."""
    conn = connect(source, autocommit=True)
    conn.execute("SET default_transaction_read_only = off")
    return conn


def drop_slot(source: PgUrl, names: Names) -> list[str]:
    """Drop the run's slot if present; returns what was dropped."""
    dropped = []
    with connect_admin(source) as conn:
        if conn.execute(
            "SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", (names.slot,)
        ).fetchone():
            conn.execute("SELECT pg_drop_replication_slot(%s)", (names.slot,))
            dropped.append(f"slot {names.slot}")
    return dropped


def drop_publication(source: PgUrl, names: Names) -> list[str]:
    with connect_admin(source) as conn:
        if conn.execute(
            "SELECT 1 FROM pg_publication WHERE pubname = %s", (names.publication,)
        ).fetchone():
            conn.execute(sql.SQL("DROP PUBLICATION {}").format(sql.Identifier(names.publication)))
            return [f"publication {names.publication}"]
    return []
