"""One object storage migration run: preflight, journal, parallel copy + verify, report."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from migrate.journal import Journal, JournalError
from migrate.progress import make_progress
from migrate.report import Check, Report
from migrate.storage.backend import Backend, ObjectInfo, StorageInputError
from migrate.storage.fs import FileBackend
from migrate.storage.locate import Side, open_backend
from migrate.storage.s3 import S3Backend
from migrate.storage.transfer import (
    DoneRecorder,
    Outcome,
    already_done,
    check_object,
    copy_object,
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
    quiet: bool = False


def _validate(opts: StorageOptions) -> None:
    if opts.jobs < 1:
        raise StorageInputError(f"--jobs {opts.jobs}: must be 1 or more")
    if opts.part_size_mb < 5:
        raise StorageInputError(f"--part-size-mb {opts.part_size_mb}: S3 parts are at least 5")
    if opts.verify not in {"full", "checksum"}:
        raise StorageInputError(f"--verify {opts.verify!r}: expected full or checksum")
    if opts.resume and opts.verify_only:
        raise StorageInputError("--verify-only and --resume exclude each other")


def _overlap(source: Backend, target: Backend) -> bool:
    """Whether one side lies inside the other, so the copy would read its own output."""
    if isinstance(source, FileBackend) and isinstance(target, FileBackend):
        a, b = source.root.resolve(), target.root.resolve()
        return a == b or a in b.parents or b in a.parents
    if isinstance(source, S3Backend) and isinstance(target, S3Backend):
        return (
            source.same_service(target)
            and source.bucket == target.bucket
            and (source.prefix.startswith(target.prefix) or target.prefix.startswith(source.prefix))
        )
    return False


def _open_resumed(opts: StorageOptions, source: Backend, target: Backend) -> Journal:
    try:
        return Journal.resume(opts.resume or "", "storage", source.display, target.display)
    except JournalError as exc:
        raise StorageInputError(f"--resume: {exc}") from None


def migrate_storage(opts: StorageOptions) -> Report:
    """Run the migration; raises StorageInputError for bad input or a refused preflight."""
    _validate(opts)
    began = time.perf_counter()
    part_size = opts.part_size_mb * 1024 * 1024
    source = open_backend(opts.source, jobs=opts.jobs, part_size=part_size)
    target = open_backend(opts.target, jobs=opts.jobs, part_size=part_size)
    if _overlap(source, target):
        raise StorageInputError(
            f"--from {source.display} and --to {target.display} overlap; copy to a separate place"
        )
    source.check(as_target=False)
    target.check(as_target=True)
    journal = _open_resumed(opts, source, target) if opts.resume else None
    try:
        if journal is None and not opts.verify_only and not target.is_empty():
            raise StorageInputError(
                f"--to {target.display} is not empty; migrate into an empty place, or --resume "
                "the run that wrote there"
            )
        objects = list(source.list())
        markers: list[ObjectInfo] = []
        if isinstance(target, FileBackend):
            # S3 "folder" markers (keys ending in /) have no file to become on a filesystem.
            markers = [o for o in objects if o.key == "" or o.key.endswith("/")]
            objects = [o for o in objects if o not in markers]
        total = sum(o.size for o in objects)
        server_side = (
            opts.server_side and isinstance(target, S3Backend) and target.same_service(source)
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
            ),
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
        if opts.resume:
            dropped = target.discard_partial_writes()
            report.preflight.append(f"discarded {dropped} unfinished multipart upload(s)")
        if journal is not None:
            journal.set_status("copying")
        started = time.perf_counter()
        report.timings["preflight_and_listing_s"] = round(started - began, 3)
        outcomes = _run_all(opts, source, target, objects, journal, server_side, total)
        took = time.perf_counter() - started
        report.timings["copy_and_verify_s"] = round(took, 3)
        report.stats["bytes_per_s"] = round(total / took) if took else None
        _report(report, objects, outcomes, target)
        report.timings["target_listing_and_report_s"] = round(
            time.perf_counter() - started - took, 3
        )
        if journal is not None:
            journal.set_status(report.status)
        return report
    finally:
        if journal is not None:
            journal.close()


def _run_all(
    opts: StorageOptions,
    source: Backend,
    target: Backend,
    objects: list[ObjectInfo],
    journal: Journal | None,
    server_side: bool,
    total: int,
) -> list[Outcome]:
    recorder = DoneRecorder(journal) if journal is not None else None
    outcomes: list[Outcome] = []
    progress = make_progress(quiet=opts.quiet, bytes_mode=True)
    label = "verify" if opts.verify_only else "copy+verify"

    def one(obj: ObjectInfo) -> Outcome:
        if already_done(journal, obj):
            return Outcome(obj.key, obj.size, "skipped")
        try:
            if opts.verify_only:
                return check_object(source, target, obj)
            outcome = copy_object(source, target, obj, server_side, opts.verify)
        except Exception as exc:  # one object failing must not stop the others
            return Outcome(obj.key, obj.size, "failed", error=f"{type(exc).__name__}: {exc}")
        if recorder is not None and outcome.ok:
            recorder.add(obj, outcome)
        return outcome

    try:
        with progress, ThreadPoolExecutor(opts.jobs, thread_name_prefix="storage") as pool:
            task = progress.add_task(f"{label} 0/{len(objects)} objects", total=total)
            futures = [pool.submit(one, obj) for obj in objects]
            for done in as_completed(futures):
                outcome = done.result()
                outcomes.append(outcome)
                progress.update(
                    task,
                    advance=outcome.size,
                    description=f"{label} {len(outcomes)}/{len(objects)} objects",
                )
    finally:
        if recorder is not None:
            recorder.close()
    return outcomes


def _report(
    report: Report, objects: list[ObjectInfo], outcomes: list[Outcome], target: Backend
) -> None:
    """Aggregate checks, plus one failing check per differing object (the first NAMED)."""
    by_how: dict[str, int] = {}
    for o in outcomes:
        by_how[o.how] = by_how.get(o.how, 0) + 1
    report.stats.update({f"objects_{how}": n for how, n in sorted(by_how.items())})
    bad = sorted((o for o in outcomes if not o.ok), key=lambda o: o.key)
    for o in bad[:NAMED]:
        check = "copy" if o.how == "failed" else "sha256 and size"
        source = f"{o.size} bytes, sha256 {(o.source_sha256 or '?')[:16]}"
        target_val = f"{o.target_size} bytes, sha256 {(o.target_sha256 or 'none')[:16]}"
        report.checks.append(Check(o.key, check, False, source, target_val, o.error))
    if len(bad) > NAMED:
        report.checks.append(Check("objects", "with differences", False, 0, len(bad)))
    on_target = {o.key: o.size for o in target.list()}
    wanted = {o.key for o in objects}
    extra = sorted(set(on_target) - wanted)
    for key in extra[:NAMED]:
        report.checks.append(Check(key, "only on target", False, "none", "present"))
    report.add("objects", "count", len(objects), len(on_target))
    report.add("objects", "bytes", sum(o.size for o in objects), sum(on_target.values()))
    report.add("objects", "verified by size and sha256", len(objects), len(objects) - len(bad))
    report.stats.update(objects=len(objects), bytes=sum(o.size for o in objects))
    if any(o.how == "failed" for o in outcomes):
        report.status = "failed"
    else:
        report.status = "verified" if not report.failures else "mismatch"
