"""A writer that keeps changing the source through a whole online copy, remembering which of its
writes the server acknowledged, and the checks of what an online run leaves behind."""

from __future__ import annotations

import random
import threading
import time

import psycopg

# A table the writer owns: a TOASTed column (`big`, incompressible, out of line) that its updates
# never touch, a NULL-able column, and a keyless table with REPLICA IDENTITY FULL it appends to.
WRITER_SCHEMA = """
CREATE TABLE app.ledger (id bigserial PRIMARY KEY, n int NOT NULL, note text, big text);
INSERT INTO app.ledger (n, note, big)
SELECT g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'seed ' || g END,
       (SELECT string_agg(md5(g::text || i::text), '') FROM generate_series(1, 200) i)
  FROM generate_series(1, 300) g;
ALTER TABLE app.audit_log REPLICA IDENTITY FULL;
"""


class Writer(threading.Thread):
    """Inserts, updates and deletes at about `rate` writes a second until stopped. `model`
    holds what every acknowledged write left (id -> (n, note)); a write whose outcome is unknown
    (the session died under it) puts its id in `uncertain`."""

    def __init__(self, url: str, rate: float = 30.0, seed: int = 7) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.rate = rate
        self.random = random.Random(seed)
        self.stop_event = threading.Event()
        self.model: dict[int, tuple[int, str | None]] = {}
        self.uncertain: set[int] = set()
        self.acknowledged = 0
        self.refused = 0
        self.appended = 0  # acknowledged audit_log rows
        self.audit_uncertain = 0
        self.insert_uncertain = 0
        self._pending: int | None = None

    def stop(self) -> None:
        self.stop_event.set()
        self.join(30)

    def load(self) -> None:
        with psycopg.connect(self.url) as conn:
            for id_, n, note in conn.execute("SELECT id, n, note FROM app.ledger"):
                self.model[id_] = (n, note)

    def _one(self, conn: psycopg.Connection) -> None:
        choice = self.random.random()
        ids = list(self.model)
        if choice < 0.4 or not ids:
            self._pending = -2
            note = None if self.random.random() < 0.2 else f"w{self.acknowledged}"
            big = "".join(f"{self.random.getrandbits(128):032x}" for _ in range(150))
            id_ = conn.execute(
                "INSERT INTO app.ledger (n, note, big) VALUES (0, %s, %s) RETURNING id",
                (note, big),
            ).fetchone()[0]
            self.model[id_] = (0, note)
        elif choice < 0.75:
            id_ = self.random.choice(ids)
            note = None if self.random.random() < 0.2 else f"u{self.acknowledged}"
            self._pending = id_
            n = conn.execute(
                "UPDATE app.ledger SET n = n + 1, note = %s WHERE id = %s RETURNING n",
                (note, id_),
            ).fetchone()[0]
            self.model[id_] = (n, note)
        elif choice < 0.9:
            id_ = self.random.choice(ids)
            self._pending = id_
            conn.execute("DELETE FROM app.ledger WHERE id = %s", (id_,))
            del self.model[id_]
        else:
            self._pending = -1
            conn.execute(
                "INSERT INTO app.audit_log VALUES (now(), 'writer', NULL)",
            )
            self.appended += 1
        self._pending = None
        self.acknowledged += 1

    def run(self) -> None:
        conn: psycopg.Connection | None = None
        while not self.stop_event.is_set():
            try:
                if conn is None:
                    conn = psycopg.connect(self.url, autocommit=True, connect_timeout=3)
                self._pending = None
                self._one(conn)
            except psycopg.Error:
                self.refused += 1
                if self._pending == -1:
                    self.audit_uncertain += 1
                elif self._pending == -2:
                    self.insert_uncertain += 1
                elif self._pending is not None:
                    self.uncertain.add(self._pending)
                if conn is not None:
                    conn.close()
                conn = None
            time.sleep(1 / self.rate)
        if conn is not None:
            conn.close()


def ledger(url: str) -> dict[int, tuple[int, str | None]]:
    with psycopg.connect(url) as conn:
        return {i: (n, note) for i, n, note in conn.execute("SELECT id, n, note FROM app.ledger")}


def check_writes_landed(writer: Writer, target: str) -> None:
    """Every acknowledged write is on the target, none twice: the target's ledger equals the
    writer's model except for ids whose last write's outcome is unknown."""
    got = ledger(target)
    want = writer.model
    extra = [i for i in got if i not in want and i not in writer.uncertain]
    assert len(extra) <= writer.insert_uncertain, (
        f"rows no acknowledged write made: {[(i, got[i]) for i in extra[:5]]}"
    )
    wrong = {
        i: (want.get(i), got.get(i))
        for i in set(want) | set(got)
        if i not in writer.uncertain and i not in extra and want.get(i) != got.get(i)
    }
    assert not wrong, f"{len(wrong)} rows differ (model, target): {list(wrong.items())[:5]}"
    with psycopg.connect(target) as conn:
        writer_rows = conn.execute(
            "SELECT count(*) FROM app.audit_log WHERE message = 'writer'"
        ).fetchone()[0]
    assert writer.appended <= writer_rows <= writer.appended + writer.audit_uncertain


def leftovers(source: str, target: str) -> dict[str, list]:
    """What an online run may leave behind: slots and publications on the source, the progress
    schema on the target."""
    with psycopg.connect(source) as conn:
        slots = [r[0] for r in conn.execute("SELECT slot_name FROM pg_replication_slots")]
        pubs = [r[0] for r in conn.execute("SELECT pubname FROM pg_publication")]
    with psycopg.connect(target) as conn:
        schemas = [
            r[0]
            for r in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname = 'trudeploy_online'"
            )
        ]
    return {"slots": slots, "publications": pubs, "progress": schemas}
