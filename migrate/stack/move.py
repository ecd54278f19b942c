"""The state and the phases of one stack move, shared by running, planning and aborting it.

The target stack is in maintenance from the first write until the switch, so nothing but the move
writes to it. At cutover the source enters maintenance (writes answer 503), the move waits out the
app's flag cache, freezes the database, and copies only what changed since the bulk copy; a failed
verification, or a failing switch hook, rolls back: the source is unfrozen and leaves maintenance,
the target stays in it, nothing is switched. After a switch the source stays in maintenance.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from migrate.journal import Journal
from migrate.postgres.errors import CopyError, PreflightError
from migrate.progress import make_progress
from migrate.stack import stores
from migrate.stack.errors import StackInputError
from migrate.stack.outputs import StackSide
from migrate.stack.redis_changes import restore_config
from migrate.stack.redis_side import RedisSide
from migrate.stack.report import StackReport
from migrate.stack.storage_side import StorageSide

KIND = "stack"
#: Test hook: comma-separated points (bulk, catch-up, verify, cutover), each optionally `=SECONDS`
#: (default 120), where the run announces itself on stderr and sleeps, so a test can kill -9 it
#: in that phase or change a side under it. Unset in real runs.
TEST_PAUSE_ENV = "TRUDEPLOY_STACK_TEST_PAUSE"


def pause(point: str) -> None:
    for item in os.environ.get(TEST_PAUSE_ENV, "").split(","):
        name, _, seconds = item.partition("=")
        if name == point:
            print(f"paused at {point}", file=sys.stderr, flush=True)
            time.sleep(float(seconds or 120))


@dataclass(frozen=True)
class StackOptions:
    source: StackSide
    target: StackSide
    dry_run: bool = False
    resume: str | None = None
    switch_command: str | None = None
    target_lag_bytes: int = 1 << 20
    catch_up_timeout: float = 3600.0
    lock_timeout: float = 5.0
    jobs: int = 4
    quiet: bool = False


def describe(opts: StackOptions) -> tuple[str, str]:
    return (
        json.dumps(opts.source.describe(), sort_keys=True),
        json.dumps(opts.target.describe(), sort_keys=True),
    )


class Move:
    """The state one run's phases share."""

    def __init__(self, opts: StackOptions, console: Console) -> None:
        self.opts = opts
        self.console = console
        self.maintenance = stores.maintenance()
        self.exclude = {self.maintenance.KEY.encode()}
        self.redis = RedisSide(
            opts.source.redis_url,
            opts.target.redis_url,
            self.exclude,
            source_ca=opts.source.redis_ca_cert,
            target_ca=opts.target.redis_ca_cert,
        )
        self.storage = StorageSide(opts.source, opts.target)
        self.journal: Journal | None = None
        self.pg: stores.OnlinePostgres | None = None
        self.pg_journal: Journal | None = None
        self.frozen: Any = None
        self.unavailable_since: float | None = None
        source, target = describe(opts)
        self.report = StackReport(KIND, "", source, target, dry_run=opts.dry_run)

    def say(self, text: str) -> None:
        if not self.opts.quiet:
            self.console.print(text, highlight=False)

    def postgres(self) -> stores.OnlinePostgres:
        """The online copy, on the run's journal; before the run has one (a first preflight),
        on a journal held in memory, so a refused move leaves no run behind."""
        journal = self.journal or Journal(Path(":memory:"), "preflight")
        if self.pg is None or self.pg_journal is not self.journal:
            self.pg = stores.online_postgres(
                self.opts.source.database_url,
                self.opts.target.database_url,
                journal,
                jobs=self.opts.jobs,
                quiet=self.opts.quiet,
            )
            self.pg_journal = self.journal
            self.report.sections["postgres"] = self.pg.report
        return self.pg

    # -- preflight -------------------------------------------------------------------------

    def preflight(self, resuming: bool) -> None:
        """Every store's refusals at once; nothing is written before all three pass."""
        refusals: list[str] = []
        try:
            pg = self.postgres()
            refusals += [f"postgres: {r}" for r in pg.preflight()]
            self.report.preflight += [f"postgres: {note}" for note in pg.report.preflight]
        except (CopyError, PreflightError) as exc:
            refusals.append(f"postgres: {exc}")
        for side in (self.redis, self.storage):
            notes, refused = side.preflight(resuming=resuming)
            self.report.preflight += notes
            refusals += refused
        if refusals:
            raise StackInputError(refusals)

    # -- phases ----------------------------------------------------------------------------

    @contextmanager
    def phase(self, name: str) -> Iterator[bool]:
        """Yields whether the phase still has to run; records its duration once it has."""
        assert self.journal is not None
        unit = f"stack:phase:{name}"
        entry = self.journal.get(unit)
        # The catch-up runs again before every cutover attempt (after a rollback or a crash the
        # source has written on meanwhile); the other phases run once.
        if entry is not None and entry[0] == "done" and name != "catch-up":
            self.report.timings[f"{name}_s"] = float((entry[1] or {}).get("seconds", 0.0))
            yield False
            return
        self.say(f"[bold cyan]phase[/] {name}")
        self.journal.set_status(name)
        started = time.perf_counter()
        yield True
        seconds = round(time.perf_counter() - started, 3)
        self.journal.mark_done(unit, {"seconds": seconds})
        self.report.timings[f"{name}_s"] = seconds

    def enter_target_maintenance(self) -> None:
        assert self.journal is not None
        if self.journal.get("stack:target-maintenance") is None:
            self.maintenance.enter(
                self.opts.target.redis_url,
                self.journal.run_id,
                ca_cert=self.opts.target.redis_ca_cert,
            )
            self.journal.record("stack:target-maintenance", "entered")

    def bulk(self) -> None:
        assert self.journal is not None
        self.postgres().bulk_copy()
        pause("bulk")
        progress = make_progress(quiet=self.opts.quiet)
        with progress:
            keys = self.redis.bulk(self.journal, progress)
        self.report.stats["redis_keys_bulk"] = keys
        storage = self.storage.copy(self.journal, quiet=self.opts.quiet, again=False)
        self.report.sections["storage (bulk)"] = storage
        if not storage.ok:
            raise Incomplete("storage: the bulk copy did not verify (see its section)")

    def catch_up(self) -> None:
        pause("catch-up")
        self.postgres().catch_up(self.opts.target_lag_bytes, self.opts.catch_up_timeout)

    def verify(self) -> None:
        """Every row compared while the source serves (writes pause for milliseconds to take a
        consistent point), so the cutover checks only schema and sequences and its window does
        not grow with the data; then catch up on what came in meanwhile."""
        pg = self.postgres()
        pause("verify")
        checked = pg.pre_verify(self.opts.lock_timeout)
        self.report.sections["postgres"] = checked
        if checked.failures or checked.errors:
            raise Incomplete("postgres: verification before the cutover found differences")
        pg.catch_up(self.opts.target_lag_bytes, self.opts.catch_up_timeout)

    def cutover(self) -> None:
        """Freeze, copy the last changes, verify, switch. Whatever fails in here (a store that
        stops answering as much as a mismatch) rolls back: the source must get its writes back."""
        try:
            self._cutover()
        except Failed:
            raise
        except Exception as exc:
            raise Failed(f"cutover: {type(exc).__name__}: {exc}") from exc

    def _cutover(self) -> None:
        assert self.journal is not None
        pg = self.postgres()
        if self.journal.get("stack:switch-started") is not None:
            # A run killed mid-switch: close the target again before copying into it.
            self.maintenance.enter(
                self.opts.target.redis_url,
                self.journal.run_id,
                ca_cert=self.opts.target.redis_ca_cert,
            )
        # A cutover resumed after a kill -9 continues the window the killed one opened (the
        # source stayed in maintenance), so the report counts it from then: wall-clock time.
        earlier = self.journal.get("stack:source-maintenance")
        if earlier is not None and earlier[0] != "left" and earlier[1]:
            self.unavailable_since = float(earlier[1]["at"])
        else:
            self.unavailable_since = time.time()
            self.journal.record(
                "stack:source-maintenance", "entering", {"at": self.unavailable_since}
            )
        self.maintenance.enter(
            self.opts.source.redis_url, self.journal.run_id, ca_cert=self.opts.source.redis_ca_cert
        )
        self.say(f"source in maintenance; waiting {self.maintenance.CACHE_SECONDS} s for the "
                 "app's flag cache")  # fmt: skip
        time.sleep(self.maintenance.CACHE_SECONDS)
        steps: dict[str, float] = {}
        started = time.perf_counter()
        try:
            self.frozen = pg.freeze(self.opts.lock_timeout)
        except CopyError as exc:
            raise Failed(f"postgres: {exc}") from exc
        steps["freeze"] = round(time.perf_counter() - started, 3)
        pause("cutover")
        # The three stores' last changes and checks touch nothing in common: run them at once,
        # so the window is the slowest of them, not their sum.
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="cutover") as pool:
            parts = {
                "postgres": pool.submit(self._timed, steps, "postgres", self._postgres_part),
                "redis": pool.submit(self._timed, steps, "redis", self._redis_part),
                "storage": pool.submit(self._timed, steps, "storage", self._storage_part),
            }
        for name, part in parts.items():
            try:
                part.result()
            except CopyError as exc:
                raise Failed(f"{name}: {exc}") from exc
        self.report.stats["cutover_steps_s"] = steps
        problems = sorted(
            name
            for name, section in self.report.sections.items()
            if section.errors
            or section.failures
            or (name == "postgres" and section.status != "verified")
        )
        if problems:
            raise Failed(f"verification failed: {', '.join(problems)}")
        self._switch()

    @staticmethod
    def _timed(steps: dict[str, float], name: str, work: Callable[[], None]) -> None:
        started = time.perf_counter()
        work()
        steps[name] = round(time.perf_counter() - started, 3)

    def _postgres_part(self) -> None:
        """Drain to the freeze's LSN, set sequences, verify the frozen source."""
        assert self.pg is not None
        self.pg.drain(self.frozen)
        self.report.sections["postgres"] = self.pg.finalize()

    def _redis_part(self) -> None:
        """Copy the keys written since the bulk copy, then check them and the key counts."""
        changed = self.redis.changed()
        copied = sum(self.redis.copy_keys(db, keys) for db, keys in changed.items())
        self.report.stats.update(
            redis_keys_delta=copied, redis_delta_method=self.redis.delta_method
        )
        section = self.report.section("redis", self.redis.source.display, self.redis.target.display)
        self.redis.verify(changed, section)

    def _storage_part(self) -> None:
        """The storage run again on this journal: what was added, replaced or deleted since."""
        assert self.journal is not None
        self.report.sections["storage"] = self.storage.copy(self.journal, quiet=True, again=True)

    def _switch(self) -> None:
        assert self.journal is not None and self.pg is not None
        self.journal.record("stack:switch-started", "started")
        self.maintenance.leave(self.opts.target.redis_url, ca_cert=self.opts.target.redis_ca_cert)
        if self.opts.switch_command:
            try:
                code = subprocess.run(shlex.split(self.opts.switch_command), check=False).returncode
            except OSError as exc:
                code, detail = 127, f" ({exc})"
            else:
                detail = ""
            if code != 0:
                self.maintenance.enter(
                    self.opts.target.redis_url,
                    self.journal.run_id,
                    ca_cert=self.opts.target.redis_ca_cert,
                )
                raise Failed(
                    f"--switch-command exited {code}{detail}; the target is in maintenance again"
                )
        self.pg.unfreeze(self.frozen, switched=True)
        self.frozen = None
        assert self.unavailable_since is not None
        self.report.write_unavailable_s = round(time.time() - self.unavailable_since, 3)
        self.journal.mark_done("stack:switched", {"window_s": self.report.write_unavailable_s})

    def rollback(self, why: str) -> None:
        """Give the source its writes back; the target stays in maintenance."""
        assert self.journal is not None
        self.report.errors.append(f"{why}; rolled back: the source serves writes again")
        if self.pg is not None and self.frozen is not None:
            self.pg.unfreeze(self.frozen, switched=False)
            self.frozen = None
        if self.journal.get("stack:source-maintenance") is not None:
            self.maintenance.leave(
                self.opts.source.redis_url, ca_cert=self.opts.source.redis_ca_cert
            )
            self.journal.record("stack:source-maintenance", "left")
        if self.journal.get("stack:switch-started") is not None:
            # The target may have been opened already: close it again, after the source is open
            # (a target that does not answer must not keep the source closed).
            try:
                self.maintenance.enter(
                    self.opts.target.redis_url,
                    self.journal.run_id,
                    ca_cert=self.opts.target.redis_ca_cert,
                )
            except Exception as exc:
                self.report.errors.append(
                    f"the target could not be put back in maintenance ({exc}); do it with "
                    "`trudeploy maintenance on`"
                )
        if self.unavailable_since is not None:
            self.report.write_unavailable_s = round(time.time() - self.unavailable_since, 3)
        self.report.status = "rolled-back"
        self.journal.set_status("rolled-back")

    def finish(self) -> None:
        """After the switch: drop the slot and publication, put the Redis config back."""
        assert self.journal is not None
        self.postgres().cleanup()
        self.redis.close()
        self.restore_notify()
        self.report.status = "switched"
        self.journal.set_status("switched")
        switched = self.journal.get("stack:switched")
        if switched and switched[1] and self.report.write_unavailable_s is None:
            self.report.write_unavailable_s = switched[1].get("window_s")

    def restore_notify(self) -> None:
        assert self.journal is not None
        kept = self.journal.get("stack:redis-notify")
        if kept is not None and kept[0] == "set" and kept[1] is not None:
            restore_config(self.redis.source, kept[1]["original"])
            self.journal.record("stack:redis-notify", "restored", kept[1])


class Failed(Exception):
    """A verification or a switch hook that failed: the move rolls back."""


class Incomplete(Exception):
    """A copy or a verification before the cutover that did not pass: the source still serves,
    nothing rolls back; --resume retries."""
