"""The README's curl walkthrough, run as written against a real ``trudeploy dev``.

The commands are read from the README's fenced block, so the README and this test cannot drift:
the server is started as ``make run`` starts it (``trudeploy dev``) on a free port, with a temp
SQLite database and media directory, and only the README's port is changed.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
README_ADDRESS = "http://127.0.0.1:8000"
# How long the server may take to migrate a fresh database and start on a loaded machine.
START_LIMIT_SECONDS = 120


def walkthrough() -> str:
    """The ```sh block under "### Using the API with curl" in the README."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Using the API with curl\n", 1)[1]
    match = re.search(r"^```sh\n(.*?)^```$", section, re.DOTALL | re.MULTILINE)
    assert match, "the README's walkthrough section has no ```sh block"
    return match.group(1)


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """``trudeploy dev`` on a free port; yields its address and the environment it runs with."""
    env = {key: os.environ[key] for key in ("PATH", "LANG") if key in os.environ}
    env |= {
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    trudeploy = Path(sys.executable).parent / "trudeploy"
    server = subprocess.Popen(
        [str(trudeploy), "dev", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        _wait_until_live(server, f"{address}/api/v1/health/live/", tmp_path / "server.log")
        yield address, env
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_until_live(server: subprocess.Popen, url: str, log: Path) -> None:
    """Poll liveness until it answers; fail with the server's output if it exits or never does."""
    for _ in range(START_LIMIT_SECONDS * 4):
        if server.poll() is not None:
            pytest.fail(f"trudeploy dev exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=0.25)
    pytest.fail(f"trudeploy dev did not answer {url}:\n{log.read_text()}")


def test_the_readme_walkthrough_runs_against_trudeploy_dev(
    dev_server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    address, env = dev_server
    script = walkthrough()
    assert README_ADDRESS in script
    # Run from the repository's root, as the README says; its scratch files go under TMPDIR.
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script.replace(README_ADDRESS, address)],
        cwd=ROOT,
        env={**env, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = (tmp_path / "server.log").read_text()
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\nserver:\n{log}"
    assert result.stdout.splitlines()[-6:] == [
        "submitted -> 200",
        "under_review -> 403",
        "under_review -> 200",
        "accepted -> 200",
        "accepted",
        "downloaded what was uploaded",
    ], result.stdout
    assert "created alice <alice@example.org>: author" in result.stdout
    assert "created rita <rita@example.org>: reviewer" in result.stdout
