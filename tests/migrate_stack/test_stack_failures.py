"""Refusals before anything is written, rollback on a failed verification or switch hook,
kill -9 in every phase then --resume, and --abort."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import psycopg
import pytest

from migrate import maintenance
from migrate.stack.move import TEST_PAUSE_ENV
from tests.migrate_stack.stack_env import (
    Writer,
    cli,
    kill_at,
    replication_leftovers,
    start_cli,
)
from tests.migrate_stack.test_stack_move import assert_moved, summary


def _files(source, target, tmp_path: Path) -> list[str]:
    return [
        "--from-outputs", str(source.outputs(tmp_path / "from.json")),
        "--to-outputs", str(target.outputs(tmp_path / "to.json")),
    ]  # fmt: skip


def _run_id(env: dict[str, str]) -> str:
    (journal,) = (Path(env["TRUDEPLOY_STATE_DIR"]) / "runs").glob("*.sqlite")
    return journal.stem


def test_every_refusal_of_the_three_stores_at_once(deployment, tmp_path):
    source, target, env = deployment
    with psycopg.connect(source.database_url) as conn:
        conn.execute("CREATE TABLE nokey (a int, b text)")  # no key, no replica identity
    target.redis.client().set("left:over", "1")
    target.moto.client().put_object(Bucket=target.bucket, Key="media/old.txt", Body=b"x")
    done = cli(*_files(source, target, tmp_path), env=env)
    assert done.returncode == 2, done.stderr
    refused = [line for line in done.stderr.splitlines() if line.startswith("refused")]
    assert any("postgres:" in line and "nokey" in line for line in refused), done.stderr
    assert any("redis:" in line and "not empty" in line for line in refused), done.stderr
    assert any("storage:" in line and "not empty" in line for line in refused), done.stderr
    # nothing created on either side, no run journaled
    assert replication_leftovers(source.database_url) == (0, 0)
    with psycopg.connect(target.database_url) as conn:
        assert (
            conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
            == 0
        )
    assert maintenance.status(source.redis_url) is None
    assert maintenance.status(target.redis_url) is None
    assert target.redis.client().keys("*") == [b"left:over"]
    config = source.redis.client().config_get("notify-keyspace-events")
    assert config["notify-keyspace-events"] == ""
    assert not (Path(env["TRUDEPLOY_STATE_DIR"]) / "runs").exists()


def test_a_failed_verification_rolls_back(deployment, tmp_path):
    source, target, env = deployment
    writer = Writer([source, target]).start()
    proc = start_cli(*_files(source, target, tmp_path), "--json",
                     env={**env, TEST_PAUSE_ENV: "cutover=3"})  # fmt: skip
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "paused at cutover" in line:
                # the target's schema diverges while the source is frozen (rows were verified
                # before the cutover; the cutover checks schema and sequences): caught
                with psycopg.connect(target.database_url) as conn:
                    conn.execute("CREATE INDEX stray ON items (n)")
                break
        out, _ = proc.communicate(timeout=300)
    finally:
        time.sleep(1.5)  # let the writer see the source open again
        writer.stop()
    report = json.loads(out)
    assert proc.returncode == 1, summary(report)
    assert report["status"] == "rolled-back"
    assert any("verification failed: postgres" in e for e in report["errors"]), summary(report)
    assert maintenance.status(source.redis_url) is None  # the source serves writes again
    assert maintenance.status(target.redis_url) is not None  # nothing switched
    assert not any(side == "dst" for side, _ in writer.acked)
    with psycopg.connect(source.database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO items (token, n) VALUES (gen_random_uuid(), 1)")


def test_a_failing_switch_command_rolls_back(deployment, tmp_path):
    source, target, env = deployment
    done = cli(*_files(source, target, tmp_path), "--json", "--switch-command", "false", env=env)
    report = json.loads(done.stdout)
    assert done.returncode == 1
    assert report["status"] == "rolled-back"
    assert any("--switch-command exited 1" in e for e in report["errors"])
    assert maintenance.status(source.redis_url) is None
    assert maintenance.status(target.redis_url) is not None


@pytest.mark.parametrize("phase", ["bulk", "catch-up", "verify", "cutover"])
def test_kill_9_in_each_phase_then_resume(deployment, tmp_path, phase):
    source, target, env = deployment
    writer = Writer([source, target]).start()
    try:
        proc = start_cli(*_files(source, target, tmp_path), env={**env, TEST_PAUSE_ENV: phase})
        kill_at(proc, phase)
        assert maintenance.status(target.redis_url) is not None  # closed from the first write
        run_id = _run_id(env)
        time.sleep(0.5)  # the writer keeps writing to whichever side is open meanwhile
        killed = time.monotonic()
        done = cli(*_files(source, target, tmp_path), "--json", "--resume", run_id, env=env)
        resumed_for = time.monotonic() - killed
    finally:
        writer.stop()
    report = json.loads(done.stdout)
    assert done.returncode == 0, summary(report) + done.stderr[-2000:]
    assert report["run_id"] == run_id and report["status"] == "switched"
    if phase == "cutover":  # the window opened before the kill and closed in the resumed run
        assert report["write_unavailable_s"] > resumed_for - 1.0
    assert_moved(source, target, writer)
    config = source.redis.client().config_get("notify-keyspace-events")
    assert config["notify-keyspace-events"] == ""  # put back as it was


def test_abort_drops_the_slot_and_publication_and_opens_the_source(deployment, tmp_path):
    source, target, env = deployment
    proc = start_cli(*_files(source, target, tmp_path), env={**env, TEST_PAUSE_ENV: "cutover"})
    kill_at(proc, "cutover")
    assert replication_leftovers(source.database_url) != (0, 0)
    assert maintenance.status(source.redis_url) is not None
    run_id = _run_id(env)
    done = cli(*_files(source, target, tmp_path), "--json", "--abort", run_id, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "aborted"
    assert replication_leftovers(source.database_url) == (0, 0)
    assert maintenance.status(source.redis_url) is None
    config = source.redis.client().config_get("notify-keyspace-events")
    assert config["notify-keyspace-events"] == ""
    again = cli(*_files(source, target, tmp_path), "--resume", run_id, env=env)
    assert again.returncode == 2 and "aborted" in again.stderr


def test_a_writer_blocked_by_the_freeze_is_not_acknowledged_twice(deployment, tmp_path):
    """A write admitted just before the flag took effect waits on the freeze's lock: it either
    lands before the drain (and is copied once) or fails; it never lands on both sides twice."""
    source, target, env = deployment
    results: list[str] = []

    def slow_writer() -> None:
        time.sleep(0.2)
        with psycopg.connect(source.database_url, autocommit=True) as conn:
            try:
                conn.execute("SELECT pg_sleep(0.1)")
                conn.execute("INSERT INTO items (token, n) VALUES (gen_random_uuid(), -99)")
                results.append("acked")
            except psycopg.Error as exc:
                results.append(type(exc).__name__)

    thread = threading.Thread(target=slow_writer)
    proc = start_cli(*_files(source, target, tmp_path), "--json",
                     env={**env, TEST_PAUSE_ENV: "cutover=1"})  # fmt: skip
    assert proc.stderr is not None
    for line in proc.stderr:
        if "paused at cutover" in line:
            thread.start()
            break
    out, _ = proc.communicate(timeout=300)
    thread.join()
    assert json.loads(out)["status"] == "switched", summary(json.loads(out))
    with psycopg.connect(target.database_url) as conn:
        landed = conn.execute("SELECT count(*) FROM items WHERE n = -99").fetchone()[0]
    assert landed == (1 if results == ["acked"] else 0), results
    with psycopg.connect(source.database_url) as conn:
        assert conn.execute("SELECT count(*) FROM items WHERE n = -99").fetchone()[0] == landed


def test_rows_that_differ_before_the_cutover_stop_the_move_with_the_source_serving(
    deployment, tmp_path
):
    source, target, env = deployment
    proc = start_cli(*_files(source, target, tmp_path), "--json",
                     env={**env, TEST_PAUSE_ENV: "verify=2"})  # fmt: skip
    assert proc.stderr is not None
    for line in proc.stderr:
        if "paused at verify" in line:
            with psycopg.connect(target.database_url) as conn:
                conn.execute("UPDATE items SET n = -1 WHERE id = 7")
            break
    out, _ = proc.communicate(timeout=300)
    report = json.loads(out)
    assert proc.returncode == 1, summary(report)
    assert report["status"] == "failed"
    assert any("verification before the cutover" in e for e in report["errors"])
    assert any(not c["ok"] for c in report["sections"]["postgres"]["checks"])
    assert maintenance.status(source.redis_url) is None  # never closed: writes went on
    assert maintenance.status(target.redis_url) is not None
