"""TTLs travel as deadlines: a key that expires in flight is not written, and none is stretched.

The writer is held back (a real sleep before each batch is applied, as a slow network or large
keys would) so that keys read with a TTL reach the target after, or close to, their deadline.
"""

from __future__ import annotations

import time

import pytest

from migrate.redis import copy as redis_copy
from migrate.redis.endpoint import Endpoint
from tests.migrate_redis.redis_helpers import fill, run_cli

HELD_S = 1.5


@pytest.fixture
def slow_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    real_apply = redis_copy.DatabaseCopy._apply

    def held(self, wire, batch) -> None:
        time.sleep(HELD_S)
        real_apply(self, wire, batch)

    monkeypatch.setattr(redis_copy.DatabaseCopy, "_apply", held)


@pytest.mark.parametrize("mode", ["dump", "by-type"])
def test_redis_key_expiring_in_flight_does_not_reach_the_target(servers, slow_writer, mode) -> None:
    source, target = servers
    fill(source, 0, n_plain=10)
    c = source.client()
    c.set("brief", "gone before it lands", px=300)
    c.hset("brief:hash", "f", "v")
    c.pexpire("brief:hash", 300)
    code, _, stderr = run_cli("--from", source.url, "--to", target.url, "--mode", mode)
    assert code == 0, stderr
    t = target.client()
    # Under the bug (relative TTL, or `RESTORE key 0` for a PTTL of 0) they would still be here,
    # with a fresh TTL or none at all.
    assert t.exists("brief", "brief:hash") == 0
    assert t.exists("str") == 1


@pytest.mark.parametrize("mode", ["dump", "by-type"])
def test_redis_ttls_are_not_stretched_by_the_time_in_flight(servers, slow_writer, mode) -> None:
    source, target = servers
    fill(source, 0, n_plain=10)
    code, _, stderr = run_cli("--from", source.url, "--to", target.url, "--mode", mode)
    assert code == 0, stderr
    for key in ("ttl:str", "hash", "zset"):
        s_ttl = source.client().pttl(key)
        t_ttl = target.client().pttl(key)  # read after the source: can only be lower if equal
        assert 0 < t_ttl <= s_ttl + 100, f"{key}: target {t_ttl} ms, source {s_ttl} ms"


def test_redis_restore_of_a_key_with_no_time_left_deletes_it(servers) -> None:
    """The PTTL-0 case at the RESTORE itself: a deadline already reached is never `RESTORE 0`."""
    source, target = servers
    source.client().set("k", "v")
    payload = source.client().dump("k")
    target.client().set("k", "stale from an earlier attempt")
    endpoint = Endpoint(target.url, "--to")
    wire = endpoint.wire(0)
    try:
        assert redis_copy.restore_batch(wire, [(b"k", payload, time.time() * 1000)]) == []
    finally:
        wire.close()
        endpoint.close()
    assert target.client().exists("k") == 0


def _failures(report: dict) -> dict[str, str]:
    return {c["subject"]: c["check"] for c in report["checks"] if not c["ok"]}


@pytest.mark.parametrize(("moved_ms", "flagged"), [(20_000, True), (-20_000, True), (1_000, False)])
def test_redis_verify_compares_ttls_within_the_tolerance(servers, moved_ms, flagged) -> None:
    source, target = servers
    source.client().set("k", "v", ex=3600)
    source.client().set("plain", "v")
    assert run_cli("--from", source.url, "--to", target.url)[0] == 0
    t = target.client()
    t.pexpire("k", t.pttl("k") + moved_ms)
    code, report, _ = run_cli("--from", source.url, "--to", target.url, "--verify-only")
    if flagged:
        assert code == 1
        assert _failures(report) == {"db0 key 'k'": "ttl (ms)"}
    else:
        assert code == 0, _failures(report)
