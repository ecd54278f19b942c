"""The interface every object store implements, so the copy and verify code never names a cloud.

A backend sees objects by their key relative to the URL's prefix (`s3://bucket/media/` and
`file:///srv/media` both list `a/b.jpg`). `s3://` and `file://` are implemented; `gs://` and `az://`
slot in by subclassing `Backend` in their own module and adding their scheme to `open_backend` in
`migrate/storage/locate.py` -- nothing else changes.
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


@dataclass
class Attributes:
    """What a browser or CDN needs besides the bytes: media type and user metadata."""

    content_type: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ObjectInfo:
    key: str  # relative to the backend's prefix, '/'-separated
    size: int
    version: str  # ETag or mtime: changes when the object does, so a resume can tell


class Backend(ABC):
    """One side of a migration, named by `option` (`--from`/`--to`) in every message."""

    display: str
    option: str

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
        """A stream of the object's bytes."""

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

    def stored_sha256(self, key: str) -> tuple[int, str] | None:
        """Size and SHA-256 the store itself keeps for the object, if it keeps one; else None."""
        return None

    def sha256(self, key: str) -> tuple[int, str]:
        """Size and SHA-256 of the stored bytes, read in full (never trusts an ETag)."""
        digest, size = hashlib.sha256(), 0
        with self.open(key) as stream:
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
