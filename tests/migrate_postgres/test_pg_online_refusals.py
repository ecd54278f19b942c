"""Each refusal of an online copy exits 2, names what to fix, and creates nothing on either
server (no slot, no publication, no schema, no journal); several refusals are reported at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from online_helpers import leftovers
from pg_helpers import cli, fingerprint, journal_files, user_objects

SHARED = "postgresql://postgres@127.0.0.1:5432/"


def _with_user(url: str, user: str) -> str:
    return url.replace("postgres@", f"{user}@", 1)


@pytest.fixture
def plain_role(online_pair: tuple[str, str]) -> Iterator[str]:
    """A login role without REPLICATION that owns the source's tables."""
    source, _ = online_pair
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS pgonline_plain")
        conn.execute("CREATE ROLE pgonline_plain LOGIN")
        conn.execute("GRANT CREATE ON SCHEMA public TO pgonline_plain")
    yield "pgonline_plain"
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("DROP OWNED BY pgonline_plain")
        conn.execute("DROP ROLE pgonline_plain")


def _table(url: str, sql: str | None = None) -> None:
    """A keyed table with rows, or the tables `sql` makes."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            sql
            or "CREATE TABLE items (id int PRIMARY KEY, v text); "
            "INSERT INTO items SELECT g, 'v' FROM generate_series(1, 10) g"
        )


def _fill_slots(source: str) -> list[str]:
    with psycopg.connect(source, autocommit=True) as conn:
        free = conn.execute(
            "SELECT current_setting('max_replication_slots')::int - count(*) "
            "FROM pg_replication_slots"
        ).fetchone()[0]
        for i in range(free):
            conn.execute(
                "SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (f"busy_{i}",)
            )
        return [r[0] for r in conn.execute("SELECT slot_name FROM pg_replication_slots")]


def _refused(source: str, target: str, state: Path, *expected: str) -> str:
    before = leftovers(source, target)
    done = cli("--online", "--from", source, "--to", target)
    assert done.returncode == 2, done.stdout + done.stderr
    text = " ".join(done.stderr.split())
    for phrase in expected:
        assert phrase in text, f"{phrase!r} not in {text}"
    assert leftovers(source, target) == before, "a refused run created something"
    assert user_objects(target) == 0
    assert journal_files(state) == []
    return text


def test_logical_replication_off(online_pair: tuple[str, str], state_dir: Path) -> None:
    """The shared server runs wal_level=replica: the refusal says how to turn it on per
    provider."""
    _, target = online_pair
    with psycopg.connect(SHARED + "postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS pgonline_replica WITH (FORCE)")
        conn.execute("CREATE DATABASE pgonline_replica")
    source = SHARED + "pgonline_replica"
    try:
        _table(source)
        _refused(
            source,
            target,
            state_dir,
            "wal_level is 'replica'",
            "rds.logical_replication = 1",
            "cloudsql.logical_decoding",
            "Neon",
        )
    finally:
        with psycopg.connect(SHARED + "postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS pgonline_replica WITH (FORCE)")


def test_role_without_replication(
    online_pair: tuple[str, str], plain_role: str, state_dir: Path
) -> None:
    source, target = online_pair
    plain = _with_user(source, plain_role)
    _table(plain)
    _refused(plain, target, state_dir, f"--from role {plain_role!r} may not create a replication")


def test_no_free_slot(online_pair: tuple[str, str], state_dir: Path) -> None:
    source, target = online_pair
    _table(source)
    _fill_slots(source)
    _refused(source, target, state_dir, "no free replication slot (4 of max_replication_slots")


def test_keyless_table_listed(online_pair: tuple[str, str], state_dir: Path) -> None:
    source, target = online_pair
    _table(source)
    _table(source, "CREATE TABLE keyless (id int, v text); CREATE TABLE full_ok (id int)")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("ALTER TABLE full_ok REPLICA IDENTITY FULL")
        conn.execute("CREATE TABLE nothing (id int PRIMARY KEY)")
        conn.execute("ALTER TABLE nothing REPLICA IDENTITY NOTHING")
    text = _refused(
        source, target, state_dir, "2 tables have no primary key", "REPLICA IDENTITY FULL"
    )
    assert "public.keyless" in text and "public.nothing" in text and "full_ok" not in text


def test_every_refusal_at_once(
    online_pair: tuple[str, str], plain_role: str, state_dir: Path
) -> None:
    source, target = online_pair
    plain = _with_user(source, plain_role)
    _table(plain)
    _table(plain, "CREATE TABLE keyless (id int, v text)")
    _fill_slots(source)
    _refused(
        plain,
        target,
        state_dir,
        "may not create a replication slot",
        "no free replication slot",
        "public.keyless",
    )


@pytest.fixture
def replication_role(online_pair: tuple[str, str]) -> Iterator[str]:
    """A login role with REPLICATION, not superuser, owning the source's tables."""
    source, _ = online_pair
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS pgonline_rep")
        conn.execute("CREATE ROLE pgonline_rep LOGIN REPLICATION")
        conn.execute("GRANT CREATE ON SCHEMA public TO pgonline_rep")
    yield "pgonline_rep"
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("DROP OWNED BY pgonline_rep")
        conn.execute("DROP ROLE pgonline_rep")


def test_non_superuser_publishes_its_tables(
    online_pair: tuple[str, str], replication_role: str, state_dir: Path
) -> None:
    """A role that is not superuser publishes the copied tables by name (FOR ALL TABLES needs
    superuser); one that does not own the database cannot retire the source, so it is refused
    unless the source is kept writable, and then the copy goes through."""
    source, target = online_pair
    rep = _with_user(source, replication_role)
    _table(rep)
    _table(
        rep,
        "CREATE TABLE parts (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);"
        "CREATE TABLE parts_a PARTITION OF parts FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
        "CREATE TABLE parts_b PARTITION OF parts DEFAULT;"
        "INSERT INTO parts SELECT g, '2024-01-01'::date + g * 3 FROM generate_series(1, 300) g",
    )
    _refused(
        rep,
        target,
        state_dir,
        "must own the database and be a member of pg_signal_backend",
        "lacks CREATE on its database",
    )
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute(f"GRANT CREATE ON DATABASE online_src TO {replication_role}")
    done = cli("--online", "--keep-source-writable", "--from", rep, "--to", target, "--json")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    assert fingerprint(target) == fingerprint(source)
    assert leftovers(source, target) == {"slots": [], "publications": [], "progress": []}
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("INSERT INTO items VALUES (11, 'still writable')")
