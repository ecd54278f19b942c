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

import pytest

ROOT = Path(__file__).resolve().parents[2]
EMBEDDED_FILES = [
    "tests/app/test_app_health.py",
    "tests/app/test_app_api.py",
    "tests/app/test_app_submissions.py",
    "tests/app/test_app_storage.py",
    "tests/app/test_app_media_stores.py",
]


def test_app_suite_passes_on_sqlite_and_local_memory_cache():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "ENV", "PYTEST_ADDOPTS"}
    }
    env["TRUDEPLOY_APP_TEST_DB"] = "sqlite"
    env["TRUDEPLOY_APP_TEST_DB_PARENT"] = str(os.getpid())
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


def _clean_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRUDEPLOY_APP")}
    return {**env, **extra}


@pytest.mark.parametrize(
    "extra",
    [
        {"TRUDEPLOY_APP_TEST_DB": "sqlite"},
        {"TRUDEPLOY_APP_TEST_DB": "sqlite", "TRUDEPLOY_APP_TEST_DB_PARENT": "1"},
        {"TRUDEPLOY_APP_TEST_DB": "postgres"},
    ],
)
def test_the_suite_refuses_the_sqlite_switch_outside_its_own_child_run(extra):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", EMBEDDED_FILES[0]],
        cwd=ROOT,
        env=_clean_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 4, result.stdout[-2000:]
    assert "would move the app suite off PostgreSQL and Redis" in result.stdout + result.stderr


def test_ci_refuses_the_sqlite_switch_before_running_anything():
    result = subprocess.run(
        [str(ROOT / ".ci" / "run")],
        cwd=ROOT,
        env=_clean_env(TRUDEPLOY_APP_TEST_DB="sqlite"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "TRUDEPLOY_APP_TEST_DB" in result.stderr
    assert result.stdout == ""
