"""The interface every object store implements, so the copy and verify code never names a cloud.

A backend sees objects by their key relative to the URL's prefix (`s3://bucket/media/` and
`file:///srv/media` both list `a/b.jpg`). Every object store is one entry in
`migrate/storage/schemes.py` -- a URL form and a credentials rule -- served by the one obstore
backend in `migrate/storage/objstore.py`; `s3://` extends it (`migrate/storage/s3.py`) with boto3
for the steps obstore cannot do. `file://` has its own module.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

CHUNK = 1 << 20


class StorageInputError(Exception):
    """Bad input or a refused preflight: one clear message, exit code 2, nothing written."""


class ObjectMissing(Exception):
    """The object is not there (deleted since it was listed)."""


@dataclass
class Attributes:
    """What a browser or CDN needs besides the bytes: the HTTP headers a store serves with the
    object, and user metadata. A server-side copy keeps them all; a streamed copy must too."""

    content_type: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    cache_control: str | None = None
    content_disposition: str | None = None
    content_encoding: str | None = None
    content_language: str | None = None
    expires: str | None = None  # ISO 8601, as parsed by the store's client

    def differences(self, other: Attributes) -> list[str]:
        """`name: source -> target` for every header or metadata that differs."""
        mine, theirs = vars(self), vars(other)
        return [
            f"{name}: {mine[name]!r} -> {theirs[name]!r}"
            for name in mine
            if mine[name] != theirs[name]
        ]


@dataclass(frozen=True)
class ObjectInfo:
    key: str  # relative to the backend's prefix, '/'-separated
    size: int
    version: str  # ETag or mtime: changes when the object does, so a resume can tell


@dataclass
class Head:
    """One object as the store describes it now, without reading its bytes."""

    info: ObjectInfo
    attributes: Attributes
    sha256: str | None = None  # the SHA-256 the store validated and kept, if it keeps one


class Backend(ABC):
    """One side of a migration, named by `option` (`--from`/`--to`) in every message."""

    display: str
    option: str
    #: Whether the store keeps HTTP headers and metadata (a filesystem does not).
    keeps_attributes: bool = False
    #: Whether `write` or `head` can return a SHA-256 the store validated and kept; where neither
    #: can, `--verify checksum` reads the object back at once instead of asking first.
    keeps_sha256: bool = False
    #: Entries under the prefix that `list` found but cannot yield as objects, each described
    #: (filled by `list`; a filesystem's FIFOs, dangling links, undecodable names).
    problems: list[str]

    @abstractmethod
    def check(self, *, as_target: bool) -> None:
        """Reach the store and check it can be read (source) or is a usable target, or raise."""

    @abstractmethod
    def list(self) -> Iterator[ObjectInfo]:
        """Every object under the prefix."""

    @abstractmethod
    def is_empty(self) -> bool:
        """Whether nothing is stored under the prefix yet."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A stream of the object's bytes; ObjectMissing if it is not there."""

    @abstractmethod
    def head(self, key: str, expected: Attributes | None = None) -> Head | None:
        """The object's size, version and attributes as stored now; None if it is not there.
        `expected`: as for `read_back`."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object (used for source deletions, with --delete)."""

    def is_unreachable(self, exc: BaseException) -> bool:
        """Whether `exc` means the store stopped answering (a timeout or a refused connection),
        as opposed to a problem with one object: the run then stops instead of waiting out every
        remaining object."""
        return False

    def silence(self, exc: BaseException) -> str:
        """How an unreachable store failed, with the settings that bounded the wait."""
        return str(exc)

    def read(self, key: str) -> tuple[BinaryIO, Attributes]:
        """The object's bytes as a stream, with its attributes."""
        return self.open(key), Attributes()

    @abstractmethod
    def write(
        self, key: str, stream: BinaryIO, size: int, attributes: Attributes | None = None
    ) -> str | None:
        """Store `size` bytes read from `stream` as `key` (overwriting a partial earlier write).

        Returns the SHA-256 (hex) the store says it validated and kept for the object, if any.
        """

    def discard_partial_writes(self) -> int:
        """Drop what a killed run left half-written and invisible (e.g. multipart uploads).

        Only called when resuming: the prefix was empty when the run began, so it is all ours.
        Returns how many were discarded.
        """
        return 0

    def server_side_copy(self, source: Backend, key: str, size: int) -> bool:
        """Copy `key` from `source` inside the store, if both sides are one service; else False."""
        return False

    def read_back(
        self, key: str, expected: Attributes | None = None
    ) -> tuple[Head, int, str] | None:
        """The object as stored now (Head), with the size and SHA-256 of its bytes read in full;
        None if it is not there. A store that returns headers with the bytes does it in one
        request, so the version and headers describe exactly the bytes hashed.

        `expected`: the attributes the copy wrote, when this run wrote the object; a backend
        whose fast client cannot see one of them (s3://'s Expires on obstore) reads back with
        one that can. None (verification of objects this run did not write): every header
        the store keeps must be seen."""
        head = self.head(key)
        if head is None:
            return None
        try:
            size, digest = self.sha256(key)
        except ObjectMissing:
            return None
        return head, size, digest

    def sha256(self, key: str) -> tuple[int, str]:
        """Size and SHA-256 of the stored bytes, read in full (never trusts an ETag)."""
        return hash_stream(self.open(key))


def hash_stream(stream: BinaryIO) -> tuple[int, str]:
    """Size and SHA-256 of everything left in `stream`, which is closed."""
    digest, size = hashlib.sha256(), 0
    with stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


class HashingReader:
    """Wraps a stream and hashes what passes through, so the copy yields the source's SHA-256."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        self._digest.update(data)
        self.size += len(data)
        return data

    def digest(self) -> bytes:
        """SHA-256 of everything read so far (reading may continue)."""
        return self._digest.digest()

    def hexdigest(self) -> str:
        return self._digest.hexdigest()
