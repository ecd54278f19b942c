"""The three media stores the env contract can select (STORAGE_BACKEND = s3 | gcs | azure), each
a real server on loopback behind one small interface, so the behaviour every backend owes the
service (an upload lands and is checksummed from the store, a deleted draft takes its object, the
full health check fails on a missing bucket) is one test run against all three.

Servers: moto's S3 server (the conftest's `s3_endpoint`), gcp-storage-emulator (the JSON and
upload APIs the Google client speaks) and Azurite from the npm registry (tools/azurite).
"""

from __future__ import annotations

import contextlib
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import requests
from azure.storage.blob import BlobServiceClient
from gcp_storage_emulator.server import create_server
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage as gcs

from tests.app.app_helpers import free_port

AZURITE = Path(__file__).resolve().parents[2] / "tools/azurite/node_modules/.bin/azurite-blob"
AZURE_ACCOUNT = "devstoreaccount1"
# Azurite's published development key (https://github.com/Azure/Azurite#default-storage-account).
AZURE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


@dataclass(frozen=True)
class MediaStore:
    """A fresh bucket (container) the service's default storage points at, read behind its back."""

    backend: str
    """The STORAGE_BACKEND value, and the name of the django-storages class's family."""
    storage_class: str
    """The class `storages["default"]` must be for this backend."""
    name: str
    read: Callable[[str], bytes]
    exists: Callable[[str], bool]
    delete: Callable[[str], None]
    signed_urls_only: bool
    """Whether the store refuses a download URL stripped of its signature (Azurite checks SAS;
    moto and the GCS emulator serve private objects to anyone)."""


def gcs_server() -> Iterator[str]:
    """gcp-storage-emulator on a free loopback port, in memory."""
    port = free_port()
    server = create_server("127.0.0.1", port, in_memory=True)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def azurite_server(folder: Path) -> Iterator[str]:
    """Azurite's blob service on a free loopback port, its data in `folder`."""
    assert AZURITE.exists(), "Azurite is missing: run `make env` (npm ci --prefix tools/azurite)"
    port = free_port()
    server = subprocess.Popen(
        [
            str(AZURITE),
            *("--blobHost", "127.0.0.1", "--blobPort", str(port), "--location", str(folder)),
            "--skipApiVersionCheck",
            "--silent",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(300):
            if server.poll() is not None:
                raise RuntimeError(f"Azurite exited: {server.stderr.read().decode()}")
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/{AZURE_ACCOUNT}"
    finally:
        server.kill()
        server.wait(timeout=10)


def _fresh_name() -> str:
    return f"manuscripts-{uuid.uuid4().hex[:10]}"


@contextlib.contextmanager
def s3_store(endpoint: str, monkeypatch) -> Iterator[MediaStore]:
    name = _fresh_name()
    keys = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    for key, value in {
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": name,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        **keys,
    }.items():
        monkeypatch.setenv(key, value)
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=name)

    def listed() -> set[str]:
        return {item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", [])}

    yield MediaStore(
        backend="s3",
        storage_class="S3Storage",
        name=name,
        read=lambda key: client.get_object(Bucket=name, Key=key)["Body"].read(),
        exists=lambda key: key in listed(),
        delete=lambda key: client.delete_object(Bucket=name, Key=key),
        signed_urls_only=False,
    )
    for key in listed():
        client.delete_object(Bucket=name, Key=key)
    client.delete_bucket(Bucket=name)


@contextlib.contextmanager
def gcs_store(endpoint: str, monkeypatch) -> Iterator[MediaStore]:
    name = _fresh_name()
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", endpoint)
    monkeypatch.setenv("STORAGE_BACKEND", "gcs")
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", name)
    client = gcs.Client(project="emulator", credentials=AnonymousCredentials())
    bucket = client.create_bucket(name)
    yield MediaStore(
        backend="gcs",
        storage_class="GoogleCloudStorage",
        name=name,
        read=lambda key: bucket.blob(key).download_as_bytes(),
        exists=lambda key: bucket.blob(key).exists(),
        delete=lambda key: bucket.blob(key).delete(),
        signed_urls_only=False,
    )
    for blob in client.list_blobs(name):
        blob.delete()
    bucket.delete()


@contextlib.contextmanager
def azure_store(endpoint: str, monkeypatch) -> Iterator[MediaStore]:
    name = _fresh_name()
    for key, value in {
        "STORAGE_BACKEND": "azure",
        "AWS_STORAGE_BUCKET_NAME": name,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": AZURE_ACCOUNT,
        "AWS_SECRET_ACCESS_KEY": AZURE_KEY,
    }.items():
        monkeypatch.setenv(key, value)
    service = BlobServiceClient(
        endpoint, credential={"account_name": AZURE_ACCOUNT, "account_key": AZURE_KEY}
    )
    container = service.create_container(name)
    yield MediaStore(
        backend="azure",
        storage_class="AzureStorage",
        name=name,
        read=lambda key: container.download_blob(key).readall(),
        exists=lambda key: container.get_blob_client(key).exists(),
        delete=lambda key: container.delete_blob(key),
        signed_urls_only=True,
    )
    container.delete_container()


STORES = {"s3": s3_store, "gcs": gcs_store, "azure": azure_store}
"""Each backend's store, opened on its server's endpoint."""
ENDPOINT_FIXTURES = {"s3": "s3_endpoint", "gcs": "gcs_endpoint", "azure": "azurite_endpoint"}
"""The conftest fixture that serves each backend."""
