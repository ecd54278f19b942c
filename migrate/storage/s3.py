"""`s3://bucket/prefix` on AWS or any S3-compatible endpoint: obstore for the data path, boto3
for the steps obstore cannot do.

On obstore (Rust's object_store; `migrate/storage/objstore.py`): listing, the object's bytes read
back for `--verify full` and for hashing, PUTs (single and multipart, each sending the SHA-256 of
its bytes as x-amz-checksum-sha256, which S3 validates on receipt and refuses on a mismatch),
deletes. Signing, retries, timeouts and the HTTP client run in Rust, off the GIL: about a fifth
of botocore's CPU per request (docs/benchmarks.md).

On boto3, each because obstore cannot do it (obstore 0.12.1):

- **Expires**: obstore's attributes have no Expires, neither in a GET's reply nor on a PUT. So a
  source object is read with boto3's GetObject (whose reply carries every header, Expires
  included: no extra request), an object that carries Expires is written with boto3, and a target
  object whose source carried Expires is read back with boto3.
- **The stored SHA-256** (`--verify checksum`): S3 returns the SHA-256 it validated and kept in
  the PutObject reply and, with ChecksumMode, in HeadObject; obstore returns neither. So with
  `--verify checksum` a single PUT to an S3 target goes through boto3 (the reply's SHA-256 is the
  check); the HEAD that follows (headers, ETag) is obstore's unless Expires must be seen.
- **Unfinished multipart uploads** (resume's cleanup): ListMultipartUploads / AbortMultipartUpload.
- **Server-side copy**: obstore copies only inside one bucket and in one CopyObject (5 GB at
  most); boto3 copies across buckets of one endpoint, larger objects by UploadPartCopy.
- **Listing, and every step of an object whose key object_store cannot name exactly**: its Path
  drops empty segments (`docs/`, `a//b`, `/a`) and refuses `.`/`..` segments and control
  characters, and one such key fails a whole listing. S3 allows them all, so the listing is
  boto3's (one request per 1,000 objects) and such an object is copied by boto3 alone.
- **Preflight** (once per run): HeadBucket and one listing, whose errors name what is wrong (no
  credentials, no such bucket, access denied, a silent endpoint). HeadBucket also says the
  bucket's region, which obstore then signs for (it does not follow S3's redirect there).
- **Credentials**: boto3's chain (environment, `--from-profile`/`--to-profile`, SSO, instance
  roles), handed to obstore through `Boto3CredentialProvider`, so both clients sign as one.

Every request has a connect and a read timeout (`--connect-timeout`, `--read-timeout`) and is
tried up to `ATTEMPTS` times, on either client, so an endpoint that accepts connections and never
answers fails the request after about ATTEMPTS x (connect + read timeout) plus backoff, instead
of hanging the run.
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
from migrate.storage.objstore import ObjectStoreBackend, addressable, first_line
from migrate.storage.schemes import ATTEMPTS, S3, Location

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


class S3Backend(ObjectStoreBackend):
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
        verify: str = "full",
    ) -> None:
        self.bucket = bucket
        self.profile = profile
        #: Keys of this side's own (a stack's storage outputs), else boto3's credential chain.
        self.keys = keys
        #: `--verify checksum`: single PUTs go through boto3, whose reply has the kept SHA-256.
        self.stored_sha256 = verify == "checksum"
        try:
            self.session = boto3.session.Session(
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
        self.client = self.session.client("s3", endpoint_url=endpoint, config=config)
        self.transfer = TransferConfig(
            multipart_threshold=part_size, multipart_chunksize=part_size, max_concurrency=4
        )
        super().__init__(
            S3,
            Location("", bucket, prefix),
            option=option,
            endpoint=endpoint,
            part_size=part_size,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        )

    def _display(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" + (
            f" at {self.endpoint}" if self.endpoint else ""
        )

    def _build(
        self, client: dict[str, Any], retry: dict[str, Any], region: str | None = None
    ) -> Any:
        if self.session.get_credentials() is None:
            raise self._fail(NoCredentialsError())
        self._options = (client, retry)
        return self.scheme.build(
            self.where, self.endpoint, client, retry, session=self.session, region=region
        )

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
        if super().is_unreachable(exc):  # obstore's requests
            return True
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
            f"{first_line(exc)} (tried {ATTEMPTS} times; --connect-timeout "
            f"{self.connect_timeout:g} s, --read-timeout {self.read_timeout:g} s)"
        )

    def check(self, *, as_target: bool) -> None:
        """Preflight on boto3 (once per run): its errors tell a missing bucket from denied
        access from absent credentials."""
        try:
            reply = self.client.head_bucket(Bucket=self.bucket)
            self.client.list_objects_v2(Bucket=self.bucket, Prefix=self.prefix, MaxKeys=1)
        except (BotoCoreError, ClientError) as exc:
            raise self._fail(exc) from None
        # Sign obstore's requests for the bucket's own region: botocore follows S3's redirect to
        # it, object_store does not.
        region = reply.get("BucketRegion")
        if region and region != self.store.config.get("region"):
            self.store = self._build(*self._options, region=region)

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

    def _on_obstore(self, key: str) -> bool:
        return addressable(self._key(key))

    def open(self, key: str) -> BinaryIO:
        return super().open(key) if self._on_obstore(key) else self.read(key)[0]

    def delete(self, key: str) -> None:
        if self._on_obstore(key):
            super().delete(key)
        else:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def read(self, key: str) -> tuple[BinaryIO, Attributes]:
        """boto3's GetObject: its reply carries Expires, which obstore's does not (see above)."""
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _missing(exc):
                raise ObjectMissing(key) from None
            raise
        return reply["Body"], _attributes(reply)

    def head(self, key: str, expected: Attributes | None = None) -> Head | None:
        """boto3's HeadObject with ChecksumMode (Expires, and the SHA-256 the store kept), but
        on obstore where the copy wrote no Expires (`expected`, as for `read_back`): then the
        SHA-256 comes from the PUT's reply, or the object is read back."""
        if expected is not None and not expected.expires and self._on_obstore(key):
            return super().head(key)
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
        # A multipart upload's is a composite of its parts' checksums, not the object's: S3 marks
        # it with a dash and ChecksumType COMPOSITE, moto with neither; the ETag's "-N" says it.
        whole = not reply.get("ChecksumType") or reply["ChecksumType"] == "FULL_OBJECT"
        single = value and "-" not in value and "-" not in info.version and whole
        sha256 = base64.b64decode(value).hex() if single else None
        return Head(info, _attributes(reply), sha256)

    def read_back(
        self, key: str, expected: Attributes | None = None
    ) -> tuple[Head, int, str] | None:
        """One GET on obstore when the copy wrote no Expires; else on boto3, which sees it (and
        so does verification of objects this run did not write, `expected` None)."""
        if expected is not None and not expected.expires and self._on_obstore(key):
            return super().read_back(key, expected)
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        info = ObjectInfo(key, int(reply["ContentLength"]), str(reply["ETag"]).strip('"'))
        size, digest = hash_stream(reply["Body"])
        return Head(info, _attributes(reply)), size, digest

    def write(
        self, key: str, stream: BinaryIO, size: int, attributes: Attributes | None = None
    ) -> str | None:
        """On obstore, but boto3 for an object that carries Expires, for a key obstore cannot
        name, and for a single PUT under `--verify checksum`, whose reply returns the SHA-256
        the store kept."""
        expires = attributes is not None and attributes.expires
        checksum_put = self.stored_sha256 and size < self.part_size
        if not expires and not checksum_put and self._on_obstore(key):
            return super().write(key, stream, size, attributes)
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
        """boto3: obstore cannot list or abort multipart uploads it did not start itself."""
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

    def overlaps(self, other: Backend) -> bool:
        return (
            isinstance(other, S3Backend)
            and self.same_service(other)
            and other.bucket == self.bucket
            and (self.prefix.startswith(other.prefix) or other.prefix.startswith(self.prefix))
        )

    def server_side_copy(self, source: Backend, key: str, size: int) -> bool:
        """boto3: across buckets of one endpoint, and past 5 GB by UploadPartCopy (see above)."""
        if not (isinstance(source, S3Backend) and self.same_service(source)):
            return False
        copy_source: dict[str, Any] = {"Bucket": source.bucket, "Key": source._key(key)}
        if size < self.part_size:
            self.client.copy_object(CopySource=copy_source, Bucket=self.bucket, Key=self._key(key))
        else:
            self.client.copy(copy_source, self.bucket, self._key(key), Config=self.transfer)
        return True
