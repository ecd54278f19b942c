"""`OnlinePostgres`: the online copy's phases, each callable on its own by an orchestrator.

Phases and what each leaves in the journal (names under the caller's unit prefix):
  bulk_copy   publication + slot (`online:slot`), the copied tables' columns (`online:tables`),
              then the existing parallel copy's units, then `online:bulk`
  catch_up    nothing in the journal: the applied position lives on the target (`progress`)
  pre_verify  every row compared at a consistent point, writes going on (`online:verified`)
  freeze      nothing durable: a crash releases the locks with the session
  drain       applies up to the freeze LSN
  finalize    sequences, then schema + sequences (all rows too without a pre_verify)
  unfreeze    `online:switched` when the source was retired
  cleanup     slot, publication and the target's progress schema dropped, `online:cleanup`
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from migrate.journal import Journal, Scoped
from migrate.postgres import catalog, sequences
from migrate.postgres.catalog import USER_NAMESPACE
from migrate.postgres.conn import apply_verify_settings, connect, connect_source, parse_url
from migrate.postgres.errors import CopyError
from migrate.postgres.online import progress
from migrate.postgres.online.apply import Diverged, SchemaChanged
from migrate.postgres.online.decode import DecodeError
from migrate.postgres.online.freeze import FreezeToken, freeze, unfreeze
from migrate.postgres.online.preflight import collect
from migrate.postgres.online.relay import Lag, Relay, wait_flushed
from migrate.postgres.online.slot import (
    Names,
    SlotSnapshot,
    connect_admin,
    drop_publication,
    drop_slot,
    ensure_publication,
    lsn_text,
)
from migrate.postgres.plan import Unit
from migrate.postgres.run import KIND, Migration, Options
from migrate.postgres.verify import schema_checks, verify
from migrate.report import Report

# The copied tables as the snapshot saw them: quoted name for statements, schema.name as
# pgoutput's Relation message spells it, and the (name, type oid) of every column it streams.
_TABLES = f"""
SELECT c.oid::regclass::text, n.nspname || '.' || c.relname,
       COALESCE((SELECT json_agg(json_build_array(a.attname, a.atttypid::int8) ORDER BY a.attnum)
                   FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                    AND NOT a.attisdropped AND a.attgenerated = ''), '[]')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND {USER_NAMESPACE}
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                   AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY 1
"""

# Test-only hook: seconds to hold the freeze before draining, so a kill -9 lands in the cutover.
TEST_FREEZE_DELAY_ENV = "TRUDEPLOY_PG_TEST_FREEZE_DELAY"
FLUSH_WAIT = 30.0  # seconds the source may take to flush WAL up to the freeze point


class OnlinePostgres:
    """One online PostgreSQL copy, driven phase by phase (see the module docstring)."""

    def __init__(self, opts: Options, journal: Journal, unit_prefix: str = "pg:") -> None:
        self.opts = opts
        self.source = parse_url(opts.source, "--from", opts.timeouts)
        self.target = parse_url(opts.target, "--to", opts.timeouts)
        self.journal = Scoped(journal, unit_prefix)
        self.names = Names.for_run(journal.run_id)
        self.report = Report(KIND, journal.run_id, self.source.redacted, self.target.redacted)
        self._relay: Relay | None = None

    def preflight(self, retire_source: bool = True) -> list[str]:
        """Every refusal (see `online.preflight.collect`); [] when the copy may start. Reads
        only: nothing is created on either server. `retire_source`: whether `unfreeze` will be
        called with switched=True (the role then needs the rights to retire the source)."""
        with self._timed("preflight"):
            return collect(
                self.source,
                self.target,
                resuming=self.journal.get("plan") is not None,
                allow_downgrade=self.opts.allow_downgrade,
                own_slot=self.names.slot,
                retire=retire_source,
            )

    @contextmanager
    def _timed(self, phase: str) -> Iterator[None]:
        start = time.monotonic()
        try:
            yield
        finally:
            spent = time.monotonic() - start
            self.report.timings[phase] = round(self.report.timings.get(phase, 0) + spent, 3)

    # -- bulk copy ------------------------------------------------------------------------

    def _plan_units(self) -> list[Unit]:
        entry = self.journal.get("plan")
        return [Unit.from_dict(u) for u in entry[1]["units"]] if entry and entry[1] else []

    def _restart_data(self, units: list[Unit]) -> None:
        """The snapshot the finished units were read at died with the process that held it,
        and no later snapshot agrees with the slot: empty the copied tables and copy them all
        again from a new slot's snapshot."""
        tables = sorted({u.table_name for u in units})
        with connect(self.target, autocommit=True) as conn:
            present = {
                r[0]
                for r in conn.execute(
                    "SELECT n.nspname || '.' || c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r'"
                ).fetchall()
            }
            names = [u.ident() for u in units if u.table_name in present and u.lo is None]
            if names:
                conn.execute(sql.SQL("TRUNCATE ONLY {}").format(sql.SQL(", ").join(names)))
        for unit in units:
            self.journal.record(unit.name, "pending")
        self.report.preflight.append(
            f"resumed during the bulk copy: {len(tables)} tables copied again from a new slot"
        )

    def _record_tables(self, snapshot: str) -> None:
        with connect_source(self.source) as conn:
            conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
            rows = conn.execute(_TABLES).fetchall()
            conn.rollback()
        self.journal.mark_done(
            "online:tables",
            {"quoted": [r[0] for r in rows], "columns": {r[1]: r[2] for r in rows}},
        )

    def _tables(self) -> dict:
        entry = self.journal.get("online:tables")
        if not entry or not entry[1]:
            raise CopyError("online copy: no bulk copy recorded for this run; run bulk_copy")
        return entry[1]

    def bulk_copy(self) -> None:
        """Publication, slot and the parallel copy of its snapshot. Resumable: a run killed
        after its data units finished keeps them; one killed during them copies them again."""
        if self.journal.is_done("online:bulk"):
            return
        with self._timed("bulk_copy"):
            units = self._plan_units()
            data_done = bool(units) and all(self.journal.is_done(u.name) for u in units)
            holder: SlotSnapshot | None = None
            if not (self.journal.is_done("online:slot") and data_done):
                if units:
                    self._restart_data(units)
                try:
                    drop_slot(self.source, self.names)
                    with connect_admin(self.source) as conn:
                        superuser = conn.execute(
                            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
                        ).fetchone()[0]
                        listed = None if superuser else [r[0] for r in conn.execute(_TABLES)]
                        ensure_publication(conn, self.names.publication, listed)
                except psycopg.Error as exc:
                    raise CopyError(f"--from: creating the publication: {exc}") from None
                holder = SlotSnapshot(self.source, self.names.slot)
                self._record_tables(holder.snapshot)
                self.journal.mark_done("online:slot", {"consistent_lsn": holder.consistent_lsn})
            try:
                copied = Migration(self.opts, journal=self.journal).run(
                    snapshot=holder.snapshot if holder else None, verify=False
                )
            finally:
                if holder is not None:
                    holder.close()
        self.report.preflight.extend(copied.preflight)
        self.report.stats.update(copied.stats)
        self.report.timings.update({f"bulk_{k}": v for k, v in copied.timings.items()})
        if copied.status != "copied":
            self.report.errors.extend(copied.errors)
            raise CopyError("; ".join(copied.errors) or f"bulk copy ended {copied.status}")
        self.journal.mark_done("online:bulk")

    # -- catch-up and cutover ---------------------------------------------------------------

    def _open_relay(self) -> Relay:
        if self._relay is None:
            self._relay = Relay(self.source, self.target, self.names, self._tables()["columns"])
        return self._relay

    def _close_relay(self) -> None:
        if self._relay is not None:
            self._relay.close()
            self._relay = None

    @contextmanager
    def _relaying(self) -> Iterator[Relay]:
        """A schema change or a divergence stops the run, journaled so that no later attempt
        switches; a lost session is a plain failure that `--resume` retries."""
        try:
            yield self._open_relay()
        except (SchemaChanged, Diverged) as exc:
            self.journal.record("online:refused", "done", {"reason": str(exc)})
            self._close_relay()
            raise CopyError(f"not switching: {exc}") from None
        except (psycopg.Error, DecodeError) as exc:
            self._close_relay()
            raise CopyError(f"relaying changes: {str(exc).strip()}") from None

    def catch_up(self, target_lag_bytes: int = 1024 * 1024, timeout: float = 600.0) -> Lag:
        """Apply changes until nothing is pending and the source's WAL is at most
        `target_lag_bytes` ahead, or `timeout` seconds pass; returns the lag then."""
        deadline = time.monotonic() + timeout
        with self._timed("catch_up"), self._relaying() as relay:
            while True:
                lag = relay.catch_up_round()
                if lag.caught_up and lag.bytes <= target_lag_bytes:
                    break
                if time.monotonic() >= deadline:
                    break
                if lag.caught_up:
                    time.sleep(0.1)
        self.report.stats["changes_applied"] = lag.changes_applied
        self.report.stats["lag_bytes"] = lag.bytes
        return lag

    def freeze(self, lock_timeout: float = 10.0) -> FreezeToken:
        """Stop writes to the copied tables on the source (reads go on). FreezeError when the
        locks are not granted within `lock_timeout` seconds: then nothing is held."""
        with self._timed("freeze_lock"):
            return freeze(self.source, self._tables()["quoted"], lock_timeout)

    def drain(self, token: FreezeToken) -> None:
        """Apply every change committed before the freeze."""
        time.sleep(float(os.environ.get(TEST_FREEZE_DELAY_ENV, "0") or 0))
        with self._timed("drain"), self._relaying() as relay:
            wait_flushed(relay.source, token.lsn, FLUSH_WAIT)
            relay.drain_to(token.lsn)
        self.report.stats["changes_applied"] = relay.applier.applied

    def pre_verify(self, lock_timeout: float = 10.0) -> Report:
        """The full row-by-row verification, before the cutover, so that the freeze need not
        hold writes for a time that grows with the data. Writes pause for milliseconds: under
        the freeze's locks a snapshot is exported and imported by a holder session, and the
        WAL position noted; the locks are released, the target is drained to exactly that
        position and compared with the source as of that snapshot, while the source keeps
        serving writes. `finalize` then checks only what can change after it (schema,
        sequences). Journaled: a resumed run need not repeat it."""
        with self._timed("pre_verify"):
            token = self.freeze(lock_timeout)
            try:
                snapshot = token.conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
                holder = connect_source(self.source)
                holder.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
                # the freeze's export ends with its transaction; the holder's lives on
                snapshot = holder.execute("SELECT pg_export_snapshot()").fetchone()[0]
            finally:
                unfreeze(self.source, token, switched=False)
            self.report.timings["pre_verify_pause"] = round(time.monotonic() - token.started, 3)
            try:
                with self._relaying() as relay:
                    wait_flushed(relay.source, token.lsn, FLUSH_WAIT)
                    relay.drain_to(token.lsn)
                self.report.checks.clear()
                verify(
                    self.source,
                    self.target,
                    self.report,
                    self.opts.jobs,
                    ignore_schema=progress.SCHEMA,
                    snapshot=snapshot,
                )
            finally:
                holder.close()
        # sequences are not transactional (a snapshot does not pin them) and the target's are
        # set only at the cutover: `finalize` compares them
        self.report.checks = [c for c in self.report.checks if c.check != "sequence"]
        ok = not self.report.failures
        self.journal.record(
            "online:verified", "done" if ok else "failed", {"lsn": lsn_text(token.lsn)}
        )
        self.report.status = "verified" if ok else "mismatch"
        return self.report

    def _light_checks(self) -> None:
        """Inside the freeze after a passed `pre_verify`: schema and sequences, which the
        relay does not carry, compared again; rows were verified at the pre-verify position
        and every change since came through the same exactly-once relay."""
        self.report.checks = [
            c for c in self.report.checks if c.check not in {"definitions", "sequence"}
        ]
        with connect_source(self.source) as src, connect(self.target, autocommit=True) as tgt:
            apply_verify_settings(src)
            self.report.checks.extend(schema_checks(src, tgt, progress.SCHEMA))
            names = catalog.sequences(src)
            theirs = set(catalog.sequences(tgt))
            ours = sequences.read_values(src, names)
            mine = sequences.read_values(tgt, [n for n in names if n in theirs])
        for name in names:
            self.report.add(name, "sequence", ours[name], mine.get(name))

    def finalize(self) -> Report:
        """Inside the freeze, after `drain`: sequences, then verification of the frozen source
        against the target: schema and sequences only when `pre_verify` passed (the window
        then does not grow with the data), else everything, rows included. The report's `ok`
        says whether switching is safe; a schema change seen while relaying makes it not ok
        whatever the verification says."""
        refused = self.journal.get("online:refused")
        if refused:
            self.report.status = "refused"
            self.report.errors.append(f"not switching: {(refused[1] or {}).get('reason')}")
            return self.report
        with self._timed("sequences"):
            with connect_source(self.source) as conn:
                values = sequences.read_values(conn, catalog.sequences(conn))
            with connect(self.target, autocommit=True) as conn:
                sequences.write_values(conn, values)
        with self._timed("verify"):
            if self.journal.is_done("online:verified"):
                self._light_checks()
            else:
                self.report.checks.clear()
                verify(
                    self.source,
                    self.target,
                    self.report,
                    self.opts.jobs,
                    ignore_schema=progress.SCHEMA,
                )
        self.report.status = "verified" if not self.report.failures else "mismatch"
        return self.report

    def unfreeze(self, token: FreezeToken, switched: bool) -> None:
        """After a switch, retire the source (see `freeze`); on rollback just release."""
        self._close_relay()
        ended = unfreeze(self.source, token, switched)
        self.report.timings["freeze_window"] = round(time.monotonic() - token.started, 3)
        self.report.stats["sessions_ended"] = len(ended)
        if switched:
            self.journal.mark_done("online:switched")

    # -- cleanup ----------------------------------------------------------------------------

    def _drop_everything(self) -> list[str]:
        self._close_relay()
        dropped = drop_slot(self.source, self.names) + drop_publication(self.source, self.names)
        with connect(self.target, autocommit=True) as conn:
            progress.drop(conn)
        return dropped

    def cleanup(self) -> None:
        """Drop the slot (the source stops keeping WAL for it), the publication and the
        target's progress schema. Idempotent."""
        with self._timed("cleanup"):
            self.report.stats["dropped"] = self._drop_everything()
        self.journal.mark_done("online:cleanup")

    def abort(self) -> None:
        """Give the run up: the same drops as `cleanup`, whatever phase it reached. The
        target's copied data is left as it is."""
        self.report.stats["dropped"] = self._drop_everything()
        self.journal.mark_done("online:aborted")
        self.report.status = "aborted"
