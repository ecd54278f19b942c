"""Copies between real S3-compatible servers and the filesystem, in every direction."""

from __future__ import annotations

import base64
import uuid
from collections import Counter

import pytest

from tests.migrate_storage.storage_helpers import (
    BIG_KEY,
    expected_sums,
    file_sums,
    objects,
    put_files,
    put_s3,
    run_cli,
    s3_sums,
)


def test_storage_same_endpoint_copies_server_side(s3) -> None:
    server, _ = s3
    client = server.client()
    src, dst = server.bucket(), server.bucket()
    data = objects(with_big=True)
    put_s3(client, src, "media/", data)
    client.put_object(Bucket=src, Key="media-old/not-me", Body=b"outside the prefix")
    before = s3_sums(client, src)
    code, report, err = run_cli(
        "--from", f"s3://{src}/media", "--to", f"s3://{dst}/moved",
        "--from-endpoint", server.endpoint, "--to-endpoint", server.endpoint,
        "--part-size-mb", "5",
    )  # fmt: skip
    assert code == 0, err
    assert report["status"] == "verified"
    assert report["stats"]["objects_server-side"] == len(data)
    assert s3_sums(client, dst, "moved/") == expected_sums(data)
    assert s3_sums(client, src) == before


def test_storage_two_endpoints_stream_and_multipart(s3) -> None:
    first, second = s3
    src, dst = first.bucket(), second.bucket()
    data = objects(with_big=True)
    put_s3(first.client(), src, "", data)
    before = s3_sums(first.client(), src)
    code, report, err = run_cli(
        "--from", f"s3://{src}", "--to", f"s3://{dst}/p",
        "--from-endpoint", first.endpoint, "--to-endpoint", second.endpoint,
        "--part-size-mb", "5", "--jobs", "4",
    )  # fmt: skip
    assert code == 0, err
    assert report["stats"]["objects_streamed"] == len(data)
    assert s3_sums(second.client(), dst, "p/") == expected_sums(data)
    etag = second.client().head_object(Bucket=dst, Key=f"p/{BIG_KEY}")["ETag"]
    assert etag.strip('"').endswith("-3"), f"expected a 3-part multipart upload, ETag {etag}"
    assert s3_sums(first.client(), src) == before


def test_storage_filesystem_to_s3_and_back(s3, tmp_path) -> None:
    server, _ = s3
    data = objects()
    put_files(tmp_path / "src", data)
    bucket = server.bucket()
    up = run_cli("--from", f"file://{tmp_path}/src", "--to", f"s3://{bucket}/up",
                 "--to-endpoint", server.endpoint)  # fmt: skip
    assert up[0] == 0, up[2]
    assert s3_sums(server.client(), bucket, "up/") == expected_sums(data)
    down = run_cli("--from", f"s3://{bucket}/up", "--to", f"file://{tmp_path}/down/here",
                   "--from-endpoint", server.endpoint)  # fmt: skip
    assert down[0] == 0, down[2]
    assert file_sums(tmp_path / "down" / "here") == expected_sums(data)
    assert file_sums(tmp_path / "src") == expected_sums(data)


def test_storage_filesystem_to_filesystem(s3, tmp_path) -> None:
    data = objects(with_big=True, extra=5)
    put_files(tmp_path / "a", data)
    code, report, err = run_cli("--from", f"file://{tmp_path}/a", "--to", f"file://{tmp_path}/b")
    assert code == 0, err
    assert report["checks"][-1] == {
        "subject": "objects", "check": "verified by size, sha256 and headers", "ok": True,
        "source": len(data), "target": len(data), "detail": "",
    }  # fmt: skip
    assert file_sums(tmp_path / "b") == file_sums(tmp_path / "a") == expected_sums(data)


def test_storage_dry_run_writes_nothing(s3, tmp_path) -> None:
    server, _ = s3
    src, dst = server.bucket(), server.bucket()
    put_s3(server.client(), src, "", objects(extra=3))
    code, report, _ = run_cli("--from", f"s3://{src}", "--to", f"s3://{dst}",
                              "--from-endpoint", server.endpoint, "--to-endpoint", server.endpoint,
                              "--dry-run")  # fmt: skip
    assert code == 0 and report["status"] == "planned"
    assert report["preflight"][0].startswith("7 objects")
    assert s3_sums(server.client(), dst) == {}
    assert not (tmp_path / "state").exists()


def test_storage_checksum_verification_uses_the_sha256_the_store_kept(s3) -> None:
    first, second = s3
    src, dst = first.bucket(), second.bucket()
    data = objects(extra=5)
    put_s3(first.client(), src, "", data)
    code, report, err = run_cli(
        "--from", f"s3://{src}", "--to", f"s3://{dst}",
        "--from-endpoint", first.endpoint, "--to-endpoint", second.endpoint,
        "--verify", "checksum",
    )  # fmt: skip
    assert code == 0, err
    assert "verify: SHA-256 kept by the store" in report["preflight"][2]
    head = second.client().head_object(Bucket=dst, Key="a.txt", ChecksumMode="ENABLED")
    assert base64.b64decode(head["ChecksumSHA256"]).hex() == expected_sums(data)["a.txt"]
    assert s3_sums(second.client(), dst) == expected_sums(data)


