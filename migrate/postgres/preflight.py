"""Everything checked before a byte moves; any refusal raises PreflightError and nothing is written.

The checks read both servers only (the target too is only queried here), so a refused run leaves no
trace: no journal, no schema, no rows.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg

from migrate.postgres import catalog
from migrate.postgres.catalog import USER_NAMESPACE, TableInfo
from migrate.postgres.conn import PgUrl
from migrate.postgres.errors import PreflightError

_SHOWN = 5  # names listed in one message before "and N more"


@dataclass
class Preflight:
    """What preflight learned; `notes` go into the report for people and scripts."""

    source_version: int
    target_version: int
    tables: list[TableInfo]
    sequences: list[str]
    total_bytes: int
    total_rows: int
    notes: list[str] = field(default_factory=list)
    not_copied: dict = field(default_factory=dict)


def _listing(names: list[str]) -> str:
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(names[:_SHOWN]) + more


def _major(version_num: int) -> int:
    return version_num // 10000


def _tool_major(tool: str) -> int:
    path = shutil.which(tool)
    if path is None:
        raise PreflightError(f"{tool} is not on PATH; install the PostgreSQL client tools")
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if match is None:
        raise PreflightError(f"cannot read the version of {path}: {out.strip()!r}")
    return int(match.group(1))


def version_text(version_num: int) -> str:
    """`server_version_num` as PostgreSQL prints it: 150020 -> 15.20, 90624 -> 9.6.24."""
    if version_num >= 100000:
        return f"{version_num // 10000}.{version_num % 10000}"
    return f"{version_num // 10000}.{version_num // 100 % 100}.{version_num % 100}"


def check_versions(source: int, target: int, *, allow_downgrade: bool) -> str:
    """Refuse moving to an older major (its catalogs and dump may not load) unless asked."""
    if _major(target) < _major(source) and not allow_downgrade:
        raise PreflightError(
            f"--to runs PostgreSQL {_major(target)}, older than the source's {_major(source)}: "
            "a downgrade across majors may not load; pass --allow-downgrade to try anyway"
        )
    return f"versions: source {version_text(source)}, target {version_text(target)}"


# What tells one database from every other: the cluster's system identifier (when the role may
# read it), the postmaster's start time and port (two running servers never share both, even
# clones of one cluster, which share the identifier), and the database's oid.
_DATABASE_IDENTITY = """
SELECT CASE WHEN has_function_privilege('pg_control_system()', 'EXECUTE')
            THEN (SELECT system_identifier::text FROM pg_control_system()) END,
       pg_postmaster_start_time()::text, current_setting('port'),
       (SELECT oid::text FROM pg_database WHERE datname = current_database())
"""


def database_identity(conn: psycopg.Connection) -> tuple:
    return tuple(conn.execute(_DATABASE_IDENTITY).fetchone())


def check_not_same(source_identity: tuple, target: psycopg.Connection) -> None:
    """Refuse --from and --to naming one database (another host name, address or user for it):
    the emptiness check would otherwise report the source's own tables as the target's."""
    theirs = database_identity(target)
    # The identifier only counts when both roles may read it; the rest is readable by any role.
    if all(a == b for a, b in zip(source_identity, theirs, strict=True) if None not in (a, b)):
        info = target.info
        raise PreflightError(
            f"--from and --to are the same database ({info.host}:{info.port}/{info.dbname}); "
            "migrate to another database"
        )


def check_tools(source: int) -> str:
    """pg_dump must be at least the source's major to read its catalogs; psql loads the schema."""
    dump = _tool_major("pg_dump")
    _tool_major("psql")
    if dump < _major(source):
        raise PreflightError(
            f"pg_dump {dump} cannot read a PostgreSQL {_major(source)} server; "
            f"install pg_dump {_major(source)} or newer"
        )
    return f"client tools: pg_dump {dump}"


# Kinds that exist only on a table, or that an empty database has anyway (plpgsql).
_NOT_ON_THEIR_OWN = {"constraints", "indexes", "row security", "policies", "rules", "statistics"}


def target_objects(target: psycopg.Connection) -> list[str]:
    """Every user object of the target that a fresh, empty database would not have."""
    found = catalog.objects(target)
    return [
        f"{kind.rstrip('s')} {name}"
        for kind, items in found.items()
        if kind not in _NOT_ON_THEIR_OWN | {"extensions"}
        for name in items
    ]


def check_target_empty(target: psycopg.Connection, url: PgUrl) -> None:
    """The target must hold no user objects: migrating into a used database would mix data."""
    names = target_objects(target)
    if names:
        raise PreflightError(
            f"--to database {url.database!r} is not empty "
            f"({len(names)} objects: {_listing(names)}); "
            "migrate into an empty database, or --resume the run that started filling it"
        )


def check_extensions(used: set[str], available: set[str]) -> str:
    missing = sorted(used - available)
    if missing:
        raise PreflightError(
            f"the source uses extensions the target cannot install: {_listing(missing)}"
        )
    return f"extensions: {', '.join(sorted(used)) or 'none'} (all available on the target)"


