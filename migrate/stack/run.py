"""One stack move from start to end: preflight of the three stores together, then the journaled
phases (bulk copy while the source serves, PostgreSQL catch-up, cutover, switch), one report;
`--resume` picks the run up where its journal says.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Callable
from typing import IO

from rich.console import Console

from migrate.journal import Journal, JournalError
from migrate.stack.errors import StackInputError
from migrate.stack.move import KIND, Failed, Move, StackOptions, describe
from migrate.stack.plan import plan
from migrate.stack.report import StackReport

PHASES = ("bulk", "catch-up", "verify", "cutover")


def exclusive(journal: Journal) -> IO[str]:
    """One process per run (the OS drops the lock on kill -9)."""
    handle = journal.path.with_suffix(".lock").open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StackInputError(f"run {journal.run_id}: another process is running it now") from None
    return handle


def open_run(run_id: str, opts: StackOptions, option: str) -> Journal:
    source, target = describe(opts)
    try:
        return Journal.resume(run_id, KIND, source, target, identity=json.loads)
    except JournalError as exc:
        raise StackInputError(f"{option}: {exc}") from None


def migrate_stack(opts: StackOptions, console: Console | None = None) -> StackReport:
    """Run (or resume) a move; raises StackInputError on bad input or refused preflight."""
    move = Move(opts, console or Console(stderr=True))
    lock: IO[str] | None = None
    try:
        if opts.resume:
            move.journal = open_run(opts.resume, opts, "--resume")
            lock = exclusive(move.journal)
            if move.journal.status in {"switched", "aborted"}:
                raise StackInputError(
                    f"--resume {opts.resume}: that run is {move.journal.status}; nothing to resume"
                )
        move.preflight(resuming=move.journal is not None)
        if opts.dry_run:
            return plan(move)
        if move.journal is None:
            source, target = describe(opts)
            move.journal = Journal.create(KIND, {"source": source, "target": target})
            lock = exclusive(move.journal)
        return _execute(move)
    finally:
        move.redis.close()
        if move.journal is not None:
            move.journal.close()
        if lock is not None:
            lock.close()


def _execute(move: Move) -> StackReport:
    journal = move.journal
    assert journal is not None
    move.report.run_id = journal.run_id
    move.report.preflight.append(f"run id {journal.run_id}")
    if journal.is_done("stack:switched"):
        _finish(move)
        return move.report
    move.enter_target_maintenance()
    if journal.get("stack:redis-feed") is None:
        journal.record("stack:redis-feed", "started")
        move.report.preflight.append(move.redis.start_feed())
        _keep_notify(journal, move)
    else:
        # Notifications heard by the killed process are lost, and nobody listened in between.
        move.report.preflight.append("redis: a resumed move re-scans fingerprints at cutover")
    if not move.opts.quiet:
        move.report.show_preflight(move.console)
    steps: dict[str, Callable[[], None]] = {
        "bulk": move.bulk,
        "catch-up": move.catch_up,
        "verify": move.verify,
        "cutover": move.cutover,
    }
    try:
        for name in PHASES:
            with move.phase(name) as todo:
                if todo:
                    steps[name]()
    except Failed as exc:
        move.rollback(str(exc))
        return move.report
    except Exception as exc:
        # Any store's failure before the cutover: the source still serves, the run stays
        # resumable, and the operator gets a report rather than a traceback.
        move.report.errors.append(f"{type(exc).__name__}: {exc}; --resume {journal.run_id}")
        move.report.status = "failed"
        journal.set_status("failed")
        return move.report
    _finish(move)
    return move.report


def _finish(move: Move) -> None:
    """The cleanup after a switch; if it fails the move has still switched, and --resume only
    retries the cleanup."""
    try:
        move.finish()
    except Exception as exc:
        assert move.journal is not None
        move.report.status = "switched"
        move.report.errors.append(
            f"switched, but the cleanup failed ({type(exc).__name__}: {exc}); the replication "
            f"slot may still hold WAL on the source: --resume {move.journal.run_id} retries it"
        )


def _keep_notify(journal: Journal, move: Move) -> None:
    feed = move.redis.feed
    if feed is not None and feed.original is not None:
        journal.record("stack:redis-notify", "set", {"original": feed.original})
