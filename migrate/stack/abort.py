"""`--abort RUN_ID`: give a move up before it switched."""

from __future__ import annotations

from rich.console import Console

from migrate.stack.errors import StackInputError
from migrate.stack.move import Move, StackOptions
from migrate.stack.report import StackReport
from migrate.stack.run import exclusive, open_run


def abort_stack(run_id: str, opts: StackOptions) -> StackReport:
    """Give up a move that has not switched: drop the slot and publication, the source leaves
    maintenance, its Redis config is put back. The target keeps what was copied, in maintenance."""
    move = Move(opts, Console(stderr=True))
    journal = move.journal = open_run(run_id, opts, "--abort")
    lock = exclusive(journal)
    try:
        if journal.is_done("stack:switched"):
            raise StackInputError(
                f"--abort {run_id}: that run has switched to the target; to go back, see "
                "docs/migration.md (roll back after a switch)"
            )
        move.report.run_id = run_id
        if journal.get("stack:switch-started") is not None:
            # Killed while switching: the target may have been opened and the switch hook run.
            move.maintenance.enter(opts.target.redis_url, run_id, ca_cert=opts.target.redis_ca_cert)
            move.report.errors.append(
                "the run was killed while switching: the target is back in maintenance; undo "
                "what --switch-command changed (e.g. point the DNS back at the source)"
            )
        move.postgres().abort()
        if journal.get("stack:source-maintenance") is not None:
            move.maintenance.leave(opts.source.redis_url, ca_cert=opts.source.redis_ca_cert)
            journal.record("stack:source-maintenance", "left")
        move.restore_notify()
        journal.set_status("aborted")
        move.report.status = "aborted"
        return move.report
    finally:
        move.redis.close()
        journal.close()
        lock.close()
