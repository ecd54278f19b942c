"""`s3://bucket/prefix` on AWS or any S3-compatible endpoint, through boto3.

One client per side, shared by every worker thread (boto3 clients are thread-safe), with a
connection pool sized to the worker count. Objects up to the part size go in one PUT from memory;
larger ones stream through s3transfer's multipart upload. Single PUTs carry the SHA-256 of their
bytes (x-amz-checksum-sha256), which the store validates on receipt and keeps, so `--verify
checksum` can compare it without reading the object back. When both sides are the same endpoint
with the same credentials, objects are copied inside the service (CopyObject / UploadPartCopy) and
never pass through this machine.

Every request has a connect and a read timeout (`--connect-timeout`, `--read-timeout`) and is
tried up to `ATTEMPTS` times, so an endpoint that accepts connections and never answers fails the
request after about ATTEMPTS x (connect + read timeout) plus backoff, instead of hanging the run.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import Any, BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
from urllib3.exceptions import ProtocolError
from urllib3.exceptions import ReadTimeoutError as StreamTimeout

from migrate.storage.backend import (
    Attributes,
    Backend,
    HashingReader,
    Head,
    ObjectInfo,
    ObjectMissing,
    StorageInputError,
    hash_stream,
)

#: How many times one request is tried before its error is reported.
ATTEMPTS = 5
#: Default `--connect-timeout` and `--read-timeout`, in seconds (per request attempt; the read
#: timeout bounds a silence, not a transfer).
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 60.0
_MISSING = {"404", "NoSuchKey", "NotFound"}
#: The HTTP headers S3 keeps with an object, as boto3 names them, and our Attributes fields.
_HEADERS = {
    "ContentType": "content_type",
    "CacheControl": "cache_control",
    "ContentDisposition": "content_disposition",
    "ContentEncoding": "content_encoding",
    "ContentLanguage": "content_language",
}


def _attributes(reply: dict[str, Any]) -> Attributes:
    """Attributes from a GetObject or HeadObject reply."""
    attributes = Attributes(metadata=dict(reply.get("Metadata") or {}))
    for header, name in _HEADERS.items():
        setattr(attributes, name, reply.get(header))
    expires = reply.get("Expires")
    attributes.expires = expires.isoformat() if expires is not None else None
    return attributes


def _extra_args(attributes: Attributes | None) -> dict[str, Any]:
    """PutObject / upload arguments that store `attributes` with the object."""
    if attributes is None:
        return {}
    extra: dict[str, Any] = {h: getattr(attributes, n) for h, n in _HEADERS.items()}
    extra["Expires"] = attributes.expires
    extra["Metadata"] = attributes.metadata
    return {k: v for k, v in extra.items() if v}


def _url_of(exc: BaseException) -> str | None:
    """The URL a botocore or urllib3 timeout was about, if it says."""
    url = getattr(exc, "kwargs", {}).get("endpoint_url")
    pool = getattr(exc, "pool", None)
    if url is None and pool is not None:
        url = f"{pool.scheme}://{pool.host}:{pool.port}{getattr(exc, 'url', '') or ''}"
    return url


def _missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code", "") in _MISSING


class S3Backend(Backend):
    keeps_attributes = True
    keeps_sha256 = True

    def __init__(
        self,
        bucket: str,
        prefix: str,
        *,
        option: str,
        endpoint: str | None,
        region: str | None,
        profile: str | None,
        jobs: int,
        keys: tuple[str, str] | None = None,
        part_size: int,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        read_timeout: float = READ_TIMEOUT_S,
    ) -> None:
        self.problems: list[str] = []
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self.bucket = bucket
        self.prefix = prefix
        self.option = option
        self.endpoint = endpoint
        self.region = region
        self.profile = profile
        self.keys = keys
        self.display = f"s3://{bucket}/{prefix}" + (f" at {endpoint}" if endpoint else "")
        self.part_size = part_size
        try:
            session = boto3.session.Session(
                aws_access_key_id=keys[0] if keys else None,
                aws_secret_access_key=keys[1] if keys else None,
                profile_name=profile,
                region_name=region,
            )
        except BotoCoreError as exc:
            raise StorageInputError(f"{option}-profile {profile!r}: {exc}") from None
        config = Config(
            max_pool_connections=max(10, jobs * 3),
            retries={"max_attempts": ATTEMPTS, "mode": "standard"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            s3={"addressing_style": "path"} if endpoint else {},
            # We hash every byte with SHA-256 ourselves; botocore's own CRC32 on each request and
            # response would only spend CPU (a third of this process's, measured) on the same check.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        self.client = session.client("s3", endpoint_url=endpoint, config=config)
        self.transfer = TransferConfig(
            multipart_threshold=part_size, multipart_chunksize=part_size, max_concurrency=4
        )

    def _key(self, key: str) -> str:
        return self.prefix + key

    def _fail(self, exc: Exception) -> StorageInputError:
        if isinstance(exc, NoCredentialsError):
            return StorageInputError(
                f"{self.option} {self.display}: no AWS credentials; set AWS_ACCESS_KEY_ID and "
                f"AWS_SECRET_ACCESS_KEY, or name a profile with {self.option}-profile"
            )
        if isinstance(exc, ClientError):
            code = exc.response.get("Error", {}).get("Code", "")
            if code in {"404", "NoSuchBucket"}:
                return StorageInputError(
                    f"{self.option} {self.display}: bucket {self.bucket!r} does not exist"
                )
            if code in {"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}:
                return StorageInputError(f"{self.option} {self.display}: access denied ({code})")
        if self.is_unreachable(exc):
            return StorageInputError(f"{self.option} {self.display}: {self.silence(exc)}")
        return StorageInputError(f"{self.option} {self.display}: {exc}")

    def is_unreachable(self, exc: BaseException) -> bool:
        silent = isinstance(
            exc,
            ConnectTimeoutError | ReadTimeoutError | EndpointConnectionError | StreamTimeout,
        ) or (isinstance(exc, ProtocolError) and "timed out" in str(exc))
        if not silent:
            return False
        url = _url_of(exc)
        # Which side went silent: the request's URL names the endpoint and the bucket.
        return url is None or (
            self.bucket in url and (self.endpoint is None or url.startswith(self.endpoint))
        )

    def silence(self, exc: BaseException) -> str:
        """What an unreachable endpoint did, with the settings that bound it."""
        return (
            f"{exc} (tried {ATTEMPTS} times; --connect-timeout {self.connect_timeout:g} s, "
            f"--read-timeout {self.read_timeout:g} s)"
        )

    def check(self, *, as_target: bool) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
            self.client.list_objects_v2(Bucket=self.bucket, Prefix=self.prefix, MaxKeys=1)
        except (BotoCoreError, ClientError) as exc:
            raise self._fail(exc) from None

    def list(self) -> Iterator[ObjectInfo]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                key = item["Key"][len(self.prefix) :]
                yield ObjectInfo(key, int(item["Size"]), str(item["ETag"]).strip('"'))

    def is_empty(self) -> bool:
        page = self.client.list_objects_v2(Bucket=self.bucket, Prefix=self.prefix, MaxKeys=1)
        return not page.get("KeyCount", 0)

    def open(self, key: str) -> BinaryIO:
        return self.read(key)[0]

    def read(self, key: str) -> tuple[BinaryIO, Attributes]:
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _missing(exc):
                raise ObjectMissing(key) from None
            raise
        return reply["Body"], _attributes(reply)

    def head(self, key: str) -> Head | None:
        try:
            reply = self.client.head_object(
                Bucket=self.bucket, Key=self._key(key), ChecksumMode="ENABLED"
            )
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        info = ObjectInfo(key, int(reply["ContentLength"]), str(reply["ETag"]).strip('"'))
        value = reply.get("ChecksumSHA256")
        # Absent, or (with a dash) a multipart composite of part checksums: not the object's.
        sha256 = base64.b64decode(value).hex() if value and "-" not in value else None
        return Head(info, _attributes(reply), sha256)

    def read_back(self, key: str) -> tuple[Head, int, str] | None:
        """One GET: its reply's ETag, length and headers describe exactly the bytes hashed."""
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        info = ObjectInfo(key, int(reply["ContentLength"]), str(reply["ETag"]).strip('"'))
        size, digest = hash_stream(reply["Body"])
        return Head(info, _attributes(reply)), size, digest

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def write(
        self, key: str, stream: BinaryIO, size: int, attributes: Attributes | None = None
    ) -> str | None:
        extra = _extra_args(attributes)
        if size < self.part_size:
            data = stream.read()
            # The store checks the bytes it received against this SHA-256 and keeps it. A
            # HashingReader that passed exactly these bytes has already hashed them: reuse that
            # digest rather than hashing every byte a second time (measured: ~1 s of CPU per
            # 300 MB on this machine's 670 MB/s SHA-256).
            if isinstance(stream, HashingReader) and stream.size == len(data):
                digest = stream.digest()
            else:
                digest = hashlib.sha256(data).digest()
            checksum = base64.b64encode(digest).decode()
            reply = self.client.put_object(
                Bucket=self.bucket,
                Key=self._key(key),
                Body=data,
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=checksum,
                **extra,
            )
            stored = reply.get("ChecksumSHA256")
            return base64.b64decode(stored).hex() if stored else None
        self.client.upload_fileobj(
            stream, self.bucket, self._key(key), ExtraArgs=extra, Config=self.transfer
        )
        return None

    def discard_partial_writes(self) -> int:
        pages = self.client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        dropped = 0
        for page in pages:
            for upload in page.get("Uploads", []):
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                )
                dropped += 1
        return dropped

    def same_service(self, other: Backend) -> bool:
        return (
            isinstance(other, S3Backend)
            and other.endpoint == self.endpoint
            and other.profile == self.profile
            and other.keys == self.keys
        )

    def server_side_copy(self, source: Backend, key: str, size: int) -> bool:
        if not (isinstance(source, S3Backend) and self.same_service(source)):
            return False
        copy_source: dict[str, Any] = {"Bucket": source.bucket, "Key": source._key(key)}
        if size < self.part_size:
            self.client.copy_object(CopySource=copy_source, Bucket=self.bucket, Key=self._key(key))
        else:
            self.client.copy(copy_source, self.bucket, self._key(key), Config=self.transfer)
        return True
