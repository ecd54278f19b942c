"""Streams: what consumer groups hold is copied in both modes and covered by verification."""

from __future__ import annotations

import pytest

from tests.migrate_redis.redis_helpers import fill, run_cli, snapshot


def _failures(report: dict) -> dict[str, str]:
    return {c["subject"]: c["check"] for c in report["checks"] if not c["ok"]}


TAMPERING = {
    "xack": lambda t: t.xack("stream", "workers", "1003-3"),
    "pending owner": lambda t: t.xclaim("stream", "workers", "carol", 0, ["1003-3"], justid=True),
    "idle consumer": lambda t: t.xgroup_delconsumer("stream", "workers", "idle-carol"),
    "entries-added": lambda t: t.execute_command("XSETID", "stream", "1004-4", "ENTRIESADDED", 9),
    "max-deleted-entry-id": lambda t: t.execute_command(
        "XSETID", "stream", "1004-4", "ENTRIESADDED", 5, "MAXDELETEDID", "1001-0"
    ),
    "entries-read": lambda t: t.xgroup_setid("stream", "audit", "1003-3", entries_read=1),
    "delivery count": lambda t: t.xclaim("stream", "workers", "alice", 0, ["1003-3"]),
}


@pytest.mark.parametrize("change", sorted(TAMPERING))
@pytest.mark.parametrize("mode", ["dump", "by-type"])
def test_redis_verify_covers_consumer_groups(servers, change, mode) -> None:
    source, target = servers
    fill(source, 0, n_plain=10)
    code, report, stderr = run_cli("--from", source.url, "--to", target.url, "--mode", mode)
    assert code == 0, stderr
    TAMPERING[change](target.client())
    code, report, _ = run_cli("--from", source.url, "--to", target.url, "--verify-only")
    assert code == 1, f"{change} on the target verified"
    assert _failures(report) == {"db0 key 'stream'": "value sha256"}


def test_redis_by_type_cannot_rebuild_pending_entries_of_deleted_messages(servers) -> None:
    """No command recreates a pending entry whose message is gone; the run must not say verified."""
    source, target = servers
    c = source.client()
    c.xadd("jobs", {"n": "1"}, id="1-1")
    c.xadd("jobs", {"n": "2"}, id="2-1")
    c.xgroup_create("jobs", "g", id="0")
    c.xreadgroup("g", "w", {"jobs": ">"})
    c.xdel("jobs", "1-1")  # still pending for w
    code, report, _ = run_cli("--from", source.url, "--to", target.url, "--mode", "by-type")
    assert code == 1
    assert report["status"] == "mismatch"
    assert _failures(report) == {"db0 key 'jobs'": "value sha256"}
    # What could be rebuilt was: the message that still exists is pending for the same consumer.
    assert [p["message_id"] for p in target.client().xpending_range("jobs", "g", "-", "+", 10)] == [
        b"2-1"
    ]


def test_redis_by_type_copies_stream_metadata(servers) -> None:
    source, target = servers
    fill(source, 0, n_plain=10)
    code, _, stderr = run_cli("--from", source.url, "--to", target.url, "--mode", "by-type")
    assert code == 0, stderr
    assert snapshot(target, 0)[b"stream"] == snapshot(source, 0)[b"stream"]
    info = target.client().xinfo_stream("stream")
    assert info["entries-added"] == 5 and info["max-deleted-entry-id"] == b"1000-0"
