"""kill -9 in each phase of an online copy, then `--resume` (or `--abort`), with the writer running
throughout: the same end state as an uninterrupted run, and nothing left on either server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from online_helpers import Writer, check_writes_landed, leftovers
from pg_helpers import cli, done_units, fingerprint, journal_files, report
from test_pg_online import prepare

REPO = Path(__file__).resolve().parents[2]


def _start(source: str, target: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli.main",
            "migrate",
            "postgres",
            "--online",
            "--json",
            "--jobs",
            "2",
            "--from",
            source,
            "--to",
            target,
        ],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(condition: Callable[[], bool], process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        assert process.poll() is None, f"the run ended (exit {process.returncode}) before {what}"
        assert time.monotonic() < deadline, f"never reached {what}"
        time.sleep(0.05)


def _journal_has(state: Path, name: str) -> bool:
    import sqlite3

    files = journal_files(state)
    if not files:
        return False
    try:
        with sqlite3.connect(f"file:{files[0]}?mode=ro", uri=True, timeout=5) as db:
            row = db.execute("SELECT state FROM unit WHERE name = ?", (name,)).fetchone()
    except sqlite3.OperationalError:
        return False
    return row is not None and row[0] == "done"


def _applied_a_batch(target: str) -> bool:
    with psycopg.connect(target) as conn:
        return bool(
            conn.execute(
                "SELECT 1 FROM pg_class WHERE relname = 'progress' AND relnamespace = "
                "(SELECT oid FROM pg_namespace WHERE nspname = 'trudeploy_online')"
            ).fetchone()
        ) and bool(conn.execute("SELECT 1 FROM trudeploy_online.progress").fetchone())


def _frozen(source: str) -> bool:
    with psycopg.connect(source) as conn:
        return bool(
            conn.execute(
                "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.mode = 'ExclusiveLock' AND l.granted AND l.locktype = 'relation' "
                "AND a.application_name = 'trudeploy-migrate'"
            ).fetchone()
        )


PHASES = {
    # phase: (test hook, the moment to kill)
    "bulk copy": (
        {"TRUDEPLOY_PG_TEST_UNIT_DELAY": "1"},
        lambda state, source, target: (
            bool(journal_files(state)) and done_units(journal_files(state)[0]) >= 1
        ),
    ),
    "catch-up": (
        {"TRUDEPLOY_PG_TEST_APPLY_DELAY": "2"},
        lambda state, source, target: (
            _journal_has(state, "online:bulk") and _applied_a_batch(target)
        ),
    ),
    "cutover": (
        {"TRUDEPLOY_PG_TEST_FREEZE_DELAY": "5"},
        lambda state, source, target: _journal_has(state, "online:verified") and _frozen(source),
    ),
}


@pytest.mark.parametrize("phase", list(PHASES))
def test_kill_then_resume(phase: str, online_pair: tuple[str, str], state_dir: Path) -> None:
    source, target = online_pair
    prepare(source)
    hook, moment = PHASES[phase]
    writer = Writer(source, rate=30)
    writer.load()
    writer.start()
    try:
        process = _start(source, target, hook)
        _wait(lambda: moment(state_dir, source, target), process, phase)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        time.sleep(1)  # the writer goes on against the source, unfrozen by the kill
        run_id = journal_files(state_dir)[0].stem
        done = cli("--online", "--resume", run_id, "--from", source, "--to", target, "--json")
    finally:
        time.sleep(0.5)
        writer.stop()
    result = report(done)
    failed = [c for c in result["checks"] if not c["ok"]]
    assert done.returncode == 0, f"{done.stderr} {result['errors']} {failed}"
    check_writes_landed(writer, target)
    assert fingerprint(target) == fingerprint(source)
    assert leftovers(source, target) == {"slots": [], "publications": [], "progress": []}


def test_abort_drops_slot_and_publication(online_pair: tuple[str, str], state_dir: Path) -> None:
    source, target = online_pair
    prepare(source)
    process = _start(source, target, {"TRUDEPLOY_PG_TEST_APPLY_DELAY": "2"})
    writer = Writer(source, rate=30)
    writer.start()
    try:
        _wait(lambda: _applied_a_batch(target), process, "catch-up")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        writer.stop()
    found = leftovers(source, target)
    assert found["slots"] and found["publications"] and found["progress"], found
    run_id = journal_files(state_dir)[0].stem
    done = cli("--online", "--abort", run_id, "--from", source, "--to", target, "--json")
    assert done.returncode == 0, done.stderr
    assert report(done)["status"] == "aborted"
    assert leftovers(source, target) == {"slots": [], "publications": [], "progress": []}
    again = cli("--online", "--abort", run_id, "--from", source, "--to", target, "--json")
    assert again.returncode == 0 and report(again)["stats"]["dropped"] == []
