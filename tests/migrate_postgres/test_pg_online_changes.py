"""The relay through the API the stack move uses, one kind of change at a time: what pgoutput
sends (NULLs, unchanged TOAST, key changes, FULL identity, TRUNCATE) lands on the target as on
the source, and DDL during the run stops the switch instead of being lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pg_helpers import fingerprint

from migrate.journal import Journal
from migrate.postgres.errors import CopyError
from migrate.postgres.online import FreezeError, OnlinePostgres
from migrate.postgres.run import Options

SCHEMA = """
CREATE TABLE docs (id int PRIMARY KEY, title text, body text, meta json, n numeric);
ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL;  -- out of line, uncompressed
INSERT INTO docs SELECT g, 't' || g, repeat(md5(g::text), 400), '{"a": 1}', g / 3.0
  FROM generate_series(1, 50) g;
CREATE TABLE bag (k text, v json);
ALTER TABLE bag REPLICA IDENTITY FULL;
INSERT INTO bag VALUES ('a', '{"x": 1}'), ('a', '{"x": 1}'), ('b', NULL);
CREATE TABLE gone (id int PRIMARY KEY);
INSERT INTO gone SELECT generate_series(1, 20);
CREATE TABLE counted (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v int);
INSERT INTO counted (v) SELECT generate_series(1, 5);
"""


@pytest.fixture
def online(online_pair: tuple[str, str], state_dir: Path) -> Iterator[OnlinePostgres]:
    source, target = online_pair
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute(SCHEMA)
    journal = Journal.create("stack", {"source": source, "target": target})
    engine = OnlinePostgres(Options(source=source, target=target, jobs=2, quiet=True), journal)
    assert engine.preflight() == []
    engine.bulk_copy()
    yield engine
    engine.abort()
    journal.close()


def _run(url: str, *statements: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _cutover(engine: OnlinePostgres) -> bool:
    lag = engine.catch_up(timeout=30)
    assert lag.caught_up
    token = engine.freeze(5)
    try:
        engine.drain(token)
        ok = engine.finalize().ok
    finally:
        engine.unfreeze(token, switched=False)
    if ok:
        engine.cleanup()
    return ok


@pytest.mark.parametrize("pre_verified", [False, True], ids=["verified-frozen", "pre-verified"])
def test_row_changes_land_as_on_the_source(
    online: OnlinePostgres, online_pair: tuple[str, str], pre_verified: bool
) -> None:
    """Every kind of change, verified inside the freeze, or verified row by row before it at a
    consistent point (with more changes after that point) and only schema and sequences inside."""
    source, target = online_pair
    if pre_verified:
        _run(source, "UPDATE docs SET n = -1 WHERE id = 40", "DELETE FROM gone WHERE id = 20")
        assert online.catch_up(timeout=30).caught_up
        _run(source, "UPDATE docs SET n = -2 WHERE id = 41")  # for pre_verify's own drain
        assert online.pre_verify(5).ok
    _run(
        source,
        # unchanged TOAST: body is not sent, and must not be overwritten with NULL
        "UPDATE docs SET title = 'renamed' WHERE id <= 10",
        "UPDATE docs SET title = NULL, meta = NULL, n = NULL WHERE id = 11",  # NULLs
        "UPDATE docs SET id = 1000 WHERE id = 12",  # key change: old key sent
        "DELETE FROM docs WHERE id = 13",
        "INSERT INTO docs VALUES (2000, NULL, repeat('z', 9000), NULL, NULL)",
        "UPDATE bag SET v = '{\"x\": 2}' WHERE k = 'b'",  # FULL identity, NULL json old value
        "DELETE FROM bag WHERE ctid = (SELECT ctid FROM bag WHERE k = 'a' LIMIT 1)",
        "TRUNCATE gone",
        "INSERT INTO gone VALUES (1)",
        "INSERT INTO counted (v) VALUES (6), (7)",
    )
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("BEGIN")  # one source transaction of several changes
        conn.execute("UPDATE docs SET n = n + 1 WHERE id BETWEEN 20 AND 30")
        conn.execute("DELETE FROM docs WHERE id BETWEEN 31 AND 35")
        conn.execute("COMMIT")
    assert _cutover(online)
    assert fingerprint(target) == fingerprint(source)
    with psycopg.connect(target) as conn:
        bodies = conn.execute("SELECT count(*) FROM docs WHERE body IS NULL").fetchone()[0]
    assert bodies == 0, "an unchanged TOAST value was overwritten"


def test_rolled_back_and_before_snapshot_changes(
    online: OnlinePostgres, online_pair: tuple[str, str]
) -> None:
    """A rolled-back transaction never reaches the target; sequences follow the source."""
    source, target = online_pair
    with psycopg.connect(source) as conn:
        conn.execute("INSERT INTO gone VALUES (999)")
        conn.rollback()
    _run(source, "SELECT nextval('counted_id_seq') FROM generate_series(1, 10)")
    assert _cutover(online)
    assert fingerprint(target) == fingerprint(source)


def test_added_column_stops_the_switch(
    online: OnlinePostgres, online_pair: tuple[str, str]
) -> None:
    source, _ = online_pair
    _run(source, "ALTER TABLE docs ADD COLUMN extra int", "INSERT INTO docs VALUES (3000)")
    with pytest.raises(CopyError, match=r"docs changed columns: added extra"):
        online.catch_up(timeout=30)
    result = online.finalize()
    assert not result.ok and "added extra" in " ".join(result.errors)


def test_new_table_stops_the_switch(online: OnlinePostgres, online_pair: tuple[str, str]) -> None:
    source, _ = online_pair
    _run(source, "CREATE TABLE later (id int PRIMARY KEY)", "INSERT INTO later VALUES (1)")
    with pytest.raises(CopyError, match=r"public.later is not one the bulk copy had"):
        online.catch_up(timeout=30)


@pytest.mark.parametrize("pre_verified", [False, True], ids=["verified-frozen", "pre-verified"])
def test_schema_only_ddl_fails_verification(
    online: OnlinePostgres, online_pair: tuple[str, str], pre_verified: bool
) -> None:
    """DDL that sends no change (an index) is caught by the final catalog comparison, also
    when it comes after a passed row-by-row pre-verification."""
    source, _ = online_pair
    if pre_verified:
        assert online.pre_verify(5).ok
    _run(source, "CREATE INDEX docs_title_idx ON docs (title)")
    assert not _cutover(online)
    failed = [c.subject for c in online.report.failures]
    assert "indexes" in failed


def test_freeze_bounded_by_lock_timeout(
    online: OnlinePostgres, online_pair: tuple[str, str]
) -> None:
    """A transaction still writing when the freeze comes makes it fail after the lock timeout,
    holding nothing: other writers go on at once."""
    source, _ = online_pair
    with psycopg.connect(source) as busy:
        busy.execute("INSERT INTO gone VALUES (500)")  # open, uncommitted: holds ROW EXCLUSIVE
        with pytest.raises(FreezeError, match=r"not all locked within 0.5s"):
            online.freeze(0.5)
        with psycopg.connect(source, autocommit=True) as other:
            other.execute("SET lock_timeout = '2s'")
            other.execute("INSERT INTO docs (id) VALUES (4000)")
        busy.rollback()
