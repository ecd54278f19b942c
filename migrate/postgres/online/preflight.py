"""What an online copy needs of the source beyond a plain copy, every refusal collected at once.

Only reads: a refused run leaves nothing on either server (no slot, no publication, no schema).
"""

from __future__ import annotations

import psycopg

from migrate.postgres.catalog import USER_NAMESPACE
from migrate.postgres.conn import PgUrl, connect, connect_source
from migrate.postgres.errors import PreflightError
from migrate.postgres.preflight import run_preflight

_SHOWN = 10

WAL_LEVEL_HINT = (
    "turn logical replication on at the provider: Neon: project settings > Beta/Logical "
    "Replication > Enable; AWS RDS/Aurora: set rds.logical_replication = 1 in the DB parameter "
    "group and reboot; Google Cloud SQL: set the flag cloudsql.logical_decoding = on; Azure "
    "Database for PostgreSQL flexible server: set the server parameter wal_level = logical and "
    "restart; self-managed: wal_level = logical in postgresql.conf and restart"
)


def _listing(names: list[str]) -> str:
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(names[:_SHOWN]) + more


def wal_level(source: psycopg.Connection) -> list[str]:
    level = source.execute("SELECT current_setting('wal_level')").fetchone()[0]
    if level == "logical":
        return []
    return [f"--from: wal_level is {level!r}, an online copy needs 'logical'; {WAL_LEVEL_HINT}"]


def replication_privilege(source: psycopg.Connection) -> list[str]:
    """The REPLICATION attribute (or superuser), or on RDS membership in rds_replication."""
    row = source.execute(
        "SELECT r.rolname, r.rolsuper OR r.rolreplication "
        "OR EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = 'rds_replication' "
        "           AND pg_has_role(r.oid, g.oid, 'MEMBER')) "
        "FROM pg_roles r WHERE r.rolname = current_user"
    ).fetchone()
    if row[1]:
        return []
    return [
        f"--from role {row[0]!r} may not create a replication slot: grant it the REPLICATION "
        f"attribute (ALTER ROLE {row[0]} REPLICATION; on RDS: GRANT rds_replication TO {row[0]})"
    ]


def free_slots(source: psycopg.Connection, own_slot: str | None) -> list[str]:
    """One replication slot (a resumed run's own slot counts as free), and one WAL sender for
    the moment the slot is created."""
    slots, used_slots, senders, used_senders = source.execute(
        "SELECT current_setting('max_replication_slots')::int, "
        "(SELECT count(*) FROM pg_replication_slots WHERE slot_name IS DISTINCT FROM %s), "
        "current_setting('max_wal_senders')::int, "
        "(SELECT count(*) FROM pg_stat_replication)",
        (own_slot,),
    ).fetchone()
    refusals = []
    if used_slots >= slots:
        refusals.append(
            f"--from: no free replication slot ({used_slots} of max_replication_slots = "
            f"{slots} in use); drop an unused slot (pg_drop_replication_slot) or raise "
            "max_replication_slots"
        )
    if used_senders >= senders:
        refusals.append(
            f"--from: no free WAL sender ({used_senders} of max_wal_senders = {senders} in "
            "use); raise max_wal_senders"
        )
    return refusals


def replica_identity(source: psycopg.Connection) -> list[str]:
    """Tables an UPDATE or DELETE could not be relayed for: no primary key and replica identity
    DEFAULT, or identity NOTHING."""
    rows = source.execute(
        f"""SELECT c.oid::regclass::text FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND {USER_NAMESPACE}
               AND (c.relreplident = 'n'
                    OR (c.relreplident = 'd' AND NOT EXISTS (
                        SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)))
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                               AND d.objid = c.oid AND d.deptype = 'e')
             ORDER BY 1"""
    ).fetchall()
    if not rows:
        return []
    names = [r[0] for r in rows]
    return [
        f"--from: {len(names)} tables have no primary key and no replica identity, so their "
        f"updates and deletes cannot be relayed: {_listing(names)}; add a primary key, or "
        "ALTER TABLE ... REPLICA IDENTITY FULL (or USING INDEX a unique index)"
    ]


