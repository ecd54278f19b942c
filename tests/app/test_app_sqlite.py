"""The same app tests again on the embedded default: SQLite and the local-memory cache.

pytest-django keeps one test database per session, so the embedded run is a second pytest
session in a child process with ``TRUDEPLOY_APP_TEST_DB=sqlite`` (see conftest.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EMBEDDED_FILES = [
    "tests/app/test_app_health.py",
    "tests/app/test_app_api.py",
    "tests/app/test_app_submissions.py",
    "tests/app/test_app_storage.py",
]


def test_app_suite_passes_on_sqlite_and_local_memory_cache():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "ENV", "PYTEST_ADDOPTS"}
    }
    env["TRUDEPLOY_APP_TEST_DB"] = "sqlite"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *EMBEDDED_FILES],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert re.fullmatch(r"\d+ passed in [\d.]+s( \(.*\))?", summary), summary
