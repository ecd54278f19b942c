"""Bad input and refused preflights: exit 2, one message, nothing written anywhere."""

from __future__ import annotations

import pytest

from tests.migrate_redis.redis_helpers import fill, run_cli


def _refused(tmp_path, target, *args: str) -> str:
    code, report, stderr = run_cli(*args)
    assert code == 2, stderr
    assert report is None
    assert "Traceback" not in stderr
    assert stderr.lstrip().startswith("refused "), stderr  # every migrate command's prefix
    assert not (tmp_path / "state").exists(), "a journal was written before preflight passed"
    assert target.client().dbsize() == 0 or args[-1] == "nonempty"
    return " ".join(stderr.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "http://127.0.0.1:1", "--to", "{t}"],
            "--from 'http://127.0.0.1:1' is not a Redis URL",
        ),
        (
            ["--from", "redis://127.0.0.1:1", "--to", "{t}"],
            "--from redis://127.0.0.1:1: cannot connect",
        ),
        (
            ["--from", "{s}", "--to", "redis://:pw@127.0.0.1:1"],
            "--to redis://:***@127.0.0.1:1: cannot connect",
        ),
        (["--from", "{s}", "--to", "{s}"], "are the same server"),
        (["--from", "{s}", "--to", "{t}", "--db", "a,b"], "--db 'a,b': expected comma-separated"),
        (["--from", "{s}", "--to", "{t}", "--db", "99"], "has no database 99"),
        (["--from", "{s}", "--to", "{t}", "--mode", "fast"], "--mode 'fast': expected one of"),
        (["--from", "{s}", "--to", "{t}", "--jobs", "0"], "--jobs 0: must be 1 or more"),
        (
            ["--from", "{s}", "--to", "{t}", "--resume", "redis-nope"],
            "--resume: no run 'redis-nope'",
        ),
    ],
)
def test_redis_refuses_bad_input(servers, tmp_path, args, message) -> None:
    source, target = servers
    fill(source, 0, n_plain=10)
    args = [a.format(s=source.url, t=target.url) for a in args]
    assert message in _refused(tmp_path, target, *args)


def test_redis_refuses_non_empty_target(servers, tmp_path) -> None:
    source, target = servers
    fill(source, 0, n_plain=10)
    target.client().set("already", "here")
    code, _, stderr = run_cli("--from", source.url, "--to", target.url)
    assert code == 2
    assert "database 0 is not empty (1 keys)" in " ".join(stderr.split())
    assert not (tmp_path / "state").exists()
    assert target.client().keys() == [b"already"]


def test_redis_refuses_when_target_memory_is_too_small(servers, tmp_path) -> None:
    source, target = servers
    fill(source, 0, n_plain=20_000)
    target.client().config_set("maxmemory", "1mb")
    try:
        code, _, stderr = run_cli("--from", source.url, "--to", target.url)
    finally:
        target.client().config_set("maxmemory", "0")
    assert code == 2
    assert "bytes free under maxmemory" in " ".join(stderr.split())
    assert target.client().dbsize() == 0


@pytest.fixture
def evicting_target(servers):
    source, target = servers
    c = target.client()
    c.config_set("maxmemory", "512mb")
    c.config_set("maxmemory-policy", "allkeys-lru")
    yield source, target
    c.config_set("maxmemory-policy", "noeviction")
    c.config_set("maxmemory", "0")


def test_redis_refuses_a_target_that_evicts(evicting_target, tmp_path) -> None:
    source, target = evicting_target
    fill(source, 0, n_plain=10)
    message = _refused(tmp_path, target, "--from", source.url, "--to", target.url)
    assert "has maxmemory-policy allkeys-lru" in message
    assert "--allow-evicting-target" in message


def test_redis_copies_to_an_evicting_target_when_allowed_with_a_warning(evicting_target) -> None:
    source, target = evicting_target
    fill(source, 0, n_plain=10)
    code, report, stderr = run_cli(
        "--from", source.url, "--to", target.url, "--allow-evicting-target"
    )
    assert code == 0, stderr
    assert any(line.startswith("WARNING: target maxmemory-policy is allkeys-lru") for line in
               report["preflight"])  # fmt: skip


def test_redis_verify_only_of_an_evicting_target_warns(evicting_target) -> None:
    source, target = evicting_target
    fill(source, 0, n_plain=10)
    assert run_cli("--from", source.url, "--to", target.url, "--allow-evicting-target")[0] == 0
    code, report, stderr = run_cli("--from", source.url, "--to", target.url, "--verify-only")
    assert code == 0, stderr
    assert any(line.startswith("WARNING: target maxmemory-policy") for line in report["preflight"])
