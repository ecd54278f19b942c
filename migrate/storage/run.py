"""One object storage migration run: preflight, journal, parallel copy + verify, report.

A resumed run lists the target once and re-copies every object the journal marks done whose
target no longer lists the size and version it was verified with. Objects the run copied that the
source has since deleted (before the resume, or between listing and copying) are deletions, not
failures: reported, and removed from the target with `--delete`. When a store stops answering
(timeouts, refused connections) the run stops at once and names it, rather than waiting out every
remaining object.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from migrate.journal import Journal, JournalError
from migrate.progress import make_progress
from migrate.report import Check, Report
from migrate.storage.backend import Backend, ObjectInfo, ObjectMissing, StorageInputError
from migrate.storage.fs import FileBackend
from migrate.storage.locate import Side, open_backend
from migrate.storage.objstore import ObjectStoreBackend
from migrate.storage.s3 import CONNECT_TIMEOUT_S, READ_TIMEOUT_S
from migrate.storage.transfer import (
    DoneRecorder,
    Outcome,
    check_object,
    copy_object,
    resume_state,
    unit_name,
)

#: The preflight note for an S3 source copied to a filesystem.
DROPPED = (
    "a filesystem keeps no HTTP headers or metadata: Content-Type, Content-Encoding, "
    "Cache-Control, Content-Disposition, Content-Language, Expires and user metadata are not copied"
)
#: How many differing objects a report names; the count covers the rest.
NAMED = 50


@dataclass
class StorageOptions:
    source: Side
    target: Side
    jobs: int = 16
    part_size_mb: int = 16
    verify: str = "full"
    server_side: bool = True
    dry_run: bool = False
    resume: str | None = None
    verify_only: bool = False
    delete: bool = False
    connect_timeout: float = CONNECT_TIMEOUT_S
    read_timeout: float = READ_TIMEOUT_S
    quiet: bool = False


def _validate(opts: StorageOptions) -> None:
    if opts.jobs < 1:
        raise StorageInputError(f"--jobs {opts.jobs}: must be 1 or more")
    if opts.part_size_mb < 5:
        raise StorageInputError(f"--part-size-mb {opts.part_size_mb}: S3 parts are at least 5")
    if opts.verify not in {"full", "checksum"}:
        raise StorageInputError(f"--verify {opts.verify!r}: expected full or checksum")
    for name, value in (
        ("--connect-timeout", opts.connect_timeout),
        ("--read-timeout", opts.read_timeout),
    ):
        if not value > 0:
            raise StorageInputError(f"{name} {value:g}: must be more than 0 seconds")
    if opts.delete and not opts.resume:
        raise StorageInputError("--delete applies source deletions on --resume; add --resume")
    if opts.resume and opts.verify_only:
        raise StorageInputError("--verify-only and --resume exclude each other")


def _overlap(source: Backend, target: Backend) -> bool:
    """Whether one side lies inside the other, so the copy would read its own output."""
    if isinstance(source, FileBackend) and isinstance(target, FileBackend):
        a, b = source.root.resolve(), target.root.resolve()
        return a == b or a in b.parents or b in a.parents
    return isinstance(source, ObjectStoreBackend) and source.overlaps(target)


def _open_resumed(opts: StorageOptions, source: Backend, target: Backend) -> Journal:
    try:
        return Journal.resume(opts.resume or "", "storage", source.display, target.display)
    except JournalError as exc:
        raise StorageInputError(f"--resume: {exc}") from None


def open_sides(opts: StorageOptions) -> tuple[Backend, Backend]:
    part_size = opts.part_size_mb * 1024 * 1024
    common = {
        "jobs": opts.jobs,
        "part_size": part_size,
        "verify": opts.verify,
        "connect_timeout": opts.connect_timeout,
        "read_timeout": opts.read_timeout,
    }
    return open_backend(opts.source, **common), open_backend(opts.target, **common)  # type: ignore[arg-type]


def _list_source(source: Backend) -> list[ObjectInfo]:
    """Every source object; a source holding entries that cannot be objects is refused."""
    objects = list(source.list())
    if source.problems:
        shown = "; ".join(source.problems[:NAMED])
        more = f" (and {len(source.problems) - NAMED} more)" if len(source.problems) > NAMED else ""
        raise StorageInputError(
            f"--from {source.display}: {len(source.problems)} entr"
            f"{'y' if len(source.problems) == 1 else 'ies'} cannot be copied as objects: "
            f"{shown}{more}. Remove or replace them (a regular file, or a symlink to one), "
            "then run again"
        )
    return objects


def migrate_storage(opts: StorageOptions, journal: Journal | None = None) -> Report:
    """Run the migration; raises StorageInputError for bad input or a refused preflight.

    `journal`: a journal the caller owns (a stack move keeps one for all its stores); the run
    records its objects there, resumes from what it already holds, and leaves its status and
    its closing to the caller."""
    _validate(opts)
    owned = journal is None
    began = time.perf_counter()
    source, target = open_sides(opts)
    if _overlap(source, target):
        raise StorageInputError(
            f"--from {source.display} and --to {target.display} overlap; copy to a separate place"
        )
    source.check(as_target=False)
    target.check(as_target=True)
    if owned:
        journal = _open_resumed(opts, source, target) if opts.resume else None
    resuming = bool(opts.resume) or (not owned and bool(journal and journal.done("obj:")))
    try:
        if not resuming and not opts.verify_only and not target.is_empty():
            raise StorageInputError(
                f"--to {target.display} is not empty; migrate into an empty place, or --resume "
                "the run that wrote there"
            )
        objects = _list_source(source)
        markers: list[ObjectInfo] = []
        if isinstance(target, FileBackend):
            # S3 "folder" markers (keys ending in /) have no file to become on a filesystem.
            markers = [o for o in objects if o.key == "" or o.key.endswith("/")]
            objects = [o for o in objects if o not in markers]
        total = sum(o.size for o in objects)
        server_side = (
            opts.server_side
            and isinstance(target, ObjectStoreBackend)
            and target.same_service(source)
        )
        notes = [
            f"{len(objects):,} objects, {total:,} bytes under {source.display}",
            *([f"{len(markers)} folder marker(s) not copied to a filesystem"] if markers else []),
            "copy: server-side (same endpoint)" if server_side else "copy: streamed through here",
            "verify: "
            + (
                "read every target object back and hash it"
                if opts.verify == "full"
                else "SHA-256 kept by the store where it has one, else read back"
            )
            + ("; headers compared" if source.keeps_attributes and target.keeps_attributes else ""),
            *([DROPPED] if source.keeps_attributes and not target.keeps_attributes else []),
        ]
        if journal is None and not opts.dry_run and not opts.verify_only:
            journal = Journal.create(
                "storage", {"source": source.display, "target": target.display}
            )
        run_id = journal.run_id if journal else ("dry-run" if opts.dry_run else "verify-only")
        report = Report("storage", run_id, source.display, target.display, dry_run=opts.dry_run)
        report.preflight = notes + ([f"run id {run_id}"] if journal else [])
        if opts.dry_run:
            report.status = "planned"
            return report
        on_target: dict[str, ObjectInfo] | None = None
        if resuming:
            dropped = target.discard_partial_writes()
            report.preflight.append(f"discarded {dropped} unfinished multipart upload(s)")
            on_target = {o.key: o for o in target.list()}
        if journal is not None and owned:
            journal.set_status("copying")
        started = time.perf_counter()
        report.timings["preflight_and_listing_s"] = round(started - began, 3)
        run = _Run(opts, source, target, journal, server_side, on_target)
        outcomes = run.all(objects, total)
        took = time.perf_counter() - started
        report.timings["copy_and_verify_s"] = round(took, 3)
        report.stats["bytes_per_s"] = round(total / took) if took else None
        if run.changed_on_target:
            report.stats["objects_changed_on_target_since_verified"] = run.changed_on_target
        try:
            if run.stopped:
                raise _Stopped(run.stopped)
            deleted = _deletions(opts, objects, outcomes, journal, target, on_target, report)
            _report(report, objects, outcomes, target, deleted)
        except Exception as exc:
            side = next((b for b in (source, target) if b.is_unreachable(exc)), None)
            if not isinstance(exc, _Stopped) and side is None:
                raise
            report.errors.append(
                str(exc) if side is None else f"{side.option} {side.display}: {side.silence(exc)}"
            )
            report.stats.update(_counts(outcomes))
            report.status = "failed"
        report.timings["target_listing_and_report_s"] = round(
            time.perf_counter() - started - took, 3
        )
        if journal is not None and owned:
            journal.set_status(report.status)
        return report
    finally:
        if journal is not None and owned:
            journal.close()


class _Stopped(Exception):
    """A store stopped answering during the copy; the report cannot list the target."""


def _counts(outcomes: list[Outcome]) -> dict[str, int]:
    by_how: dict[str, int] = {}
    for o in outcomes:
        by_how[f"objects_{o.how}"] = by_how.get(f"objects_{o.how}", 0) + 1
    return dict(sorted(by_how.items()))


class _Run:
    """The parallel copy+verify of every object, stopping early if a store stops answering."""

    def __init__(
        self,
        opts: StorageOptions,
        source: Backend,
        target: Backend,
        journal: Journal | None,
        server_side: bool,
        on_target: dict[str, ObjectInfo] | None,
    ) -> None:
        self.opts, self.source, self.target = opts, source, target
        self.journal, self.server_side, self.on_target = journal, server_side, on_target
        self.recorder = DoneRecorder(journal) if journal is not None else None
        self.stopped = ""
        self.changed_on_target = 0
        self._lock = threading.Lock()

    def one(self, obj: ObjectInfo) -> Outcome:
        if self.stopped:
            return Outcome(obj.key, obj.size, "failed", error="not attempted: the run stopped")
        state = resume_state(self.journal, obj, self.on_target)
        if state == "done":
            return Outcome(obj.key, obj.size, "skipped")
        if state == "changed-on-target":
            with self._lock:
                self.changed_on_target += 1
        try:
            if self.opts.verify_only:
                return check_object(self.source, self.target, obj)
            outcome = copy_object(self.source, self.target, obj, self.server_side, self.opts.verify)
        except ObjectMissing:
            return Outcome(obj.key, obj.size, "vanished")
        except Exception as exc:  # one object failing must not stop the others...
            side = next((b for b in (self.source, self.target) if b.is_unreachable(exc)), None)
            if side is not None:  # ...unless the store itself stopped answering
                with self._lock:
                    self.stopped = self.stopped or (
                        f"{side.option} {side.display} stopped answering: "
                        f"{side.silence(exc)}; the run stopped"
                    )
            return Outcome(obj.key, obj.size, "failed", error=f"{type(exc).__name__}: {exc}")
        if self.recorder is not None and outcome.ok:
            self.recorder.add(obj, outcome)
        return outcome

    def all(self, objects: list[ObjectInfo], total: int) -> list[Outcome]:
        outcomes: list[Outcome] = []
        progress = make_progress(quiet=self.opts.quiet, bytes_mode=True)
        label = "verify" if self.opts.verify_only else "copy+verify"
        try:
            with progress, ThreadPoolExecutor(self.opts.jobs, thread_name_prefix="storage") as pool:
                task = progress.add_task(f"{label} 0/{len(objects)} objects", total=total)
                futures = [pool.submit(self.one, obj) for obj in objects]
                for done in as_completed(futures):
                    outcome = done.result()
                    outcomes.append(outcome)
                    progress.update(
                        task,
                        advance=outcome.size,
                        description=f"{label} {len(outcomes)}/{len(objects)} objects",
                    )
        finally:
            if self.recorder is not None:
                self.recorder.close()
        return outcomes


def _deletions(
    opts: StorageOptions,
    objects: list[ObjectInfo],
    outcomes: list[Outcome],
    journal: Journal | None,
    target: Backend,
    on_target: dict[str, ObjectInfo] | None,
    report: Report,
) -> set[str]:
    """Objects this run copied that the source no longer has: removed from the target with
    `--delete`, else kept there and reported. Returns the keys kept on the target."""
    listed = {o.key for o in objects}
    vanished = {o.key for o in outcomes if o.how == "vanished"}
    gone = set(vanished)
    if journal is not None:
        gone |= {name[4:] for name in journal.done("obj:") if name[4:] not in listed}
    if not gone:
        return set()
    present = set(on_target) if on_target is not None else {o.key for o in target.list()}
    if vanished - present:
        n = len(vanished - present)
        report.add("objects", "deleted on source before they were copied", n, n, "not copied")
    gone &= present
    removed: set[str] = set()
    if opts.delete:
        for key in sorted(gone):
            target.delete(key)
            if journal is not None:
                journal.record(unit_name(key), "deleted")
            removed.add(key)
    kept = gone - removed
    if gone:
        report.add(
            "objects",
            "deleted on source since copied",
            len(gone),
            len(gone),
            f"{len(removed)} removed from the target (--delete)"
            if opts.delete
            else f"{len(kept)} kept on the target; --resume with --delete removes them",
        )
        report.stats.update(objects_deleted_on_source=len(gone), objects_removed=len(removed))
    return kept


def _report(
    report: Report,
    objects: list[ObjectInfo],
    outcomes: list[Outcome],
    target: Backend,
    deleted: set[str],
) -> None:
    """Aggregate checks, plus one failing check per differing object (the first NAMED).

    `deleted`: objects the source deleted since they were copied, kept on the target on purpose;
    they are neither expected nor "only on target"."""
    report.stats.update(_counts(outcomes))
    bad = sorted((o for o in outcomes if not o.ok), key=lambda o: o.key)
    for o in bad[:NAMED]:
        check = "copy" if o.how == "failed" else "sha256 and size"
        if o.how != "failed" and o.source_sha256 == o.target_sha256 and o.size == o.target_size:
            check = "headers"
        source = f"{o.size} bytes, sha256 {(o.source_sha256 or '?')[:16]}"
        target_val = f"{o.target_size} bytes, sha256 {(o.target_sha256 or 'none')[:16]}"
        detail = "; ".join([o.error, *o.header_differences] if o.error else o.header_differences)
        report.checks.append(Check(o.key, check, False, source, target_val, detail))
    if len(bad) > NAMED:
        report.checks.append(Check("objects", "with differences", False, 0, len(bad)))
    vanished = {o.key for o in outcomes if o.how == "vanished"}
    expected = [o for o in objects if o.key not in vanished]
    on_target = {o.key: o.size for o in target.list() if o.key not in deleted}
    for problem in target.problems[:NAMED]:
        report.checks.append(Check("target", "not an object", False, "none", problem))
    wanted = {o.key for o in expected}
    extra = sorted(set(on_target) - wanted)
    for key in extra[:NAMED]:
        report.checks.append(Check(key, "only on target", False, "none", "present"))
    report.add("objects", "count", len(expected), len(on_target))
    report.add("objects", "bytes", sum(o.size for o in expected), sum(on_target.values()))
    report.add(
        "objects",
        "verified by size, sha256 and headers",
        len(expected),
        len(expected) - len([o for o in bad if o.key not in vanished]),
    )
    report.stats.update(objects=len(expected), bytes=sum(o.size for o in expected))
    if any(o.how == "failed" for o in outcomes) or report.errors:
        report.status = "failed"
    else:
        report.status = "verified" if not report.failures else "mismatch"
