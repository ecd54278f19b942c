"""A target that cannot load the source's DUMP payloads: the copy falls back to by-type.

Both test servers run the same version, so the payloads are made to look like a newer server's
(the RDB version in each payload's footer raised past what the target reads, as Redis 7.2+ writes
for a 7.0 target). The refusal and everything after it are the real target's.
"""

from __future__ import annotations

import struct

import pytest

from migrate.redis import copy as redis_copy
from tests.migrate_redis.redis_helpers import fill, run_cli, snapshot


def _from_the_future(dumps: list[tuple[bytes, bytes, int]]) -> list[tuple[bytes, bytes, int]]:
    """Each payload ends with a 2-byte RDB version and an 8-byte CRC64; claim version 99."""
    return [(k, p[:-10] + struct.pack("<H", 99) + p[-8:], t) for k, p, t in dumps]


def test_redis_falls_back_to_by_type_when_payloads_are_refused(
    servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, target = servers
    fill(source, 0)
    fill(source, 3)
    before = {db: snapshot(source, db) for db in (0, 3)}
    real_dump = redis_copy.dump_batch
    monkeypatch.setattr(
        redis_copy, "dump_batch", lambda wire, keys: _from_the_future(real_dump(wire, keys))
    )
    code, report, stderr = run_cli("--from", source.url, "--to", target.url)
    assert code == 0, stderr
    assert report["stats"]["modes"] == {"db0": "by-type", "db3": "by-type"}
    assert any("copied by type" in line for line in report["preflight"])
    for db in (0, 3):
        assert snapshot(target, db) == before[db]
