"""`--verify full` reads the target back: a target that stores other bytes than it was sent fails.

The target is a real server (moto, or a directory) behind an instrumented backend whose write
flips one byte of what it stores, while the copy hashes the true source bytes; or a server-side
copy after which the object is overwritten. Trusting the source hash would call all of these
verified.
"""

from __future__ import annotations

import pytest

from migrate.storage.fs import FileBackend
from migrate.storage.s3 import S3Backend
from tests.migrate_storage.storage_helpers import BIG_KEY, objects, put_files, put_s3, run_cli


class _Flipping:
    """Passes a stream through, flipping the first byte it passes on."""

    def __init__(self, stream) -> None:
        self._stream, self._flipped = stream, False

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        if data and not self._flipped:
            self._flipped = True
            return bytes([data[0] ^ 0xFF]) + data[1:]
        return data


def _corrupting(monkeypatch: pytest.MonkeyPatch, backend: type, victim: str) -> None:
    real_write = backend.write

    def write(self, key, stream, size, attributes=None):
        return real_write(self, key, _Flipping(stream) if key == victim else stream, size,
                          attributes)  # fmt: skip

    monkeypatch.setattr(backend, "write", write)


def _bad(report: dict) -> set[tuple[str, str]]:
    return {(c["subject"], c["check"]) for c in report["checks"] if not c["ok"]}


@pytest.mark.parametrize("victim", ["a.txt", BIG_KEY], ids=["single-put", "multipart"])
def test_storage_full_verify_catches_a_target_storing_other_bytes(s3, monkeypatch, victim):
    first, second = s3
    src, dst = first.bucket(), second.bucket()
    put_s3(first.client(), src, "", objects(with_big=True, extra=2))
    _corrupting(monkeypatch, S3Backend, victim)
    code, report, _ = run_cli(
        "--from", f"s3://{src}", "--to", f"s3://{dst}", "--part-size-mb", "5",
        "--from-endpoint", first.endpoint, "--to-endpoint", second.endpoint,
    )  # fmt: skip
    assert code == 1 and report["status"] == "mismatch"
    assert (victim, "sha256 and size") in _bad(report)


def test_storage_full_verify_catches_a_filesystem_storing_other_bytes(s3, tmp_path, monkeypatch):
    put_files(tmp_path / "a", objects(extra=2))
    _corrupting(monkeypatch, FileBackend, "a.txt")
    code, report, _ = run_cli("--from", f"file://{tmp_path}/a", "--to", f"file://{tmp_path}/b")
    assert code == 1
    assert ("a.txt", "sha256 and size") in _bad(report)


def test_storage_full_verify_reads_back_after_a_server_side_copy(s3, monkeypatch):
    real_copy = S3Backend.server_side_copy

    def copy_then_overwrite(self, source, key, size):
        done = real_copy(self, source, key, size)
        if key == "a.txt":
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=b"alphA")
        return done

    monkeypatch.setattr(S3Backend, "server_side_copy", copy_then_overwrite)
    server, _ = s3
    src, dst = server.bucket(), server.bucket()
    put_s3(server.client(), src, "", objects(extra=2))
    code, report, _ = run_cli(
        "--from", f"s3://{src}", "--to", f"s3://{dst}",
        "--from-endpoint", server.endpoint, "--to-endpoint", server.endpoint,
    )  # fmt: skip
    assert code == 1
    assert ("a.txt", "sha256 and size") in _bad(report)
