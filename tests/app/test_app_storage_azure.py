"""Uploads through the Azure Blob backend (STORAGE_BACKEND=azure) go to a real Blob Storage API
(Azurite, from the npm registry, on loopback) with its well-known development account key; the
Celery task's size and SHA-256 are recomputed from the container itself, and the full health
check fails on a container that does not exist.

What cannot run here: a managed identity (only Azure's instance metadata endpoint issues its
tokens to Azure Storage, and Azurite takes OAuth only over HTTPS). Its configuration is checked
instead: without keys the backend is given a ManagedIdentityCredential and no key, and that
credential asks the Container Apps token endpoint (here a loopback stand-in) for the identity
named by AZURE_CLIENT_ID.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from azure.storage.blob import BlobServiceClient
from django.core.exceptions import ImproperlyConfigured

from tests.app.app_helpers import free_port

SUBMISSIONS = "/api/v1/submissions/"
AZURITE = Path(__file__).resolve().parents[2] / "tools/azurite/node_modules/.bin/azurite-blob"
ACCOUNT = "devstoreaccount1"
# Azurite's published development key (https://github.com/Azure/Azurite#default-storage-account).
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


@pytest.fixture(scope="module")
def azurite_endpoint(tmp_path_factory) -> Iterator[str]:
    """Azurite's blob service on a free loopback port, its data in a temporary folder."""
    assert AZURITE.exists(), "Azurite is missing: run `make env` (npm ci --prefix tools/azurite)"
    port = free_port()
    folder = tmp_path_factory.mktemp("azurite")
    server = subprocess.Popen(
        [
            str(AZURITE),
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(port),
            "--location",
            str(folder),
            "--skipApiVersionCheck",
            "--silent",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    endpoint = f"http://127.0.0.1:{port}/{ACCOUNT}"
    try:
        for _ in range(300):
            if server.poll() is not None:
                raise RuntimeError(f"Azurite exited: {server.stderr.read().decode()}")
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield endpoint
    finally:
        server.kill()
        server.wait(timeout=10)


def _client(endpoint: str) -> BlobServiceClient:
    return BlobServiceClient(endpoint, credential={"account_name": ACCOUNT, "account_key": KEY})


@pytest.fixture
def azure_container(azurite_endpoint, settings, monkeypatch) -> Iterator[tuple[object, str]]:
    """A fresh container, and the service's media storage built from the env contract's keys."""
    from config.storage import media_storage

    name = f"manuscripts-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("STORAGE_BACKEND", "azure")
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", name)
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", azurite_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCOUNT)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", KEY)
    container = _client(azurite_endpoint).create_container(name)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage("azure")}
    yield container, name
    container.delete_container()


