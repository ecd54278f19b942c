"""`trudeploy migrate postgres --online`: every phase of `OnlinePostgres` in order, for one
database on its own (the stack move drives the same phases between the app's own steps).

After a verified cutover the source is retired (read-only, its sessions ended): writes from
then on belong on the target, and an app still pointed at the source fails loudly instead of
writing where nothing will copy it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.console import Console

from migrate.journal import Journal, JournalError
from migrate.postgres.conn import identity, parse_url
from migrate.postgres.errors import CopyError, PreflightError
from migrate.postgres.online.engine import OnlinePostgres
from migrate.postgres.online.preflight import collect
from migrate.postgres.online.slot import Names
from migrate.postgres.run import KIND, Migration, Options, _exclusive
from migrate.report import Report


@dataclass(frozen=True)
class OnlineOptions:
    """What the online copy adds to a plain copy's options."""

    abort: str | None = None
    freeze_timeout: float = 10.0  # seconds the freeze may wait for in-flight writers
    catch_up_timeout: float = 600.0
    max_lag_bytes: int = 1024 * 1024
    retire_source: bool = True


def _journal(opts: Options) -> Journal:
    source = parse_url(opts.source, "--from", opts.timeouts)
    target = parse_url(opts.target, "--to", opts.timeouts)
    try:
        if opts.resume is None:
            return Journal.create(
                KIND,
                {
                    "source": source.redacted,
                    "target": target.redacted,
                    "chunk_bytes": opts.chunk_bytes,
                    "online": True,
                },
            )
        return Journal.resume(opts.resume, KIND, source.redacted, target.redacted, identity)
    except JournalError as exc:
        raise PreflightError(f"--resume: {exc}") from None


def _abort(opts: Options, run_id: str) -> Report:
    try:
        journal = Journal.open(run_id, KIND)
    except JournalError as exc:
        raise PreflightError(f"--abort: {exc}") from None
    lock = _exclusive(journal)
    try:
        online = OnlinePostgres(opts, journal, unit_prefix="")
        online.abort()
        journal.set_status("aborted")
        return online.report
    finally:
        journal.close()
        lock.close()


def migrate_online(opts: Options, online_opts: OnlineOptions) -> Report:
    """Run, resume or abort one online copy. PreflightError (nothing written) on a refusal,
    listing every one found."""
    if online_opts.abort:
        return _abort(opts, online_opts.abort)
    source = parse_url(opts.source, "--from", opts.timeouts)
    target = parse_url(opts.target, "--to", opts.timeouts)
    own = Names.for_run(opts.resume).slot if opts.resume else None
    refusals = collect(
        source,
        target,
        resuming=opts.resume is not None,
        allow_downgrade=opts.allow_downgrade,
        own_slot=own,
        retire=online_opts.retire_source,
    )
    if refusals:
        raise PreflightError("\n".join(f"- {r}" for r in refusals))
    if opts.dry_run:  # the plain copy's plan, after the online checks passed
        report = Migration(opts).run()
        report.preflight.insert(
            0, "online: wal_level logical, REPLICATION privilege, a free slot, keys: ok"
        )
        return report
    journal = _journal(opts)
    lock = _exclusive(journal)
    started = time.monotonic()
    online = OnlinePostgres(opts, journal, unit_prefix="")
    try:
        journal.set_status("running")
        _phases(online, journal, online_opts, opts.quiet)
    except CopyError as exc:
        online.report.status = "failed"
        online.report.errors.append(f"{exc} (finish with --resume {journal.run_id})")
    finally:
        online.report.timings["total"] = round(time.monotonic() - started, 3)
        journal.set_status(online.report.status)
        journal.close()
        lock.close()
    return online.report


def _phases(
    online: OnlinePostgres, journal: Journal, online_opts: OnlineOptions, quiet: bool
) -> None:
    say = (lambda text: None) if quiet else Console(stderr=True).print
    if journal.is_done("online:switched"):
        online.cleanup()
        online.report.status = "verified"
        return
    online.bulk_copy()
    say(f"[cyan]online[/] bulk copy done; catching up from slot {online.names.slot}")
    with Console(stderr=True, quiet=quiet).status("catching up"):
        lag = online.catch_up(online_opts.max_lag_bytes, online_opts.catch_up_timeout)
    if not lag.caught_up:
        raise CopyError(
            f"catch-up: still {lag.bytes} bytes behind after {online_opts.catch_up_timeout}s"
        )
    if not journal.is_done("online:verified"):
        say("[cyan]online[/] caught up; verifying every row at a consistent point, writes go on")
        if not online.pre_verify(online_opts.freeze_timeout).ok:
            return
        online.catch_up(online_opts.max_lag_bytes, online_opts.catch_up_timeout)
    say(f"[cyan]online[/] caught up ({lag.changes_applied} changes applied); freezing writes")
    token = online.freeze(online_opts.freeze_timeout)
    switched = False
    try:
        online.drain(token)
        result = online.finalize()
        switched = result.ok and online_opts.retire_source
    finally:
        online.unfreeze(token, switched)
    say(
        f"[cyan]online[/] writes were frozen {online.report.timings['freeze_window']} s; "
        f"source {'retired (read-only)' if switched else 'writable again'}"
    )
    if result.ok:
        online.cleanup()
