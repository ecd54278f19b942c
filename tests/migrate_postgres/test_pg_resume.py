"""Crash and resume: kill -9 mid-copy, then --resume; no duplicates, verified, source untouched."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from pg_helpers import build_awkward, cli, done_units, fingerprint, journal_files, report

from migrate.journal import Journal
from migrate.postgres import schema
from migrate.postgres.catalog import tables
from migrate.postgres.conn import connect_source, parse_url
from migrate.postgres.copy import TEST_DELAY_ENV, DataCopy, reset_block_tables
from migrate.postgres.plan import make_plan

REPO = Path(__file__).resolve().parents[2]


def _total_rows(url: str) -> int:
    return sum(int(v.split(":")[0]) for k, v in fingerprint(url).items() if ":" in v)


def test_kill_9_mid_copy_then_resume(make_database, state_dir) -> None:
    source, target = make_database("pgsrc"), make_database("pgdst")
    build_awkward(source)
    before = fingerprint(source)
    args = ["--from", source, "--to", target, "--jobs", "2", "--chunk-size", "64kB", "--json"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "migrate", "postgres", *args],
        cwd=REPO,
        env={**os.environ, TEST_DELAY_ENV: "0.4"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not journal_files(state_dir) or done_units(journal_files(state_dir)[0]) < 6:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the copy never journaled 6 units"
            time.sleep(0.05)
        time.sleep(0.2)  # land inside a unit's commit-to-journal window
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    journal_path = journal_files(state_dir)[0]
    run_id = journal_path.stem
    journal = Journal.open(run_id, "postgres")
    assert journal.status == "running"
    plan = journal.get("plan")[1]["units"]
    journaled = journal.done("data:")
    journal.close()
    assert 6 <= len(journaled) < len(plan)  # killed mid-copy
    journaled_rows = sum(d["rows"] for d in journaled.values())
    # Rows committed on the target that the journal does not know about: exactly the case that
    # would duplicate rows if resume copied those units again without clearing them first.
    assert _total_rows(target) > journaled_rows

    done = cli("--from", source, "--to", target, "--resume", run_id, "--json")

    assert done.returncode == 0, done.stderr + done.stdout
    assert report(done)["status"] == "verified"
    assert fingerprint(target) == before  # every row exactly once
    assert fingerprint(source) == before


def test_resume_clears_units_committed_but_not_journaled(make_database, state_dir) -> None:
    """Each unit kind (key range, whole table, block range) copied twice leaves no duplicates."""
    source_url, target_url = make_database("pgsrc"), make_database("pgdst")
    build_awkward(source_url)
    before = fingerprint(source_url)
    source, target = parse_url(source_url, "--from"), parse_url(target_url, "--to")
    with connect_source(source) as coordinator:
        snapshot = coordinator.execute("SELECT pg_export_snapshot()").fetchone()[0]
        units = make_plan(tables(coordinator), coordinator, 64 * 1024, binary=True)
        schema.copy_pre_data(source, target, snapshot)
        journal = Journal.create("postgres", {"test": True})

        def copier(resuming: bool) -> DataCopy:
            return DataCopy(
                source,
                target,
                snapshot,
                mark_done=journal.mark_done,
                resuming=resuming,
                on_progress=lambda n_bytes, n_rows: None,
            )

        copier(False).run(units, 2)
        # The crash: these units committed on the target, but their journal entries were lost.
        lost = [
            next(u for u in units if u.mode == "key"),
            next(u for u in units if u.mode == "whole" and u.table == "settings"),
            next(u for u in units if u.mode == "block" and u.lo is not None),
        ]
        for unit in lost:
            journal.record(unit.name, "pending")
        reset = reset_block_tables(
            target, units, journal.is_done, lambda name: journal.record(name, "pending")
        )
        assert reset == ["app.audit_log"]
        copier(True).run([u for u in units if not journal.is_done(u.name)], 2)
        journal.close()
    rows_only = {k: v for k, v in before.items() if ":" in v}  # sequences are not data units
    assert {k: v for k, v in fingerprint(target_url).items() if ":" in v} == rows_only
    with psycopg.connect(target_url) as conn:
        assert conn.execute("SELECT count(*) FROM app.audit_log").fetchone()[0] == 12050


@pytest.mark.parametrize("side", ["source", "target"])
def test_lost_connection_fails_then_resumes(side, make_database, state_dir) -> None:
    """A dropped connection mid-copy is a failed run (exit 1, report says how to resume)."""
    source, target = make_database("pgsrc"), make_database("pgdst")
    build_awkward(source)
    before = fingerprint(source)
    args = ["--from", source, "--to", target, "--jobs", "2", "--chunk-size", "64kB", "--json"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "migrate", "postgres", *args],
        cwd=REPO,
        env={**os.environ, TEST_DELAY_ENV: "0.3"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not journal_files(state_dir) or done_units(journal_files(state_dir)[0]) < 3:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        with psycopg.connect(source if side == "source" else target, autocommit=True) as conn:
            killed = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = 'trudeploy-migrate'"
            ).fetchone()[0]
        assert killed >= 1
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    assert proc.returncode == 1, stderr
    failed = json.loads(stdout)
    assert failed["status"] == "failed" and not failed["ok"]
    run_id = journal_files(state_dir)[0].stem
    assert f"--resume {run_id}" in failed["errors"][0]

    done = cli("--from", source, "--to", target, "--resume", run_id, "--json")

    assert done.returncode == 0, done.stderr + done.stdout
    assert report(done)["status"] == "verified"
    assert fingerprint(target) == before
    assert fingerprint(source) == before