def check_source_privileges(source: psycopg.Connection) -> None:
    """The source role must read every table and sequence the copy and verification touch."""
    rows = source.execute(
        f"""SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n
             ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm') AND {USER_NAMESPACE}
              AND NOT (has_schema_privilege(n.oid, 'USAGE')
                       AND has_table_privilege(c.oid, 'SELECT'))
            ORDER BY 1"""
    ).fetchall()
    if rows:
        names = [r[0] for r in rows]
        raise PreflightError(
            f"--from role cannot read {len(names)} relations: {_listing(names)}; "
            "grant it USAGE on their schemas and SELECT on them"
        )


def check_row_security(source: psycopg.Connection) -> None:
    """Refuse when a row-level security policy would hide rows of a table from the --from role:
    every session reads with row_security = off, so such a table could not be read at all."""
    hidden = catalog.rls_hidden_tables(source)
    if hidden:
        raise PreflightError(
            f"--from role is subject to row-level security on {len(hidden)} tables: "
            f"{_listing(hidden)}; it would see only the rows its policies show. Connect as a "
            "superuser or a role with BYPASSRLS (or the owner of tables that do not FORCE row "
            "level security)"
        )


def not_copied_note(source: psycopg.Connection) -> tuple[str, dict]:
    """(note for people, figures for the JSON report) of what the copy leaves out by design."""
    found = catalog.not_copied(source)
    owners = found["owners"]
    note = (
        f"not copied (by design): {found['grants']} grants, ownership by "
        f"{len(owners)} roles ({_listing(owners) or 'none'}; the --to role owns every copy), "
        f"{found['publications']} publications, {found['subscriptions']} subscriptions, "
        f"{found['role_settings']} per-role settings in this database"
    )
    return note, found


def check_target_privileges(target: psycopg.Connection, source_schemas: list[str]) -> None:
    """The target role must create schemas, and create objects in the schemas that already exist."""
    can_create = target.execute(
        "SELECT has_database_privilege(current_database(), 'CREATE')"
    ).fetchone()[0]
    if not can_create:
        raise PreflightError(
            "--to role lacks CREATE on its database; grant it CREATE (or use the owner)"
        )
    rows = target.execute(
        "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s) "
        "AND NOT has_schema_privilege(oid, 'CREATE') ORDER BY 1",
        (source_schemas,),
    ).fetchall()
    if rows:
        raise PreflightError(
            f"--to role lacks CREATE on schema(s) {_listing([r[0] for r in rows])}; "
            "grant it CREATE there (or use the database owner)"
        )


@contextmanager
def querying(url: PgUrl) -> Iterator[None]:
    """A failed query (a timeout, a lost connection) becomes a refusal naming its side."""
    try:
        yield
    except psycopg.Error as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PreflightError(
            f"{url.option}: preflight query on {url.redacted} failed: {message}"
        ) from None


def run_preflight(
    source: psycopg.Connection,
    target: psycopg.Connection,
    source_url: PgUrl,
    target_url: PgUrl,
    *,
    allow_downgrade: bool,
    target_may_hold_run: bool,
) -> Preflight:
    """All checks, in order of what is cheapest to fix; the first refusal wins."""
    source_version = source.info.server_version
    target_version = target.info.server_version
    notes = [
        check_versions(source_version, target_version, allow_downgrade=allow_downgrade),
        check_tools(source_version),
    ]
    with querying(source_url):
        source_identity = database_identity(source)
    with querying(target_url):
        check_not_same(source_identity, target)
        if not target_may_hold_run:
            check_target_empty(target, target_url)
        available = {
            r[0] for r in target.execute("SELECT name FROM pg_available_extensions").fetchall()
        }
    with querying(source_url):
        used = {name for name in catalog.extensions(source) if name != "plpgsql"}
        notes.append(check_extensions(used, available))
        check_source_privileges(source)
        check_row_security(source)
        schemas = [
            r[0]
            for r in source.execute(
                f"SELECT n.nspname FROM pg_namespace n WHERE {USER_NAMESPACE}"
            ).fetchall()
        ]
    with querying(target_url):
        check_target_privileges(target, schemas)
    with querying(source_url):
        return _source_facts(source, target, source_version, target_version, notes)


def _source_facts(
    source: psycopg.Connection,
    target: psycopg.Connection,
    source_version: int,
    target_version: int,
    notes: list[str],
) -> Preflight:
    """The source's side of preflight: large objects, what is not copied, tables, sizes."""
    large_objects = catalog.large_object_count(source)
    if large_objects:
        raise PreflightError(
            f"the source holds {large_objects} large objects (pg_largeobject), which this copy "
            "does not move; migrate them separately (pg_dump --large-objects) or convert to bytea"
        )
    notes.append("large objects: none")
    note, skipped = not_copied_note(source)
    notes.append(note)
    tables = catalog.tables(source)
    no_pk = [t.qualified for t in tables if not t.has_pk]
    if no_pk:
        notes.append(
            f"tables without a primary key ({len(no_pk)}): {_listing(no_pk)} "
            "(copied whole or by block ranges; duplicates in them cannot be told apart)"
        )
    sequences = catalog.sequences(source)
    total_bytes = sum(t.bytes for t in tables)
    total_rows = sum(t.rows for t in tables)
    notes.append(
        f"size estimate: {len(tables)} tables, ~{total_rows:,} rows, "
        f"{total_bytes / 1e6:,.1f} MB of table data, {len(sequences)} sequences"
    )
    source.commit()
    target.commit()
    return Preflight(
        source_version,
        target_version,
        tables,
        sequences,
        total_bytes,
        total_rows,
        notes,
        skipped,
    )
