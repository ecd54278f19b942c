"""Copy one object and verify it: the unit of work a worker thread runs.

The source's SHA-256 is computed while its bytes stream to the target (or, after a server-side
copy, by reading the source); the target object is then read back in full and hashed, with the
size, ETag or version and headers the same reply carries (`--verify checksum`: one HEAD instead).
Only a matching size, hash and set of headers marks the object done in the journal, with the
target's version as it was when verified. A rerun skips an
object only if the source is unchanged *and* the target still lists the same size and version:
anything overwritten, truncated or deleted on the target since is copied again, so a resumed run's
"verified" is about the target as it is now.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field

from migrate.journal import Journal
from migrate.storage.backend import Attributes, Backend, HashingReader, ObjectInfo, ObjectMissing


@dataclass
class Outcome:
    key: str
    size: int
    how: str  # streamed | server-side | skipped | checked | vanished | failed
    source_sha256: str | None = None
    target_sha256: str | None = None
    target_size: int | None = None
    target_version: str | None = None
    header_differences: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        if self.error:
            return False
        if self.how in {"skipped", "vanished"}:
            return True
        return (
            self.source_sha256 == self.target_sha256
            and self.target_size == self.size
            and not self.header_differences
        )


def unit_name(key: str) -> str:
    return f"obj:{key}"


def resume_state(
    journal: Journal | None, obj: ObjectInfo, on_target: dict[str, ObjectInfo] | None
) -> str:
    """`done`: verified earlier, source unchanged, target still as verified (same size and
    version in today's listing); `changed-on-target`: verified earlier but the target object has
    since been overwritten, truncated or deleted; `todo`: anything else."""
    if journal is None:
        return "todo"
    entry = journal.get(unit_name(obj.key))
    if entry is None or entry[0] != "done" or not entry[1]:
        return "todo"
    detail = entry[1]
    if detail.get("version") != obj.version or detail.get("size") != obj.size:
        return "todo"
    now = (on_target or {}).get(obj.key)
    if now is None or now.size != obj.size or now.version != detail.get("target_version"):
        return "changed-on-target"
    return "done"


def copy_object(
    source: Backend, target: Backend, obj: ObjectInfo, server_side: bool, verify: str
) -> Outcome:
    """Copy, then verify by reading the target back (`full`), or by the SHA-256 the store kept
    for a single-PUT object it validated on receipt (`checksum`; read-back where it kept none).
    Headers are compared in both modes where both stores keep them. ObjectMissing: the source
    object is gone."""
    stored = None
    if server_side and target.server_side_copy(source, obj.key, obj.size):
        outcome = Outcome(obj.key, obj.size, "server-side")
        wanted = source.head(obj.key) if target.keeps_attributes else None
        _, outcome.source_sha256 = source.sha256(obj.key)
        attributes = wanted.attributes if wanted else None
    else:
        raw, attributes = source.read(obj.key)
        with raw:
            reader = HashingReader(raw)
            stored = target.write(obj.key, reader, obj.size, attributes)  # type: ignore[arg-type]
            reader.read()  # a writer may stop at `size`; hash anything after it too
        outcome = Outcome(obj.key, obj.size, "streamed", source_sha256=reader.hexdigest())
        if reader.size != obj.size:
            outcome.error = f"source changed during the copy ({obj.size} -> {reader.size} bytes)"
    _verify_target(source, target, outcome, attributes, verify, stored)
    return outcome


def _verify_target(
    source: Backend,
    target: Backend,
    outcome: Outcome,
    attributes: Attributes | None,
    verify: str,
    stored: str | None,
) -> None:
    if verify == "checksum" and target.keeps_sha256:
        head = target.head(outcome.key, attributes)
        if head is not None and (stored or head.sha256):
            # The store validated these bytes against this SHA-256 on receipt; no read-back.
            outcome.target_size, outcome.target_sha256 = head.info.size, stored or head.sha256
        elif head is not None:
            outcome.target_size, outcome.target_sha256 = target.sha256(outcome.key)
    else:
        got = target.read_back(outcome.key, attributes)
        head = got[0] if got else None
        if got:
            _, outcome.target_size, outcome.target_sha256 = got
    if head is None:
        outcome.error = outcome.error or "missing on the target right after the copy"
        return
    # The version as verified: if the object changes after this, the next listing will not
    # match it, and a resume copies the object again.
    outcome.target_version = head.info.version
    if attributes is not None and source.keeps_attributes and target.keeps_attributes:
        outcome.header_differences = attributes.differences(head.attributes)


def check_object(source: Backend, target: Backend, obj: ObjectInfo) -> Outcome:
    """Verification without copying (`--verify-only`): hash both sides, compare headers."""
    outcome = Outcome(obj.key, obj.size, "checked")
    try:
        _, outcome.source_sha256 = source.sha256(obj.key)
    except ObjectMissing:
        return Outcome(obj.key, obj.size, "vanished")
    got = target.read_back(obj.key)
    if got is None:
        outcome.error = "missing on target"
        return outcome
    head, outcome.target_size, outcome.target_sha256 = got
    if source.keeps_attributes and target.keeps_attributes:
        wanted = source.head(obj.key)
        if wanted is not None:
            outcome.header_differences = wanted.attributes.differences(head.attributes)
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
        detail = {
            "size": obj.size,
            "version": obj.version,
            "sha256": outcome.source_sha256,
            "target_version": outcome.target_version,
        }
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
