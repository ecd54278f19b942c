"""Everything checked before a byte moves; any refusal is a RedisInputError (exit 2).

Checks: both servers reachable and authorised, not the same server, the target a writable primary
that has every database to copy, each of those databases empty on the target (unless resuming the
run that filled them), enough memory on the target for the data, and a target that does not evict
keys (a maxmemory-policy other than noeviction under a maxmemory limit would silently drop copied
keys; `--allow-evicting-target` accepts it with a warning). It also picks the copy mode:
DUMP/RESTORE when the target's version can load the source's payloads, by-type otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migrate.redis.endpoint import Endpoint, RedisInputError, ServerInfo


@dataclass
class Plan:
    databases: list[int]
    keys: dict[int, int]
    mode: str
    source_version: str
    target_version: str
    estimate_bytes: int
    notes: list[str] = field(default_factory=list)

    @property
    def same_version(self) -> bool:
        return self.source_version == self.target_version

    @property
    def target_major_minor(self) -> tuple[int, int]:
        return _major_minor(self.target_version)

    @property
    def stream_meta(self) -> bool:
        """Whether both servers keep entries-added, max-deleted-entry-id and entries-read."""
        return min(self.target_major_minor, _major_minor(self.source_version)) >= (7, 0)


def _major_minor(version: str) -> tuple[int, int]:
    major, minor, *_ = (int(p) for p in version.split("."))
    return major, minor


def parse_db_list(text: str | None) -> list[int] | None:
    """`--db 0,3` -> [0, 3]; None means every database that holds keys."""
    if text is None or text.strip() == "":
        return None
    try:
        dbs = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise RedisInputError(
            f"--db {text!r}: expected comma-separated database numbers, e.g. 0,1,5"
        ) from None
    if not dbs or any(d < 0 for d in dbs):
        raise RedisInputError(f"--db {text!r}: database numbers are 0 or more")
    return dbs


def preflight(
    source: Endpoint,
    target: Endpoint,
    *,
    databases: list[int] | None,
    mode: str,
    resuming: bool,
    allow_evicting_target: bool = False,
) -> Plan:
    src, dst = source.info(), target.info()
    if src.run_id and src.run_id == dst.run_id:
        raise RedisInputError(
            f"--from and --to are the same server ({source.display}); migrate to another server"
        )
    if dst.role != "master":
        raise RedisInputError(f"--to {target.display} is a read-only {dst.role}; use its primary")
    dbs = databases if databases is not None else sorted(d for d, n in src.keyspace.items() if n)
    notes = [f"source Redis {src.version}, target Redis {dst.version}"]
    for side in (source, target):
        if side.url_db not in (None, "0") and databases is None:
            notes.append(f"the /{side.url_db} in {side.option} is ignored; choose with --db")
    for db in dbs:
        if not target.can_select(db):
            raise RedisInputError(
                f"--to {target.display} has no database {db}; choose databases with --db"
            )
        if not source.can_select(db):
            raise RedisInputError(f"--from {source.display} has no database {db}")
        held = dst.keyspace.get(db, 0)
        if held and not resuming:
            raise RedisInputError(
                f"--to {target.display} database {db} is not empty ({held} keys); migrate into "
                "empty databases, or --resume the run that wrote them"
            )
    keys = {db: src.keyspace.get(db, 0) for db in dbs}
    estimate = _estimate(src, keys)
    free = dst.maxmemory - dst.used_memory if dst.maxmemory else None
    if free is not None and estimate > free and not resuming:
        raise RedisInputError(
            f"--to {target.display} has {free:,} bytes free under maxmemory; the data needs about "
            f"{estimate:,} bytes"
        )
    notes.append(
        f"{sum(keys.values()):,} keys in {len(dbs)} database(s) {dbs}, about {estimate:,} bytes; "
        f"target memory: {'no limit' if free is None else f'{free:,} bytes free'}"
    )
    notes.extend(_eviction(target, dst, allow_evicting_target))
    chosen = _choose_mode(src, dst, mode)
    notes.append(f"copy mode: {chosen}")
    return Plan(dbs, keys, chosen, src.version, dst.version, estimate, notes)


def _eviction(target: Endpoint, dst: ServerInfo, allowed: bool) -> list[str]:
    """Refuse a target that evicts keys under memory pressure; or warn, when told to accept it."""
    if dst.maxmemory_policy == "noeviction":
        return []
    if not dst.maxmemory:
        return [
            f"target maxmemory-policy is {dst.maxmemory_policy} but maxmemory is 0 (no limit): "
            "nothing is evicted unless a limit is set during the copy"
        ]
    if not allowed:
        raise RedisInputError(
            f"--to {target.display} has maxmemory-policy {dst.maxmemory_policy} under a "
            f"{dst.maxmemory:,}-byte maxmemory: it may evict copied keys; set it to noeviction "
            "(CONFIG SET maxmemory-policy noeviction), or pass --allow-evicting-target"
        )
    return [
        f"WARNING: target maxmemory-policy is {dst.maxmemory_policy} under a "
        f"{dst.maxmemory:,}-byte maxmemory (--allow-evicting-target): keys it evicts show as "
        "missing in verification"
    ]


def _estimate(src: ServerInfo, keys: dict[int, int]) -> int:
    """The source's dataset memory, in proportion to the keys being copied."""
    total = sum(src.keyspace.values())
    if not total:
        return 0
    return src.used_memory_dataset * sum(keys.values()) // total


def _choose_mode(src: ServerInfo, dst: ServerInfo, requested: str) -> str:
    """DUMP payloads load on the same or a newer server; an older target needs by-type copy."""
    if requested != "auto":
        return requested
    return "dump" if dst.major_minor >= src.major_minor else "by-type"
