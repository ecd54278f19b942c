"""Where on the target the relay records how far it has applied, in the same transaction as
the changes themselves: after a kill -9 the target says exactly which source transactions it
holds, so none is applied twice and none is lost, whatever the slot's own position says (the
slot is advanced only after the target commits, so it may lag one batch behind).

A table in a schema of its own rather than a replication origin: origins need superuser (or
grants a managed target may refuse), a table needs only CREATE. It is left out of verification
and dropped at cleanup.
"""

from __future__ import annotations

import psycopg

SCHEMA = "trudeploy_online"
_TABLE = f"{SCHEMA}.progress"


def ensure(conn: psycopg.Connection) -> None:
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    conn.execute(f"CREATE TABLE IF NOT EXISTS {_TABLE} (slot text PRIMARY KEY, lsn pg_lsn)")


def applied(conn: psycopg.Connection, slot: str) -> str | None:
    """The end LSN of the last source transaction the target holds, or None before the first."""
    row = conn.execute(f"SELECT lsn::text FROM {_TABLE} WHERE slot = %s", (slot,)).fetchone()
    return row[0] if row else None


def record(conn: psycopg.Connection, slot: str, lsn: str) -> None:
    """Inside the apply transaction: commits with the changes, or not at all."""
    conn.execute(
        f"INSERT INTO {_TABLE} VALUES (%s, %s) ON CONFLICT (slot) DO UPDATE SET lsn = excluded.lsn",
        (slot, lsn),
    )


def drop(conn: psycopg.Connection) -> None:
    conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
