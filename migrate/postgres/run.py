"""One PostgreSQL migration, start to finish: preflight, plan, schema, data, post-data, sequences,
database settings, verification, ANALYZE. Every step after preflight is journaled, so `--resume`
skips finished work; a step that committed on the target just before a kill -9 but was not
journaled is recognised on the target and not run twice (pre-data here, post-data in `schema`,
data units are cleared and copied again in `copy`).

The coordinator session (the source connection opened first) exports the snapshot every reader
imports and stays open until the last reader is done, keeping that snapshot valid.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

import psycopg
from psycopg import sql
from rich.console import Console

from migrate.journal import Journal, JournalError, JournalLike
from migrate.postgres import catalog, schema, sequences, settings
from migrate.postgres.conn import (
    PgUrl,
    Timeouts,
    connect,
    connect_source,
    identity,
    parse_url,
)
from migrate.postgres.copy import DataCopy, reset_block_tables
from migrate.postgres.display import Bars
from migrate.postgres.errors import CopyError, PreflightError
from migrate.postgres.plan import Unit, make_plan
from migrate.postgres.preflight import Preflight, run_preflight, target_objects
from migrate.postgres.sizes import DEFAULT_CHUNK_BYTES
from migrate.postgres.verify import definitions_check, verify
from migrate.report import Report

KIND = "postgres"


@dataclass(frozen=True)
class Options:
    source: str
    target: str
    jobs: int = 4
    dry_run: bool = False
    resume: str | None = None
    allow_downgrade: bool = False
    chunk_bytes: int = DEFAULT_CHUNK_BYTES
    quiet: bool = False
    timeouts: Timeouts = field(default_factory=Timeouts)


def _open_run(opts: Options, source: PgUrl, target: PgUrl) -> Journal | None:
    """The journal of the run being resumed, checked to be about these two databases."""
    if opts.resume is None:
        return None
    try:
        return Journal.resume(
            opts.resume, KIND, source.redacted, target.redacted, identity=identity
        )
    except JournalError as exc:
        raise PreflightError(f"--resume: {exc}") from None


def _exclusive(journal: Journal) -> IO[str]:
    """An exclusive lock on the run for this process's lifetime (released by the OS even on
    kill -9), so two processes never copy the same run at once."""
    handle = journal.path.with_suffix(".lock").open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise PreflightError(
            f"--resume {journal.run_id}: another process is running it right now"
        ) from None
    return handle


def _largest(units: list[Unit], shown: int = 5) -> str:
    """The plan's biggest tables with their estimated rows and how many units each is cut into."""
    tables: dict[str, list[Unit]] = {}
    for unit in units:
        tables.setdefault(unit.table_name, []).append(unit)
    biggest = sorted(tables.items(), key=lambda item: -sum(u.est_bytes for u in item[1]))
    parts = [
        f"{name} (~{sum(u.est_rows for u in parts):,} rows, "
        f"{sum(u.est_bytes for u in parts) / 1e6:,.1f} MB, "
        f"{len(parts)} unit{'s' if len(parts) > 1 else ''})"
        for name, parts in biggest[:shown]
    ]
    return ", ".join(parts) or "none"


