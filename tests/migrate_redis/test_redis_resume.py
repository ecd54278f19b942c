"""kill -9 in the middle of a copy, then --resume: every key once, verification passes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.migrate_redis.redis_helpers import fill, run_cli, snapshot

ROOT = Path(__file__).resolve().parents[2]


def _cursor_recorded(state: Path) -> str | None:
    """The run id once its journal holds a SCAN cursor that is not the end of the database."""
    for path in (state / "runs").glob("*.sqlite"):
        try:
            with sqlite3.connect(path) as db:
                rows = db.execute("SELECT state FROM unit").fetchall()
        except sqlite3.Error:
            continue
        if any(r[0] == "copying" for r in rows):
            return path.stem
    return None


def test_redis_resume_after_kill_9(servers, tmp_path) -> None:
    source, target = servers
    fill(source, 0, n_plain=30_000)
    fill(source, 4, n_plain=10_000)
    before = {db: snapshot(source, db) for db in (0, 4)}
    state = tmp_path / "state"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli.main",
            "migrate",
            "redis",
            "--from",
            source.url,
            "--to",
            target.url,
            "--batch-size",
            "50",
            "--jobs",
            "1",
            "--json",
        ],
        cwd=ROOT,
        env={**os.environ, "TRUDEPLOY_STATE_DIR": str(state)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    run_id = None
    while run_id is None and time.monotonic() < deadline and proc.poll() is None:
        run_id = _cursor_recorded(state)
        time.sleep(0.01)
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert run_id, "the copy never recorded a cursor"
    assert proc.returncode == -signal.SIGKILL, "the copy finished before it could be killed"
    copied = target.client(0).dbsize() + target.client(4).dbsize()
    assert 0 < copied < sum(len(b) for b in before.values())

    code, report, stderr = run_cli("--from", source.url, "--to", target.url, "--resume", run_id)
    assert code == 0, stderr
    assert report["run_id"] == run_id and report["status"] == "verified"
    for db in (0, 4):
        assert snapshot(target, db) == before[db]
        assert snapshot(source, db) == before[db]


def test_redis_resume_refuses_other_servers(servers, tmp_path) -> None:
    source, target = servers
    fill(source, 0, n_plain=10)
    code, report, _ = run_cli("--from", source.url, "--to", target.url)
    assert code == 0
    other = source.url.replace("127.0.0.1", "localhost")
    code, _, stderr = run_cli("--from", other, "--to", target.url, "--resume", report["run_id"])
    assert code == 2
    assert "that run copied" in " ".join(stderr.split())
