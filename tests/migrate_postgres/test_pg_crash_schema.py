"""kill -9 during the schema steps, then --resume: pg_dump and psql die with the run, pre-data
and every kind of post-data entry that committed before its journal entry are recognised on the
target, and the resumed run verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import psycopg
from pg_helpers import cli, fingerprint, journal_files, report, user_objects
from test_pg_schema_drift import DRIFT_SCHEMA

from migrate.journal import Journal
from migrate.postgres.schema import TEST_STEP_DELAY_ENV

REPO = Path(__file__).resolve().parents[2]

# Beyond DRIFT_SCHEMA's kinds: a partitioned table (its indexes attach per partition), NOT VALID
# checks on a table and a domain, an exclusion constraint, a unique constraint, a materialized
# view (refreshed in post-data), a comment on an index.
MORE_POST_DATA = """
CREATE EXTENSION btree_gist;
COMMENT ON EVENT TRIGGER ddl_audit IS 'logs DDL';
CREATE TABLE app.events (id bigint, at date, kind text, PRIMARY KEY (id, at))
    PARTITION BY RANGE (at);
CREATE TABLE app.events_a PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
CREATE TABLE app.events_b PARTITION OF app.events DEFAULT;
CREATE INDEX events_kind_idx ON app.events (kind);
INSERT INTO app.events SELECT g, '2024-01-01'::date + g, 'k' || g % 3
  FROM generate_series(1, 400) g;
CREATE DOMAIN app.positive AS int;
ALTER DOMAIN app.positive ADD CONSTRAINT positive_check CHECK (VALUE > 0) NOT VALID;
CREATE TABLE app.slots (id int PRIMARY KEY, room int, during int4range, code text,
    size app.positive, EXCLUDE USING gist (room WITH =, during WITH &&), UNIQUE (code));
INSERT INTO app.slots VALUES (1, 1, '[1,5)', 'a', 1), (2, 1, '[5,9)', 'b', 2);
ALTER TABLE app.slots ADD CONSTRAINT slots_room_check CHECK (room > 0) NOT VALID;
CREATE MATERIALIZED VIEW app.kinds AS SELECT kind, count(*) AS n FROM app.events GROUP BY kind;
COMMENT ON INDEX app.events_kind_idx IS 'by kind';
"""


def _start(source: str, target: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    args = ["--from", source, "--to", target, "--jobs", "2", "--json"]
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", "migrate", "postgres", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(proc: subprocess.Popen, what: str, ready) -> None:
    deadline = time.monotonic() + 120
    while not ready():
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.02)


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def _sessions(url: str, application: str, writing: bool = False) -> int:
    """Sessions of `application` on `url`'s database (only those that have written, if asked)."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = %s AND (NOT %s OR backend_xid IS NOT NULL)",
            (application, writing),
        ).fetchone()[0]


def _resume_verifies(source: str, target: str, state_dir: Path, before: dict) -> None:
    run_id = journal_files(state_dir)[0].stem
    done = cli("--from", source, "--to", target, "--resume", run_id, "--json")
    assert done.returncode == 0, done.stderr + done.stdout
    assert report(done)["status"] == "verified"
    assert fingerprint(target) == before
    assert fingerprint(source) == before


def test_kill_9_while_psql_loads_pre_data(make_database, state_dir) -> None:
    """The schema load dies with the run: nothing is left committed behind the journal's back."""
    source, target = make_database("pgsrc"), make_database("pgdst")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute(
            "DO $$ BEGIN FOR i IN 1..1500 LOOP EXECUTE format('CREATE TABLE t%s (id int, "
            "a text DEFAULT ''x'', b int CHECK (b > 0), c numeric(10, 2), d timestamptz)', i); "
            "END LOOP; END $$"
        )
        conn.execute("INSERT INTO t1 VALUES (1, 'a', 1, 1.5, now())")
    before = fingerprint(source)
    proc = _start(source, target)
    try:
        # psql has started creating tables: pg_dump is past importing the run's snapshot
        _wait_for(proc, "psql loading the target", lambda: _sessions(target, "psql", True) > 0)
    finally:
        _kill(proc)
    deadline = time.monotonic() + 60
    while _sessions(target, "psql") or _sessions(source, "pg_dump"):
        assert time.monotonic() < deadline, "pg_dump or psql outlived the killed run"
        time.sleep(0.1)
    assert user_objects(target) == 0  # the single transaction was rolled back, not finished
    with closing(Journal.open(journal_files(state_dir)[0].stem, "postgres")) as journal:
        assert not journal.is_done("schema:pre-data")

    _resume_verifies(source, target, state_dir, before)


def test_kill_9_after_pre_data_committed_before_journaled(make_database, state_dir) -> None:
    source, target = make_database("pgsrc"), make_database("pgdst")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute(DRIFT_SCHEMA)
    before = fingerprint(source)
    proc = _start(source, target, {TEST_STEP_DELAY_ENV: "30"})
    try:
        _wait_for(proc, "the schema on the target", lambda: user_objects(target) > 0)
    finally:
        _kill(proc)
    with closing(Journal.open(journal_files(state_dir)[0].stem, "postgres")) as journal:
        assert not journal.is_done("schema:pre-data")

    _resume_verifies(source, target, state_dir, before)


def test_kill_9_after_a_primary_key_committed_before_journaled(make_database, state_dir) -> None:
    source, target = make_database("pgsrc"), make_database("pgdst")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute(DRIFT_SCHEMA)
    before = fingerprint(source)

    def primary_keys() -> int:
        with psycopg.connect(target) as conn:
            query = (
                "SELECT count(*) FROM pg_constraint k JOIN pg_namespace n "
                "ON n.oid = k.connamespace WHERE k.contype = 'p' AND n.nspname = 'app'"
            )
            return conn.execute(query).fetchone()[0]

    proc = _start(source, target, {TEST_STEP_DELAY_ENV: "30"})
    try:
        _wait_for(proc, "a primary key on the target", lambda: primary_keys() > 0)
    finally:
        _kill(proc)
    with closing(Journal.open(journal_files(state_dir)[0].stem, "postgres")) as journal:
        assert journal.is_done("schema:pre-data")
        assert not journal.done("post:")

    _resume_verifies(source, target, state_dir, before)


def test_every_post_data_entry_committed_but_not_journaled(make_database, state_dir) -> None:
    """The worst case of a crash in post-data: every entry committed, none journaled. Each kind
    must be recognised on the target (or be harmless to repeat) and the run must verify."""
    source, target = make_database("pgsrc"), make_database("pgdst")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute(DRIFT_SCHEMA + MORE_POST_DATA)
    before = fingerprint(source)
    first = cli("--from", source, "--to", target, "--jobs", "2", "--json")
    assert first.returncode == 0, first.stderr + first.stdout
    run_id = journal_files(state_dir)[0].stem
    with closing(Journal.open(run_id, "postgres")) as journal:
        entries = list(journal.done("post:"))
        kinds = {name.split(":")[2] for name in entries}
        for name in [*entries, "schema:post-data", "sequences", "database settings", "analyze"]:
            journal.record(name, "pending")
    assert {
        "INDEX", "INDEX ATTACH", "CONSTRAINT", "FK CONSTRAINT", "CHECK CONSTRAINT", "TRIGGER",
        "POLICY", "ROW SECURITY", "RULE", "STATISTICS", "EVENT TRIGGER", "COMMENT",
        "MATERIALIZED VIEW DATA",
    } <= kinds  # fmt: skip

    _resume_verifies(source, target, state_dir, before)
