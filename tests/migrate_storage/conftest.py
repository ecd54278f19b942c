"""Two real S3-compatible servers (moto in server mode, each its own process) on loopback.

Separate processes, because moto's in-process backends are shared: two threaded servers in one
process would see each other's buckets and could not stand for two providers.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from azure.storage.blob import BlobServiceClient


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MotoServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    pytest.fail(f"moto server did not start on {self.endpoint}")
                time.sleep(0.1)

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    def bucket(self) -> str:
        name = f"b-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture(scope="session")
def moto_pair() -> Iterator[tuple[MotoServer, MotoServer]]:
    first, second = MotoServer(), MotoServer()
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture
def s3(moto_pair, tmp_path, monkeypatch) -> tuple[MotoServer, MotoServer]:
    """The two servers, test credentials in the standard AWS variables, a private state dir."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("TRUDEPLOY_STATE_DIR", str(tmp_path / "state"))
    return moto_pair


#: Azurite's well-known development account (documented by Microsoft; not a secret).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
AZURITE = Path(__file__).resolve().parents[2] / "tools/azurite/node_modules/.bin/azurite-blob"


class AzuriteServer:
    """Azurite's Blob service (from the npm registry, installed by `make env`) on loopback."""

    def __init__(self, folder: Path) -> None:
        if not AZURITE.exists():
            pytest.fail(f"{AZURITE} is missing: run `make env` (npm ci --prefix tools/azurite)")
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/{AZURITE_ACCOUNT}"
        self.proc = subprocess.Popen(
            [str(AZURITE), "--blobHost", "127.0.0.1", "--blobPort", str(self.port),
             "--location", str(folder), "--skipApiVersionCheck", "--silent"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    pytest.fail(f"Azurite did not start on {self.endpoint}")
                time.sleep(0.1)

    def service(self) -> BlobServiceClient:
        return BlobServiceClient(
            self.endpoint,
            credential={"account_name": AZURITE_ACCOUNT, "account_key": AZURITE_KEY},
        )

    def container(self) -> str:
        name = f"c-{uuid.uuid4().hex[:12]}"
        self.service().create_container(name)
        return name

    def url(self, container: str, prefix: str = "") -> str:
        return f"az://{AZURITE_ACCOUNT}/{container}" + (f"/{prefix}" if prefix else "")

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture(scope="session")
def azurite(tmp_path_factory) -> Iterator[AzuriteServer]:
    server = AzuriteServer(tmp_path_factory.mktemp("azurite"))
    yield server
    server.stop()


@pytest.fixture
def az(azurite, s3, monkeypatch) -> AzuriteServer:
    """Azurite, with its account key in the standard Azure variable (and the S3 test setup)."""
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_KEY", AZURITE_KEY)
    return azurite
