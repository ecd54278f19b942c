"""Fixtures' data and independent checksums for the object storage migration tests."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

#: Mixed objects: empty, small, unicode and nested names, and one big enough for multipart.
SMALL = {
    "empty.txt": b"",
    "a.txt": b"alpha",
    "nested/deeper/b.bin": bytes(range(256)) * 40,
    "unicodé/ñame ✓.txt": "ünïcödé".encode(),
}
BIG_KEY = "big/video.bin"
BIG_SIZE = 11 * 1024 * 1024 + 123  # three 5 MB parts with --part-size-mb 5


def objects(with_big: bool = False, extra: int = 20) -> dict[str, bytes]:
    data = dict(SMALL)
    for i in range(extra):
        data[f"many/obj-{i:04d}"] = os.urandom(100 + i * 37)
    if with_big:
        data[BIG_KEY] = os.urandom(BIG_SIZE)
    return data


def put_s3(client, bucket: str, prefix: str, data: dict[str, bytes]) -> None:
    for key, body in data.items():
        client.put_object(Bucket=bucket, Key=prefix + key, Body=body)


def put_files(root: Path, data: dict[str, bytes]) -> None:
    for key, body in data.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)


def s3_sums(client, bucket: str, prefix: str = "") -> dict[str, str]:
    """SHA-256 of every object under the prefix, read with boto3 directly."""
    sums = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            sums[item["Key"][len(prefix) :]] = hashlib.sha256(body).hexdigest()
    return sums


def file_sums(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def expected_sums(data: dict[str, bytes]) -> dict[str, str]:
    return {k: hashlib.sha256(v).hexdigest() for k, v in data.items()}


def run_cli(*args: str) -> tuple[int, dict | None, str]:
    """`trudeploy migrate storage ARGS --json` in-process: exit code, report, stderr."""
    result = CliRunner().invoke(app, ["migrate", "storage", *args, "--json"])
    report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
    return result.exit_code, report, " ".join(result.stderr.split())


def put_az(service, container: str, prefix: str, data: dict[str, bytes]) -> None:
    for key, body in data.items():
        service.get_blob_client(container, prefix + key).upload_blob(body, overwrite=True)


def az_sums(service, container: str, prefix: str = "") -> dict[str, str]:
    """SHA-256 of every blob under the prefix, read with azure-storage-blob directly."""
    box = service.get_container_client(container)
    return {
        blob.name[len(prefix) :]: hashlib.sha256(box.download_blob(blob.name).readall()).hexdigest()
        for blob in box.list_blobs(name_starts_with=prefix)
    }
