"""Copy every type, TTLs and several databases between two real redis-servers, both modes."""

from __future__ import annotations

from tests.migrate_redis.redis_helpers import fill, run_cli, snapshot

DBS = (0, 1, 5)


def _fill_source(source) -> dict[int, dict]:
    for db in DBS:
        fill(source, db)
    return {db: snapshot(source, db) for db in DBS}


def _assert_copied(source, target, before: dict[int, dict]) -> None:
    for db in DBS:
        assert snapshot(source, db) == before[db], f"source db{db} changed"
        assert snapshot(target, db) == before[db], f"target db{db} differs"
    assert target.client(3).dbsize() == 0


def test_redis_dump_restore_copies_every_type_ttl_and_database(servers) -> None:
    source, target = servers
    before = _fill_source(source)
    code, report, stderr = run_cli("--from", source.url, "--to", target.url)
    assert code == 0, stderr
    assert report["status"] == "verified" and report["ok"]
    assert report["stats"]["modes"] == {"db0": "dump", "db1": "dump", "db5": "dump"}
    assert report["stats"]["keys_copied"] == sum(len(before[db]) for db in DBS)
    _assert_copied(source, target, before)
    ttl = target.client(5).pttl("ttl:str")
    assert 3_590_000 < ttl <= 3_600_000
    assert target.client().ttl("str") == -1


def test_redis_by_type_mode_copies_every_type(servers) -> None:
    source, target = servers
    before = _fill_source(source)
    code, report, stderr = run_cli("--from", source.url, "--to", target.url, "--mode", "by-type")
    assert code == 0, stderr
    assert set(report["stats"]["modes"].values()) == {"by-type"}
    _assert_copied(source, target, before)
    info = target.client(1).xinfo_stream("stream:emptied")
    assert info["length"] == 0 and info["last-generated-id"] == b"5-5"


def test_redis_chosen_databases_only(servers) -> None:
    source, target = servers
    before = _fill_source(source)
    code, report, _ = run_cli("--from", source.url, "--to", target.url, "--db", "1", "--jobs", "1")
    assert code == 0
    assert report["checks"][0]["subject"] == "db1"
    assert snapshot(target, 1) == before[1]
    assert target.client(0).dbsize() == 0 and target.client(5).dbsize() == 0


def test_redis_dry_run_writes_nothing(servers, tmp_path) -> None:
    source, target = servers
    _fill_source(source)
    code, report, _ = run_cli("--from", source.url, "--to", target.url, "--dry-run")
    assert code == 0 and report["status"] == "planned"
    assert any("copy mode: dump" in line for line in report["preflight"])
    assert target.client().dbsize() == 0
    assert not (tmp_path / "state").exists()
