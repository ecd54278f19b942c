"""Schema: pg_dump's pre-data piped into psql before the copy; its post-data in parallel after.

pg_dump reads the source in the run's exported snapshot (`--snapshot`), so schema and rows agree.
Ownership and grants are not copied (`--no-owner --no-privileges`): roles rarely exist on another
provider, so the target's role owns everything it creates (preflight reports what that leaves out).

Resuming after a kill -9: pre-data is one transaction (all or nothing), and every post-data entry
is one transaction that the journal marks done after it commits. An entry that committed just
before the crash is found in the target's catalog and not run again (`_EXISTS`).
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import psycopg
from psycopg import errors

from migrate.postgres import children
from migrate.postgres.conn import PgUrl, connect
from migrate.postgres.errors import CopyError

_DUMP_FLAGS = ["--no-owner", "--no-privileges", "--no-publications", "--no-subscriptions"]
_ENTRY = re.compile(
    r"^--\n-- Name: (?P<name>.*?); Type: (?P<type>.*?); Schema: (?P<schema>.*?); Owner: .*\n--\n",
    re.MULTILINE,
)
# Entries safe to build side by side: each touches only its own table.
PARALLEL_FIRST = {"INDEX", "CONSTRAINT"}
# Foreign keys lock two tables each; built side by side after everything else, retried on deadlock.
PARALLEL_LAST = {"FK CONSTRAINT"}
# Event triggers fire on the DDL that follows them, so they come last of all, as pg_dump orders
# them: created earlier, a DDL-audit trigger would write rows on the target during the migration.
# (With them go their own comments and labels, which need them to exist.)
LAST = {"EVENT TRIGGER"}


def _is_last(entry: Entry) -> bool:
    return entry.type in LAST or (
        entry.type in {"COMMENT", "SECURITY LABEL"} and entry.name.startswith("EVENT TRIGGER ")
    )


DEADLOCK_RETRIES = 5
# Test-only hook: seconds to sleep between a schema step's commit on the target and its journal
# entry, the window where a kill -9 leaves work done that the journal does not know about.
TEST_STEP_DELAY_ENV = "TRUDEPLOY_PG_TEST_STEP_DELAY"

_CONSTRAINT = """SELECT 1 FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
    LEFT JOIN pg_class c ON c.oid = k.conrelid LEFT JOIN pg_type t ON t.oid = k.contypid
    WHERE n.nspname = %s AND COALESCE(c.relname, t.typname) || ' ' || k.conname = %s"""


def _on_table(catalog: str, relid: str, name: str) -> str:
    return f"""SELECT 1 FROM {catalog} x JOIN pg_class c ON c.oid = x.{relid}
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relname || ' ' || x.{name} = %s"""


# Whether a post-data entry (by pg_dump's type; its schema and name as pg_dump labels them) is
# already in the target's catalog. pg_dump names objects on a table "table object".
_EXISTS = {
    "INDEX": """SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = %s AND c.relname = %s""",
    "INDEX ATTACH": """SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       JOIN pg_inherits i ON i.inhrelid = c.oid
                       WHERE n.nspname = %s AND c.relname = %s""",
    "CONSTRAINT": _CONSTRAINT,
    "FK CONSTRAINT": _CONSTRAINT,
    "CHECK CONSTRAINT": _CONSTRAINT,
    "TRIGGER": _on_table("pg_trigger", "tgrelid", "tgname"),
    "POLICY": _on_table("pg_policy", "polrelid", "polname"),
    "RULE": _on_table("pg_rewrite", "ev_class", "rulename"),
    "STATISTICS": """SELECT 1 FROM pg_statistic_ext s JOIN pg_namespace n
                     ON n.oid = s.stxnamespace WHERE n.nspname = %s AND s.stxname = %s""",
    # event triggers belong to no schema (pg_dump says "-"); the query takes it all the same
    "EVENT TRIGGER": "SELECT 1 FROM pg_event_trigger WHERE %s::text IS NOT NULL AND evtname = %s",
}
# Entries that give the same result when run twice: run again on resume.
REPEATABLE = {"ROW SECURITY", "MATERIALIZED VIEW DATA", "COMMENT", "SECURITY LABEL"}


def _dump_command(source: PgUrl, section: str, snapshot: str | None) -> tuple[list[str], dict]:
    conninfo, env = source.for_tools()
    cmd = ["pg_dump", f"--section={section}", *_DUMP_FLAGS, "--dbname", conninfo]
    if source.timeouts.lock:
        # pg_dump turns statement_timeout and lock_timeout off for itself; this is its own
        cmd.append(f"--lock-wait-timeout={source.timeouts.lock * 1000}")
    if snapshot:
        cmd.append(f"--snapshot={snapshot}")
    return cmd, env


def step_delay() -> None:
    """The test hook's sleep (see TEST_STEP_DELAY_ENV); nothing unless the variable is set."""
    delay = float(os.environ.get(TEST_STEP_DELAY_ENV, "0") or 0)
    if delay:
        time.sleep(delay)


