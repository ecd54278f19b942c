"""Row-level security: a source role that policies filter is refused before anything is written,
and every copy and verification session reads with row_security = off, so a policy makes it fail
rather than see part of a table."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from pg_helpers import cli, fingerprint, journal_files, report, user_objects

from migrate.postgres.catalog import tables
from migrate.postgres.conn import connect_source, parse_url
from migrate.postgres.copy import DataCopy
from migrate.postgres.errors import CopyError
from migrate.postgres.plan import make_plan
from migrate.postgres.verify import table_digest


@pytest.fixture
def make_role(pg_admin_url) -> Iterator:
    made: list[str] = []

    def make(attributes: str = "") -> str:
        name = f"trudeploy_rls_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {name} LOGIN {attributes}")
        made.append(name)
        return name

    yield make
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        for name in made:
            conn.execute(f"DROP ROLE {name}")


def _as(url: str, role: str) -> str:
    return url.replace("postgres@", f"{role}@", 1)


@pytest.fixture
def rls_source(make_database, make_role) -> Iterator[tuple[str, dict[str, str]]]:
    """Two tables whose policy shows half their rows: `forced` (FORCE: binds its owner too) and
    `plain` (binds everyone but its owner); owned by `owner`, readable by `reader` and `bypass`."""
    source = make_database("pgsrc")
    roles = {"owner": make_role(), "reader": make_role(), "bypass": make_role("BYPASSRLS")}
    with psycopg.connect(source, autocommit=True) as conn:
        for table in ("forced", "plain"):
            conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, tenant text)")
            conn.execute(
                f"INSERT INTO {table} SELECT g, 't' || g % 2 FROM generate_series(1, 100) g"
            )
            conn.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            conn.execute(f"CREATE POLICY half ON {table} USING (tenant = 't0')")
            conn.execute(f"ALTER TABLE {table} OWNER TO {roles['owner']}")
            conn.execute(f"GRANT SELECT ON {table} TO {roles['reader']}, {roles['bypass']}")
        conn.execute("ALTER TABLE forced FORCE ROW LEVEL SECURITY")
    yield source, roles
    with psycopg.connect(source, autocommit=True) as conn:  # so the roles can be dropped
        for role in roles.values():
            conn.execute(f"DROP OWNED BY {role}")


def test_source_role_under_a_policy_is_refused(rls_source, make_database, state_dir) -> None:
    source, roles = rls_source
    target = make_database("pgdst")

    as_owner = cli("--from", _as(source, roles["owner"]), "--to", target)
    as_reader = cli("--from", _as(source, roles["reader"]), "--to", target)

    for done in (as_owner, as_reader):
        assert done.returncode == 2, done.stderr + done.stdout
        assert "row-level security" in done.stderr and "public.forced" in done.stderr
        assert "Traceback" not in done.stderr
    assert "public.plain" not in as_owner.stderr  # its owner reads it whole (not forced)
    assert "public.plain" in as_reader.stderr
    assert user_objects(target) == 0
    assert journal_files(state_dir) == []


def test_role_that_bypasses_policies_copies_every_row(rls_source, make_database, state_dir):
    source, roles = rls_source
    target = make_database("pgdst")

    done = cli("--from", _as(source, roles["bypass"]), "--to", target, "--json")

    assert done.returncode == 0, done.stderr + done.stdout
    assert report(done)["status"] == "verified"
    assert fingerprint(target) == fingerprint(source)
    with psycopg.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM forced").fetchone()[0] == 100


@pytest.mark.parametrize("role", ["owner", "reader"])
def test_sessions_fail_rather_than_read_filtered_rows(rls_source, make_database, role) -> None:
    """Behind preflight: the hash and the copy error on a table a policy would filter, instead
    of hashing or copying the rows the policy shows."""
    source, roles = rls_source
    target = make_database("pgdst")
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("CREATE TABLE forced (id int PRIMARY KEY, tenant text)")
    # analysed, so listing and planning read statistics instead of counting (a count would already
    # error here, as every read under row_security = off does)
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("ANALYZE")
    url = parse_url(_as(source, roles[role]), "--from")
    with connect_source(url) as conn:
        forced = next(t for t in tables(conn) if t.name == "forced")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            table_digest(conn, forced, "record")
        conn.rollback()
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        units = make_plan([forced], conn, 1024**3, binary=True)
        copy = DataCopy(
            url,
            parse_url(target, "--to"),
            snapshot,
            mark_done=lambda name, detail: None,
            resuming=False,
            on_progress=lambda n_bytes, n_rows: None,
        )
        with pytest.raises(CopyError, match="row-level security"):
            copy.run(units, 1)
    with psycopg.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM forced").fetchone()[0] == 0
