"""Every session has connect and statement timeouts: a peer that accepts and never answers, or a
lock that is never released, ends the run with a message naming the side, instead of a hang."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pg_helpers import journal_files, user_objects

from migrate.postgres.conn import parse_url
from migrate.postgres.errors import CopyError
from migrate.postgres.schema import copy_pre_data
from migrate.postgres.timeouts import Timeouts

REPO = Path(__file__).resolve().parents[2]
HANG = 90  # seconds after which the run counts as hung (the timeouts under test are 1-2 s)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "migrate", "postgres", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        cwd=REPO,
        timeout=HANG,
        check=False,
    )


@pytest.fixture
def silent_peer() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that accepts connections and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_peer_that_never_answers(silent_peer, make_database, state_dir) -> None:
    real = make_database("pgdst")
    silent = f"postgresql://postgres@127.0.0.1:{silent_peer}/db"
    for flag, args in (
        ("--to", ["--from", real, "--to", silent]),
        ("--from", ["--from", silent, "--to", real]),
    ):
        done = _cli(*args, "--connect-timeout", "1")
        assert done.returncode == 2, done.stderr
        assert f"{flag}: cannot connect to {silent}" in " ".join(done.stderr.split())
        assert "timeout" in done.stderr
    assert user_objects(real) == 0
    assert journal_files(state_dir) == []


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--lock-timeout", "2"], "lock timeout"),
        (["--lock-timeout", "0", "--statement-timeout", "2"], "statement timeout"),
    ],
)
def test_lock_never_released_times_out(flags, needle, make_database, state_dir) -> None:
    """An application holds a lock on a source table for as long as it likes: the run's first
    read of it gives up after the timeout and names the side."""
    source, target = make_database("pgsrc"), make_database("pgdst")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE TABLE items (id int PRIMARY KEY, name text)")
        conn.execute("INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 100) g")
    with psycopg.connect(source) as holder:
        holder.execute("LOCK TABLE items IN ACCESS EXCLUSIVE MODE")

        done = _cli("--from", source, "--to", target, *flags)

        holder.rollback()
    assert done.returncode == 2, done.stderr
    message = " ".join(done.stderr.split())
    assert f"--from: preflight query on {source} failed" in message
    assert needle in message
    assert user_objects(target) == 0
    assert journal_files(state_dir) == []


def _terminate(url: str, pid: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_pg_dump_lock_wait_times_out(make_database) -> None:
    """pg_dump turns the session's timeouts off for itself; it gets the lock timeout as its own
    --lock-wait-timeout."""
    source, target = make_database("pgsrc"), make_database("pgdst")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE TABLE items (id int PRIMARY KEY, name text)")
    source_url = parse_url(source, "--from", Timeouts(lock=1))
    with psycopg.connect(source) as holder:
        holder.execute("LOCK TABLE items IN ACCESS EXCLUSIVE MODE")
        pid = holder.info.backend_pid
        # were the timeout missing, the lock goes after HANG seconds and pg_dump succeeds
        release = threading.Timer(HANG, _terminate, (source, pid))
        release.start()
        try:
            with pytest.raises(CopyError, match=f"pg_dump --section=pre-data of {source} failed"):
                copy_pre_data(source_url, parse_url(target, "--to"), None)
        finally:
            release.cancel()
        holder.rollback()
    assert user_objects(target) == 0


def test_bad_timeout_values_are_refused(make_database, state_dir) -> None:
    source, target = make_database("pgsrc"), make_database("pgdst")
    for flag in ("--connect-timeout", "--read-timeout", "--statement-timeout", "--lock-timeout"):
        done = _cli("--from", source, "--to", target, flag, "-1")
        assert done.returncode == 2
        assert flag in done.stderr
    assert user_objects(target) == 0
    assert journal_files(state_dir) == []
