"""The Redis part of a stack move: the existing per-database copy for the bulk, then at cutover
only the keys that changed since (see `redis_changes`), and a verification sized to that delta.

The app's maintenance key is never copied nor compared: each side holds its own, set and cleared
by the move itself.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from rich.progress import Progress

from migrate.journal import Journal
from migrate.redis import bytype
from migrate.redis.copy import CopyError, DatabaseCopy, dump_batch, restore_batch
from migrate.redis.endpoint import Endpoint, RedisInputError
from migrate.redis.preflight import Plan, preflight
from migrate.redis.wire import Wire
from migrate.report import Report
from migrate.stack.redis_changes import ChangeFeed, differs, fingerprints, rescan

BATCH = 500


class RedisSide:
    """Both Redis servers of the move; `exclude` holds the maintenance key's name."""

    def __init__(
        self,
        source_url: str,
        target_url: str,
        exclude: set[bytes],
        *,
        source_ca: str | None = None,
        target_ca: str | None = None,
    ) -> None:
        # Every connection of a side (copy, change feed, rescan, verify) comes from its Endpoint,
        # so pinning the CA here pins it everywhere.
        self.source = Endpoint(source_url, "source redisUrl", ca_cert=source_ca)
        self.target = Endpoint(target_url, "target redisUrl", ca_cert=target_ca)
        self.exclude = exclude
        self.plan: Plan | None = None
        self.feed: ChangeFeed | None = None
        self.delta_method = ""
        #: Keys the post-bulk comparison found different: copied again at cutover, then checked.
        self.pending: dict[int, set[bytes]] = {}

    def preflight(self, *, resuming: bool) -> tuple[list[str], list[str]]:
        """(notes, refusals): the per-store preflight, plus the database the app itself uses,
        which must be copied even while it is still empty on the source."""
        try:
            plan = preflight(
                self.source, self.target, databases=None, mode="auto", resuming=resuming
            )
            app_db = int(self.source.url_db or 0)
            if app_db not in plan.databases:
                plan.databases = sorted([*plan.databases, app_db])
                plan.keys[app_db] = 0
        except RedisInputError as exc:
            return [], [f"redis: {exc}"]
        self.plan = plan
        return [f"redis: {n}" for n in plan.notes], []

    def start_feed(self) -> str:
        """Listen for source writes from now on; the note says which delta method the cutover
        will use."""
        assert self.plan is not None
        self.feed = ChangeFeed(self.source, self.plan.databases, self.exclude)
        self.feed.start()
        if self.feed.unavailable:
            return f"redis: {self.feed.unavailable}; the cutover re-scans fingerprints instead"
        return "redis: keyspace notifications on; the cutover copies only the keys written since"

    def bulk(self, journal: Journal, progress: Progress) -> int:
        assert self.plan is not None
        plan = self.plan
        copies = []
        for db in plan.databases:
            task = progress.add_task(f"redis db{db}", total=plan.keys[db])
            copies.append(
                DatabaseCopy(
                    self.source,
                    self.target,
                    db,
                    journal,
                    mode=plan.mode,
                    batch_size=1000,
                    target_version=plan.target_major_minor,
                    on_keys=lambda n, t=task: progress.advance(t, n),
                )
            )
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="redis-db") as pool:
            results = list(pool.map(DatabaseCopy.run, copies))
        if plan.same_version:
            # Every key compared once, while the source still serves (outside the window): a key
            # the bulk copy got wrong is copied again and checked at cutover like a written one.
            # Between versions every payload differs, so this would only move the whole keyspace
            # into the cutover; there the copy's own per-batch checks stand.
            self.pending = {
                db: rescan(self.source, self.target, db, self.exclude) for db in plan.databases
            }
        return sum(int(r.get("keys", 0)) for r in results)  # type: ignore[call-overload]

    def changed(self) -> dict[int, set[bytes]]:
        """The keys to copy again: from the notifications when they ran unbroken since before
        the bulk copy, else from a fingerprint re-scan of both sides."""
        assert self.plan is not None
        if self.feed is not None and self.feed.running and self.feed.barrier():
            self.delta_method = "keyspace notifications"
            heard = self.feed.take()
            dbs = heard.keys() | self.pending.keys()
            return {db: heard.get(db, set()) | self.pending.get(db, set()) for db in dbs}
        why = (self.feed and (self.feed.unavailable or self.feed.lost)) or (
            "the notifications of an earlier process are lost"
        )
        self.delta_method = f"fingerprint re-scan ({why})"
        return {
            db: rescan(self.source, self.target, db, self.exclude) for db in self.plan.databases
        }

    def copy_keys(self, db: int, keys: set[bytes]) -> int:
        """Make each key on the target what it is on the source now (deleted if gone there)."""
        assert self.plan is not None
        ordered = sorted(keys - self.exclude)
        src, dst = self.source.wire(db), self.target.wire(db)
        try:
            for start in range(0, len(ordered), BATCH):
                batch = ordered[start : start + BATCH]
                present = src.batch([["EXISTS", k] for k in batch])
                gone = [k for k, n in zip(batch, present, strict=True) if not n]
                live = [k for k, n in zip(batch, present, strict=True) if n]
                if gone:
                    dst.batch([["DEL", k] for k in gone])
                if live and self.plan.mode == "dump":
                    errors = restore_batch(dst, dump_batch(src, live))
                else:
                    values = bytype.read_values(src, live)
                    errors = bytype.write_values(dst, values, self.plan.target_major_minor)
                if errors:
                    raise CopyError(f"db{db}: target refused a changed key: {errors[0]}")
        finally:
            src.close()
            dst.close()
        return len(ordered)

    def verify(self, changed: dict[int, set[bytes]], report: Report) -> None:
        """Key counts per database (the maintenance key left out) and every changed key's
        fingerprint: the bulk copy's own keys were verified as they were applied."""
        assert self.plan is not None
        for db in self.plan.databases:
            src, dst = self.source.wire(db), self.target.wire(db)
            try:
                counts = []
                for wire in (src, dst):
                    size = int(wire.call("DBSIZE"))  # type: ignore[call-overload]
                    held = wire.batch([["EXISTS", k] for k in sorted(self.exclude)])
                    counts.append(size - sum(int(n) for n in held))  # type: ignore[call-overload]
                report.add(f"db{db}", "key count", counts[0], counts[1])
                keys = sorted(changed.get(db, set()) - self.exclude)
                bad = []
                for start in range(0, len(keys), BATCH):
                    bad += self._unequal(src, dst, keys[start : start + BATCH])
                report.add(f"db{db}", "changed keys equal", len(keys), len(keys) - len(bad),
                           ", ".join(repr(k) for k in bad[:10]))  # fmt: skip
            finally:
                src.close()
                dst.close()

    def _unequal(self, src: Wire, dst: Wire, keys: list[bytes]) -> list[bytes]:
        """Keys whose value or TTL differ: by DUMP fingerprint between equal versions, by
        value digest otherwise (payloads of two versions differ for equal values)."""
        assert self.plan is not None
        if self.plan.same_version:
            pairs = zip(keys, fingerprints(src, keys), fingerprints(dst, keys), strict=True)
            return [k for k, a, b in pairs if differs(a, b)]
        meta = self.plan.stream_meta
        ours = {v.key: bytype.digest(v, meta) for v in bytype.read_values(src, keys)}
        theirs = {v.key: bytype.digest(v, meta) for v in bytype.read_values(dst, keys)}
        return [k for k in keys if ours.get(k) != theirs.get(k)]

    def close(self) -> None:
        if self.feed is not None:
            self.feed.stop()
        self.source.close()
        self.target.close()