def unlogged(source: psycopg.Connection) -> list[str]:
    """Unlogged tables write no WAL, so no change to them can be relayed."""
    rows = source.execute(
        f"""SELECT c.oid::regclass::text FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r' AND c.relpersistence = 'u' AND {USER_NAMESPACE} ORDER BY 1"""
    ).fetchall()
    if not rows:
        return []
    return [
        f"--from: {len(rows)} unlogged tables write no WAL, so their changes cannot be relayed: "
        f"{_listing([r[0] for r in rows])}; ALTER TABLE ... SET LOGGED, or copy offline"
    ]


def publication_rights(source: psycopg.Connection) -> list[str]:
    """FOR ALL TABLES needs superuser; otherwise the role must own every table it names, and
    CREATE PUBLICATION needs CREATE on the database."""
    if source.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
        return []
    refusals = []
    if not source.execute("SELECT has_database_privilege(current_database(), 'CREATE')").fetchone()[
        0
    ]:
        refusals.append(
            "--from role lacks CREATE on its database, which CREATE PUBLICATION needs; "
            "GRANT CREATE ON DATABASE ... TO it"
        )
    rows = source.execute(
        f"""SELECT c.oid::regclass::text FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND {USER_NAMESPACE}
               AND NOT pg_has_role(c.relowner, 'USAGE') ORDER BY 1"""
    ).fetchall()
    if rows:
        refusals.append(
            f"--from role may not publish {len(rows)} tables it does not own: "
            f"{_listing([r[0] for r in rows])}; connect as their owner or a superuser"
        )
    return refusals


def retire_rights(source: psycopg.Connection) -> list[str]:
    """Retiring the source after the switch sets a default on its database (owner) and ends
    other roles' sessions (pg_signal_backend)."""
    owner, signal = source.execute(
        "SELECT pg_has_role(d.datdba, 'USAGE') OR r.rolsuper, "
        "pg_has_role('pg_signal_backend', 'USAGE') OR r.rolsuper "
        "FROM pg_database d, pg_roles r "
        "WHERE d.datname = current_database() AND r.rolname = current_user"
    ).fetchone()
    missing = [
        what
        for what, ok in (("own the database", owner), ("be a member of pg_signal_backend", signal))
        if not ok
    ]
    if not missing:
        return []
    return [
        f"--from role must {' and '.join(missing)} to retire the source after the cutover "
        "(read-only default, its sessions ended); grant that, or keep the source writable "
        "(--keep-source-writable) and stop the app's writes yourself"
    ]


def online_refusals(
    source: psycopg.Connection, own_slot: str | None = None, retire: bool = True
) -> list[str]:
    """Every online-specific refusal of the source; [] when it can be copied online."""
    try:
        return [
            *wal_level(source),
            *replication_privilege(source),
            *free_slots(source, own_slot),
            *replica_identity(source),
            *unlogged(source),
            *publication_rights(source),
            *(retire_rights(source) if retire else []),
        ]
    except psycopg.Error as exc:
        raise PreflightError(f"--from: online preflight query failed: {exc}") from None
    finally:
        source.rollback()


def collect(
    source_url: PgUrl,
    target_url: PgUrl,
    *,
    resuming: bool,
    allow_downgrade: bool = False,
    own_slot: str | None = None,
    retire: bool = True,
) -> list[str]:
    """Every refusal of an online copy between these two databases: the online ones of the
    source, and the plain copy's checks (which stop at their first refusal). Reads only."""
    try:
        source = connect_source(source_url)
    except PreflightError as exc:
        return [str(exc)]
    try:
        try:
            target = connect(target_url, autocommit=True)
        except PreflightError as exc:
            return [*online_refusals(source, own_slot, retire), str(exc)]
        with target:
            refusals = online_refusals(source, own_slot, retire)
            try:
                run_preflight(
                    source,
                    target,
                    source_url,
                    target_url,
                    allow_downgrade=allow_downgrade,
                    target_may_hold_run=resuming,
                )
            except PreflightError as exc:
                refusals.append(str(exc))
            except psycopg.Error as exc:
                refusals.append(f"preflight query failed: {str(exc).strip().splitlines()[0]}")
            return refusals
    finally:
        source.close()
