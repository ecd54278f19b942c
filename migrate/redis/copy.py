"""Copy one logical database: SCAN, pipelined DUMP+PTTL, pipelined RESTORE ... REPLACE.

A reader thread scans and dumps the next batch while the writer restores the previous one, so the
two servers' round trips overlap. After each batch is applied on the target the SCAN cursor that
follows it is recorded in the journal; a resumed run starts from that cursor. Re-applying a batch is
harmless (RESTORE REPLACE, or delete-then-write by type), so a crash between the apply and the
record duplicates nothing. SCAN returns every key present for the whole scan at least once, whatever
connection continues it.

TTLs are read before the values and carried as deadlines (see `dump_batch` and `bytype`), so a key
that expires while its batch is in flight is deleted on the target rather than written.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from migrate.journal import Journal
from migrate.redis import bytype
from migrate.redis.endpoint import Endpoint
from migrate.redis.wire import Wire, pack, per_key

#: RESTORE's complaints when a payload was written by a newer RDB version than the target reads.
INCOMPATIBLE = ("payload version or checksum are wrong", "bad data format")


class CopyError(Exception):
    """A batch the target refused for a reason other than an incompatible payload."""


@dataclass
class Batch:
    cursor: bytes
    keys: list[bytes]
    dumps: list[tuple[bytes, bytes, float]] | None = None  # (key, payload, deadline) in dump mode
    values: list[bytype.Value] | None = None  # in by-type mode


def unit_name(db: int) -> str:
    return f"redis:db{db}"


class DatabaseCopy:
    """Copies database `db` from `source` to `target`, recording progress in `journal`."""

    def __init__(
        self,
        source: Endpoint,
        target: Endpoint,
        db: int,
        journal: Journal,
        *,
        mode: str,
        batch_size: int,
        target_version: tuple[int, int],
        on_keys: Callable[[int], None],
    ) -> None:
        self.source, self.target, self.db = source, target, db
        self.target_version = target_version
        self.journal = journal
        self.mode = mode
        self.batch_size = batch_size
        self.on_keys = on_keys
        self.copied = 0
        self.fell_back = False

    def run(self) -> dict[str, object]:
        unit = unit_name(self.db)
        entry = self.journal.get(unit)
        if entry and entry[0] == "done":
            return entry[1] or {}
        cursor = b"0"
        if entry and entry[1]:
            cursor = str(entry[1]["cursor"]).encode()
            self.copied = int(entry[1].get("keys", 0))
            self.mode = str(entry[1].get("mode", self.mode))
            self.on_keys(self.copied)
        batches: queue.Queue[Batch | BaseException | None] = queue.Queue(maxsize=2)
        stop = threading.Event()
        reader = threading.Thread(
            target=self._read, args=(cursor, batches, stop), name=f"redis-read-db{self.db}"
        )
        reader.start()
        wire = self.target.wire(self.db)
        try:
            while True:
                item = batches.get()
                if item is None:
                    break
                if isinstance(item, BaseException):
                    raise item
                self._apply(wire, item)
                self.copied += len(item.keys)
                detail = {"cursor": item.cursor.decode(), "keys": self.copied, "mode": self.mode}
                self.journal.record(unit, "copying", detail)
                self.on_keys(len(item.keys))
        finally:
            stop.set()
            while reader.is_alive():
                with contextlib.suppress(queue.Empty):
                    batches.get(timeout=0.1)
            wire.close()
        detail = {"cursor": "0", "keys": self.copied, "mode": self.mode}
        self.journal.mark_done(unit, detail)
        return detail

    def _read(self, cursor: bytes, out: queue.Queue, stop: threading.Event) -> None:
        wire = self.source.wire(self.db)
        try:
            while not stop.is_set():
                cursor, keys = wire.call("SCAN", cursor, "COUNT", self.batch_size)  # type: ignore[misc]
                batch = Batch(cursor, list(keys))
                if keys and self.mode == "dump":
                    batch.dumps = dump_batch(wire, batch.keys)
                elif keys:
                    batch.values = bytype.read_values(wire, batch.keys)
                out.put(batch)
                if cursor == b"0":
                    break
            out.put(None)
        except BaseException as exc:  # handed to the writer thread, which raises it
            out.put(exc)
        finally:
            wire.close()

    def _apply(self, wire: Wire, batch: Batch) -> None:
        if batch.dumps is not None:
            errors = restore_batch(wire, batch.dumps)
            if not errors:
                return
            if not all(any(s in e.lower() for s in INCOMPATIBLE) for e in errors):
                raise CopyError(f"db{self.db}: target refused RESTORE: {errors[0]}")
            # The target cannot load these payloads: switch this database to by-type copy.
            self.mode = "by-type"
            self.fell_back = True
            src = self.source.wire(self.db)
            try:
                batch.values = bytype.read_values(src, batch.keys)
            finally:
                src.close()
        if batch.values is not None:
            errors = bytype.write_values(wire, batch.values, self.target_version)
            if errors:
                raise CopyError(f"db{self.db}: target refused a by-type write: {errors[0]}")


def dump_batch(wire: Wire, keys: list[bytes]) -> list[tuple[bytes, bytes, float]]:
    """(key, payload, deadline) per live key; the deadline is on this machine's clock in ms, -1
    for a key without a TTL.

    Every PTTL is sent before any DUMP, and the clock is read before sending, so a deadline is
    never later than the source's (large DUMPs in the batch cannot stretch it).
    """
    read_at = time.time() * 1000
    pttls, n = per_key((b"PTTL",), keys)
    dumps, m = per_key((b"DUMP",), keys)
    replies = wire.send(pttls + dumps, n + m)
    out = []
    for i, key in enumerate(keys):
        pttl, payload = replies[i], replies[n + i]
        if payload is None or pttl == -2 or isinstance(payload, Exception):
            continue  # expired or deleted since SCAN returned it
        pttl = int(pttl)  # type: ignore[call-overload]
        out.append((key, payload, -1 if pttl < 0 else read_at + pttl))  # type: ignore[arg-type]
    return out


def restore_batch(wire: Wire, dumps: list[tuple[bytes, bytes, float]]) -> list[str]:
    """RESTORE ... REPLACE each key; one whose deadline has passed is deleted instead.

    A key with a TTL is restored with ABSTTL at its deadline on the target's clock: a relative
    TTL would restart when the RESTORE runs, and `RESTORE key 0` means no expiry at all.
    """
    offset = wire.clock_offset_ms()
    now = time.time() * 1000
    keep = b"*5\r\n$7\r\nRESTORE\r\n$%d\r\n%s\r\n$1\r\n0\r\n$%d\r\n%s\r\n$7\r\nREPLACE\r\n"
    until = (
        b"*6\r\n$7\r\nRESTORE\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$7\r\nREPLACE\r\n"
        b"$6\r\nABSTTL\r\n"
    )
    parts = []
    for key, payload, deadline in dumps:
        if deadline < 0:
            parts.append(keep % (len(key), key, len(payload), payload))
        elif deadline <= now:
            parts.append(pack(["DEL", key]))  # expired since it was read; an earlier try may exist
        else:
            at = b"%d" % int(deadline + offset)
            parts.append(until % (len(key), key, len(at), at, len(payload), payload))
    return [str(r) for r in wire.send(b"".join(parts), len(parts)) if isinstance(r, Exception)]
