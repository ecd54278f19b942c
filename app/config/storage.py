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
- `azure`: Blob Storage through django-storages' Azure backend. The container is
  AWS_STORAGE_BUCKET_NAME and the account's blob endpoint AWS_S3_ENDPOINT_URL
  (`https://<account>.blob.core.windows.net`), the contract's bucket and endpoint keys. Without
  keys the service is its user-assigned managed identity (ManagedIdentityCredential with
  AZURE_CLIENT_ID, the Azure SDK's own variable); download URLs are then user-delegation SAS,
  signed with a key the identity asks Blob Storage for. With AWS_ACCESS_KEY_ID (the account name)
  and AWS_SECRET_ACCESS_KEY (the account key) it uses the shared key instead: an emulator
  (Azurite, reached by a path-style endpoint such as `http://127.0.0.1:10000/devstoreaccount1`)
  or an account that still allows shared-key access.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.env import env_str, require

STORAGE_BACKENDS = ("s3", "gcs", "azure")
"""Values STORAGE_BACKEND accepts; unset means files on disk (MEDIA_ROOT)."""


def media_storage(backend: str) -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry for `backend` (one of STORAGE_BACKENDS)."""
    return {"s3": s3_storage, "gcs": gcs_storage, "azure": azure_storage}[backend]()


def _bucket(backend: str) -> str:
    bucket = env_str("AWS_STORAGE_BUCKET_NAME")
    require(
        "AWS_STORAGE_BUCKET_NAME",
        bucket,
        f"STORAGE_BACKEND is {backend}, so the bucket must be named",
    )
    return bucket


def _storage_keys() -> tuple[str, str]:
    access_key = env_str("AWS_ACCESS_KEY_ID")
    secret_key = env_str("AWS_SECRET_ACCESS_KEY")
    if bool(access_key) != bool(secret_key):
        missing = "AWS_SECRET_ACCESS_KEY" if access_key else "AWS_ACCESS_KEY_ID"
        require(
            missing, "", "storage keys come in pairs (or leave both unset for workload identity)"
        )
    return access_key, secret_key


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
    access_key, secret_key = _storage_keys()
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


def azure_storage() -> dict[str, Any]:
    """Blob Storage as the platform's managed identity, or with the account key (an emulator)."""
    options: dict[str, Any] = {
        "azure_container": _bucket("azure"),
        "overwrite_files": False,
        "expiration_secs": 3600,
    }
    endpoint = env_str("AWS_S3_ENDPOINT_URL").rstrip("/")
    require(
        "AWS_S3_ENDPOINT_URL",
        endpoint,
        "STORAGE_BACKEND is azure, so the account's blob endpoint must be given "
        "(https://<account>.blob.core.windows.net)",
    )
    account_name, account_key = _storage_keys()
    url = urlsplit(endpoint)
    account, _, suffix = (url.hostname or "").partition(".blob.")
    if suffix and not url.path.strip("/"):
        if url.scheme != "https":
            raise ImproperlyConfigured(
                f"AWS_S3_ENDPOINT_URL {endpoint} must be https: Azure storage accounts refuse HTTP"
            )
        options["account_name"] = account
        options["endpoint_suffix"] = suffix
    else:
        # An emulator names its account in the path: only a connection string can say so.
        require(
            "AWS_ACCESS_KEY_ID",
            account_name,
            f"AWS_S3_ENDPOINT_URL {endpoint} is not https://<account>.blob.<suffix>, so it is an "
            "emulator, reached with its account name and key",
        )
        options["connection_string"] = (
            f"DefaultEndpointsProtocol={url.scheme};AccountName={account_name};"
            f"AccountKey={account_key};BlobEndpoint={endpoint};"
        )
    if account_key:
        options["account_name"] = account_name or account
        options["account_key"] = account_key
    else:
        from azure.identity import ManagedIdentityCredential

        # A user-assigned identity is named by its client id; without one, the system identity.
        options["token_credential"] = ManagedIdentityCredential(
            client_id=env_str("AZURE_CLIENT_ID") or None
        )
    return {"BACKEND": "storages.backends.azure_storage.AzureStorage", "OPTIONS": options}
