"""A resume looks at the target: what changed there since it was verified is copied again, and
what the source deleted since is a deletion, not a failure."""

from __future__ import annotations

import os

from tests.migrate_storage.storage_helpers import (
    expected_sums,
    file_sums,
    objects,
    put_files,
    put_s3,
    run_cli,
    s3_sums,
)


def _sides(first, second, src: str, dst: str) -> list[str]:
    return ["--from", f"s3://{src}", "--to", f"s3://{dst}",
            "--from-endpoint", first.endpoint, "--to-endpoint", second.endpoint]  # fmt: skip


def test_storage_resume_recopies_what_changed_on_the_target(s3) -> None:
    first, second = s3
    src, dst = first.bucket(), second.bucket()
    data = objects(extra=5)
    put_s3(first.client(), src, "", data)
    sides = _sides(first, second, src, dst)
    code, report, err = run_cli(*sides)
    assert code == 0, err
    target = second.client()
    target.put_object(Bucket=dst, Key="a.txt", Body=b"alphA")  # overwritten, same size
    target.put_object(Bucket=dst, Key="many/obj-0001", Body=b"trunc")  # truncated
    target.delete_object(Bucket=dst, Key="many/obj-0002")  # deleted
    code, again, err = run_cli(*sides, "--resume", report["run_id"])
    assert code == 0, err
    assert again["status"] == "verified"
    assert again["stats"]["objects_changed_on_target_since_verified"] == 3
    assert again["stats"]["objects_streamed"] == 3
    assert again["stats"]["objects_skipped"] == len(data) - 3
    assert s3_sums(target, dst) == expected_sums(data)


def test_storage_resume_into_a_filesystem_recopies_a_rewritten_file(s3, tmp_path) -> None:
    data = objects(extra=3)
    put_files(tmp_path / "a", data)
    sides = ["--from", f"file://{tmp_path}/a", "--to", f"file://{tmp_path}/b"]
    code, report, err = run_cli(*sides)
    assert code == 0, err
    victim = tmp_path / "b" / "a.txt"
    stat = victim.stat()
    victim.write_bytes(b"alphA")
    os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    code, again, err = run_cli(*sides, "--resume", report["run_id"])
    assert code == 0, err
    assert again["stats"]["objects_streamed"] == 1
    assert file_sums(tmp_path / "b") == expected_sums(data)


def test_storage_source_deletions_are_reported_and_applied_with_delete(s3) -> None:
    first, second = s3
    src, dst = first.bucket(), second.bucket()
    data = objects(extra=3)
    put_s3(first.client(), src, "", data)
    sides = _sides(first, second, src, dst)
    code, report, err = run_cli(*sides)
    assert code == 0, err
    first.client().delete_object(Bucket=src, Key="a.txt")
    for _ in range(2):  # every later resume, not only the first
        code, again, err = run_cli(*sides, "--resume", report["run_id"])
        assert code == 0, err
        assert again["status"] == "verified"
        deleted = next(c for c in again["checks"] if c["check"] == "deleted on source since copied")
        assert deleted["ok"] and deleted["source"] == 1
        assert "kept on the target" in deleted["detail"]
        assert "a.txt" in s3_sums(second.client(), dst)
    code, again, err = run_cli(*sides, "--resume", report["run_id"], "--delete")
    assert code == 0, err
    assert again["stats"]["objects_removed"] == 1
    expected = expected_sums(data)
    del expected["a.txt"]
    assert s3_sums(second.client(), dst) == expected
    code, again, err = run_cli(*sides, "--resume", report["run_id"])
    assert code == 0 and again["status"] == "verified", err


def test_storage_delete_needs_resume(s3, tmp_path) -> None:
    put_files(tmp_path / "a", objects(extra=1))
    code, _, err = run_cli("--from", f"file://{tmp_path}/a", "--to", f"file://{tmp_path}/b",
                           "--delete")  # fmt: skip
    assert code == 2
    assert "--delete applies source deletions on --resume" in err
    assert not (tmp_path / "b").exists()


def test_storage_object_deleted_between_listing_and_copy_is_not_a_failure(s3, monkeypatch) -> None:
    first, second = s3
    src, dst = first.bucket(), second.bucket()
    data = objects(extra=3)
    put_s3(first.client(), src, "", data)
    from migrate.storage.s3 import S3Backend

    real_list = S3Backend.list

    def list_then_delete(self):
        yield from real_list(self)
        if self.bucket == src:
            first.client().delete_object(Bucket=src, Key="a.txt")

    monkeypatch.setattr(S3Backend, "list", list_then_delete)
    code, report, err = run_cli(*_sides(first, second, src, dst))
    assert code == 0, err
    assert report["stats"]["objects_vanished"] == 1
    del data["a.txt"]
    assert s3_sums(second.client(), dst) == expected_sums(data)
