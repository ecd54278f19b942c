"""S3-specific media behaviour on a real S3-compatible server (moto's server mode on loopback):
the beat sweep, upload refusals, and a vanished object recorded once. What every backend owes
the service is tests/app/test_app_media_stores.py, run on this server among others."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from tests.app.media_stores import MediaStore, s3_store

SUBMISSIONS = "/api/v1/submissions/"


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch) -> Iterator[MediaStore]:
    """A fresh bucket on moto's server, and the service's media storage pointed at it."""
    from config.storage import s3_storage

    with s3_store(s3_endpoint, monkeypatch) as store:
        settings.STORAGES = {**settings.STORAGES, "default": s3_storage()}
        yield store


def test_beat_sweep_checksums_files_whose_task_was_lost(user, bucket):
    from django.core.files.base import ContentFile
    from submissions.models import ManuscriptFile, Submission
    from submissions.tasks import checksum_pending_files

    submission = Submission.objects.create(owner=user, title="Lost task")
    record = ManuscriptFile(submission=submission, original_name="lost.txt")
    record.file.save("lost.txt", ContentFile(b"never checksummed"), save=True)
    assert record.sha256 == ""

    assert checksum_pending_files() == 1
    record.refresh_from_db()
    assert record.sha256 == hashlib.sha256(b"never checksummed").hexdigest()
    assert record.size == len(b"never checksummed")
    assert checksum_pending_files() == 0


def test_uploads_are_refused_once_submitted_and_for_other_users(
    author_api, user, other_user, bucket
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    created = author_api.post(SUBMISSIONS, {"title": "Locked"}, format="json").json()
    files_url = f"{SUBMISSIONS}{created['id']}/files/"
    author_api.force_authenticate(other_user)
    upload = {"file": SimpleUploadedFile("x.txt", b"x")}
    assert author_api.post(files_url, upload, format="multipart").status_code == 404

    author_api.force_authenticate(user)
    author_api.post(f"{SUBMISSIONS}{created['id']}/transition/", {"to": "submitted"}, format="json")
    late = author_api.post(
        files_url, {"file": SimpleUploadedFile("y.txt", b"y")}, format="multipart"
    )
    assert late.status_code == 400


def test_a_missing_object_is_recorded_once_and_not_retried(user, bucket):
    """A file whose object vanished is recorded as such once, and the sweep moves on to the
    others (retention rule, docs/service.md)."""
    from django.core.files.base import ContentFile
    from submissions.models import ManuscriptFile, Submission
    from submissions.tasks import checksum_file, checksum_pending_files

    kept = Submission.objects.create(owner=user, title="Kept")
    missing = ManuscriptFile(submission=kept, original_name="gone.pdf")
    missing.file.save("gone.pdf", ContentFile(b"%PDF-1.7 gone"), save=True)
    present = ManuscriptFile(submission=kept, original_name="here.pdf")
    present.file.save("here.pdf", ContentFile(b"%PDF-1.7 here"), save=True)
    bucket.delete(missing.file.name)

    assert checksum_file(missing.pk)["error"].startswith("stored object missing")
    missing.refresh_from_db()
    assert missing.checksum_error == f"stored object missing: {missing.file.name}"
    assert missing.sha256 == ""
    assert checksum_pending_files() == 1  # only the present file is queued (and checksummed)
    present.refresh_from_db()
    assert present.sha256 == hashlib.sha256(b"%PDF-1.7 here").hexdigest()
    assert checksum_pending_files() == 0
