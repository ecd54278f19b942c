"""The online copy end to end through the CLI, with a writer changing the source all along."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from online_helpers import WRITER_SCHEMA, Writer, check_writes_landed, leftovers
from pg_helpers import build_awkward, cli, fingerprint, journal_files, report, user_objects


def prepare(source: str) -> None:
    build_awkward(source)
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute(WRITER_SCHEMA)


def test_online_copy_with_a_writer(online_pair: tuple[str, str], state_dir: Path) -> None:
    source, target = online_pair
    prepare(source)
    writer = Writer(source, rate=30)
    writer.load()
    writer.start()
    time.sleep(1)  # writes before the slot exists too: they reach the target by the snapshot
    try:
        done = cli("--online", "--from", source, "--to", target, "--json", "--jobs", "2")
    finally:
        time.sleep(0.5)  # the writer now meets the retired source
        writer.stop()
    result = report(done)
    failed = [c for c in result["checks"] if not c["ok"]]
    assert done.returncode == 0, f"{done.stderr} {result['errors']} {failed}"
    assert result["status"] == "verified" and result["ok"]
    for phase in ("bulk_copy", "catch_up", "drain", "verify", "freeze_window", "cleanup"):
        assert phase in result["timings"], phase
    assert writer.acknowledged > 30, "the writer did not write through the run"
    assert writer.refused > 0, "writes after the cutover should be refused by the retired source"
    check_writes_landed(writer, target)
    assert fingerprint(target) == fingerprint(source)
    assert leftovers(source, target) == {"slots": [], "publications": [], "progress": []}
    with (
        psycopg.connect(source, autocommit=True) as conn,
        pytest.raises(psycopg.errors.ReadOnlySqlTransaction),
    ):
        conn.execute("INSERT INTO app.ledger (n) VALUES (1)")


def test_dry_run_and_bad_abort_write_nothing(online_pair: tuple[str, str], state_dir: Path) -> None:
    source, target = online_pair
    prepare(source)
    done = cli("--online", "--dry-run", "--from", source, "--to", target, "--json")
    result = report(done)
    assert done.returncode == 0 and result["status"] == "planned", done.stderr
    assert any(note.startswith("online: wal_level logical") for note in result["preflight"])
    assert any(note.startswith("plan: ") for note in result["preflight"])
    bad = cli("--online", "--abort", "postgres-nope", "--from", source, "--to", target)
    assert bad.returncode == 2 and "no run 'postgres-nope'" in bad.stderr
    assert leftovers(source, target) == {"slots": [], "publications": [], "progress": []}
    assert user_objects(target) == 0 and journal_files(state_dir) == []
