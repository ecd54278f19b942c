"""Online PostgreSQL copy: the source keeps serving writes while it is copied, and stops them
only for the seconds of the cutover.

Why the tool relays the changes instead of native publication/subscription: a subscription
runs on the target and connects to the source, which across providers it usually cannot (RDS
or Cloud SQL on private networks, egress rules, a source reachable only through the operator's
network), needs superuser on the target to create, and decides on its own when it is caught up.
The tool already reaches both sides for the bulk copy; relaying through it needs nothing of the
target but a role that can write, and puts the applied position, the freeze and the switch in
one process that can journal them.

How: a publication and a logical slot (pgoutput) on the source; the slot's exported snapshot is
the one the parallel copy (`migrate.postgres.run.Migration`) reads; then the changes after it
are peeked from the slot, decoded (`decode`), applied (`apply`) batch by batch in target
transactions that also record the applied position (`progress`), and only then is the slot
advanced (`relay`). Every row is verified before the cutover, at a consistent point taken under
a pause of milliseconds (`pre_verify`). The cutover (`freeze`) locks the copied tables IN
EXCLUSIVE MODE on the source, drains to the WAL position at that moment, sets sequences, checks
schema and sequences, and unfreezes: its window does not grow with the data.

API for an orchestrator (stable; `trudeploy migrate stack` calls it):

    from migrate.postgres.online import OnlinePostgres, Lag, FreezeToken, FreezeError
    from migrate.postgres.run import Options

    online = OnlinePostgres(Options(source=URL, target=URL, jobs=4), journal, unit_prefix="pg:")
    refusals: list[str] = online.preflight(retire_source=True)  # reads only; [] = may start
    online.bulk_copy()                              # resumable; CopyError on failure
    lag: Lag = online.catch_up(target_lag_bytes=1 << 20, timeout=600.0)
    report: Report = online.pre_verify(lock_timeout=10.0)  # every row, writes go on; optional
    lag = online.catch_up(...)                      # what came in meanwhile
    token: FreezeToken = online.freeze(lock_timeout=10.0)   # FreezeError: nothing held
    online.drain(token)
    report: Report = online.finalize()              # report.ok: safe to switch; after a
                                                    # passed pre_verify: schema + sequences only
    online.unfreeze(token, switched=report.ok)      # switched: source retired (read-only)
    online.cleanup()                                # after success: slot, publication dropped
    online.abort()                                  # give up: the same drops, any phase
    online.report                                   # timings per phase, stats, checks

`journal` is a `migrate.journal.Journal` the caller owns (created, locked, closed by it); this
store's units go in under `unit_prefix`. A process killed in any phase is resumed by building
a new `OnlinePostgres` on the same journal and calling the phases again from `bulk_copy`:
finished work is skipped, and the target's recorded position keeps catch-up exactly-once.
Every phase raises `migrate.postgres.errors.CopyError` on failure (`FreezeError` is one); a
schema change on the source during the run makes catch-up/drain raise and `finalize` refuse.
"""

from migrate.postgres.online.engine import OnlinePostgres
from migrate.postgres.online.freeze import FreezeError, FreezeToken
from migrate.postgres.online.relay import Lag

__all__ = ["FreezeError", "FreezeToken", "Lag", "OnlinePostgres"]
