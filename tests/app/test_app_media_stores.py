"""What every media backend owes the service, run against each real server (tests/app/media_stores):
an upload lands in the store and the Celery task's size and SHA-256 are recomputed from the store
itself; the download URL the API hands out serves the object; a deleted draft takes its object
with it; the full health check fails on a bucket that does not exist."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

import pytest
import requests

from tests.app.media_stores import ENDPOINT_FIXTURES, STORES, MediaStore

SUBMISSIONS = "/api/v1/submissions/"


@pytest.fixture(params=sorted(STORES))
def media_store(request, settings, monkeypatch) -> Iterator[MediaStore]:
    """A fresh bucket on the backend's server, and the service's media storage built from the env
    contract's keys (the same `media_storage` the settings call)."""
    from config.storage import media_storage

    endpoint = request.getfixturevalue(ENDPOINT_FIXTURES[request.param])
    with STORES[request.param](endpoint, monkeypatch) as store:
        settings.STORAGES = {**settings.STORAGES, "default": media_storage(store.backend)}
        yield store


def test_upload_lands_in_the_store_and_the_task_records_size_and_sha256(
    author_api, media_store, django_capture_on_commit_callbacks
):
    from django.core.files.storage import storages
    from django.core.files.uploadedfile import SimpleUploadedFile
    from submissions.models import ManuscriptFile

    assert type(storages["default"]).__name__ == media_store.storage_class
    payload = b"%PDF-1.7\n" + os.urandom(300_000) + b"end of manuscript"
    created = author_api.post(SUBMISSIONS, {"title": "With a file"}, format="json").json()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = author_api.post(
            f"{SUBMISSIONS}{created['id']}/files/",
            {"file": SimpleUploadedFile("paper.pdf", payload, "application/pdf")},
            format="multipart",
        )
    assert response.status_code == 201, response.content
    assert len(callbacks) == 1

    record = ManuscriptFile.objects.get(pk=response.json()["id"])
    assert record.original_name == "paper.pdf"
    stored = media_store.read(record.file.name)
    assert stored == payload
    assert record.size == len(stored)
    assert record.sha256 == hashlib.sha256(stored).hexdigest()
    assert record.checksummed_at is not None
    listed = author_api.get(f"{SUBMISSIONS}{created['id']}/files/").json()
    assert listed["results"][0]["sha256"] == record.sha256

    url = response.json()["file"]
    download = requests.get(url, timeout=10)
    assert download.status_code == 200 and download.content == payload
    if media_store.signed_urls_only:
        assert requests.get(url.split("?")[0], timeout=10).status_code in (401, 403, 404)


def test_a_deleted_draft_takes_its_object_with_it(
    author_api, user, media_store, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from submissions.models import ManuscriptFile, Submission

    draft = Submission.objects.create(owner=user, title="Abandoned")
    record = ManuscriptFile(submission=draft, original_name="a.pdf")
    record.file.save("a.pdf", ContentFile(b"%PDF-1.7 draft"), save=True)
    assert media_store.exists(record.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        assert author_api.delete(f"{SUBMISSIONS}{draft.pk}/").status_code == 204
    assert not media_store.exists(record.file.name)
    assert not ManuscriptFile.objects.filter(pk=record.pk).exists()


def test_full_health_checks_the_store(client, media_store, db_vendor, settings, monkeypatch):
    from config.storage import media_storage

    assert client.get("/api/v1/health/").json()["checks"]["storage"]["status"] == "ok"

    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "no-such-bucket")
    settings.STORAGES = {**settings.STORAGES, "default": media_storage(media_store.backend)}
    response = client.get("/api/v1/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "error"
