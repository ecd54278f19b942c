"""The write-unavailable window a dry run expects, from what preflight knows and what the bench
measured (docs/benchmarks.md, `bench/migrate_stack.py`). Only the cutover counts: the bulk copy
and the catch-up run while the source serves. In the cutover the three stores' parts run at
once, so the window is the flag cache, the freeze, and the slowest part."""

from __future__ import annotations

from dataclasses import dataclass

#: Freeze and switch: measured 0.01-0.1 s on loopback (bench/migrate_stack.py, docs/benchmarks.md).
FIXED_S = 0.2
#: PostgreSQL inside the freeze: drain, sequences, schema and sequence checks (the rows were
#: verified before the cutover): measured 0.52 s at 107 MB and 0.56 s at 1,019 MB.
POSTGRES_S = 0.6
#: Redis inside the freeze with notifications: the barrier, the keys written since, their check:
#: measured 0.10-0.18 s.
REDIS_S = 0.2
#: The storage pass: sessions and bucket checks (measured 0.67-0.78 s with 200 objects), plus one
#: listing page (1,000 keys) per side and the target's again for its report.
STORAGE_S = 0.6
LIST_PAGE_S = 0.1
#: Keys fingerprinted per second per side by the re-scan (Lua SHA-1 over DUMP, batches of 500).
RESCAN_KEYS_PER_S = 50_000
#: The verification before the cutover (outside the window): measured 1,019 MB in 5.0 s.
VERIFY_BYTES_PER_S = 200e6


@dataclass(frozen=True)
class Estimate:
    seconds: float
    parts: dict[str, float]


def expected_window(
    *,
    cache_seconds: float,
    redis_keys: int,
    notifications: bool,
    objects: int,
) -> Estimate:
    """The window does not depend on the database's size: its rows are verified before."""
    parts = {
        "postgres drain, sequences, schema": POSTGRES_S,
        "redis keys written since the bulk copy": REDIS_S
        + (0 if notifications else 2 * redis_keys / RESCAN_KEYS_PER_S),
        "storage objects added since": STORAGE_S + 3 * max(1, -(-objects // 1000)) * LIST_PAGE_S,
    }
    seconds = cache_seconds + FIXED_S + max(parts.values())
    return Estimate(round(seconds, 1), {k: round(v, 1) for k, v in parts.items()})


def verify_seconds(database_bytes: int) -> float:
    """How long the verification before the cutover should take (the source serving)."""
    return round(database_bytes / VERIFY_BYTES_PER_S, 1)
