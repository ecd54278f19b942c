"""Verification reads both sides in full and names every object that differs."""

from __future__ import annotations

from tests.migrate_storage.storage_helpers import objects, put_s3, run_cli


def test_storage_verify_names_changed_missing_and_extra_objects(s3) -> None:
    first, second = s3
    src, dst = first.bucket(), second.bucket()
    put_s3(first.client(), src, "", objects(extra=5))
    sides = ["--from", f"s3://{src}", "--to", f"s3://{dst}",
             "--from-endpoint", first.endpoint, "--to-endpoint", second.endpoint]  # fmt: skip
    assert run_cli(*sides)[0] == 0
    target = second.client()
    target.put_object(Bucket=dst, Key="a.txt", Body=b"alphA")  # same size, other bytes
    target.delete_object(Bucket=dst, Key="many/obj-0002")
    target.put_object(Bucket=dst, Key="stray.txt", Body=b"not from the source")
    code, report, _ = run_cli(*sides, "--verify-only")
    assert code == 1
    assert report["status"] == "mismatch"
    failures = {(c["subject"], c["check"]) for c in report["checks"] if not c["ok"]}
    assert failures == {
        ("a.txt", "sha256 and size"),
        ("many/obj-0002", "sha256 and size"),
        ("stray.txt", "only on target"),
        ("objects", "bytes"),
        ("objects", "verified by size, sha256 and headers"),
    }
    missing = next(c for c in report["checks"] if c["subject"] == "many/obj-0002")
    assert missing["detail"].startswith("missing on target")


def test_storage_verify_only_passes_on_equal_trees(s3, tmp_path) -> None:
    server, _ = s3
    bucket = server.bucket()
    put_s3(server.client(), bucket, "x/", objects(extra=3))
    assert run_cli("--from", f"s3://{bucket}/x", "--to", f"file://{tmp_path}/t",
                   "--from-endpoint", server.endpoint)[0] == 0  # fmt: skip
    code, report, _ = run_cli("--from", f"s3://{bucket}/x", "--to", f"file://{tmp_path}/t",
                              "--from-endpoint", server.endpoint, "--verify-only")  # fmt: skip
    assert code == 0 and report["ok"]
