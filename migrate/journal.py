"""Crash-safe record of finished migration work, so `--resume RUN_ID` never repeats or redoes it.

Each run gets a SQLite file; every unit of work (a table range, a Redis cursor step, an object) is
committed as done in the same breath as the work it describes is made durable on the target. SQLite
is chosen because a `kill -9` between two commits leaves the file consistent, with no server to run.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from migrate.urls import redact


class JournalError(Exception):
    """A run id that does not exist, or belongs to another kind of migration."""


def state_dir() -> Path:
    """Where runs are kept: `$TRUDEPLOY_STATE_DIR`, else the XDG state directory."""
    explicit = os.environ.get("TRUDEPLOY_STATE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "trudeploy"


_SCHEMA = """
CREATE TABLE IF NOT EXISTS run (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, meta TEXT NOT NULL,
    status TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS unit (
    name TEXT PRIMARY KEY, state TEXT NOT NULL, detail TEXT, updated REAL NOT NULL
);
"""


class Journal:
    """One run's journal. Thread-safe: copy workers mark units from their own threads."""

    def __init__(self, path: Path, run_id: str) -> None:
        self.path = path
        self.run_id = run_id
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    @classmethod
    def create(cls, kind: str, meta: dict[str, Any], root: Path | None = None) -> Journal:
        run_id = f"{kind}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        folder = (root or state_dir()) / "runs"
        folder.mkdir(parents=True, exist_ok=True)
        journal = cls(folder / f"{run_id}.sqlite", run_id)
        now = time.time()
        journal._db.execute(
            "INSERT INTO run VALUES (?, ?, ?, 'running', ?, ?)",
            (run_id, kind, json.dumps(meta), now, now),
        )
        return journal

    @classmethod
    def open(cls, run_id: str, kind: str, root: Path | None = None) -> Journal:
        path = (root or state_dir()) / "runs" / f"{run_id}.sqlite"
        if not path.exists():
            raise JournalError(f"no run {run_id!r} in {path.parent}; --resume takes a RUN_ID")
        journal = cls(path, run_id)
        row = journal._db.execute("SELECT kind FROM run WHERE id = ?", (run_id,)).fetchone()
        if row is None or row[0] != kind:
            found = row[0] if row else "nothing"
            raise JournalError(f"run {run_id!r} is a {found} migration, not {kind}")
        return journal

    @classmethod
    def resume(
        cls,
        run_id: str,
        kind: str,
        source: str,
        target: str,
        identity: Callable[[str], dict[str, Any]] | None = None,
    ) -> Journal:
        """Open a run to finish it, refusing one that moved other data: resuming into the wrong
        target would mark work done that was never copied there. `source`/`target` are the
        redacted URLs the run was created with. `identity` reduces a URL to the fields that name
        its endpoint (a store's choice: e.g. PostgreSQL leaves the password out, since it may now
        come from the environment); without it the URLs must match as written."""
        journal = cls.open(run_id, kind)
        meta = journal.meta
        same = identity or (lambda url: {"url": url})
        differences = [
            f"{option} {field}: the run had {then.get(field)!r}, now {now.get(field)!r}"
            for option, old, new in (
                ("--from", meta.get("source") or "", source),
                ("--to", meta.get("target") or "", target),
            )
            for then, now in [(same(old), same(new))]
            for field in sorted(then.keys() | now.keys())
            if then.get(field) != now.get(field)
        ]
        if differences:
            journal.close()
            raise JournalError(
                f"{run_id}: that run copied {meta.get('source')} -> {meta.get('target')}, "
                f"not {source} -> {target} ({'; '.join(differences)})"
            )
        return journal

    @property
    def meta(self) -> dict[str, Any]:
        (meta,) = self._db.execute("SELECT meta FROM run WHERE id = ?", (self.run_id,)).fetchone()
        return json.loads(meta)

    @property
    def status(self) -> str:
        (status,) = self._db.execute(
            "SELECT status FROM run WHERE id = ?", (self.run_id,)
        ).fetchone()
        return status

    def set_status(self, status: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE run SET status = ?, updated = ? WHERE id = ?",
                (status, time.time(), self.run_id),
            )

    def record(self, name: str, state: str, detail: dict[str, Any] | None = None) -> None:
        """Record a unit's state (e.g. 'done', or a cursor while in progress), durably."""
        with self._lock:
            self._db.execute(
                "INSERT INTO unit VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                "state = excluded.state, detail = excluded.detail, updated = excluded.updated",
                (name, state, json.dumps(detail) if detail is not None else None, time.time()),
            )

    def mark_done(self, name: str, detail: dict[str, Any] | None = None) -> None:
        self.record(name, "done", detail)

    def mark_done_many(self, items: list[tuple[str, dict[str, Any] | None]]) -> None:
        """Mark many units done in one transaction: one fsync for a group of small units."""
        now = time.time()
        rows = [(n, "done", json.dumps(d) if d is not None else None, now) for n, d in items]
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO unit VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                "state = excluded.state, detail = excluded.detail, updated = excluded.updated",
                rows,
            )
            self._db.execute("COMMIT")

    def get(self, name: str) -> tuple[str, dict[str, Any] | None] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT state, detail FROM unit WHERE name = ?", (name,)
            ).fetchone()
        if row is None:
            return None
        return row[0], (json.loads(row[1]) if row[1] is not None else None)

    def is_done(self, name: str) -> bool:
        entry = self.get(name)
        return entry is not None and entry[0] == "done"

    def done(self, prefix: str = "") -> dict[str, dict[str, Any] | None]:
        """Every finished unit whose name starts with `prefix`, with its detail."""
        with self._lock:
            rows = self._db.execute(
                "SELECT name, detail FROM unit WHERE state = 'done' AND name LIKE ? ESCAPE '\\'",
                (prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",),
            ).fetchall()
        return {name: (json.loads(d) if d is not None else None) for name, d in rows}

    def close(self) -> None:
        self._db.close()


@dataclass(frozen=True)
class RunSummary:
    """One journal as `trudeploy migrate runs` lists it; endpoints are redacted again on the way
    out, so a journal written by an older version never shows a password."""

    id: str
    store: str
    source: str
    target: str
    state: str
    started: str  # UTC, ISO 8601
    path: str


def list_runs(root: Path | None = None) -> list[RunSummary]:
    """Every run journaled under the state directory, newest first. Read-only: a run still
    copying keeps writing undisturbed (SQLite's WAL lets readers in)."""
    folder = (root or state_dir()) / "runs"
    found = []
    for path in sorted(folder.glob("*.sqlite")) if folder.is_dir() else []:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            row = db.execute("SELECT id, kind, meta, status, created FROM run").fetchone()
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{path}: not a readable journal ({exc})") from None
        finally:
            db.close()
        if row is None:
            continue
        run_id, kind, meta_text, status, created = row
        meta = json.loads(meta_text)
        found.append(
            RunSummary(
                run_id,
                kind,
                redact(str(meta.get("source", ""))),
                redact(str(meta.get("target", ""))),
                status,
                time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created)),
                str(path),
            )
        )
    return sorted(found, key=lambda r: r.started, reverse=True)


