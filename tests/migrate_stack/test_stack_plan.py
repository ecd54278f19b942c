"""--dry-run: preflight of the three stores, the phases and the expected window; nothing written."""

from __future__ import annotations

import json
from pathlib import Path

from migrate import maintenance
from tests.migrate_stack.stack_env import cli, replication_leftovers


def test_dry_run_prints_the_plan_and_the_window_and_writes_nothing(deployment, tmp_path):
    source, target, env = deployment
    files = [
        "--from-outputs", str(source.outputs(tmp_path / "from.json")),
        "--to-outputs", str(target.outputs(tmp_path / "to.json")),
    ]  # fmt: skip
    done = cli(*files, "--dry-run", "--json", env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "planned" and report["dry_run"]
    notes = "\n".join(report["preflight"])
    assert "expected write-unavailable window: about" in notes
    assert "redis:" in notes and "storage:" in notes
    assert 0 < report["stats"]["expected_window_s"] <= report["stats"]["expected_window_rescan_s"]
    assert replication_leftovers(source.database_url) == (0, 0)
    assert maintenance.status(source.redis_url) is None
    assert maintenance.status(target.redis_url) is None
    config = source.redis.client().config_get("notify-keyspace-events")
    assert config["notify-keyspace-events"] == ""
    assert not (Path(env["TRUDEPLOY_STATE_DIR"]) / "runs").exists()
    people = cli(*files, "--dry-run", env=env)
    assert people.returncode == 0
    assert "expected write-unavailable window" in people.stderr
    assert "dry run, nothing written" in people.stderr
