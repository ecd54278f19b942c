"""An endpoint that accepts connections and never answers: the run fails soon, naming it.

Each command runs in its own process with a generous outer limit, so a hang fails the test rather
than blocking the suite. The silent peers are real: a loopback listener that accepts and says
nothing, and a moto server stopped with SIGSTOP in the middle of a copy.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.migrate_redis.silent import silent_server
from tests.migrate_storage.storage_helpers import objects, put_files, put_s3

ROOT = Path(__file__).resolve().parents[2]


def _cli(tmp_path: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", "migrate", "storage", *args, "--json"]


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "TRUDEPLOY_STATE_DIR": str(tmp_path / "state")}


def test_storage_silent_endpoint_fails_preflight_naming_it(s3, tmp_path) -> None:
    put_files(tmp_path / "src", objects(extra=1))
    with silent_server() as port:
        endpoint = f"http://127.0.0.1:{port}"
        proc = subprocess.run(
            _cli(tmp_path, "--from", f"file://{tmp_path}/src", "--to", "s3://bucket",
                 "--to-endpoint", endpoint, "--read-timeout", "1", "--connect-timeout", "1"),
            cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=90,
        )  # fmt: skip
    err = " ".join(proc.stderr.split())
    assert proc.returncode == 2, err
    assert f"--to s3://bucket/ at {endpoint}: Read timeout on endpoint URL" in err
    assert "(tried 5 times; --connect-timeout 1 s, --read-timeout 1 s)" in err
    assert "Traceback" not in err
    assert not (tmp_path / "state").exists()


def _done(state: Path) -> int:
    for path in (state / "runs").glob("*.sqlite"):
        try:
            with sqlite3.connect(path) as db:
                return db.execute("SELECT count(*) FROM unit WHERE state = 'done'").fetchone()[0]
        except sqlite3.Error:
            return 0
    return 0


def test_storage_endpoint_going_silent_mid_copy_stops_the_run(s3, tmp_path) -> None:
    first, second = s3
    src, dst = first.bucket(), second.bucket()
    data = objects(extra=300)
    put_s3(first.client(), src, "", data)
    proc = subprocess.Popen(
        _cli(tmp_path, "--from", f"s3://{src}", "--to", f"s3://{dst}", "--jobs", "2",
             "--from-endpoint", first.endpoint, "--to-endpoint", second.endpoint,
             "--read-timeout", "3", "--connect-timeout", "3"),
        cwd=ROOT, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        while _done(tmp_path / "state") < 5 and proc.poll() is None:
            pass
        os.kill(second.proc.pid, signal.SIGSTOP)
        out, _ = proc.communicate(timeout=120)
    finally:
        os.kill(second.proc.pid, signal.SIGCONT)
        proc.kill()
    report = json.loads(out)
    assert proc.returncode == 1 and report["status"] == "failed"
    assert len(report["errors"]) == 1
    assert report["errors"][0].startswith(
        f"--to s3://{dst}/ at {second.endpoint} stopped answering: "
    )
    assert report["stats"]["objects_failed"] > 0
