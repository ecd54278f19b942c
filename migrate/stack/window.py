"""The write-unavailable window a dry run expects, from what preflight knows and what the bench
measured (docs/benchmarks.md, `bench/migrate_stack.py`). Only the cutover's work counts: the bulk
copy and the catch-up run while the source serves."""

from __future__ import annotations

from dataclasses import dataclass

#: Freeze (lock every table), drain the last changes, set sequences, unfreeze: measured ~0.3 s;
#: rounded up for a provider across a network.
FREEZE_AND_DRAIN_S = 1.0
#: One object listing page (1,000 keys) of an S3-compatible store; the storage pass lists each
#: side (source, target, and the target again for its report).
LIST_PAGE_S = 0.1
#: Keys fingerprinted per second per side by the re-scan (Lua SHA-1 over DUMP, batches of 500).
RESCAN_KEYS_PER_S = 50_000


@dataclass(frozen=True)
class Estimate:
    seconds: float
    parts: dict[str, float]


def expected_window(
    *, cache_seconds: float, redis_keys: int, notifications: bool, objects: int
) -> Estimate:
    parts = {
        "maintenance flag reaches every web process": cache_seconds,
        "postgres freeze, drain, sequences, verification": FREEZE_AND_DRAIN_S,
        "redis keys written since the bulk copy": 0.1
        + (0 if notifications else 2 * redis_keys / RESCAN_KEYS_PER_S),
        "storage objects added since": 3 * max(1, -(-objects // 1000)) * LIST_PAGE_S,
    }
    return Estimate(round(sum(parts.values()), 1), parts)
