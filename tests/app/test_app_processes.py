"""Each process of docker-entrypoint.sh, run for real against PostgreSQL and Redis: release
migrates, web serves through gunicorn, worker consumes the Redis queue, beat starts."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import requests
from app_helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "app" / "docker-entrypoint.sh"
DEADLINE_S = 60


@pytest.fixture
def service_env(make_database, redis_url, redis_prefix, tmp_path) -> dict[str, str]:
    """The env contract for a development-profile service on a throwaway database."""
    path = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"
    return {
        "PATH": path,
        "HOME": str(tmp_path),
        "ENV": "development",
        "DEBUG": "false",
        "DATABASE_URL": make_database("app"),
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": redis_prefix.rstrip(":"),
        "CELERY_EAGER": "false",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "1",
        "CELERY_BEAT_SCHEDULE_FILE": str(tmp_path / "beat-schedule"),
    }


def entrypoint(process: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ENTRYPOINT), process, *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def start(tmp_path) -> Iterator:
    """Start a long-running process through the entry script; stop it (SIGTERM) afterwards.
    Returns the file its stdout goes to."""
    started: list[tuple[subprocess.Popen, Path]] = []

    def launch(process: str, *args: str, env: dict[str, str], name: str = "") -> Path:
        log = tmp_path / f"{name or process}.log"
        # stdout is the log stream under test; stderr (Python warnings) is kept apart.
        child = subprocess.Popen(
            [str(ENTRYPOINT), process, *args],
            env=env,
            stdout=log.open("w"),
            stderr=(tmp_path / f"{name or process}.stderr").open("w"),
        )
        started.append((child, log))
        return log

    launch.started = started
    yield launch
    for child, log in started:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            pytest.fail(f"{log.name}: did not stop on SIGTERM")


def wait_for(condition, what: str):
    """Poll ``condition`` until it returns something truthy, failing after DEADLINE_S."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"gave up waiting for {what}")


