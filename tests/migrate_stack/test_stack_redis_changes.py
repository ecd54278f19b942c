"""Which Redis keys the cutover copies again: keyspace notifications when the source allows
CONFIG, else a fingerprint re-scan; and the delta copy that makes the target equal."""

from __future__ import annotations

import threading
import time

import redis

from migrate.journal import Journal
from migrate.progress import make_progress
from migrate.redis.endpoint import Endpoint
from migrate.stack.redis_changes import ChangeFeed, merged_flags, rescan
from migrate.stack.redis_side import RedisSide

KEY = b"trudeploy:maintenance"


def _seed(client: redis.Redis, n: int = 200) -> None:
    pipe = client.pipeline()
    for i in range(n):
        pipe.set(f"k:{i}", f"v{i}")
    pipe.hset("h", mapping={"a": "1", "b": "2"})
    pipe.set("ttl", "x", ex=300)
    pipe.execute()


def _side(src, dst) -> RedisSide:
    side = RedisSide(src.url, dst.url, {KEY})
    _, refused = side.preflight(resuming=False)
    assert not refused
    return side


def _dump_all(client: redis.Redis) -> dict[bytes, tuple[bytes | None, bool]]:
    return {k: (client.dump(k), client.pttl(k) > 0) for k in client.scan_iter() if k != KEY}


def test_merged_flags_adds_what_is_missing_and_keeps_the_rest():
    assert merged_flags("") == "AK"
    assert merged_flags("Ex") == "AEKx"
    assert merged_flags("KA") == "KA"
    assert merged_flags("AKE") == "AKE"


def test_the_feed_names_every_acknowledged_write_and_nothing_else(redis_servers):
    src, dst = redis_servers
    _seed(src.client())
    side = _side(src, dst)
    assert "keyspace notifications on" in side.start_feed()
    assert src.client().config_get("notify-keyspace-events")["notify-keyspace-events"]
    journal = Journal.create("stack", {"source": "s", "target": "t"})
    with make_progress(quiet=True) as progress:
        side.bulk(journal, progress)
    client = src.client()
    written: list[bytes] = []
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            key = f"live:{i}".encode()
            client.set(key, i)  # acknowledged here
            written.append(key)
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.3)
    stop.set()
    thread.join()
    client.delete("k:1")
    client.hset("h", "c", "3")
    client.set(KEY, "on")  # the maintenance key never counts as a change
    burst = client.pipeline(transaction=False)
    for i in range(5_000):  # acknowledged just before the cutover asks: still named
        burst.set(f"burst:{i}", i)
    burst.execute()
    written += [f"burst:{i}".encode() for i in range(5_000)]
    changed = side.changed()
    assert side.delta_method == "keyspace notifications"
    keys = changed[0]
    assert set(written) <= keys
    assert {b"k:1", b"h"} <= keys
    assert KEY not in keys
    assert b"k:2" not in keys  # untouched since the bulk copy
    assert sum(side.copy_keys(db, k) for db, k in changed.items()) == len(keys)
    assert _dump_all(client) == _dump_all(dst.client())
    side.close()
    journal.close()
    assert src.client().config_get("notify-keyspace-events")["notify-keyspace-events"] == ""


def test_without_config_rights_the_cutover_rescans_fingerprints(redis_servers):
    src, dst = redis_servers
    admin = src.client()
    admin.acl_setuser("app", enabled=True, passwords=["+pw"], keys=["*"], channels=["*"],
                      commands=["+@all", "-config"])  # fmt: skip
    _seed(admin)
    side = RedisSide(f"redis://app:pw@127.0.0.1:{src.port}", dst.url, {KEY})
    assert not side.preflight(resuming=False)[1]
    assert "re-scans fingerprints" in side.start_feed()
    journal = Journal.create("stack", {"source": "s", "target": "t"})
    with make_progress(quiet=True) as progress:
        side.bulk(journal, progress)
    admin.set("k:3", "changed")
    admin.expire("k:4", 500)
    admin.expire("ttl", 100)  # a TTL shortened: same value, still a change
    admin.delete("k:5")
    admin.set("new", "1")
    dst.client().set(KEY, "on")
    changed = side.changed()
    assert side.delta_method.startswith("fingerprint re-scan")
    assert changed[0] == {b"k:3", b"k:4", b"k:5", b"new", b"ttl"}
    side.copy_keys(0, changed[0])
    assert _dump_all(admin) == _dump_all(dst.client())
    assert dst.client().get(KEY) == b"on"  # the target's own maintenance key is left alone
    side.close()
    journal.close()


def test_rescan_of_equal_sides_finds_nothing(redis_servers):
    src, dst = redis_servers
    for server in (src, dst):
        _seed(server.client(), 50)
    assert rescan(Endpoint(src.url, "s"), Endpoint(dst.url, "t"), 0, {KEY}) == set()


def test_a_dropped_notification_connection_falls_back_to_the_rescan(redis_servers):
    src, dst = redis_servers
    side = _side(src, dst)
    side.start_feed()
    assert side.feed is not None and side.feed.running
    src.client().client_kill_filter(_type="pubsub")
    deadline = time.monotonic() + 5
    while side.feed.running and time.monotonic() < deadline:
        time.sleep(0.05)
    src.client().set("after", "1")
    changed = side.changed()
    assert side.delta_method.startswith("fingerprint re-scan (the keyspace notification")
    assert changed[0] == {b"after"}
    side.close()


def test_a_feed_created_but_never_started_is_not_trusted(redis_servers):
    src, _ = redis_servers
    feed = ChangeFeed(Endpoint(src.url, "s"), [0], {KEY})
    assert not feed.running
    assert not feed.barrier()


def test_the_post_bulk_compare_finds_what_no_notification_names(redis_servers):
    """A key the bulk copy left wrong (here: one the source never had) is not written on the
    source, so no notification names it; the comparison after the bulk copy does."""
    src, dst = redis_servers
    _seed(src.client(), 50)
    side = _side(src, dst)
    side.start_feed()
    dst.client().set("stray", "not on the source")
    journal = Journal.create("stack", {"source": "s", "target": "t"})
    with make_progress(quiet=True) as progress:
        side.bulk(journal, progress)
    changed = side.changed()
    assert side.delta_method == "keyspace notifications"
    assert changed[0] == {b"stray"}
    side.copy_keys(0, changed[0])
    assert _dump_all(src.client()) == _dump_all(dst.client())
    side.close()
    journal.close()
