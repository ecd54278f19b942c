"""The S3 storage backend's options, built from the AWS_* variables.

Credentials are optional: without AWS_ACCESS_KEY_ID boto3 uses the platform's workload identity
(task role, service account, managed identity) through its default credential chain.
"""

from __future__ import annotations

from typing import Any

from config.env import env_str, require


def s3_storage() -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry for S3 or an S3-compatible endpoint (MinIO, R2, GCS)."""
    bucket = env_str("AWS_STORAGE_BUCKET_NAME")
    require("AWS_STORAGE_BUCKET_NAME", bucket, "USE_S3 is on, so the bucket must be named")
    options: dict[str, Any] = {
        "bucket_name": bucket,
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