class Migration:
    """State of one run shared by its steps: URLs, journal, report, progress bars."""

    def __init__(self, opts: Options, journal: JournalLike | None = None) -> None:
        """`journal`: a journal owned by the caller (the online copy, the stack move), which
        this run writes its units into but neither creates, locks, closes nor sets the status
        of; `opts.resume` is then ignored."""
        self.opts = opts
        self.source = parse_url(opts.source, "--from", opts.timeouts)
        self.target = parse_url(opts.target, "--to", opts.timeouts)
        if opts.jobs < 1:
            raise PreflightError(f"--jobs must be at least 1, got {opts.jobs}")
        self._owns_journal = journal is None
        self.journal = journal if journal is not None else _open_run(opts, self.source, self.target)
        self._lock: IO[str] | None = None
        if self.journal is not None and self._owns_journal:
            try:
                self._lock = _exclusive(self.journal)
            except PreflightError:
                self.journal.close()
                raise
        self.resuming = self.journal is not None and (
            self._owns_journal or self.journal.get("plan") is not None
        )
        self.report = Report(
            KIND,
            self.journal.run_id if self.journal else "",
            self.source.redacted,
            self.target.redacted,
            dry_run=opts.dry_run,
        )

    @contextmanager
    def _timed(self, step: str) -> Iterator[None]:
        start = time.monotonic()
        yield
        self.report.timings[step] = round(time.monotonic() - start, 3)

    def _step(self, name: str) -> bool:
        """True when `name` still has to run (not journaled done by an earlier attempt)."""
        assert self.journal is not None
        return not self.journal.is_done(name)

    def run(self, *, snapshot: str | None = None, verify: bool = True) -> Report:
        """`snapshot`: an exported snapshot to copy from (the online copy's replication slot's),
        imported by the coordinator, which then holds it for the readers. `verify=False` stops
        after the copy (status "copied"): the online copy verifies later, on a frozen source."""
        started = time.monotonic()
        coordinator = connect_source(self.source)
        try:
            target = connect(self.target, autocommit=True)
            with target, self._timed("preflight"):
                try:
                    # A run being resumed passed the emptiness check when it started; whatever
                    # the target holds now is its own work (checked by the pre-data step).
                    found = run_preflight(
                        coordinator,
                        target,
                        self.source,
                        self.target,
                        allow_downgrade=self.opts.allow_downgrade,
                        target_may_hold_run=self.resuming,
                    )
                except psycopg.Error as exc:
                    message = str(exc).strip().splitlines()[0]
                    raise PreflightError(f"preflight query failed: {message}") from None
            self.report.preflight = found.notes
            self.report.stats["not_copied"] = found.not_copied
            try:
                if snapshot is not None:
                    coordinator.execute(
                        sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot))
                    )
                snapshot = coordinator.execute("SELECT pg_export_snapshot()").fetchone()[0]
                units = self._plan(coordinator, found)
            except psycopg.Error as exc:
                message = str(exc).strip().splitlines()[0]
                raise PreflightError(f"planning the copy failed: {message}") from None
            if not self.opts.quiet:
                self.report.show_preflight(Console(stderr=True))
            if self.opts.dry_run:
                self.report.status = "planned"
                return self.report
            if self.journal is None:
                self.journal = Journal.create(
                    KIND,
                    {
                        "source": self.source.redacted,
                        "target": self.target.redacted,
                        "chunk_bytes": self.opts.chunk_bytes,
                    },
                )
                self.report.run_id = self.journal.run_id
                self._lock = _exclusive(self.journal)
            if self.journal.get("plan") is None:
                self.journal.record("plan", "done", {"units": [u.to_dict() for u in units]})
            if self._owns_journal:
                self.journal.set_status("running")
            try:
                with Bars(self.opts.quiet) as bars:
                    self._copy(snapshot, units, found, bars)
                    coordinator.commit()
                    if not verify:
                        self.report.status = "copied"
                        return self.report
                    # Verification hashes every row on both servers and needs every core they
                    # have; ANALYZE beside it slowed it by a third (bench), so it runs after.
                    self._verify(found, bars)
                    self._analyze_step(found, bars)
            except (CopyError, PreflightError, psycopg.Error) as exc:
                # Writing has started: even a lost connection is a failed run (exit 1), which
                # `--resume` finishes, not a refusal.
                self.report.status = "failed"
                self.report.errors.append(
                    f"{str(exc).strip()} (finish with --resume {self.journal.run_id})"
                )
            if self._owns_journal:
                self.journal.set_status(self.report.status)
        finally:
            coordinator.close()
            if self.journal is not None and self._owns_journal:
                self.journal.close()
            if self._lock is not None:
                self._lock.close()
            self.report.timings["total"] = round(time.monotonic() - started, 3)
        return self.report

    def _plan(self, coordinator: psycopg.Connection, found: Preflight) -> list[Unit]:
        if self.journal is not None:
            entry = self.journal.get("plan")
            if entry and entry[1]:
                units = [Unit.from_dict(u) for u in entry[1]["units"]]
                self.report.stats["units"] = len(units)
                return units
        same_major = found.source_version // 10000 == found.target_version // 10000
        units = make_plan(found.tables, coordinator, self.opts.chunk_bytes, binary=same_major)
        split = len({u.table_name for u in units if u.mode != "whole"})
        self.report.preflight.append(
            f"plan: {len(units)} units over {len(found.tables)} tables "
            f"({split} split into ranges), "
            f"{self.opts.jobs} jobs, {'binary' if same_major else 'text'} COPY"
        )
        self.report.preflight.append(f"largest tables: {_largest(units)}")
        self.report.stats["units"] = len(units)
        return units

    def _copy(self, snapshot: str, units: list[Unit], found: Preflight, bars: Bars) -> None:
        journal = self.journal
        assert journal is not None
        if self._step("schema:pre-data"):
            with self._timed("schema"):
                self._pre_data(snapshot)
            journal.mark_done("schema:pre-data")
        if self.resuming:
            reset_block_tables(
                self.target, units, journal.is_done, lambda name: journal.record(name, "pending")
            )
        todo = [u for u in units if self._step(u.name)]
        rows = bars.items.add_task("rows", total=sum(u.est_rows for u in units) or None)
        done_rows = sum((d or {}).get("rows", 0) for d in journal.done("data:").values())
        bars.items.update(rows, completed=done_rows)
        streamed = bars.bytes.add_task("bytes", total=sum(u.est_bytes for u in todo) or None)
        totals = {"rows": 0, "bytes": 0}

        def on_progress(n_bytes: int, n_rows: int) -> None:
            totals["bytes"] += n_bytes
            totals["rows"] += n_rows
            bars.bytes.advance(streamed, n_bytes)
            bars.items.advance(rows, n_rows)

        with self._timed("data"):
            DataCopy(
                self.source,
                self.target,
                snapshot,
                mark_done=journal.mark_done,
                resuming=self.resuming,
                on_progress=on_progress,
            ).run(todo, self.opts.jobs)
        bars.items.update(rows, total=bars.items.tasks[rows].completed)
        bars.bytes.update(streamed, total=totals["bytes"])
        self.report.stats.update(
            rows_copied=totals["rows"], bytes_streamed=totals["bytes"], units_copied=len(todo)
        )
        self._post_data(snapshot, bars)
        if self._step("sequences"):
            with self._timed("sequences"):
                with connect_source(self.source) as conn:
                    values = sequences.read_values(conn, found.sequences)
                with connect(self.target, autocommit=True) as conn:
                    sequences.write_values(conn, values)
            journal.mark_done("sequences")
        if self._step("database settings"):
            self._database_settings()
            journal.mark_done("database settings")

    def _pre_data(self, snapshot: str) -> None:
        """Load the schema, unless a resumed run's pre-data committed before its journal entry
        (one transaction: all of it is there, or nothing is). A target holding anything else
        is refused: nothing is loaded over it."""
        if self.resuming:
            with connect(self.target) as target:
                present = target_objects(target)
                if present:
                    self._check_pre_data_landed(target)
                    return
        schema.copy_pre_data(self.source, self.target, snapshot)
        schema.step_delay()

    def _check_pre_data_landed(self, target: psycopg.Connection) -> None:
        with connect_source(self.source) as source:
            src, tgt = catalog.objects(source), catalog.objects(target)
        kinds = ("schemas", "tables", "sequences", "views", "functions", "types")
        checks = [definitions_check(kind, src[kind], tgt[kind]) for kind in kinds]
        failed = [f"{c.subject}: {c.detail}" for c in checks if not c.ok]
        if failed:
            raise CopyError(
                f"--to {self.target.redacted} holds objects, but not the source's schema as this "
                f"run would have loaded it ({'; '.join(failed)}); migrate into an empty database"
            )

    def _database_settings(self) -> None:
        """Copy ALTER DATABASE ... SET settings; the ones the --to role may not set are reported
        with the statement to run (verification then fails until they are)."""
        with connect_source(self.source) as source:
            wanted = catalog.database_settings(source)
        with connect(self.target, autocommit=True) as target:
            refused = settings.copy_settings(target, wanted)
        self.report.stats["database_settings"] = len(wanted)
        if refused:
            self.report.preflight.append(
                f"not copied: {len(refused)} database settings (the --to role does not own the "
                f"database); run as its owner: {'; '.join(refused)}"
            )

    def _post_data(self, snapshot: str, bars: Bars) -> None:
        journal = self.journal
        assert journal is not None
        if not self._step("schema:post-data"):
            return
        with self._timed("post_data"):
            preamble, entries = schema.dump_post_data(self.source, snapshot)
            task = bars.items.add_task("indexes, constraints", total=len(entries))
            schema.PostData(
                self.target,
                preamble,
                self.opts.jobs,
                is_done=journal.is_done,
                mark_done=journal.mark_done,
                resuming=self.resuming,
                advance=lambda: bars.items.advance(task),
            ).apply(entries)
        journal.mark_done("schema:post-data")

    def _analyze_step(self, found: Preflight, bars: Bars) -> None:
        assert self.journal is not None
        if self._step("analyze"):
            with self._timed("analyze"):
                self._analyze(found, bars)
            self.journal.mark_done("analyze")

    def _analyze(self, found: Preflight, bars: Bars) -> None:
        """ANALYZE table by table across the workers, so the planner has statistics at once."""
        task = bars.items.add_task("analyze", total=len(found.tables))

        def analyze(names: list[sql.Composed]) -> None:
            with connect(self.target, autocommit=True) as conn:
                for name in names:
                    conn.execute(sql.SQL("ANALYZE {}").format(name))
                    bars.items.advance(task)

        names = [sql.Identifier(t.schema, t.name) for t in found.tables]
        width = max(1, min(self.opts.jobs, len(names)))
        with ThreadPoolExecutor(width) as pool:
            for future in [pool.submit(analyze, names[i::width]) for i in range(width)]:
                future.result()

    def _verify(self, found: Preflight, bars: Bars) -> None:
        task = bars.items.add_task("verify tables", total=len(found.tables))
        with self._timed("verify"):
            verify(
                self.source,
                self.target,
                self.report,
                self.opts.jobs,
                on_table=lambda: bars.items.advance(task),
            )
        self.report.status = "verified" if not self.report.failures else "mismatch"


def migrate(opts: Options) -> Report:
    """Run (or resume, or dry-run) one migration. Raises PreflightError before writing anything."""
    return Migration(opts).run()
