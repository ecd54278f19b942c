"""Bad input and refused preflights: exit 2, one message, nothing written anywhere."""

from __future__ import annotations

import pytest

from tests.migrate_redis.redis_helpers import fill, run_cli


def _refused(tmp_path, target, *args: str) -> str:
    code, report, stderr = run_cli(*args)
    assert code == 2, stderr
    assert report is None
    assert "Traceback" not in stderr
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
