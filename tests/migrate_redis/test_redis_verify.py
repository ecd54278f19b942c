"""Verification names the keys that differ and fails the run."""

from __future__ import annotations

from tests.migrate_redis.redis_helpers import fill, run_cli


def _failures(report: dict) -> dict[str, str]:
    return {c["subject"]: c["check"] for c in report["checks"] if not c["ok"]}


def test_redis_verify_names_changed_missing_extra_and_ttl_keys(servers) -> None:
    source, target = servers
    fill(source, 0)
    fill(source, 2)
    assert run_cli("--from", source.url, "--to", target.url)[0] == 0
    t0, t2 = target.client(0), target.client(2)
    t0.hset("hash", "f1", "tampered")
    t0.zadd("zset", {"a": 99})
    t2.delete("list")
    t2.set("extra", "1")
    t2.persist("ttl:str")
    t2.xadd("stream", {"n": "late"}, id="2000-0")
    code, report, _ = run_cli("--from", source.url, "--to", target.url, "--verify-only")
    assert code == 1
    assert report["status"] == "mismatch"
    assert _failures(report) == {
        "db0 key 'hash'": "value sha256",
        "db0 key 'zset'": "value sha256",
        "db2 key 'list'": "missing on target",
        "db2": "list keys",
        "db2 key 'extra'": "only on target",
        "db2 key 'ttl:str'": "ttl (ms)",
        "db2 key 'stream'": "value sha256",
    }


def test_redis_verify_passes_on_equal_data(servers) -> None:
    source, target = servers
    fill(source, 0)
    assert run_cli("--from", source.url, "--to", target.url, "--mode", "by-type")[0] == 0
    code, report, _ = run_cli("--from", source.url, "--to", target.url, "--verify-only")
    assert code == 0 and report["ok"]
