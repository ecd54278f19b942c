"""file:// sources: symlinked folders are followed; what cannot be an object is refused up front,
named, before a byte moves: never skipped quietly, never waited on, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from migrate.storage.fs import FileBackend
from tests.migrate_storage.storage_helpers import expected_sums, file_sums, put_files, run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_storage_follows_symlinked_folders_and_files(s3, tmp_path) -> None:
    put_files(tmp_path / "real", {"x/one.txt": b"1", "two.txt": b"22"})
    src = tmp_path / "src"
    put_files(src, {"own.txt": b"own"})
    (src / "linked").symlink_to(tmp_path / "real", target_is_directory=True)
    (src / "alias.txt").symlink_to(tmp_path / "real" / "two.txt")
    code, report, err = run_cli("--from", f"file://{src}", "--to", f"file://{tmp_path}/out")
    assert code == 0, err
    assert report["status"] == "verified"
    assert file_sums(tmp_path / "out") == expected_sums(
        {"own.txt": b"own", "linked/x/one.txt": b"1", "linked/two.txt": b"22", "alias.txt": b"22"}
    )


def _make_fifo(src: Path) -> str:
    os.mkfifo(src / "queue.fifo")
    return "queue.fifo: a FIFO, not a regular file"


def _make_dangling(src: Path) -> str:
    (src / "gone.txt").symlink_to(src / "nowhere.txt")
    return f"gone.txt: a dangling symlink (to {src}/nowhere.txt)"


def _make_loop(src: Path) -> str:
    (src / "sub").mkdir()
    (src / "sub" / "up").symlink_to(src, target_is_directory=True)
    return "sub/up: a symlink loop"


def _make_bad_name(src: Path) -> str:
    with open(os.fsencode(src) + b"/caf\xe9.txt", "wb") as f:
        f.write(b"latin-1 name")
    return "caf\\xe9.txt: the name is not UTF-8"


@pytest.mark.parametrize("make", [_make_fifo, _make_dangling, _make_loop, _make_bad_name])
def test_storage_refuses_entries_that_cannot_be_objects(s3, tmp_path, make) -> None:
    """In its own process with an outer limit, so a FIFO that blocks fails instead of hanging."""
    src = tmp_path / "src"
    put_files(src, {"ok.txt": b"fine"})
    expected = make(src)
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "migrate", "storage", "--from", f"file://{src}",
         "--to", f"file://{tmp_path}/out", "--json"],
        cwd=ROOT, env={**os.environ, "TRUDEPLOY_STATE_DIR": str(tmp_path / "state")},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    err = " ".join(proc.stderr.split())
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    assert "1 entry cannot be copied as objects" in err
    assert f"{src}/{expected}" in err
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "state").exists()


def test_storage_file_that_became_a_fifo_is_refused_not_waited_on(tmp_path) -> None:
    """Opened in a daemon thread: a blocking open fails the test instead of hanging it."""
    backend = FileBackend(tmp_path, "--from")
    os.mkfifo(tmp_path / "late.fifo")
    raised: list[BaseException] = []

    def open_it() -> None:
        try:
            backend.open("late.fifo")
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=open_it, daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "opening a FIFO blocked"
    assert len(raised) == 1 and "is no longer a regular file" in str(raised[0])
