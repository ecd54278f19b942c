"""kill -9 in the middle of a copy, then --resume: verified objects skipped, the rest copied."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.migrate_storage.storage_helpers import expected_sums, objects, put_s3, run_cli, s3_sums

ROOT = Path(__file__).resolve().parents[2]


def _done_units(state: Path) -> tuple[str | None, int]:
    for path in (state / "runs").glob("*.sqlite"):
        try:
            with sqlite3.connect(path) as db:
                (n,) = db.execute("SELECT count(*) FROM unit WHERE state = 'done'").fetchone()
        except sqlite3.Error:
            continue
        return path.stem, n
    return None, 0


def test_storage_resume_after_kill_9(s3, tmp_path) -> None:
    first, second = s3
    src, dst = first.bucket(), second.bucket()
    data = objects(extra=400)
    put_s3(first.client(), src, "", data)
    before = s3_sums(first.client(), src)
    state = tmp_path / "state"
    sides = ["--from", f"s3://{src}", "--to", f"s3://{dst}",
             "--from-endpoint", first.endpoint, "--to-endpoint", second.endpoint]  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "migrate", "storage", *sides, "--jobs", "2", "--json"],
        cwd=ROOT,
        env={**os.environ, "TRUDEPLOY_STATE_DIR": str(state)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    run_id, done = None, 0
    while done < 20 and time.monotonic() < deadline and proc.poll() is None:
        run_id, done = _done_units(state)
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert run_id, "the copy never marked an object done"
    assert proc.returncode == -signal.SIGKILL, "the copy finished before it could be killed"
    _, done = _done_units(state)
    assert 0 < done < len(data)

    code, report, err = run_cli(*sides, "--resume", run_id)
    assert code == 0, err
    assert report["run_id"] == run_id and report["status"] == "verified"
    assert report["stats"]["objects_skipped"] == done
    assert report["stats"]["objects_streamed"] == len(data) - done
    assert s3_sums(second.client(), dst) == expected_sums(data)
    assert s3_sums(first.client(), src) == before

    # A rerun of the finished run skips everything verified and picks up what is new.
    first.client().put_object(Bucket=src, Key="late.txt", Body=b"added after the copy")
    code, report, err = run_cli(*sides, "--resume", run_id)
    assert code == 0, err
    assert report["stats"]["objects_skipped"] == len(data)
    assert report["stats"]["objects_streamed"] == 1


def test_storage_resume_discards_unfinished_multipart_uploads(s3) -> None:
    server, _ = s3
    src, dst = server.bucket(), server.bucket()
    put_s3(server.client(), src, "", objects(extra=2))
    sides = ["--from", f"s3://{src}", "--to", f"s3://{dst}/m", "--no-server-side",
             "--from-endpoint", server.endpoint, "--to-endpoint", server.endpoint]  # fmt: skip
    code, report, err = run_cli(*sides)
    assert code == 0, err
    assert report["stats"]["objects_streamed"] == len(objects(extra=2))
    # What a kill -9 in the middle of a multipart upload leaves behind: invisible, but billed.
    server.client().create_multipart_upload(Bucket=dst, Key="m/big/half-done.bin")
    code, report, err = run_cli(*sides, "--resume", report["run_id"])
    assert code == 0, err
    assert "discarded 1 unfinished multipart upload(s)" in report["preflight"]
    assert not server.client().list_multipart_uploads(Bucket=dst).get("Uploads")