def manage_shell(code: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        ["python", "manage.py", "shell", "-c", code],
        cwd=ENTRYPOINT.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_an_unknown_process_is_refused():
    result = entrypoint("serve", env=dict(os.environ))
    assert result.returncode == 64
    assert "web worker beat release" in result.stderr


def test_release_migrates_then_web_serves_through_gunicorn(service_env, start):
    release = entrypoint("release", env=service_env)
    assert release.returncode == 0, release.stderr
    with psycopg.connect(service_env["DATABASE_URL"]) as conn:
        tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables")}
    assert {"accounts_user", "submissions_submission", "submissions_manuscriptfile"} <= tables

    log = start("web", env=service_env)
    base = f"http://127.0.0.1:{service_env['PORT']}"

    def live():
        try:
            return requests.get(f"{base}/api/v1/health/live/", timeout=2)
        except (requests.ConnectionError, requests.Timeout):  # booting (see below)
            return None

    assert wait_for(live, "gunicorn to answer").status_code == 200
    ready = requests.get(f"{base}/api/v1/health/ready/", timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["database"]["status"] == "ok"
    assert ready.json()["checks"]["cache"]["status"] == "ok"
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert any(line["logger"] == "gunicorn.access" for line in lines)


def test_concurrent_release_runs_apply_migrations_once_and_all_succeed(service_env):
    """ECS may start the release step beside several new web tasks at once; the advisory lock
    makes the later runs wait and then find nothing to do instead of failing on the same DDL."""
    runs = [
        subprocess.Popen(
            [str(ENTRYPOINT), "release"],
            env=service_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], errors
    with psycopg.connect(service_env["DATABASE_URL"]) as conn:
        (applied,) = conn.execute(
            "SELECT count(*) FROM django_migrations WHERE app = 'submissions'"
        ).fetchone()
    assert applied >= 1


def test_manage_runs_a_one_off_command(service_env):
    assert entrypoint("release", env=service_env).returncode == 0
    result = entrypoint("manage", "showmigrations", "submissions", env=service_env)
    assert result.returncode == 0, result.stderr
    assert "[X]" in result.stdout


def test_worker_checksums_a_file_queued_through_redis(service_env, start):
    assert entrypoint("release", env=service_env).returncode == 0
    payload = os.urandom(200_000)
    (Path(service_env["HOME"]) / "payload.bin").write_bytes(payload)
    file_id = int(
        manage_shell(
            "from pathlib import Path\n"
            "from django.core.files.base import ContentFile\n"
            "from accounts.models import User\n"
            "from submissions.models import ManuscriptFile, Submission\n"
            "u = User.objects.create_user('w', 'w@example.com', 'pw-123456789')\n"
            "s = Submission.objects.create(owner=u, title='queued')\n"
            "f = ManuscriptFile(submission=s, original_name='payload.bin')\n"
            f"f.file.save('payload.bin', ContentFile(Path('{service_env['HOME']}/payload.bin')"
            ".read_bytes()))\n"
            "print(f.pk)",
            service_env,
        )
    )
    manage_shell(
        f"from submissions.tasks import checksum_file; checksum_file.delay({file_id}); print('q')",
        service_env,
    )

    log = start("worker", "--pool", "solo", env=service_env)

    def recorded():
        with psycopg.connect(service_env["DATABASE_URL"]) as conn:
            row = conn.execute(
                "SELECT size, sha256 FROM submissions_manuscriptfile WHERE id = %s", (file_id,)
            ).fetchone()
        return row if row and row[1] else None

    size, sha256 = wait_for(recorded, "the worker to record the checksum")
    assert size == len(payload)
    assert sha256 == hashlib.sha256(payload).hexdigest()
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert any(record["message"] == "checksummed" for record in records)


def test_beat_starts_on_the_redis_broker(service_env, start):
    log = start("beat", env=service_env)
    wait_for(lambda: "beat: Starting" in log.read_text(), "celery beat to start")
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert records[0]["logger"] == "celery.beat"


def test_a_second_beat_waits_for_the_first_and_takes_over_when_it_stops(service_env, start):
    """Two beats at once (a rollout's overlap): only one holds the Redis lock and schedules; the
    other takes over once the first stops, so the schedule never runs twice."""
    env = {**service_env, "CELERY_BEAT_MAX_LOOP_INTERVAL": "1", "LOG_LEVEL": "INFO"}
    first = start("beat", env=env, name="beat-1")
    wait_for(lambda: "beat: Acquired lock" in first.read_text(), "the first beat to lock")
    second = start("beat", env=env, name="beat-2")
    wait_for(lambda: "beat: Starting" in second.read_text(), "the second beat to start")
    # the second keeps retrying the lock: give it several of its 1 s retries to (wrongly) get it
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        assert "beat: Acquired lock" not in second.read_text()
        time.sleep(0.5)
    holder = next(child for child in _children(start) if child.args[1] == "beat")
    holder.send_signal(signal.SIGTERM)
    holder.wait(timeout=30)
    assert "beat: Releasing lock" in first.read_text()
    wait_for(lambda: "beat: Acquired lock" in second.read_text(), "the second beat to take over")


def _children(start) -> list[subprocess.Popen]:
    """The processes the `start` fixture launched, oldest first."""
    return [child for child, _ in start.started]


def test_liveness_answers_while_a_hung_database_holds_every_request_thread(
    service_env, start, hanging_peer
):
    """One worker, one thread, and a readiness probe stuck on a database that accepted the
    connection and never answers: liveness still answers, from the worker's event loop. gunicorn
    logs at LOG_LEVEL (WARNING here: no access lines, no boot chatter)."""
    env = {
        **service_env,
        "DATABASE_URL": f"postgres://app@127.0.0.1:{hanging_peer.port}/app?connect_timeout=120",
        "HEALTH_CHECK_TIMEOUT": "120",
        "GUNICORN_THREADS": "1",
        "LOG_LEVEL": "WARNING",
    }
    log = start("web", env=env)
    base = f"http://127.0.0.1:{env['PORT']}"

    def live():
        # while gunicorn boots the master's socket accepts but no worker reads yet: on a loaded
        # machine that is a timeout, not a refusal
        try:
            return requests.get(f"{base}/api/v1/health/live/", timeout=2)
        except (requests.ConnectionError, requests.Timeout):
            return None

    assert wait_for(live, "gunicorn to answer").status_code == 200
    kept_alive = requests.Session()
    # Through Django (the query string keeps it off the fast path): the connection stays open.
    assert kept_alive.get(f"{base}/api/v1/health/live/?via=django", timeout=20).status_code == 200
    with ThreadPoolExecutor(1) as pool:
        ready = pool.submit(requests.get, f"{base}/api/v1/health/ready/", timeout=180)
        wait_for(lambda: hanging_peer.accepted, "readiness to dial the hung database")

        during = requests.get(f"{base}/api/v1/health/live/", timeout=20)
        head = requests.head(f"{base}/api/v1/health/live", timeout=20)
        reused = kept_alive.get(f"{base}/api/v1/health/live/", timeout=20)
        still_hung = not ready.done()
        hanging_peer.release()
        after = ready.result()

    assert still_hung
    assert during.status_code == 200
    assert during.json() == {"status": "ok"}
    assert during.headers["Cache-Control"] == "no-store"
    assert head.status_code == 200
    assert head.content == b""
    assert reused.status_code == 200
    assert after.status_code == 503
    assert after.json()["checks"]["database"]["status"] == "error"
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert not [r for r in records if r["logger"].startswith("gunicorn") and r["level"] == "INFO"]
