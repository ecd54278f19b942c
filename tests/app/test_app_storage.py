"""Uploads go to a real S3-compatible server over HTTP (moto's server mode on loopback), then the
Celery task records size and SHA-256, which this test recomputes from the bucket itself."""

from __future__ import annotations

import hashlib
import os
import uuid

import boto3
import pytest

SUBMISSIONS = "/api/v1/submissions/"


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """A fresh bucket, and the service's media storage pointed at it through the AWS_* variables."""
    from config.storage import s3_storage

    name = f"manuscripts-{uuid.uuid4().hex[:10]}"
    env = {
        "AWS_STORAGE_BUCKET_NAME": name,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=name)
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage()}
    yield client, name
    for item in client.list_objects_v2(Bucket=name).get("Contents", []):
        client.delete_object(Bucket=name, Key=item["Key"])
    client.delete_bucket(Bucket=name)


def test_upload_lands_in_the_bucket_and_the_task_records_size_and_sha256(
    author_api, bucket, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from submissions.models import ManuscriptFile

    client, name = bucket
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
    stored = client.get_object(Bucket=name, Key=record.file.name)["Body"].read()
    assert stored == payload
    assert record.size == len(stored)
    assert record.sha256 == hashlib.sha256(stored).hexdigest()
    assert record.checksummed_at is not None

    listed = author_api.get(f"{SUBMISSIONS}{created['id']}/files/").json()
    assert listed["results"][0]["sha256"] == record.sha256


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


def test_full_health_checks_the_bucket(client, bucket, db_vendor, settings, monkeypatch):
    from config.storage import s3_storage

    assert client.get("/api/v1/health/").json()["checks"]["storage"]["status"] == "ok"

    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "no-such-bucket")
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage()}
    response = client.get("/api/v1/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "error"


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


def test_the_stored_object_goes_with_its_record_and_a_missing_one_is_not_retried(
    author_api, user, bucket, django_capture_on_commit_callbacks
):
    """A deleted draft takes its objects with it (retention rule, docs/service.md); a file whose
    object vanished is recorded as such once, and the sweep moves on to the others."""
    from django.core.files.base import ContentFile
    from submissions.models import ManuscriptFile, Submission
    from submissions.tasks import checksum_file, checksum_pending_files

    client, name = bucket

    def keys() -> set[str]:
        return {item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", [])}

    draft = Submission.objects.create(owner=user, title="Abandoned")
    record = ManuscriptFile(submission=draft, original_name="a.pdf")
    record.file.save("a.pdf", ContentFile(b"%PDF-1.7 draft"), save=True)
    assert record.file.name in keys()
    with django_capture_on_commit_callbacks(execute=True):
        assert author_api.delete(f"{SUBMISSIONS}{draft.pk}/").status_code == 204
    assert record.file.name not in keys()
    assert not ManuscriptFile.objects.filter(pk=record.pk).exists()

    kept = Submission.objects.create(owner=user, title="Kept")
    missing = ManuscriptFile(submission=kept, original_name="gone.pdf")
    missing.file.save("gone.pdf", ContentFile(b"%PDF-1.7 gone"), save=True)
    present = ManuscriptFile(submission=kept, original_name="here.pdf")
    present.file.save("here.pdf", ContentFile(b"%PDF-1.7 here"), save=True)
    client.delete_object(Bucket=name, Key=missing.file.name)

    assert checksum_file(missing.pk)["error"].startswith("stored object missing")
    missing.refresh_from_db()
    assert missing.checksum_error == f"stored object missing: {missing.file.name}"
    assert missing.sha256 == ""
    assert checksum_pending_files() == 1  # only the present file is queued (and checksummed)
    present.refresh_from_db()
    assert present.sha256 == hashlib.sha256(b"%PDF-1.7 here").hexdigest()
    assert checksum_pending_files() == 0