def test_storage_s3_folder_markers_are_not_files(s3, tmp_path) -> None:
    server, _ = s3
    bucket = server.bucket()
    put_s3(server.client(), bucket, "", {"docs/": b"", "docs/readme.txt": b"hello"})
    code, report, err = run_cli("--from", f"s3://{bucket}", "--to", f"file://{tmp_path}/out",
                                "--from-endpoint", server.endpoint)  # fmt: skip
    assert code == 0, err
    assert "1 folder marker(s) not copied to a filesystem" in report["preflight"]
    assert any(n.startswith("a filesystem keeps no HTTP headers") for n in report["preflight"])
    assert file_sums(tmp_path / "out") == expected_sums({"docs/readme.txt": b"hello"})


def test_storage_keeps_content_type_and_metadata(s3, tmp_path) -> None:
    first, second = s3
    src, dst, up = first.bucket(), second.bucket(), second.bucket()
    first.client().put_object(
        Bucket=src, Key="page.html", Body=b"<p>hi</p>", ContentType="text/html; charset=utf-8",
        Metadata={"owner": "web"},
    )  # fmt: skip
    code, _, err = run_cli(
        "--from", f"s3://{src}", "--to", f"s3://{dst}",
        "--from-endpoint", first.endpoint, "--to-endpoint", second.endpoint,
    )  # fmt: skip
    assert code == 0, err
    head = second.client().head_object(Bucket=dst, Key="page.html")
    assert head["ContentType"] == "text/html; charset=utf-8"
    assert head["Metadata"] == {"owner": "web"}
    put_files(tmp_path / "site", {"logo.png": b"\x89PNG", "app.js": b"1"})
    code, _, err = run_cli("--from", f"file://{tmp_path}/site", "--to", f"s3://{up}",
                           "--to-endpoint", second.endpoint)  # fmt: skip
    assert code == 0, err
    assert second.client().head_object(Bucket=up, Key="logo.png")["ContentType"] == "image/png"


@pytest.mark.parametrize("verify", ["full", "checksum"])
def test_storage_s3_data_path_is_on_obstore(s3, monkeypatch, verify) -> None:
    """boto3 makes only the requests obstore cannot (migrate/storage/s3.py says which): the
    source's GETs (Expires), the preflight and listings; with --verify checksum, the target's
    single PUTs (whose reply has the SHA-256 the store kept). The rest is obstore's."""
    from botocore.client import BaseClient

    calls: list[tuple[str, str]] = []
    real = BaseClient._make_api_call

    def record(self, operation, params):
        calls.append((self.meta.endpoint_url, operation))
        return real(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", record)
    first, second = s3
    src, dst = first.bucket(), second.bucket()
    data = objects(with_big=True)
    put_s3(first.client(), src, "", data)
    calls.clear()
    code, _, err = run_cli(
        "--from", f"s3://{src}", "--to", f"s3://{dst}", "--verify", verify,
        "--from-endpoint", first.endpoint, "--to-endpoint", second.endpoint, "--part-size-mb", "5",
    )  # fmt: skip
    assert code == 0, err
    on_target = Counter(op for url, op in calls if url == second.endpoint)
    on_source = Counter(op for url, op in calls if url == first.endpoint)
    assert s3_sums(second.client(), dst) == expected_sums(data)
    assert set(on_source) == {"HeadBucket", "ListObjectsV2", "GetObject"}
    assert on_source["GetObject"] == len(data)
    small = len(data) - 1  # all but BIG_KEY go in one PUT
    if verify == "full":
        assert set(on_target) == {"HeadBucket", "ListObjectsV2"}
    else:
        assert on_target["PutObject"] == small  # whose reply has the kept SHA-256
        assert set(on_target) == {"HeadBucket", "ListObjectsV2", "PutObject"}


def test_storage_s3_signs_for_the_buckets_region(s3, tmp_path) -> None:
    """object_store does not follow S3's redirect to a bucket's region (botocore does), so the
    engine must sign for the region HeadBucket reports, whatever the environment says."""
    from migrate.storage.locate import Side, open_backend

    server, _ = s3
    client = server.client()
    bucket = f"in-ireland-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={
        "LocationConstraint": "eu-west-1"})  # fmt: skip
    backend = open_backend(Side(f"s3://{bucket}", "--to", endpoint=server.endpoint), jobs=1,
                           part_size=5 << 20, connect_timeout=5, read_timeout=5)  # fmt: skip
    assert backend.store.config["region"] == "us-east-1"  # AWS_DEFAULT_REGION, from the fixture
    backend.check(as_target=True)
    assert backend.store.config["region"] == "eu-west-1"
    put_files(tmp_path / "src", {"a.txt": b"a"})
    code, _, err = run_cli("--from", f"file://{tmp_path}/src", "--to", f"s3://{bucket}",
                           "--to-endpoint", server.endpoint)  # fmt: skip
    assert code == 0, err
    assert s3_sums(client, bucket) == expected_sums({"a.txt": b"a"})
