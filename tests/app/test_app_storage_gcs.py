"""Uploads through the Cloud Storage backend (STORAGE_BACKEND=gcs) go to a real GCS-compatible
server over HTTP (gcp-storage-emulator on loopback, speaking the JSON and upload APIs the Google
client uses); the Celery task's size and SHA-256 are recomputed from the bucket itself, and the
full health check fails on a bucket that does not exist."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator

import pytest
import requests
from gcp_storage_emulator.server import create_server
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage as gcs

from tests.app.app_helpers import free_port

SUBMISSIONS = "/api/v1/submissions/"


@pytest.fixture(scope="module")
def gcs_endpoint() -> Iterator[str]:
    """The emulator on a free loopback port, in memory."""
    port = free_port()
    server = create_server("127.0.0.1", port, in_memory=True)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def gcs_bucket(gcs_endpoint, settings, monkeypatch) -> Iterator[tuple[gcs.Bucket, str]]:
    """A fresh bucket, and the service's media storage built from the env contract's keys."""
    from config.storage import media_storage

    name = f"manuscripts-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_endpoint)
    monkeypatch.setenv("STORAGE_BACKEND", "gcs")
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", name)
    client = gcs.Client(project="emulator", credentials=AnonymousCredentials())
    bucket = client.create_bucket(name)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage("gcs")}
    yield bucket, name
    for blob in client.list_blobs(name):
        blob.delete()
    bucket.delete()


def test_the_contract_selects_the_google_backend_as_the_platform_identity(monkeypatch):
    from config.storage import media_storage

    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "media")
    entry = media_storage("gcs")
    assert entry["BACKEND"] == "storages.backends.gcloud.GoogleCloudStorage"
    # No key file and no credentials object: Application Default Credentials (the service
    # account), with signed URLs through IAM signBlob.
    assert entry["OPTIONS"] == {
        "bucket_name": "media",
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
        "iam_sign_blob": True,
    }


def test_upload_lands_in_the_gcs_bucket_and_the_task_records_size_and_sha256(
    author_api, gcs_bucket, django_capture_on_commit_callbacks
):
    from django.core.files.storage import storages
    from django.core.files.uploadedfile import SimpleUploadedFile
    from submissions.models import ManuscriptFile

    assert type(storages["default"]).__name__ == "GoogleCloudStorage"
    bucket, _ = gcs_bucket
    payload = b"%PDF-1.7\n" + os.urandom(300_000) + b"end of manuscript"
    created = author_api.post(SUBMISSIONS, {"title": "On GCS"}, format="json").json()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = author_api.post(
            f"{SUBMISSIONS}{created['id']}/files/",
            {"file": SimpleUploadedFile("paper.pdf", payload, "application/pdf")},
            format="multipart",
        )
    assert response.status_code == 201, response.content
    assert len(callbacks) == 1

    record = ManuscriptFile.objects.get(pk=response.json()["id"])
    stored = bucket.blob(record.file.name).download_as_bytes()
    # The URL the API hands out serves the object (unsigned on the emulator).
    download = requests.get(response.json()["file"], timeout=10)
    assert download.status_code == 200 and download.content == payload
    assert stored == payload
    assert record.size == len(stored)
    assert record.sha256 == hashlib.sha256(stored).hexdigest()


def test_a_deleted_draft_takes_its_gcs_object_with_it(
    author_api, user, gcs_bucket, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from submissions.models import ManuscriptFile, Submission

    bucket, _ = gcs_bucket
    draft = Submission.objects.create(owner=user, title="Abandoned")
    record = ManuscriptFile(submission=draft, original_name="a.pdf")
    record.file.save("a.pdf", ContentFile(b"%PDF-1.7 draft"), save=True)
    assert bucket.blob(record.file.name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert author_api.delete(f"{SUBMISSIONS}{draft.pk}/").status_code == 204
    assert not bucket.blob(record.file.name).exists()


def test_full_health_checks_the_gcs_bucket(client, gcs_bucket, settings, monkeypatch):
    from config.storage import media_storage

    assert client.get("/api/v1/health/").json()["checks"]["storage"]["status"] == "ok"

    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "no-such-bucket")
    settings.STORAGES = {**settings.STORAGES, "default": media_storage("gcs")}
    response = client.get("/api/v1/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "error"
