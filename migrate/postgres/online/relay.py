"""Changes read from the source's slot and applied to the target, batch by batch, exactly once.

The slot is only peeked (`pg_logical_slot_peek_binary_changes`), never consumed while reading: a
batch of whole source transactions is applied in one target transaction that also records the
last one's end LSN (`progress`), and only after that commit is the slot advanced. A crash
anywhere leaves the target either with the batch and its position, or with neither; transactions
the slot hands out again but the target already holds are recognised by their end LSN and
skipped.

A peek returns whole transactions (pgoutput protocol 1 streams none in progress), so one source
transaction of millions of rows is held in memory at once; batches stop after `BATCH_CHANGES`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import psycopg

from migrate.postgres.conn import PgUrl, apply_verify_settings, connect
from migrate.postgres.online import progress
from migrate.postgres.online.apply import Applier
from migrate.postgres.online.decode import Begin, Commit, Message, Relation, decode
from migrate.postgres.online.slot import Names, connect_admin, lsn_int, lsn_text

# Test-only hook: seconds to sleep between a batch's target commit and the slot's advance, the
# window where a kill -9 leaves the slot behind the target; resume must not apply it twice.
TEST_DELAY_ENV = "TRUDEPLOY_PG_TEST_APPLY_DELAY"
BATCH_CHANGES = 5000  # rows a peek may return; whole transactions always, so can be more


@dataclass(frozen=True)
class Lag:
    """How far the target is behind. `bytes`: source WAL written since the relay last saw the
    slot empty (0 while caught up and the source is idle); `seconds`: since it last was
    caught up."""

    bytes: int
    seconds: float
    caught_up: bool
    changes_applied: int  # over the life of this relay


@dataclass
class _Transaction:
    end_lsn: int
    messages: list[Message]


class Relay:
    def __init__(
        self, source: PgUrl, target: PgUrl, names: Names, expected: dict[str, list[list]]
    ) -> None:
        self.names = names
        self.source = connect_admin(source)
        apply_verify_settings(self.source)  # text rendering of decoded values, as verified
        self.target = connect(target, autocommit=True)  # transaction() blocks commit
        apply_verify_settings(self.target)
        with self.target.transaction():
            progress.ensure(self.target)
            position = progress.applied(self.target, names.slot)
        self.applied_lsn = lsn_int(position) if position else 0
        self.applier = Applier(self.target, expected)
        self.seen_lsn = 0  # every commit before this was decoded (and applied)
        self.caught_up_at = time.monotonic()
        self.delay = float(os.environ.get(TEST_DELAY_ENV, "0") or 0)

    def close(self) -> None:
        self.source.close()
        self.target.close()

    def _peek(self, upto: int) -> list[_Transaction]:
        rows = self.source.execute(
            "SELECT data FROM pg_logical_slot_peek_binary_changes(%s, %s::pg_lsn, %s, "
            "'proto_version', '1', 'publication_names', %s)",
            (self.names.slot, lsn_text(upto), BATCH_CHANGES, self.names.publication),
        ).fetchall()
        found: list[_Transaction] = []
        current: list[Message] | None = None
        for (data,) in rows:
            message = decode(bytes(data))
            if isinstance(message, Begin):
                current = []
            elif isinstance(message, Commit):
                if current is not None:
                    found.append(_Transaction(message.end_lsn, current))
                current = None
            elif current is not None:
                current.append(message)
        return found  # a transaction cut off without its Commit is left for the next peek

    def step(self, upto: int) -> int:
        """Apply every source transaction committed before `upto` that one peek returns;
        returns how many the peek returned (0: nothing left before `upto`), counting those the
        target already held (a batch whose slot advance a crash cut off)."""
        peeked = self._peek(upto)
        pending = [t for t in peeked if t.end_lsn > self.applied_lsn]
        for held in peeked[: len(peeked) - len(pending)]:
            # pgoutput describes a relation once per peek, maybe in a transaction the target
            # already holds: learn the description, skip the changes
            for message in held.messages:
                if isinstance(message, Relation):
                    self.applier.apply(message)
        if pending:
            with self.target.transaction():
                for transaction in pending:
                    for message in transaction.messages:
                        self.applier.apply(message)
                progress.record(self.target, self.names.slot, lsn_text(pending[-1].end_lsn))
            self.applied_lsn = pending[-1].end_lsn
            time.sleep(self.delay)
        if self.applied_lsn:
            self._advance_slot()
        return len(peeked)

    def _advance_slot(self) -> None:
        """Let the source recycle WAL the target now holds. Never past what was applied."""
        confirmed = self.source.execute(
            "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = %s",
            (self.names.slot,),
        ).fetchone()
        if confirmed and lsn_int(confirmed[0]) < self.applied_lsn:
            self.source.execute(
                "SELECT pg_replication_slot_advance(%s, %s::pg_lsn)",
                (self.names.slot, lsn_text(self.applied_lsn)),
            )

    def flushed_lsn(self) -> int:
        return lsn_int(self.source.execute("SELECT pg_current_wal_flush_lsn()::text").fetchone()[0])

    def drain_to(self, upto: int) -> None:
        """Apply everything committed before `upto`, which must be flushed on the source."""
        while self.step(upto):
            pass
        self.seen_lsn = max(self.seen_lsn, upto)

    def catch_up_round(self) -> Lag:
        upto = self.flushed_lsn()
        applied = self.step(upto)
        if applied == 0:
            self.seen_lsn = upto
            self.caught_up_at = time.monotonic()
        return self.lag(caught_up=applied == 0)

    def lag(self, caught_up: bool) -> Lag:
        now = lsn_int(self.source.execute("SELECT pg_current_wal_lsn()::text").fetchone()[0])
        return Lag(
            bytes=max(0, now - self.seen_lsn),
            seconds=0.0 if caught_up else round(time.monotonic() - self.caught_up_at, 3),
            caught_up=caught_up,
            changes_applied=self.applier.applied,
        )


def wait_flushed(conn: psycopg.Connection, lsn: int, timeout: float) -> None:
    """Wait until the source's WAL is flushed past `lsn` (an asynchronous commit may not be
    yet), since logical decoding reads only flushed WAL."""
    deadline = time.monotonic() + timeout
    while lsn_int(conn.execute("SELECT pg_current_wal_flush_lsn()::text").fetchone()[0]) < lsn:
        if time.monotonic() > deadline:
            raise TimeoutError(f"source WAL not flushed past {lsn_text(lsn)} in {timeout}s")
        time.sleep(0.05)
