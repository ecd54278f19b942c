"""Schema: pg_dump's pre-data piped into psql before the copy; its post-data in parallel after.

pg_dump reads the source in the run's exported snapshot (`--snapshot`), so schema and rows agree.
Ownership and grants are not copied (`--no-owner --no-privileges`): roles rarely exist on another
provider, so the target's role owns everything it creates.
"""

from __future__ import annotations

import ctypes
import queue
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import psycopg
from psycopg import errors

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
DEADLOCK_RETRIES = 5
_PR_SET_PDEATHSIG = 1
# Loaded up front: the forked child only calls into it, it loads nothing.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _die_with_parent() -> None:
    """Runs in pg_dump/psql before exec: if we are killed (even -9), they are killed too, so an
    orphaned psql cannot finish loading a schema the journal will never hear about."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _dump_command(source: PgUrl, section: str, snapshot: str | None) -> tuple[list[str], dict]:
    conninfo, env = source.for_tools()
    cmd = ["pg_dump", f"--section={section}", *_DUMP_FLAGS, "--dbname", conninfo]
    if snapshot:
        cmd.append(f"--snapshot={snapshot}")
    return cmd, env


def copy_pre_data(source: PgUrl, target: PgUrl, snapshot: str | None) -> None:
    """pg_dump --section=pre-data | psql --single-transaction: all of it lands, or none does."""
    dump_cmd, dump_env = _dump_command(source, "pre-data", snapshot)
    target_conninfo, target_env = target.for_tools()
    load_cmd = [
        "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
        "--dbname", target_conninfo,
    ]  # fmt: skip
    dump = subprocess.Popen(dump_cmd, env=dump_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    load = subprocess.run(
        load_cmd, env=target_env, stdin=dump.stdout, capture_output=True, text=True, check=False
    )
    assert dump.stdout is not None
    dump.stdout.close()
    dump_err = dump.stderr.read().decode() if dump.stderr else ""
    if dump.wait() != 0:
        raise CopyError(f"pg_dump --section=pre-data failed: {dump_err.strip()}")
    if load.returncode != 0:
        raise CopyError(f"loading the schema into the target failed: {load.stderr.strip()}")


@dataclass(frozen=True)
class Entry:
    """One post-data item of pg_dump's output: an index, a constraint, a trigger, ..."""

    index: int
    type: str
    name: str
    sql: str

    @property
    def journal_name(self) -> str:
        return f"post:{self.index:05d}:{self.type}:{self.name}"


def dump_post_data(source: PgUrl, snapshot: str | None) -> tuple[str, list[Entry]]:
    """(session preamble, entries) of pg_dump's post-data section, split at its entry headers."""
    cmd, env = _dump_command(source, "post-data", snapshot)
    done = subprocess.run(
        cmd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_die_with_parent,
    )
    if done.returncode != 0:
        raise CopyError(f"pg_dump --section=post-data failed: {done.stderr.strip()}")
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
        entries.append(Entry(i, match["type"], match["name"], body))
    return preamble, entries


class PostData:
    """Apply post-data entries: indexes and keys in parallel, then the rest in order, then FKs.

    `is_done`/`mark_done` come from the journal. On resume an entry not marked done may have
    committed before the crash; "already exists" then means it did, and counts as done."""

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

    def _apply(self, conn: psycopg.Connection, entry: Entry) -> None:
        if self.is_done(entry.journal_name):
            self.advance()
            return
        for attempt in range(DEADLOCK_RETRIES + 1):
            try:
                with conn.transaction():
                    conn.execute(entry.sql)
                break
            except (errors.DuplicateObject, errors.DuplicateTable) as exc:
                if not self.resuming:
                    raise CopyError(f"post-data {entry.type} {entry.name}: {exc}") from exc
                break
            except errors.DeadlockDetected:
                if attempt == DEADLOCK_RETRIES:
                    raise
            except psycopg.Error as exc:
                raise CopyError(f"post-data {entry.type} {entry.name}: {exc}") from exc
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

    def apply(self, entries: list[Entry]) -> None:
        self._parallel([e for e in entries if e.type in PARALLEL_FIRST])
        rest = [e for e in entries if e.type not in PARALLEL_FIRST | PARALLEL_LAST]
        if rest:
            with self._session() as conn:
                for entry in rest:
                    self._apply(conn, entry)
        self._parallel([e for e in entries if e.type in PARALLEL_LAST])
