"""A real Celery worker during maintenance: a task that writes goes back to the Redis queue
(never run, never lost) until maintenance ends, then runs once; beat's sweep, which only reads
and queues, keeps running. The flag lives in a private Redis (its key name is fixed)."""

from __future__ import annotations

import json

import psycopg
from test_app_processes import entrypoint, manage_shell, service_env, start, wait_for

from migrate import maintenance

__all__ = ["service_env", "start"]  # fixtures, used by name


def _records(log) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def _checksum(database_url: str, file_id: int) -> str:
    with psycopg.connect(database_url) as conn:
        (sha256,) = conn.execute(
            "SELECT sha256 FROM submissions_manuscriptfile WHERE id = %s", (file_id,)
        ).fetchone()
    return sha256


def _in_broker(client, prefix: str, task_id: str) -> bool:
    """The task's message is in the queue's list or kombu's unacked hash (held by a worker)."""
    queued = client.lrange(f"{prefix}:celery:celery", 0, -1)
    held = client.hvals(f"{prefix}:celery:unacked")
    return any(task_id.encode() in message for message in [*queued, *held])


def test_the_worker_defers_writing_tasks_until_maintenance_ends(service_env, start, private_redis):
    env = {**service_env, "REDIS_URL": private_redis.url, "LOG_LEVEL": "INFO"}
    prefix = env["REDIS_KEY_PREFIX"]
    assert entrypoint("release", env=env).returncode == 0
    file_id = int(
        manage_shell(
            "from django.core.files.base import ContentFile\n"
            "from accounts.models import User\n"
            "from submissions.models import ManuscriptFile, Submission\n"
            "u = User.objects.create_user('w', 'w@example.com', 'pw-123456789')\n"
            "s = Submission.objects.create(owner=u, title='queued')\n"
            "f = ManuscriptFile(submission=s, original_name='a.bin')\n"
            "f.file.save('a.bin', ContentFile(b'x' * 1000))\n"
            "print(f.pk)",
            env,
        )
    )
    maintenance.enter(private_redis.url, "run-worker", retry_after=1)
    try:
        task_id = manage_shell(
            "from submissions.tasks import checksum_file, checksum_pending_files\n"
            f"r = checksum_file.delay({file_id}); checksum_pending_files.delay(); print(r.id)",
            env,
        )
        log = start("worker", "--pool", "solo", env=env)

        def deferrals() -> int:
            return sum(
                r["message"] == "maintenance: task returned to the queue" for r in _records(log)
            )

        # the sweep (defer_in_maintenance=False) runs; it queues checksum_file for the file again
        wait_for(
            lambda: any(r["message"] == "queued pending checksums" for r in _records(log)),
            "the sweep to run during maintenance",
        )
        wait_for(lambda: deferrals() >= 3, "the worker to return the task to the queue 3 times")
        assert _checksum(env["DATABASE_URL"], file_id) == ""
        assert _in_broker(private_redis.client, prefix, task_id)
        assert not any(r["message"] == "checksummed" for r in _records(log))
    finally:
        maintenance.leave(private_redis.url)

    wait_for(lambda: _checksum(env["DATABASE_URL"], file_id), "the checksum after maintenance")
    deferred = [
        r for r in _records(log) if r["message"] == "maintenance: task returned to the queue"
    ]
    assert {r["task"] for r in deferred} == {"submissions.tasks.checksum_file"}
    assert all(r["run_id"] == "run-worker" for r in deferred)
    # the sweep's second checksum_file, queued during maintenance, runs too
    wait_for(
        lambda: sum(r["message"] == "checksummed" for r in _records(log)) == 2,
        "both queued checksums to run once each",
    )


def test_the_services_sessions_carry_its_application_name(service_env):
    """So a cutover can wait, in pg_stat_activity, for writes admitted before the freeze."""
    name = manage_shell(
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute(\"SELECT current_setting('application_name')\")\n"
        "    print(c.fetchone()[0])",
        service_env,
    )
    assert name == "trudeploy-app"
