"""The media storage backend, chosen by STORAGE_BACKEND and configured from the environment.

One variable names the backend, so every deploy target sends the same keys (the deploy contract,
components/app_env.py) and a new backend is one more value here:

- `s3`: S3 or any S3-compatible store (MinIO, R2); AWS_* variables. Credentials are optional:
  without AWS_ACCESS_KEY_ID boto3 uses the platform's workload identity (task role) through its
  default credential chain.
- `gcs`: Cloud Storage through django-storages' Google backend, as the platform's service account
  (Application Default Credentials), never a key file. The bucket is AWS_STORAGE_BUCKET_NAME, the
  contract's bucket key on every target. Download URLs are V4-signed through the IAM signBlob API
  (`iam_sign_blob`), which lets a keyless service account sign for itself. STORAGE_EMULATOR_HOST,
  the Google client's own variable, points it at an emulator, which takes anonymous requests
  and serves unsigned URLs.
"""

from __future__ import annotations

from typing import Any

from config.env import env_str, require

STORAGE_BACKENDS = ("s3", "gcs")
"""Values STORAGE_BACKEND accepts; unset means files on disk (MEDIA_ROOT)."""


def media_storage(backend: str) -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry for `backend` (one of STORAGE_BACKENDS)."""
    return {"s3": s3_storage, "gcs": gcs_storage}[backend]()


def _bucket(backend: str) -> str:
    bucket = env_str("AWS_STORAGE_BUCKET_NAME")
    require(
        "AWS_STORAGE_BUCKET_NAME",
        bucket,
        f"STORAGE_BACKEND is {backend}, so the bucket must be named",
    )
    return bucket


def s3_storage() -> dict[str, Any]:
    """S3 or an S3-compatible endpoint (MinIO, R2)."""
    options: dict[str, Any] = {
        "bucket_name": _bucket("s3"),
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
        "signature_version": "s3v4",
    }
    endpoint = env_str("AWS_S3_ENDPOINT_URL")
    if endpoint:
        # S3-compatible servers are reached by path, not by a bucket sub-domain they cannot serve.
        options["endpoint_url"] = endpoint
        options["addressing_style"] = "path"
    region = env_str("AWS_S3_REGION_NAME")
    if region:
        options["region_name"] = region
    access_key = env_str("AWS_ACCESS_KEY_ID")
    secret_key = env_str("AWS_SECRET_ACCESS_KEY")
    if bool(access_key) != bool(secret_key):
        missing = "AWS_SECRET_ACCESS_KEY" if access_key else "AWS_ACCESS_KEY_ID"
        require(
            missing, "", "storage keys come in pairs (or leave both unset for workload identity)"
        )
    if access_key:
        options["access_key"] = access_key
        options["secret_key"] = secret_key
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def gcs_storage() -> dict[str, Any]:
    """Cloud Storage as the platform's service account (or an emulator, anonymously)."""
    options: dict[str, Any] = {
        "bucket_name": _bucket("gcs"),
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
        "iam_sign_blob": True,
    }
    emulator = env_str("STORAGE_EMULATOR_HOST").rstrip("/")
    if emulator:
        from google.auth.credentials import AnonymousCredentials

        # An emulator takes anonymous requests and cannot verify a signature: plain URLs on it.
        options["credentials"] = AnonymousCredentials()
        options["project_id"] = "emulator"
        options["querystring_auth"] = False
        options["iam_sign_blob"] = False
        options["custom_endpoint"] = f"{emulator}/{options['bucket_name']}"
    return {"BACKEND": "storages.backends.gcloud.GoogleCloudStorage", "OPTIONS": options}