def copy_pre_data(source: PgUrl, target: PgUrl, snapshot: str | None) -> None:
    """pg_dump --section=pre-data | psql --single-transaction: all of it lands, or none does.
    Both die with the run (`children`), so a killed run's schema is rolled back, not finished."""
    dump_cmd, dump_env = _dump_command(source, "pre-data", snapshot)
    target_conninfo, target_env = target.for_tools()
    load_cmd = [
        "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
        "--dbname", target_conninfo,
    ]  # fmt: skip
    dump = children.popen(dump_cmd, env=dump_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    load = children.run(load_cmd, env=target_env, stdin=dump.stdout, capture_output=True, text=True)
    assert dump.stdout is not None
    dump.stdout.close()
    dump_err = dump.stderr.read().decode() if dump.stderr else ""
    if dump.wait() != 0:
        raise CopyError(
            f"pg_dump --section=pre-data of {source.redacted} failed: {dump_err.strip()}"
        )
    if load.returncode != 0:
        raise CopyError(f"loading the schema into {target.redacted} failed: {load.stderr.strip()}")


@dataclass(frozen=True)
class Entry:
    """One post-data item of pg_dump's output: an index, a constraint, a trigger, ..."""

    index: int
    type: str
    name: str
    sql: str
    schema: str = "-"

    @property
    def journal_name(self) -> str:
        return f"post:{self.index:05d}:{self.type}:{self.name}"


def dump_post_data(source: PgUrl, snapshot: str | None) -> tuple[str, list[Entry]]:
    """(session preamble, entries) of pg_dump's post-data section, split at its entry headers."""
    cmd, env = _dump_command(source, "post-data", snapshot)
    done = children.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise CopyError(
            f"pg_dump --section=post-data of {source.redacted} failed: {done.stderr.strip()}"
        )
    return split_entries(done.stdout)


def _strip_meta(text: str) -> str:
    """Drop psql meta-commands (pg_dump's `\\restrict` guard); the SQL runs through psycopg."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("\\"))


def split_entries(script: str) -> tuple[str, list[Entry]]:
    matches = list(_ENTRY.finditer(script))
    if not matches:
        return _strip_meta(script), []
    preamble = _strip_meta(script[: matches[0].start()])
    entries = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(script)
        body = _strip_meta(script[match.end() : end]).strip()
        entries.append(Entry(i, match["type"], match["name"], body, match["schema"]))
    return preamble, entries


class PostData:
    """Apply post-data entries: indexes and keys in parallel, then the rest in order, then FKs,
    then event triggers.

    `is_done`/`mark_done` come from the journal. On resume an entry not marked done may have
    committed before the crash: the target's catalog says whether it did (`_EXISTS`); entries
    that are harmless to repeat run again, and any other kind is refused rather than guessed."""

    def __init__(
        self,
        target: PgUrl,
        preamble: str,
        jobs: int,
        is_done: Callable[[str], bool],
        mark_done: Callable[[str], None],
        resuming: bool,
        advance: Callable[[], None],
    ) -> None:
        self.target = target
        self.preamble = preamble
        self.jobs = jobs
        self.is_done = is_done
        self.mark_done = mark_done
        self.resuming = resuming
        self.advance = advance

    def _session(self) -> psycopg.Connection:
        conn = connect(self.target, autocommit=True)
        conn.execute("SET maintenance_work_mem = '256MB'")
        if self.preamble.strip():
            conn.execute(self.preamble)
        return conn

    def _landed(self, conn: psycopg.Connection, entry: Entry) -> bool:
        """On resume: whether `entry` committed before the crash (so must not run again).

        Event triggers are applied strictly after every other entry; once one exists on the
        target (empty when the run began), all the others landed, and running a repeatable one
        again would fire the event triggers."""
        if not _is_last(entry) and conn.execute("SELECT 1 FROM pg_event_trigger").fetchone():
            return True
        if entry.type in REPEATABLE:
            return False
        if entry.type not in _EXISTS:
            raise CopyError(
                f"post-data {entry.type} {entry.name} may have been applied before the run "
                "stopped, and this kind of entry cannot be checked on the target; apply it by "
                f"hand if missing and mark it done, or start again into an empty database:\n"
                f"{entry.sql}"
            )
        row = conn.execute(_EXISTS[entry.type], (entry.schema, entry.name)).fetchone()
        return row is not None

    def _apply(self, conn: psycopg.Connection, entry: Entry) -> None:
        if self.is_done(entry.journal_name):
            self.advance()
            return
        if not (self.resuming and self._landed(conn, entry)):
            for attempt in range(DEADLOCK_RETRIES + 1):
                try:
                    with conn.transaction():
                        conn.execute(entry.sql)
                    break
                except errors.DeadlockDetected:
                    if attempt == DEADLOCK_RETRIES:
                        raise
                except psycopg.Error as exc:
                    raise CopyError(
                        f"post-data {entry.type} {entry.name} on {self.target.redacted}: {exc}"
                    ) from exc
            step_delay()
        self.mark_done(entry.journal_name)
        self.advance()

    def _parallel(self, entries: list[Entry]) -> None:
        """Each lane takes the next entry from a shared queue, so one big index does not hold
        back a lane's share of the small ones."""
        if not entries:
            return
        pending: queue.SimpleQueue[Entry] = queue.SimpleQueue()
        for entry in entries:
            pending.put(entry)

        def lane() -> None:
            with self._session() as conn:
                while True:
                    try:
                        entry = pending.get_nowait()
                    except queue.Empty:
                        return
                    self._apply(conn, entry)

        width = max(1, min(self.jobs, len(entries)))
        with ThreadPoolExecutor(width) as pool:
            for future in [pool.submit(lane) for _ in range(width)]:
                future.result()

    def _serial(self, entries: list[Entry]) -> None:
        if entries:
            with self._session() as conn:
                for entry in entries:
                    self._apply(conn, entry)

    def apply(self, entries: list[Entry]) -> None:
        self._parallel([e for e in entries if e.type in PARALLEL_FIRST])
        self._serial(
            [e for e in entries if e.type not in PARALLEL_FIRST | PARALLEL_LAST and not _is_last(e)]
        )
        self._parallel([e for e in entries if e.type in PARALLEL_LAST])
        self._serial([e for e in entries if _is_last(e)])