@pytest.fixture
def identity_endpoint(monkeypatch) -> Iterator[list[dict[str, list[str]]]]:
    """A loopback stand-in for the token endpoint Container Apps gives a container
    (IDENTITY_ENDPOINT / IDENTITY_HEADER): it records each token request's query."""
    asked: list[dict[str, list[str]]] = []

    class Tokens(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            assert self.headers["X-IDENTITY-HEADER"] == "header-secret"
            asked.append(parse_qs(urlsplit(self.path).query))
            body = json.dumps(
                {
                    "access_token": "token",
                    "expires_on": str(int(time.time()) + 3600),
                    "resource": "https://storage.azure.com",
                    "token_type": "Bearer",
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = HTTPServer(("127.0.0.1", 0), Tokens)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"http://127.0.0.1:{server.server_port}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", "header-secret")
    yield asked
    server.shutdown()


def test_without_keys_the_backend_is_the_user_assigned_managed_identity(
    monkeypatch, identity_endpoint
):
    from azure.identity import ManagedIdentityCredential
    from config.storage import media_storage

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "media")
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "https://trudeployprod.blob.core.windows.net/")
    monkeypatch.setenv("AZURE_CLIENT_ID", "00000000-0000-0000-0000-00000000c11d")
    entry = media_storage("azure")
    assert entry["BACKEND"] == "storages.backends.azure_storage.AzureStorage"
    options = dict(entry["OPTIONS"])
    credential = options.pop("token_credential")
    assert isinstance(credential, ManagedIdentityCredential)
    # No key, no connection string: every request carries the identity's token, and download
    # URLs are user-delegation SAS.
    assert options == {
        "azure_container": "media",
        "overwrite_files": False,
        "expiration_secs": 3600,
        "account_name": "trudeployprod",
        "endpoint_suffix": "core.windows.net",
    }
    # The token is asked for the identity the platform assigned (by its client id), not
    # whichever one the host offers first.
    assert credential.get_token("https://storage.azure.com/.default").token == "token"
    assert identity_endpoint[0]["client_id"] == ["00000000-0000-0000-0000-00000000c11d"]
    assert identity_endpoint[0]["resource"] == ["https://storage.azure.com"]


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"AWS_S3_ENDPOINT_URL": ""}, "AWS_S3_ENDPOINT_URL"),
        ({"AWS_S3_ENDPOINT_URL": "http://acct.blob.core.windows.net"}, "AWS_S3_ENDPOINT_URL"),
        ({"AWS_S3_ENDPOINT_URL": "http://127.0.0.1:10000/devstoreaccount1"}, "AWS_ACCESS_KEY_ID"),
        ({"AWS_ACCESS_KEY_ID": "acct"}, "AWS_SECRET_ACCESS_KEY"),
    ],
)
def test_incomplete_azure_settings_name_the_variable(monkeypatch, env, named):
    from config.storage import media_storage

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "media")
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "https://acct.blob.core.windows.net")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ImproperlyConfigured, match=named):
        media_storage("azure")


def test_upload_lands_in_the_blob_container_and_the_task_records_size_and_sha256(
    author_api, azure_container, django_capture_on_commit_callbacks
):
    from django.core.files.storage import storages
    from django.core.files.uploadedfile import SimpleUploadedFile
    from submissions.models import ManuscriptFile

    assert type(storages["default"]).__name__ == "AzureStorage"
    container, _ = azure_container
    payload = b"%PDF-1.7\n" + os.urandom(300_000) + b"end of manuscript"
    created = author_api.post(SUBMISSIONS, {"title": "On Azure"}, format="json").json()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = author_api.post(
            f"{SUBMISSIONS}{created['id']}/files/",
            {"file": SimpleUploadedFile("paper.pdf", payload, "application/pdf")},
            format="multipart",
        )
    assert response.status_code == 201, response.content
    assert len(callbacks) == 1

    record = ManuscriptFile.objects.get(pk=response.json()["id"])
    stored = container.download_blob(record.file.name).readall()
    # The URL the API hands out is a SAS-signed URL that serves the object.
    url = response.json()["file"]
    assert "sig=" in url
    download = requests.get(url, timeout=10)
    assert download.status_code == 200 and download.content == payload
    assert requests.get(url.split("?")[0], timeout=10).status_code in (401, 403, 404)
    assert stored == payload
    assert record.size == len(stored)
    assert record.sha256 == hashlib.sha256(stored).hexdigest()


def test_a_deleted_draft_takes_its_blob_with_it(
    author_api, user, azure_container, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from submissions.models import ManuscriptFile, Submission

    container, _ = azure_container
    draft = Submission.objects.create(owner=user, title="Abandoned")
    record = ManuscriptFile(submission=draft, original_name="a.pdf")
    record.file.save("a.pdf", ContentFile(b"%PDF-1.7 draft"), save=True)
    assert container.get_blob_client(record.file.name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert author_api.delete(f"{SUBMISSIONS}{draft.pk}/").status_code == 204
    assert not container.get_blob_client(record.file.name).exists()


def test_full_health_checks_the_blob_container(client, azure_container, settings, monkeypatch):
    from config.storage import media_storage

    assert client.get("/api/v1/health/").json()["checks"]["storage"]["status"] == "ok"

    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "no-such-container")
    settings.STORAGES = {**settings.STORAGES, "default": media_storage("azure")}
    response = client.get("/api/v1/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "error"
