"""The write-unavailable window a dry run expects, from what preflight knows and what the bench
measured (docs/benchmarks.md, `bench/migrate_stack.py`). Only the cutover counts: the bulk copy
and the catch-up run while the source serves. In the cutover the three stores' parts run at
once, so the window is the flag cache, the freeze, and the slowest part."""

from __future__ import annotations

from dataclasses import dataclass

#: Freeze, drain the last changes, sequences, switch: measured 0.1-0.3 s on loopback; rounded up
#: for a provider across a network.
FIXED_S = 0.5
#: The final PostgreSQL verification hashes every row of the frozen source and the target:
#: measured 808 MB in 3.2 s on 2 shared cores (bench/migrate_stack.py).
VERIFY_BYTES_PER_S = 250e6
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
    *,
    cache_seconds: float,
    database_bytes: int,
    redis_keys: int,
    notifications: bool,
    objects: int,
) -> Estimate:
    parts = {
        "postgres drain, sequences, verification": database_bytes / VERIFY_BYTES_PER_S,
        "redis keys written since the bulk copy": 0.1
        + (0 if notifications else 2 * redis_keys / RESCAN_KEYS_PER_S),
        "storage objects added since": 3 * max(1, -(-objects // 1000)) * LIST_PAGE_S,
    }
    seconds = cache_seconds + FIXED_S + max(parts.values())
    return Estimate(round(seconds, 1), {k: round(v, 1) for k, v in parts.items()})
