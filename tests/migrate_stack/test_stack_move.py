"""The whole move between real servers with a writer running throughout: every write
acknowledged before the freeze is on the target exactly once, the two sides are equal by a
check that shares no code with the move, and the slot and publication are gone."""

from __future__ import annotations

import json

import psycopg

from migrate import maintenance
from tests.migrate_stack.stack_env import (
    Writer,
    cli,
    objects,
    redis_state,
    replication_leftovers,
    rows,
    tokens,
)


def _move(source, target, env, tmp_path, *extra: str):
    args = [
        "--from-outputs", str(source.outputs(tmp_path / "from.json")),
        "--to-outputs", str(target.outputs(tmp_path / "to.json")),
        "--json", *extra,
    ]  # fmt: skip
    return cli(*args, env=env)


def summary(report: dict) -> str:
    """What went wrong, in a few lines: each part's status, errors and failed checks."""
    lines = [f"stack {report['status']}: {report['errors']}"]
    for name, part in report.get("sections", {}).items():
        bad = [c for c in part["checks"] if not c["ok"]]
        lines.append(f"{name} {part['status']}: {part['errors']} {bad[:5]}")
    return "\n".join(lines)


def assert_moved(source, target, writer: Writer) -> None:
    """The end state of a switched move, checked from the servers alone."""
    on_source = {t for side, t in writer.acked if side == "src"}
    on_target = {t for side, t in writer.acked if side == "dst"}
    landed = tokens(target.database_url)
    assert len(landed) == len(set(landed)), "a write was applied twice"
    assert on_source <= set(landed), "a write acknowledged before the freeze is missing"
    assert rows(source.database_url) == rows(target.database_url, exclude=on_target)
    src_keys = redis_state(source)
    dst_keys = redis_state(target)
    assert src_keys == {k: v for k, v in dst_keys.items() if k[2:].decode() not in on_target}
    src_objects = objects(source)
    assert src_objects == {
        k: v for k, v in objects(target).items() if k.rsplit("/", 1)[-1] not in on_target
    }
    assert replication_leftovers(source.database_url) == (0, 0)
    assert maintenance.status(source.redis_url) is not None  # the old side stays closed
    assert maintenance.status(target.redis_url) is None


def test_move_with_a_writer_throughout(deployment, tmp_path):
    source, target, env = deployment
    writer = Writer([source, target]).start()
    try:
        done = _move(source, target, env, tmp_path)
        if done.returncode == 0:
            writer.wait_for("dst")
    finally:
        writer.stop()
    report = json.loads(done.stdout)
    assert done.returncode == 0, summary(report) + done.stderr[-2000:]
    assert report["status"] == "switched"
    assert set(report["sections"]) >= {"postgres", "redis", "storage"}
    assert {"bulk_s", "catch-up_s", "verify_s", "cutover_s"} <= set(report["timings"])
    assert report["write_unavailable_s"] > 0
    assert_moved(source, target, writer)
    assert any(side == "src" for side, _ in writer.acked)
    assert any(side == "dst" for side, _ in writer.acked), "no write reached the target"
    assert writer.refused > 0  # the writer felt the window
    # sequences were set: the writer's inserts on the target never collided with copied ids
    assert not [f for f in writer.failed if f.startswith("dst")], writer.failed
    with psycopg.connect(target.database_url) as conn:
        (top,) = conn.execute("SELECT max(id) FROM items").fetchone()
    assert top > 3000
