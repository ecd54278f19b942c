"""`file:///path`: a directory tree; keys are paths relative to it."""

from __future__ import annotations

import mimetypes
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from migrate.storage.backend import CHUNK, Attributes, Backend, ObjectInfo, StorageInputError


class FileBackend(Backend):
    def __init__(self, root: Path, option: str) -> None:
        self.root = root
        self.option = option
        self.display = f"file://{root}"

    def check(self, *, as_target: bool) -> None:
        if not as_target:
            if not self.root.is_dir():
                raise StorageInputError(f"{self.option} {self.display}: no such directory")
            if not os.access(self.root, os.R_OK | os.X_OK):
                raise StorageInputError(f"{self.option} {self.display}: not readable")
            return
        existing = self.root if self.root.exists() else self._nearest_parent()
        if not existing.is_dir():
            raise StorageInputError(f"{self.option} {self.display}: {existing} is not a directory")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise StorageInputError(f"{self.option} {self.display}: {existing} is not writable")

    def _nearest_parent(self) -> Path:
        path = self.root
        while not path.exists():
            path = path.parent
        return path

    def list(self) -> Iterator[ObjectInfo]:
        if not self.root.is_dir():
            return
        for folder, dirs, files in os.walk(self.root):
            dirs.sort()
            for name in sorted(files):
                path = Path(folder, name)
                stat = path.stat()
                key = path.relative_to(self.root).as_posix()
                yield ObjectInfo(key, stat.st_size, f"{stat.st_mtime_ns}:{stat.st_size}")

    def is_empty(self) -> bool:
        return next(self.list(), None) is None

    def open(self, key: str) -> BinaryIO:
        return (self.root / key).open("rb")

    def read(self, key: str) -> tuple[BinaryIO, Attributes]:
        """Files carry no media type; guess it from the name, as web servers do."""
        return self.open(key), Attributes(content_type=mimetypes.guess_type(key)[0])

    def write(
        self, key: str, stream: BinaryIO, size: int, attributes: Attributes | None = None
    ) -> str | None:
        parts = key.split("/")
        if key.startswith("/") or ".." in parts or "" in parts:
            raise OSError(f"object key {key!r} cannot be stored as a file under {self.root}")
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            shutil.copyfileobj(stream, out, CHUNK)  # type: ignore[misc]
        return None
