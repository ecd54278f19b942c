"""Copy one object and verify it: the unit of work a worker thread runs.

The source's SHA-256 is computed while its bytes stream to the target (or, after a server-side
copy, by reading the source); the target object is then read back in full and hashed. Only a
matching size and hash marks the object done in the journal, so a rerun skips exactly the objects
already verified and rewrites anything a crash left half-written.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass

from migrate.journal import Journal
from migrate.storage.backend import Backend, HashingReader, ObjectInfo


@dataclass
class Outcome:
    key: str
    size: int
    how: str  # streamed | server-side | skipped | checked
    source_sha256: str | None = None
    target_sha256: str | None = None
    target_size: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and (
            self.how == "skipped"
            or (self.source_sha256 == self.target_sha256 and self.target_size == self.size)
        )


def unit_name(key: str) -> str:
    return f"obj:{key}"


def already_done(journal: Journal | None, obj: ObjectInfo) -> bool:
    """Verified earlier in this run, and the source object has not changed since."""
    if journal is None:
        return False
    entry = journal.get(unit_name(obj.key))
    if entry is None or entry[0] != "done" or not entry[1]:
        return False
    return entry[1].get("version") == obj.version and entry[1].get("size") == obj.size


def copy_object(
    source: Backend, target: Backend, obj: ObjectInfo, server_side: bool, verify: str
) -> Outcome:
    """Copy, then verify by reading the target back (`full`), or by the SHA-256 the store kept
    for a single-PUT object it validated on receipt (`checksum`; read-back where it kept none)."""
    if server_side and target.server_side_copy(source, obj.key, obj.size):
        outcome = Outcome(obj.key, obj.size, "server-side")
        _, outcome.source_sha256 = source.sha256(obj.key)
    else:
        raw, attributes = source.read(obj.key)
        with raw:
            reader = HashingReader(raw)
            stored = target.write(obj.key, reader, obj.size, attributes)  # type: ignore[arg-type]
            reader.read()  # a writer may stop at `size`; hash anything after it too
        outcome = Outcome(obj.key, obj.size, "streamed", source_sha256=reader.hexdigest())
        if reader.size != obj.size:
            outcome.error = f"source changed during the copy ({obj.size} -> {reader.size} bytes)"
        if verify == "checksum" and stored is not None:
            # The store validated these bytes against this SHA-256 on receipt; no read-back.
            outcome.target_size, outcome.target_sha256 = reader.size, stored
            return outcome
    kept = target.stored_sha256(obj.key) if verify == "checksum" else None
    outcome.target_size, outcome.target_sha256 = kept or target.sha256(obj.key)
    return outcome


def check_object(source: Backend, target: Backend, obj: ObjectInfo) -> Outcome:
    """Verification without copying (`--verify-only`): hash both sides."""
    outcome = Outcome(obj.key, obj.size, "checked")
    _, outcome.source_sha256 = source.sha256(obj.key)
    try:
        outcome.target_size, outcome.target_sha256 = target.sha256(obj.key)
    except Exception as exc:  # a missing target object is a finding, not a crash
        outcome.error = f"missing on target ({type(exc).__name__})"
    return outcome


class DoneRecorder:
    """Marks verified objects done in groups from one thread: one fsync per group, not per object.

    A crash loses at most the last group's marks; those objects are copied again on resume, which
    overwrites them with the same bytes.
    """

    def __init__(self, journal: Journal, interval: float = 0.2) -> None:
        self._journal = journal
        self._interval = interval
        self._queue: queue.Queue[tuple[str, dict] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="storage-journal", daemon=True)
        self._thread.start()

    def add(self, obj: ObjectInfo, outcome: Outcome) -> None:
        detail = {"size": obj.size, "version": obj.version, "sha256": outcome.source_sha256}
        self._queue.put((unit_name(obj.key), detail))

    def _run(self) -> None:
        finished = False
        while not finished:
            items: list[tuple[str, dict]] = []
            try:
                item = self._queue.get(timeout=self._interval)
                while True:
                    if item is None:
                        finished = True
                        break
                    items.append(item)
                    item = self._queue.get_nowait()
            except queue.Empty:
                pass
            if items:
                self._journal.mark_done_many(items)  # type: ignore[arg-type]

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
