"""GCP-like sides: each Redis is TLS-only with a CA of its own, exported as `redisCaCert`; the
move pins it for every connection of that side (copy, change feed, maintenance switch)."""

from __future__ import annotations

import json
from pathlib import Path

from migrate import maintenance
from tests.migrate_redis.tls_server import make_ca
from tests.migrate_stack.stack_env import cli, redis_state, replication_leftovers


def _files(source, target, tmp_path: Path) -> list[str]:
    return [
        "--from-outputs", str(source.outputs(tmp_path / "from.json")),
        "--to-outputs", str(target.outputs(tmp_path / "to.json")),
    ]  # fmt: skip


def test_move_between_two_sides_with_their_own_redis_ca(tls_deployment, tmp_path):
    source, target, env = tls_deployment
    done = cli(*_files(source, target, tmp_path), "--json", env=env)
    report = json.loads(done.stdout)
    assert done.returncode == 0, json.dumps(report)[-2000:] + done.stderr[-2000:]
    assert report["status"] == "switched"
    part = report["sections"]["redis"]
    assert not part["errors"] and part["checks"], part
    assert all(check["ok"] for check in part["checks"]), part
    assert redis_state(source) == redis_state(target)
    assert len(redis_state(target)) == 302
    src_ca, dst_ca = source.redis.ca_pem, target.redis.ca_pem
    assert maintenance.status(source.redis_url, ca_cert=src_ca) is not None
    assert maintenance.status(target.redis_url, ca_cert=dst_ca) is None
    assert replication_leftovers(source.database_url) == (0, 0)


def test_a_redis_ca_that_does_not_match_is_refused_by_name(tls_deployment, tmp_path):
    source, target, env = tls_deployment
    other, _ = make_ca(tmp_path, "other")
    target.redis_ca = other.read_text()
    done = cli(*_files(source, target, tmp_path), "--dry-run", env=env)
    assert done.returncode == 2, done.stderr
    said = " ".join(done.stderr.split())
    assert "target redisUrl" in said and "not signed by the given server CA" in said
    assert "source redisUrl" not in said
    assert maintenance.status(source.redis_url, ca_cert=source.redis.ca_pem) is None
    assert not (Path(env["TRUDEPLOY_STATE_DIR"]) / "runs").exists()
