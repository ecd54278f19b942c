"""One suite over every pair of served schemes that makes sense (s3, az, file; gs:// is not
served, see migrate/storage/schemes.py): copy and verify in both modes, verification naming what
differs, refusal of a non-empty target, kill -9 and --resume, headers and metadata carried.
Same-scheme pairs have their own tests (test_storage_copy.py, test_storage_azure.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.migrate_storage.scheme_places import HEADERS, Place, make_place
from tests.migrate_storage.storage_helpers import BIG_KEY, expected_sums, objects, run_cli
from tests.migrate_storage.test_storage_resume import ROOT, _done_units

PAIRS = [("s3", "az"), ("az", "s3"), ("file", "s3"), ("file", "az"), ("s3", "file"),
         ("az", "file")]  # fmt: skip
IDS = [f"{a}-to-{b}" for a, b in PAIRS]


@pytest.fixture(params=PAIRS, ids=IDS)
def pair(request, s3, az, tmp_path) -> tuple[Place, Place]:
    source, target = request.param
    return (make_place(source, s3, az, tmp_path, "from"),
            make_place(target, s3, az, tmp_path, "to"))  # fmt: skip


def _fill(place: Place, data: dict[str, bytes]) -> None:
    for key, body in data.items():
        place.put(key, body)


def _bad(report: dict) -> set[tuple[str, str]]:
    return {(c["subject"], c["check"]) for c in report["checks"] if not c["ok"]}


@pytest.mark.parametrize("verify", ["full", "checksum"])
def test_matrix_copies_and_verifies(pair, verify) -> None:
    source, target = pair
    data = objects(with_big=True, extra=5)
    _fill(source, data)
    code, report, err = run_cli(*source.args("from"), *target.args("to"), "--verify", verify,
                                "--part-size-mb", "5")  # fmt: skip
    assert code == 0, (err, report and str([c for c in report["checks"] if not c["ok"]]))
    assert report["status"] == "verified"
    assert report["stats"]["objects_streamed"] == len(data)
    assert target.sums() == expected_sums(data)
    assert source.sums() == expected_sums(data)


def test_matrix_verify_only_names_what_differs(pair) -> None:
    source, target = pair
    data = objects(extra=5)
    _fill(source, data)
    sides = [*source.args("from"), *target.args("to")]
    code, _, err = run_cli(*sides)
    assert code == 0, err
    target.put("a.txt", b"alphA")  # same size, other bytes
    target.remove("many/obj-0002")
    target.put("stray.txt", b"not from the source")
    code, report, _ = run_cli(*sides, "--verify-only")
    assert code == 1 and report["status"] == "mismatch"
    assert _bad(report) == {
        ("a.txt", "sha256 and size"),
        ("many/obj-0002", "sha256 and size"),
        ("stray.txt", "only on target"),
        ("objects", "bytes"),
        ("objects", "verified by size, sha256 and headers"),
    }


def test_matrix_refuses_a_non_empty_target(pair, tmp_path) -> None:
    source, target = pair
    _fill(source, objects(extra=2))
    target.put("keep.txt", b"mine")
    code, report, err = run_cli(*source.args("from"), *target.args("to"))
    assert code == 2 and report is None
    assert "is not empty" in err
    assert target.sums() == expected_sums({"keep.txt": b"mine"})
    assert not (tmp_path / "state").exists()


def test_matrix_resume_after_kill_9(pair, tmp_path) -> None:
    source, target = pair
    data = objects(extra=250)
    _fill(source, data)
    state = tmp_path / "state"
    sides = [*source.args("from"), *target.args("to")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "migrate", "storage", *sides, "--jobs", "2", "--json"],
        cwd=ROOT, env={**os.environ, "TRUDEPLOY_STATE_DIR": str(state)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    run_id, done = None, 0
    while done < 20 and time.monotonic() < deadline and proc.poll() is None:
        run_id, done = _done_units(state)
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert run_id and proc.returncode == -signal.SIGKILL, "the copy finished before the kill"
    _, done = _done_units(state)
    assert 0 < done < len(data)

    code, report, err = run_cli(*sides, "--resume", run_id)
    assert code == 0, err
    assert report["run_id"] == run_id and report["status"] == "verified"
    assert report["stats"]["objects_skipped"] == done
    assert report["stats"]["objects_streamed"] == len(data) - done
    assert target.sums() == expected_sums(data)
    assert source.sums() == expected_sums(data)


def test_matrix_carries_headers_and_metadata(pair) -> None:
    """Between stores that keep headers, every one travels; into a filesystem the run says they
    are dropped; out of one, the media type is guessed from the name."""
    source, target = pair
    source.put("site.css", b"body{}", HEADERS)
    source.put(BIG_KEY, os.urandom(6 * 1024 * 1024), HEADERS)  # multipart with 5 MB parts
    code, report, err = run_cli(*source.args("from"), *target.args("to"), "--part-size-mb", "5")
    assert code == 0, err
    assert report["status"] == "verified"
    dropped = any(n.startswith("a filesystem keeps no HTTP headers") for n in report["preflight"])
    assert dropped == (source.keeps_headers and not target.keeps_headers)
    if source.keeps_headers and target.keeps_headers:
        assert target.headers("site.css") == HEADERS
        assert target.headers(BIG_KEY) == HEADERS
    elif target.keeps_headers:
        assert target.headers("site.css")["content_type"] == "text/css"
