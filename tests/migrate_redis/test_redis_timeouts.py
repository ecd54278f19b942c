"""A server that accepts the connection and never answers: the run fails, naming it, soon.

The peer is a real loopback TCP listener that accepts and stays silent. The command runs in its own
process with a generous outer limit, so a hang fails the test instead of blocking the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.migrate_redis.silent import silent_server

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, *args: str) -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "migrate", "redis", *args, "--json"],
        cwd=ROOT,
        env={**os.environ, "TRUDEPLOY_STATE_DIR": str(tmp_path / "state")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return proc.returncode, " ".join(proc.stderr.split())


@pytest.mark.parametrize("side", ["--from", "--to"])
def test_redis_silent_server_fails_preflight_naming_it(servers, tmp_path, side) -> None:
    source, target = servers
    source.client().set("k", "v")
    with silent_server() as port:
        silent = f"redis://127.0.0.1:{port}"
        urls = {"--from": source.url, "--to": target.url, side: silent}
        code, err = _run(tmp_path, "--from", urls["--from"], "--to", urls["--to"],
                         "--read-timeout", "1", "--connect-timeout", "2")  # fmt: skip
    assert code == 2, err
    assert f"{side} {silent}: connected, but no reply within 1 s (--read-timeout)" in err
    assert "Traceback" not in err
    assert not (tmp_path / "state").exists()


def test_redis_timeouts_must_be_positive(servers, tmp_path) -> None:
    source, target = servers
    code, err = _run(tmp_path, "--from", source.url, "--to", target.url, "--read-timeout", "0")
    assert code == 2
    assert "--read-timeout 0: must be more than 0 seconds" in err


def test_redis_silence_mid_copy_fails_the_run_naming_the_server(servers, tmp_path) -> None:
    """The target stops answering after preflight (SIGSTOP): the copy fails, it does not hang."""
    source, target = servers
    pipe = source.client().pipeline(transaction=False)
    for i in range(20_000):
        pipe.set(f"k{i}", i)
    pipe.execute()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "migrate", "redis", "--from", source.url, "--to",
         target.url, "--read-timeout", "1", "--batch-size", "10", "--jobs", "1", "--json"],
        cwd=ROOT, env={**os.environ, "TRUDEPLOY_STATE_DIR": str(tmp_path / "state")},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        while not target.client().dbsize() and proc.poll() is None:
            pass
        os.kill(target.proc.pid, 19)  # SIGSTOP: the connection stays open, nothing answers
        out, _ = proc.communicate(timeout=60)
    finally:
        os.kill(target.proc.pid, 18)  # SIGCONT
        proc.kill()
    report = json.loads(out)
    assert proc.returncode == 1 and report["status"] == "failed"
    assert report["errors"] == [f"--to {target.url}: no reply within 1 s (--read-timeout)"]
