"""Preflight refusals: exit 2, one clear message, no traceback, and nothing written anywhere."""

from __future__ import annotations

import fcntl
import uuid

import psycopg
import pytest
from pg_helpers import build_awkward, cli, fingerprint, journal_files, user_objects


def _refused(done, *needles: str) -> None:
    assert done.returncode == 2, done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    assert done.stderr.lstrip().startswith("refused "), done.stderr  # every migrate command's
    text = " ".join(done.stderr.split())  # rich wraps long lines at the terminal's width
    for needle in needles:
        assert needle in text, done.stderr


@pytest.fixture
def small_source(make_database) -> str:
    url = make_database("pgsrc")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE items (id int PRIMARY KEY, name text)")
        conn.execute("INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 100) g")
    return url


def test_non_empty_target(small_source, make_database, state_dir) -> None:
    target = make_database("pgdst")
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("CREATE TABLE already_here (x int)")
    before = user_objects(target), fingerprint(target), fingerprint(small_source)

    done = cli("--from", small_source, "--to", target)

    _refused(done, "--to", "not empty", "already_here")
    assert (user_objects(target), fingerprint(target), fingerprint(small_source)) == before
    assert journal_files(state_dir) == []


def test_unreachable_servers(small_source, make_database, state_dir) -> None:
    target = make_database("pgdst")
    _refused(
        cli("--from", small_source, "--to", "postgresql://postgres@127.0.0.1:1/nowhere"),
        "--to",
        "cannot connect",
    )
    _refused(
        cli("--from", "postgresql://postgres:s3cret@127.0.0.1:1/x", "--to", target),
        "--from",
        "cannot connect",
    )
    done = cli("--from", "postgresql://postgres:s3cret@127.0.0.1:1/x", "--to", target)
    assert "s3cret" not in done.stderr  # credentials are redacted in messages
    assert user_objects(target) == 0
    assert journal_files(state_dir) == []


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("mysql://root@127.0.0.1/db", "scheme 'mysql'"),
        ("postgresql://postgres@127.0.0.1:notaport/db", "port"),
        ("postgresql://postgres@127.0.0.1:5432", "names no database"),
        ("not a url", "scheme"),
    ],
)
def test_bad_urls(url, needle, small_source, make_database, state_dir) -> None:
    target = make_database("pgdst")
    _refused(cli("--from", small_source, "--to", url), "--to", needle)
    _refused(cli("--from", url, "--to", target), "--from", needle)
    assert user_objects(target) == 0
    assert journal_files(state_dir) == []


@pytest.fixture
def limited_role(pg_admin_url) -> str:
    name = f"trudeploy_limited_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN")
    yield name
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {name} CASCADE")  # in the current database only
        conn.execute(f"DROP ROLE {name}")


def _as(url: str, role: str) -> str:
    return url.replace("postgres@", f"{role}@", 1)


def test_source_role_without_select(small_source, make_database, limited_role, state_dir) -> None:
    target = make_database("pgdst")
    with psycopg.connect(small_source, autocommit=True) as conn:
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {limited_role}")
    try:
        done = cli("--from", _as(small_source, limited_role), "--to", target)
        _refused(done, "--from role cannot read", "items", "grant")
        assert user_objects(target) == 0
        assert journal_files(state_dir) == []
    finally:
        with psycopg.connect(small_source, autocommit=True) as conn:
            conn.execute(f"REVOKE ALL ON SCHEMA public FROM {limited_role}")


def test_target_role_without_create(small_source, make_database, limited_role, state_dir) -> None:
    target = make_database("pgdst")
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute(f"REVOKE CREATE ON DATABASE {target.rsplit('/', 1)[1]} FROM PUBLIC")

    done = cli("--from", small_source, "--to", _as(target, limited_role))

    _refused(done, "--to role lacks CREATE")
    assert user_objects(target) == 0
    assert journal_files(state_dir) == []


def test_large_objects_refused(small_source, make_database, state_dir) -> None:
    target = make_database("pgdst")
    with psycopg.connect(small_source, autocommit=True) as conn:
        conn.execute("SELECT lo_from_bytea(0, 'blob')")
    _refused(cli("--from", small_source, "--to", target), "large objects")
    assert user_objects(target) == 0
    assert journal_files(state_dir) == []


def test_unknown_resume_id(small_source, make_database, state_dir) -> None:
    target = make_database("pgdst")
    _refused(cli("--from", small_source, "--to", target, "--resume", "postgres-nope"), "--resume")
    assert user_objects(target) == 0


def test_resume_with_other_databases(make_database, state_dir) -> None:
    """A run id only resumes the copy it started; other URLs are refused."""
    source, target, other = make_database("pgsrc"), make_database("pgdst"), make_database("pgo")
    build_awkward(source)
    first = cli("--from", source, "--to", target, "--json")
    assert first.returncode == 0, first.stderr
    run_id = journal_files(state_dir)[0].stem
    _refused(
        cli("--from", source, "--to", other, "--resume", run_id),
        "that run copied",
        f"--to dbname: the run had {target.rsplit('/', 1)[1]!r}, now {other.rsplit('/', 1)[1]!r}",
    )
    assert user_objects(other) == 0
    with (state_dir / "runs" / f"{run_id}.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a still-running process would
        _refused(cli("--from", source, "--to", target, "--resume", run_id), "another process")
    assert cli("--from", source, "--to", target, "--resume", run_id).returncode == 0
