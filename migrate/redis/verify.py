"""Verify one logical database: key counts, per-type counts, TTLs within a tolerance, values.

Every source key is compared with the target's: same type, both without TTL or TTLs within the
tolerance, and the same value. Values are compared by DUMP payload when both servers run the same
version (cheap, exact); a payload difference, or servers of different versions, falls back to a
type-aware SHA-256 of the value read on each side, because equal data can serialise differently
(e.g. different listpack thresholds). A stream's digest covers its consumer groups too: each
group's position, consumers and pending entries (owner and delivery count), so an XACK or a lost
consumer on the target is a difference. Target keys the source does not have are found by count and
then named by a scan of the target whenever it holds more keys than it shares with the source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from migrate.redis import bytype
from migrate.redis.endpoint import Endpoint
from migrate.redis.wire import Wire, per_key

#: How many offending keys a report names per database; the counts cover the rest.
NAMED = 50


@dataclass
class DatabaseVerdict:
    db: int
    source_keys: int = 0
    target_keys: int = 0
    matched: int = 0  # source keys that exist on the target
    source_types: Counter[str] = field(default_factory=Counter)
    target_types: Counter[str] = field(default_factory=Counter)
    problems: list[tuple[str, str, object, object]] = field(
        default_factory=list
    )  # key, check, s, t
    problem_count: int = 0

    def flag(self, key: bytes, check: str, source: object, target: object) -> None:
        self.problem_count += 1
        if len(self.problems) < NAMED:
            self.problems.append((key.decode(errors="backslashreplace"), check, source, target))


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def verify_database(
    source: Endpoint,
    target: Endpoint,
    db: int,
    *,
    same_version: bool,
    stream_meta: bool,
    ttl_tolerance_ms: int,
    batch_size: int,
    on_keys: Callable[[int], None],
) -> DatabaseVerdict:
    verdict = DatabaseVerdict(db)
    src, dst = source.wire(db), target.wire(db)
    try:
        cursor = b"0"
        seen = 0
        while True:
            cursor, keys = src.call("SCAN", cursor, "COUNT", batch_size)  # type: ignore[misc]
            if keys:
                seen += _compare(
                    src, dst, list(keys), verdict, same_version, stream_meta, ttl_tolerance_ms
                )
                on_keys(len(keys))
            if cursor == b"0":
                break
        verdict.source_keys = seen
        verdict.target_keys = int(dst.call("DBSIZE"))  # type: ignore[arg-type]
        if verdict.target_keys > verdict.matched:
            _name_extra_keys(src, dst, verdict, batch_size)
    finally:
        src.close()
        dst.close()
    return verdict


def _probe(keys: list[bytes], with_dump: bool) -> tuple[bytes, int]:
    return per_key((b"TYPE", b"PTTL", b"DUMP") if with_dump else (b"TYPE", b"PTTL"), keys)


def _compare(
    src: Wire,
    dst: Wire,
    keys: list[bytes],
    verdict: DatabaseVerdict,
    same_version: bool,
    stream_meta: bool,
    tolerance: int,
) -> int:
    width = 3 if same_version else 2
    payload, count = _probe(keys, same_version)
    src.write(payload)
    dst.write(payload)
    a, b = src.read(count), dst.read(count)
    seen = 0
    to_digest: list[bytes] = []
    for i, key in enumerate(keys):
        s_type, s_ttl = _text(a[i * width]), a[i * width + 1]
        t_type, t_ttl = _text(b[i * width]), b[i * width + 1]
        if s_type == "none":
            continue  # expired or deleted on the source since the scan returned it
        seen += 1
        verdict.source_types[s_type] += 1
        if t_type != "none":
            verdict.target_types[t_type] += 1
            verdict.matched += 1
        if t_type == "none":
            if not (0 <= int(s_ttl) <= tolerance):  # type: ignore[call-overload]
                verdict.flag(key, "missing on target", s_type, "none")
            continue
        if s_type != t_type:
            verdict.flag(key, "type", s_type, t_type)
            continue
        s_ttl, t_ttl = int(s_ttl), int(t_ttl)  # type: ignore[call-overload]
        if (s_ttl < 0) != (t_ttl < 0) or abs(s_ttl - t_ttl) > tolerance:
            verdict.flag(key, "ttl (ms)", s_ttl, t_ttl)
        if not same_version or a[i * width + 2] != b[i * width + 2]:
            to_digest.append(key)
    if to_digest:
        s_vals = {v.key: v for v in bytype.read_values(src, to_digest)}
        t_vals = {v.key: v for v in bytype.read_values(dst, to_digest)}
        for key in to_digest:
            s_val, t_val = s_vals.get(key), t_vals.get(key)
            if s_val is None:
                continue
            s_sum = bytype.digest(s_val, stream_meta)
            t_sum = bytype.digest(t_val, stream_meta) if t_val else None
            if s_sum != t_sum:
                verdict.flag(key, "value sha256", s_sum[:16], (t_sum or "none")[:16])
    return seen


def _name_extra_keys(src: Wire, dst: Wire, verdict: DatabaseVerdict, batch_size: int) -> None:
    cursor = b"0"
    while True:
        cursor, keys = dst.call("SCAN", cursor, "COUNT", batch_size)
        if keys:
            exists = src.batch([["EXISTS", k] for k in keys])
            for key, found in zip(keys, exists, strict=True):
                if found == 0:
                    verdict.flag(key, "only on target", "none", "present")
        if cursor == b"0":
            break