class JournalLike(Protocol):
    """What a store's migration needs of a journal: a whole `Journal`, or one store's `Scoped`
    view of a journal shared by several stores (the stack move keeps one for all three)."""

    run_id: str

    def record(self, name: str, state: str, detail: dict[str, Any] | None = None) -> None: ...
    def mark_done(self, name: str, detail: dict[str, Any] | None = None) -> None: ...
    def get(self, name: str) -> tuple[str, dict[str, Any] | None] | None: ...
    def is_done(self, name: str) -> bool: ...
    def done(self, prefix: str = "") -> dict[str, dict[str, Any] | None]: ...


class Scoped:
    """One store's units in a shared journal: every name gets `prefix` (e.g. "pg:"), so the
    stores' units cannot collide and each store reads back only its own."""

    def __init__(self, journal: Journal, prefix: str) -> None:
        self.journal = journal
        self.prefix = prefix
        self.run_id = journal.run_id

    def record(self, name: str, state: str, detail: dict[str, Any] | None = None) -> None:
        self.journal.record(self.prefix + name, state, detail)

    def mark_done(self, name: str, detail: dict[str, Any] | None = None) -> None:
        self.journal.mark_done(self.prefix + name, detail)

    def get(self, name: str) -> tuple[str, dict[str, Any] | None] | None:
        return self.journal.get(self.prefix + name)

    def is_done(self, name: str) -> bool:
        return self.journal.is_done(self.prefix + name)

    def done(self, prefix: str = "") -> dict[str, dict[str, Any] | None]:
        found = self.journal.done(self.prefix + prefix)
        return {name[len(self.prefix) :]: detail for name, detail in found.items()}
