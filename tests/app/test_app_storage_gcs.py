"""The Cloud Storage backend (STORAGE_BACKEND=gcs) as the env contract builds it for a deployed
service: the platform's identity, no key file. Uploads, downloads, deletion and the health check
run against a real GCS-compatible server in tests/app/test_app_media_stores.py."""

from __future__ import annotations


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
