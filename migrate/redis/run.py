"""One Redis migration run: preflight, journal, parallel copy, verification, report."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import redis
from rich.progress import Progress

from migrate.journal import Journal, JournalError
from migrate.progress import make_progress
from migrate.redis.bytype import UnsupportedType
from migrate.redis.copy import CopyError, DatabaseCopy
from migrate.redis.endpoint import (
    CONNECT_TIMEOUT_S,
    READ_TIMEOUT_S,
    Endpoint,
    RedisInputError,
    read_ca_file,
)
from migrate.redis.preflight import Plan, parse_db_list, preflight
from migrate.redis.verify import NAMED, DatabaseVerdict, verify_database
from migrate.report import Check, Report

MODES = ("auto", "dump", "by-type")


@dataclass
class RedisOptions:
    source: str
    target: str
    databases: str | None = None
    mode: str = "auto"
    jobs: int = 4
    batch_size: int = 1000
    ttl_tolerance_ms: int = 5000
    dry_run: bool = False
    resume: str | None = None
    verify_only: bool = False
    allow_evicting_target: bool = False
    connect_timeout: float = CONNECT_TIMEOUT_S
    read_timeout: float = READ_TIMEOUT_S
    #: PEM files of each side's server CA (`--from-ca-cert`, `--to-ca-cert`), e.g. Memorystore's.
    source_ca_file: Path | None = None
    target_ca_file: Path | None = None
    quiet: bool = False


def _validate(opts: RedisOptions) -> None:
    if opts.mode not in MODES:
        raise RedisInputError(f"--mode {opts.mode!r}: expected one of {', '.join(MODES)}")
    if opts.jobs < 1:
        raise RedisInputError(f"--jobs {opts.jobs}: must be 1 or more")
    if opts.batch_size < 1:
        raise RedisInputError(f"--batch-size {opts.batch_size}: must be 1 or more")
    if opts.ttl_tolerance_ms < 0:
        raise RedisInputError(f"--ttl-tolerance-ms {opts.ttl_tolerance_ms}: must be 0 or more")
    for name, value in (
        ("--connect-timeout", opts.connect_timeout),
        ("--read-timeout", opts.read_timeout),
    ):
        if not value > 0:
            raise RedisInputError(f"{name} {value:g}: must be more than 0 seconds")
    if opts.resume and opts.verify_only:
        raise RedisInputError("--verify-only and --resume exclude each other")


def _open_resumed(opts: RedisOptions, source: Endpoint, target: Endpoint) -> Journal:
    try:
        return Journal.resume(opts.resume or "", "redis", source.display, target.display)
    except JournalError as exc:
        raise RedisInputError(f"--resume: {exc}") from None


def migrate_redis(opts: RedisOptions) -> Report:
    """Run the migration; raises RedisInputError for bad input or a refused preflight."""
    _validate(opts)
    databases = parse_db_list(opts.databases)
    timeouts = {"connect_timeout": opts.connect_timeout, "read_timeout": opts.read_timeout}
    source_ca = read_ca_file(opts.source_ca_file, "--from-ca-cert") if opts.source_ca_file else None
    target_ca = read_ca_file(opts.target_ca_file, "--to-ca-cert") if opts.target_ca_file else None
    source = Endpoint(opts.source, "--from", ca_cert=source_ca, **timeouts)
    target = Endpoint(opts.target, "--to", ca_cert=target_ca, **timeouts)
    journal: Journal | None = None
    try:
        if opts.resume:
            journal = _open_resumed(opts, source, target)
            databases, opts.mode = journal.meta["databases"], journal.meta["mode"]
        plan = preflight(
            source,
            target,
            databases=databases,
            mode=opts.mode,
            resuming=bool(opts.resume) or opts.verify_only,
            # --verify-only writes nothing: an evicting target is worth a warning, not a refusal.
            allow_evicting_target=opts.allow_evicting_target or opts.verify_only,
        )
        if journal is None and not opts.dry_run and not opts.verify_only:
            meta = {
                "source": source.display,
                "target": target.display,
                "databases": plan.databases,
                "mode": opts.mode,
            }
            journal = Journal.create("redis", meta)
        run_id = journal.run_id if journal else ("dry-run" if opts.dry_run else "verify-only")
        report = Report("redis", run_id, source.display, target.display, dry_run=opts.dry_run)
        report.preflight = plan.notes + ([f"run id {run_id}"] if journal else [])
        if opts.dry_run:
            report.status = "planned"
            return report
        _execute(opts, plan, source, target, journal, report)
        return report
    finally:
        if journal is not None:
            journal.close()
        source.close()
        target.close()


def _execute(
    opts: RedisOptions,
    plan: Plan,
    source: Endpoint,
    target: Endpoint,
    journal: Journal | None,
    report: Report,
) -> None:
    progress = make_progress(quiet=opts.quiet)
    with progress:
        try:
            if journal is not None:
                started = time.perf_counter()
                journal.set_status("copying")
                _copy(opts, plan, source, target, journal, report, progress)
                took = time.perf_counter() - started
                report.timings["copy_s"] = round(took, 3)
                report.stats["keys_per_s"] = (
                    round(report.stats["keys_copied"] / took) if took else None
                )
            started = time.perf_counter()
            if journal is not None:
                journal.set_status("verifying")
            verdicts = _verify(opts, plan, source, target, progress)
            report.timings["verify_s"] = round(time.perf_counter() - started, 3)
        except (CopyError, UnsupportedType, redis.RedisError) as exc:
            report.errors.append(str(exc))
            report.status = "failed"
            if journal is not None:
                journal.set_status("failed")
            return
    for verdict in verdicts:
        _report_verdict(report, verdict)
    report.status = "verified" if not report.failures else "mismatch"
    if journal is not None:
        journal.set_status(report.status)


def _copy(
    opts: RedisOptions,
    plan: Plan,
    source: Endpoint,
    target: Endpoint,
    journal: Journal,
    report: Report,
    progress: Progress,
) -> None:
    copies = []
    for db in plan.databases:
        task = progress.add_task(f"copy db{db}", total=plan.keys[db])
        copies.append(
            DatabaseCopy(
                source,
                target,
                db,
                journal,
                mode=plan.mode,
                batch_size=opts.batch_size,
                target_version=plan.target_major_minor,
                on_keys=lambda n, t=task: progress.advance(t, n),
            )
        )
    with ThreadPoolExecutor(max_workers=opts.jobs, thread_name_prefix="redis-db") as pool:
        results = list(pool.map(DatabaseCopy.run, copies))
    copied = sum(int(r.get("keys", 0)) for r in results)
    report.stats["keys_copied"] = copied
    report.stats["modes"] = {f"db{c.db}": c.mode for c in copies}
    fell_back = [f"db{c.db}" for c in copies if c.fell_back]
    if fell_back:
        report.preflight.append(
            f"target refused DUMP payloads from this source version; copied by type: {fell_back}"
        )


def _verify(
    opts: RedisOptions, plan: Plan, source: Endpoint, target: Endpoint, progress: Progress
) -> list[DatabaseVerdict]:
    def one(db: int) -> DatabaseVerdict:
        task = progress.add_task(f"verify db{db}", total=plan.keys[db])
        return verify_database(
            source,
            target,
            db,
            same_version=plan.same_version,
            stream_meta=plan.stream_meta,
            ttl_tolerance_ms=opts.ttl_tolerance_ms,
            batch_size=opts.batch_size,
            on_keys=lambda n: progress.advance(task, n),
        )

    with ThreadPoolExecutor(max_workers=opts.jobs, thread_name_prefix="redis-verify") as pool:
        return list(pool.map(one, plan.databases))


def _report_verdict(report: Report, v: DatabaseVerdict) -> None:
    subject = f"db{v.db}"
    report.add(subject, "key count", v.source_keys, v.target_keys)
    for kind in sorted(set(v.source_types) | set(v.target_types)):
        report.add(subject, f"{kind} keys", v.source_types[kind], v.target_types[kind])
    for key, check, source, target in v.problems:
        report.checks.append(Check(f"{subject} key {key!r}", check, False, source, target))
    if v.problem_count > NAMED:
        report.checks.append(
            Check(subject, "keys with differences", False, 0, v.problem_count, "first 50 named")
        )
