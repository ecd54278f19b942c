"""Table data streamed server to server: source COPY TO STDOUT into target COPY FROM STDIN.

Several workers run at once; each imports the coordinator's snapshot, so every unit is read from the
same instant of the source. A unit is journaled done only after its target transaction commits; on
resume a unit not marked done is cleared on the target first (its key range, or the whole table) in
the same transaction that copies it again, so a commit that raced the crash leaves no duplicates.
"""

from __future__ import annotations

import os
import queue
import select
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import psycopg
from psycopg import pq, sql

from migrate.postgres.conn import PgUrl, connect, connect_source
from migrate.postgres.errors import CopyError
from migrate.postgres.plan import Unit

FLUSH_BYTES = 256 * 1024  # COPY hands out one row at a time; batching them cuts per-call overhead
# Test-only hook: seconds to sleep between a unit's target commit and its journal entry. That is the
# window where a crash leaves rows on the target the journal does not know about; the kill -9 test
# widens it so the kill lands there, and resume must then leave no duplicates.
TEST_DELAY_ENV = "TRUDEPLOY_PG_TEST_UNIT_DELAY"


def _copy_out(unit: Unit) -> sql.Composed:
    fmt = sql.SQL(" (FORMAT binary)" if unit.binary else "")
    return sql.SQL("COPY (SELECT {cols} FROM ONLY {t}{where}) TO STDOUT{fmt}").format(
        cols=sql.SQL(", ").join(map(sql.Identifier, unit.columns)),
        t=unit.ident(),
        where=unit.where(),
        fmt=fmt,
    )


def _copy_in(unit: Unit) -> sql.Composed:
    fmt = sql.SQL(" (FORMAT binary)" if unit.binary else "")
    return sql.SQL("COPY {t} ({cols}) FROM STDIN{fmt}").format(
        t=unit.ident(), cols=sql.SQL(", ").join(map(sql.Identifier, unit.columns)), fmt=fmt
    )


def _relay(source: pq.abc.PGconn, flush: Callable[[bytearray, int], None]) -> None:
    """Read a started COPY TO STDOUT straight from libpq, handing `flush` ~FLUSH_BYTES batches.

    psycopg's Copy iterator costs a generator round trip per row, and libpq yields one row per
    message; with two workers that Python overhead (and the GIL it holds) made the relay ~35%
    slower. Here every row already buffered is drained in one tight loop, and waiting for the
    socket happens in poll(), which releases the GIL. Messages count rows as they stream (binary
    COPY adds one for its trailer; the caller corrects from the final row count)."""
    poller = select.poll()
    poller.register(source.socket, select.POLLIN)
    buffer, rows = bytearray(), 0
    while True:
        size, data = source.get_copy_data(1)
        if size > 0:
            buffer += data
            rows += 1
            if len(buffer) >= FLUSH_BYTES:
                flush(buffer, rows)
                buffer, rows = bytearray(), 0
        elif size == 0:
            poller.poll()
            source.consume_input()
        elif size == -1:
            break
        else:
            raise psycopg.OperationalError(source.get_error_message())
    if buffer:
        flush(buffer, rows)
    while (result := source.get_result()) is not None:
        if result.status != pq.ExecStatus.COMMAND_OK:
            raw = result.error_message or b""
            message = (raw.decode(errors="replace") if isinstance(raw, bytes) else raw).strip()
            raise psycopg.OperationalError(f"COPY from the source failed: {message}")


def clear_statement(unit: Unit) -> sql.Composed:
    """What removes a unit's possibly-committed rows on the target before it is copied again."""
    if unit.mode == "key":
        return sql.SQL("DELETE FROM ONLY {t}{where}").format(t=unit.ident(), where=unit.where())
    return sql.SQL("TRUNCATE ONLY {t}").format(t=unit.ident())


def reset_block_tables(
    target: PgUrl,
    units: list[Unit],
    is_done: Callable[[str], bool],
    mark_pending: Callable[[str], None],
) -> list[str]:
    """Before a resumed copy: block (ctid) ranges cannot be found again on the target, so a table
    split by blocks with any unit unfinished is emptied and all its ranges are copied again.
    Returns the tables reset."""
    tables = sorted({u.table_name for u in units if u.mode == "block" and not is_done(u.name)})
    if not tables:
        return []
    with connect(target, autocommit=True) as conn:
        for unit in units:
            if unit.table_name in tables:
                if unit.lo is None:
                    conn.execute(sql.SQL("TRUNCATE ONLY {}").format(unit.ident()))
                mark_pending(unit.name)
    return tables


class DataCopy:
    """Copies units with `jobs` workers; `on_progress(bytes, rows)` feeds the progress bars."""

    def __init__(
        self,
        source: PgUrl,
        target: PgUrl,
        snapshot: str,
        *,
        mark_done: Callable[[str, dict], None],
        resuming: bool,
        on_progress: Callable[[int, int], None],
    ) -> None:
        self.source = source
        self.target = target
        self.snapshot = snapshot
        self.mark_done = mark_done
        self.resuming = resuming
        self.on_progress = on_progress
        self.delay = float(os.environ.get(TEST_DELAY_ENV, "0") or 0)
        self._stop = threading.Event()

    def _source_session(self) -> psycopg.Connection:
        conn = connect_source(self.source)
        conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(self.snapshot)))
        return conn

    def copy_unit(self, src: psycopg.Connection, dst: psycopg.Connection, unit: Unit) -> int:
        """Copy one unit in one target transaction; returns the rows written."""
        reported = 0

        def flush(buffer: bytearray, rows: int) -> None:
            nonlocal reported
            writer.write(buffer)
            self.on_progress(len(buffer), rows)
            reported += rows

        with dst.transaction(), dst.cursor() as out_cur:
            if self.resuming and unit.mode != "block":
                out_cur.execute(clear_statement(unit))
            with (
                src.cursor() as in_cur,
                in_cur.copy(_copy_out(unit)),
                out_cur.copy(_copy_in(unit)) as writer,
            ):
                _relay(src.pgconn, flush)
            rows = out_cur.rowcount
        self.on_progress(0, rows - reported)
        return rows

    def _worker(self, pending: queue.SimpleQueue[Unit]) -> None:
        try:
            with self._source_session() as src, connect(self.target) as dst:
                while not self._stop.is_set():
                    try:
                        unit = pending.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        rows = self.copy_unit(src, dst, unit)
                    except psycopg.Error as exc:
                        raise CopyError(
                            f"copying {unit.name} from {self.source.redacted} "
                            f"to {self.target.redacted}: {exc}"
                        ) from exc
                    if self.delay:
                        time.sleep(self.delay)
                    self.mark_done(unit.name, {"rows": rows})
        except BaseException:
            self._stop.set()  # the other workers stop after their current unit
            raise

    def run(self, units: list[Unit], jobs: int) -> None:
        if not units:
            return
        pending: queue.SimpleQueue[Unit] = queue.SimpleQueue()
        for unit in units:
            pending.put(unit)
        width = max(1, min(jobs, len(units)))
        with ThreadPoolExecutor(width, thread_name_prefix="pg-copy") as pool:
            futures = [pool.submit(self._worker, pending) for _ in range(width)]
            errors = [f.exception() for f in futures]
        failures = [e for e in errors if e is not None]
        if failures:
            raise failures[0]
