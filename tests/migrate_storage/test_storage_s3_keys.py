"""S3 keys the obstore engine cannot name exactly (its Path drops empty segments and refuses
`.`/`..` segments and control characters) are still copied exactly: such an object goes through
boto3 alone. Into Azure, where the engine is the only client, they fail by name, never quietly."""

from __future__ import annotations

from tests.migrate_storage.storage_helpers import expected_sums, put_az, put_s3, run_cli, s3_sums

ODD = {
    "docs/": b"",  # an S3 folder marker: obstore would name it `docs`
    "docs/readme.txt": b"hello",
    "a//b.txt": b"doubled slash",
    "/lead.txt": b"leading slash",
    "x/./y.txt": b"dot segment",
    "x/../z.txt": b"dot-dot segment",
    "ctl\x01.txt": b"control character",
    "plain.txt": b"an ordinary key, on obstore",
}


def test_storage_s3_keys_obstore_cannot_name_are_copied_exactly(s3) -> None:
    first, second = s3
    src, dst = first.bucket(), second.bucket()
    put_s3(first.client(), src, "", ODD)
    for verify in ("full", "checksum"):
        code, report, err = run_cli(
            "--from", f"s3://{src}", "--to", f"s3://{dst}/{verify}",
            "--from-endpoint", first.endpoint, "--to-endpoint", second.endpoint,
            "--verify", verify,
        )  # fmt: skip
        assert code == 0, err
        assert report["status"] == "verified"
        assert s3_sums(second.client(), dst, f"{verify}/") == expected_sums(ODD)


def test_storage_s3_keys_azure_cannot_take_fail_by_name(s3, az) -> None:
    first, _ = s3
    src, dst = first.bucket(), az.container()
    put_s3(first.client(), src, "", {"a//b.txt": b"x", "plain.txt": b"y"})
    code, report, _ = run_cli(
        "--from", f"s3://{src}", "--from-endpoint", first.endpoint,
        "--to", az.url(dst), "--to-endpoint", az.endpoint,
    )  # fmt: skip
    assert code == 1 and report["status"] == "failed"
    failed = {c["subject"]: c["detail"] for c in report["checks"] if c["check"] == "copy"}
    assert list(failed) == ["a//b.txt"]
    assert "empty path segment" in failed["a//b.txt"]


def test_storage_az_names_obstore_cannot_list_are_refused_by_name(az, tmp_path) -> None:
    """object_store fails a whole listing on one such name: the run refuses, naming it."""
    box = az.container()
    put_az(az.service(), box, "", {"a//b.txt": b"x", "plain.txt": b"y"})
    code, _, err = run_cli("--from", az.url(box), "--from-endpoint", az.endpoint,
                           "--to", f"file://{tmp_path}/out")  # fmt: skip
    assert code == 2, err
    assert f"--from az://devstoreaccount1/{box}/ at {az.endpoint}: " in err
    assert "a//b.txt" in err and "cannot address names" in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "state").exists()
