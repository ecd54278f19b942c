"""`trudeploy dev` says the port is taken before anything else, and exits 2."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_a_taken_port_is_reported_before_serving() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "cli.main", "dev", "--port", str(port), "--no-migrate"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
        )
    assert proc.returncode == 2
    assert f"port {port} on 127.0.0.1 is taken" in proc.stderr
    assert "Serving" not in proc.stdout + proc.stderr
