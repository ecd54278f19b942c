"""One backend for every scheme in `migrate/storage/schemes.py`, on obstore (Rust's object_store).

The HTTP client, request signing, retries, timeouts and multipart uploads run in Rust, off the
GIL; this module only maps the store's answers onto `Backend`. Objects below the part size go in
one PUT from memory; larger ones stream as a multipart upload of part-size chunks. Headers and
user metadata travel as obstore attributes. A reply's ETag is the object's version (quotes
stripped: obstore returns them quoted from HEAD/GET and bare from a listing).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import obstore
from obstore.exceptions import BaseError, InvalidPathError, NotFoundError

from migrate.storage.backend import (
    Attributes,
    Backend,
    Head,
    ObjectInfo,
    ObjectMissing,
    StorageInputError,
    hash_stream,
)
from migrate.storage.schemes import ATTEMPTS, Location, Scheme, client_options, retry_config

#: obstore's attribute names for our Attributes fields (the rest of its keys are user metadata).
_HEADERS = {
    "Content-Type": "content_type",
    "Cache-Control": "cache_control",
    "Content-Disposition": "content_disposition",
    "Content-Encoding": "content_encoding",
    "Content-Language": "content_language",
}
#: Attribute keys that are neither our headers nor user metadata.
_OTHER = {"Storage-Class"}
#: Words in an obstore error that mean the endpoint did not answer, not that an object is bad.
_SILENT = ("timed out", "timeout", "error sending request", "connection refused", "connect error")


def _attributes(raw: dict[str, str]) -> Attributes:
    attributes = Attributes()
    for key, value in raw.items():
        if key in _HEADERS:
            setattr(attributes, _HEADERS[key], value)
        elif key not in _OTHER:
            attributes.metadata[key] = value
    return attributes


def _raw(attributes: Attributes | None) -> dict[str, str]:
    if attributes is None:
        return {}
    raw = {h: getattr(attributes, n) for h, n in _HEADERS.items() if getattr(attributes, n)}
    raw.update(attributes.metadata)
    return raw


def _version(meta: dict[str, Any]) -> str:
    return str(meta.get("e_tag") or meta.get("version") or meta["last_modified"]).strip('"')


class _Body:
    """A GET's streamed body as a file object (read(n), close), for HashingReader and writers."""

    def __init__(self, chunks: Iterator[Any]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self._buffer) < n:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += bytes(chunk)
        if n < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    def close(self) -> None:
        self._chunks = iter(())

    def __enter__(self) -> _Body:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class ObjectStoreBackend(Backend):
    keeps_attributes = True

    def __init__(
        self,
        scheme: Scheme,
        where: Location,
        *,
        option: str,
        endpoint: str | None,
        part_size: int,
        connect_timeout: float,
        read_timeout: float,
    ) -> None:
        self.problems: list[str] = []
        self.scheme, self.where, self.option = scheme, where, option
        self.prefix, self.endpoint, self.part_size = where.prefix, endpoint, part_size
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self.display = self._display()
        options = client_options(endpoint, connect_timeout, read_timeout)
        try:
            self.store = self._build(options, retry_config())
        except BaseError as exc:
            raise StorageInputError(f"{option} {self.display}: {first_line(exc)}") from None

    def _display(self) -> str:
        where = self.where
        return f"{self.scheme.name}://{where.account}/{where.container}/{where.prefix}" + (
            f" at {self.endpoint}" if self.endpoint else ""
        )

    def _build(self, client: dict[str, Any], retry: dict[str, Any]) -> Any:
        return self.scheme.build(self.where, self.endpoint, client, retry)

    def _key(self, key: str) -> str:
        return self.prefix + key

    def _fail(self, exc: Exception) -> StorageInputError:
        text = first_line(exc)
        if isinstance(exc, NotFoundError) or "ContainerNotFound" in str(exc):
            text = f"container {self.where.container!r} does not exist"
        elif any(word in str(exc) for word in ("403", "401", "AuthenticationFailed")):
            text = f"access denied; credentials come from {self.scheme.credentials}"
        elif self.is_unreachable(exc):
            text = self.silence(exc)
        return StorageInputError(f"{self.option} {self.display}: {text}")

    def is_unreachable(self, exc: BaseException) -> bool:
        return silent(exc, self.endpoint)

    def silence(self, exc: BaseException) -> str:
        return (
            f"{first_line(exc)} (tried {ATTEMPTS} times; --connect-timeout "
            f"{self.connect_timeout:g} s, --read-timeout {self.read_timeout:g} s)"
        )

    def check(self, *, as_target: bool) -> None:
        try:
            next(iter(obstore.list(self.store, self.prefix or None, chunk_size=1)), None)
        except InvalidPathError as exc:
            raise self._unlistable(exc) from None
        except BaseError as exc:
            raise self._fail(exc) from None

    def list(self) -> Iterator[ObjectInfo]:
        try:
            for batch in obstore.list(self.store, self.prefix or None, chunk_size=1000):
                for meta in batch:
                    key = meta["path"][len(self.prefix) :]
                    yield ObjectInfo(key, int(meta["size"]), _version(meta))
        except InvalidPathError as exc:
            raise self._unlistable(exc) from None

    def _unlistable(self, exc: InvalidPathError) -> StorageInputError:
        """object_store fails a whole listing on one name it cannot address (`addressable`)."""
        return StorageInputError(
            f"{self.option} {self.display}: {first_line(exc)}; the obstore engine cannot "
            "address names with control characters, empty or '.'/'..' segments"
        )

    def is_empty(self) -> bool:
        return next(iter(self.list()), None) is None

    def open(self, key: str) -> BinaryIO:
        return _Body(iter(self._get(key).stream(min_chunk_size=1 << 20)))  # type: ignore[return-value]

    def _get(self, key: str, head: bool = False) -> Any:
        try:
            return obstore.get(self.store, self._key(key), options={"head": head})
        except (NotFoundError, FileNotFoundError):
            raise ObjectMissing(key) from None

    def read(self, key: str) -> tuple[BinaryIO, Attributes]:
        reply = self._get(key)
        body = _Body(iter(reply.stream(min_chunk_size=1 << 20)))
        return body, _attributes(reply.attributes)  # type: ignore[return-value]

    def head(self, key: str, expected: Attributes | None = None) -> Head | None:
        try:
            reply = self._get(key, head=True)
        except ObjectMissing:
            return None
        meta = reply.meta
        return Head(
            ObjectInfo(key, int(meta["size"]), _version(meta)), _attributes(reply.attributes)
        )

    def read_back(
        self, key: str, expected: Attributes | None = None
    ) -> tuple[Head, int, str] | None:
        """One GET: its reply's ETag, length and attributes describe exactly the bytes hashed."""
        try:
            reply = self._get(key)
        except ObjectMissing:
            return None
        meta = reply.meta
        head = Head(
            ObjectInfo(key, int(meta["size"]), _version(meta)), _attributes(reply.attributes)
        )
        size, digest = hash_stream(_Body(iter(reply.stream(min_chunk_size=1 << 20))))  # type: ignore[arg-type]
        return head, size, digest

    def delete(self, key: str) -> None:
        obstore.delete(self.store, self._key(key))

    def write(
        self, key: str, stream: BinaryIO, size: int, attributes: Attributes | None = None
    ) -> str | None:
        raw = _raw(attributes)
        if size < self.part_size:
            obstore.put(
                self.store, self._key(key), stream.read(), attributes=raw, use_multipart=False
            )
            return None
        # Written from this thread (a generator handed to obstore.put would be read inside its
        # runtime, which cannot then block on a source that is itself an obstore stream).
        # Committed only by close(): on an error the upload stays unfinished and invisible.
        writer = obstore.open_writer(
            self.store, self._key(key), attributes=raw, buffer_size=self.part_size,
            max_concurrency=4,
        )  # fmt: skip
        while chunk := stream.read(self.part_size):
            writer.write(chunk)
        writer.close()
        return None

    def same_service(self, other: Backend) -> bool:
        return (
            isinstance(other, ObjectStoreBackend)
            and other.scheme is self.scheme
            and other.endpoint == self.endpoint
            and (other.where.account, other.where.container)
            == (self.where.account, self.where.container)
        )

    def server_side_copy(self, source: Backend, key: str, size: int) -> bool:
        """Inside one container only: obstore copies within a store, not across containers."""
        if not (isinstance(source, ObjectStoreBackend) and self.same_service(source)):
            return False
        obstore.copy(self.store, source._key(key), self._key(key))
        return True

    def overlaps(self, other: Backend) -> bool:
        """Whether `other` is the same container with one prefix inside the other."""
        return (
            isinstance(other, ObjectStoreBackend)
            and self.same_service(other)
            and (self.prefix.startswith(other.prefix) or other.prefix.startswith(self.prefix))
        )


def addressable(key: str) -> bool:
    """Whether object_store's Path names exactly this key. It refuses ASCII control characters
    and `.`/`..` segments, and drops empty segments (a leading, trailing or doubled `/`: the S3
    folder marker `docs/` becomes `docs`), so such a key must not be read or written through it."""
    return all(part not in {"", ".", ".."} for part in key.split("/")) and not any(
        ord(c) < 32 or ord(c) == 127 for c in key
    )


def silent(exc: BaseException, endpoint: str | None) -> bool:
    """Whether an obstore error means the endpoint did not answer (timeouts, refused
    connections), as opposed to a problem with one object."""
    if not isinstance(exc, BaseError):
        return False
    text = str(exc).lower()
    if not any(word in text for word in _SILENT):
        return False
    # Which side went silent: the failed request's URL names the endpoint.
    return endpoint is None or endpoint.lower() in text


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
