"""One place to copy from or to, per served scheme, on its real server: the scheme-pair tests
(test_storage_matrix.py) run one suite over every pair of these.

Each place fills, reads and alters itself through the store's own client (boto3 for moto,
azure-storage-blob for Azurite, the filesystem), never through the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azure.storage.blob import ContentSettings

from tests.migrate_storage.storage_helpers import az_sums, file_sums, put_files, s3_sums

if TYPE_CHECKING:  # the fixtures' classes; conftest is pytest's to import
    from tests.migrate_storage.conftest import AzuriteServer, MotoServer

#: The HTTP headers every object store here keeps, and user metadata.
HEADERS = {
    "content_type": "text/css",
    "content_encoding": "gzip",
    "cache_control": "public, max-age=60",
    "content_disposition": 'attachment; filename="site.css"',
    "content_language": "fr-CA",
    "metadata": {"owner": "web"},
}
_S3_NAMES = {
    "content_type": "ContentType",
    "content_encoding": "ContentEncoding",
    "cache_control": "CacheControl",
    "content_disposition": "ContentDisposition",
    "content_language": "ContentLanguage",
    "metadata": "Metadata",
}


@dataclass
class S3Place:
    server: MotoServer
    bucket: str
    keeps_headers = True
    prefix = "p/"

    def args(self, side: str) -> list[str]:
        return [f"--{side}", f"s3://{self.bucket}/p", f"--{side}-endpoint", self.server.endpoint]

    def put(self, key: str, body: bytes, headers: dict[str, Any] | None = None) -> None:
        extra = {_S3_NAMES[k]: v for k, v in (headers or {}).items()}
        self.server.client().put_object(Bucket=self.bucket, Key=self.prefix + key, Body=body,
                                        **extra)  # fmt: skip

    def remove(self, key: str) -> None:
        self.server.client().delete_object(Bucket=self.bucket, Key=self.prefix + key)

    def sums(self) -> dict[str, str]:
        return s3_sums(self.server.client(), self.bucket, self.prefix)

    def headers(self, key: str) -> dict[str, Any]:
        reply = self.server.client().head_object(Bucket=self.bucket, Key=self.prefix + key)
        return {k: reply.get(v) for k, v in _S3_NAMES.items()}


@dataclass
class AzPlace:
    server: AzuriteServer
    container: str
    keeps_headers = True
    prefix = "p/"

    def args(self, side: str) -> list[str]:
        url = self.server.url(self.container, "p")
        return [f"--{side}", url, f"--{side}-endpoint", self.server.endpoint]

    def put(self, key: str, body: bytes, headers: dict[str, Any] | None = None) -> None:
        headers = dict(headers or {})
        metadata = headers.pop("metadata", None)
        blob = self.server.service().get_blob_client(self.container, self.prefix + key)
        blob.upload_blob(body, overwrite=True, metadata=metadata,
                         content_settings=ContentSettings(**headers))  # fmt: skip

    def remove(self, key: str) -> None:
        self.server.service().get_blob_client(self.container, self.prefix + key).delete_blob()

    def sums(self) -> dict[str, str]:
        return az_sums(self.server.service(), self.container, self.prefix)

    def headers(self, key: str) -> dict[str, Any]:
        blob = self.server.service().get_blob_client(self.container, self.prefix + key)
        props = blob.get_blob_properties()
        got = {k: getattr(props.content_settings, k) for k in HEADERS if k != "metadata"}
        return {**got, "metadata": dict(props.metadata)}


@dataclass
class FilePlace:
    root: Path
    keeps_headers = False

    def args(self, side: str) -> list[str]:
        return [f"--{side}", f"file://{self.root}"]

    def put(self, key: str, body: bytes, headers: dict[str, Any] | None = None) -> None:
        put_files(self.root, {key: body})

    def remove(self, key: str) -> None:
        (self.root / key).unlink()

    def sums(self) -> dict[str, str]:
        return file_sums(self.root) if self.root.exists() else {}

    def headers(self, key: str) -> dict[str, Any]:
        raise AssertionError("a filesystem keeps no headers")


Place = S3Place | AzPlace | FilePlace


def make_place(scheme: str, s3: tuple[MotoServer, MotoServer], az: AzuriteServer, root: Path,
               side: str) -> Place:  # fmt: skip
    """A new, empty place of `scheme`; the source and target of one pair never share a server
    (`side` picks moto's first or second), so every copy streams through the tool."""
    if scheme == "s3":
        server = s3[0] if side == "from" else s3[1]
        return S3Place(server, server.bucket())
    if scheme == "az":
        return AzPlace(az, az.container())
    return FilePlace(root / f"{side}-files")
