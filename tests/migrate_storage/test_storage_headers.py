"""HTTP headers travel with every object, streamed or multipart, and verification compares them."""

from __future__ import annotations

import datetime
import gzip
import os

import pytest

from tests.migrate_storage.storage_helpers import run_cli

HEADERS = {
    "ContentType": "text/css",
    "ContentEncoding": "gzip",
    "CacheControl": "public, max-age=31536000, immutable",
    "ContentDisposition": 'attachment; filename="site.css"',
    "ContentLanguage": "fr-CA",
    "Expires": datetime.datetime(2031, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
    "Metadata": {"owner": "web"},
}


def _head(client, bucket: str, key: str) -> dict:
    reply = client.head_object(Bucket=bucket, Key=key)
    return {name: reply.get(name) for name in HEADERS}


@pytest.mark.parametrize("verify", ["full", "checksum"])
@pytest.mark.parametrize("size", [1000, 6 * 1024 * 1024], ids=["single-put", "multipart"])
def test_storage_streamed_copy_keeps_http_headers(s3, size, verify) -> None:
    first, second = s3
    src, dst = first.bucket(), second.bucket()
    body = gzip.compress(os.urandom(size), compresslevel=0)
    first.client().put_object(Bucket=src, Key="site.css", Body=body, **HEADERS)
    code, report, err = run_cli(
        "--from", f"s3://{src}", "--to", f"s3://{dst}",
        "--from-endpoint", first.endpoint, "--to-endpoint", second.endpoint,
        "--part-size-mb", "5", "--verify", verify,
    )  # fmt: skip
    assert code == 0, err
    assert report["stats"]["objects_streamed"] == 1
    assert _head(second.client(), dst, "site.css") == _head(first.client(), src, "site.css")
    assert _head(second.client(), dst, "site.css")["ContentEncoding"] == "gzip"
    # The bytes are the stored (compressed) bytes, not decoded on the way.
    assert second.client().get_object(Bucket=dst, Key="site.css")["Body"].read() == body


@pytest.mark.parametrize(
    "changed",
    [{"CacheControl": "no-store"}, {"ContentEncoding": "br"}, {"ContentLanguage": "en"},
     {"ContentDisposition": "inline"}, {"Expires": datetime.datetime(2040, 1, 1)},
     {"ContentType": "text/plain"}, {"Metadata": {"owner": "someone else"}}],
    ids=lambda c: next(iter(c)),
)  # fmt: skip
def test_storage_verify_compares_headers(s3, changed) -> None:
    first, second = s3
    src, dst = first.bucket(), second.bucket()
    first.client().put_object(Bucket=src, Key="site.css", Body=b"x", **HEADERS)
    sides = ["--from", f"s3://{src}", "--to", f"s3://{dst}",
             "--from-endpoint", first.endpoint, "--to-endpoint", second.endpoint]  # fmt: skip
    assert run_cli(*sides)[0] == 0
    second.client().copy_object(
        Bucket=dst, Key="site.css", CopySource={"Bucket": dst, "Key": "site.css"},
        MetadataDirective="REPLACE", **{**HEADERS, **changed},
    )  # fmt: skip
    code, report, _ = run_cli(*sides, "--verify-only")
    assert code == 1
    bad = [c for c in report["checks"] if not c["ok"] and c["subject"] == "site.css"]
    assert [c["check"] for c in bad] == ["headers"]


@pytest.mark.parametrize("verify", ["full", "checksum"])
def test_storage_copy_fails_when_the_target_does_not_keep_the_headers(
    s3, monkeypatch, verify
) -> None:
    """A target that drops headers on write (an instrumented backend on the real server)."""
    from migrate.storage.s3 import S3Backend

    real_write = S3Backend.write
    monkeypatch.setattr(
        S3Backend, "write", lambda self, key, stream, size, attributes=None: real_write(
            self, key, stream, size, None
        ),
    )  # fmt: skip
    first, second = s3
    src, dst = first.bucket(), second.bucket()
    first.client().put_object(Bucket=src, Key="site.css", Body=b"x", **HEADERS)
    code, report, _ = run_cli(
        "--from", f"s3://{src}", "--to", f"s3://{dst}",
        "--from-endpoint", first.endpoint, "--to-endpoint", second.endpoint, "--verify", verify,
    )  # fmt: skip
    assert code == 1 and report["status"] == "mismatch"
    bad = next(c for c in report["checks"] if c["subject"] == "site.css")
    assert bad["check"] == "headers" and "cache_control" in bad["detail"]


def test_storage_server_side_copy_verifies_headers(s3, monkeypatch) -> None:
    from migrate.storage.s3 import S3Backend

    real_copy = S3Backend.server_side_copy

    def copy_then_alter(self, source, key, size):
        done = real_copy(self, source, key, size)
        self.client.copy_object(
            Bucket=self.bucket, Key=self._key(key), MetadataDirective="REPLACE",
            CopySource={"Bucket": self.bucket, "Key": self._key(key)},
            **{**HEADERS, "CacheControl": "no-store"},
        )  # fmt: skip
        return done

    monkeypatch.setattr(S3Backend, "server_side_copy", copy_then_alter)
    server, _ = s3
    src, dst = server.bucket(), server.bucket()
    server.client().put_object(Bucket=src, Key="site.css", Body=b"x", **HEADERS)
    code, report, _ = run_cli(
        "--from", f"s3://{src}", "--to", f"s3://{dst}",
        "--from-endpoint", server.endpoint, "--to-endpoint", server.endpoint,
    )  # fmt: skip
    assert report["stats"]["objects_server-side"] == 1
    assert code == 1
    assert next(c for c in report["checks"] if c["subject"] == "site.css")["check"] == "headers"
