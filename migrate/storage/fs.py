"""`file:///path`: a directory tree; keys are paths relative to it.

What a tree can hold that an object store cannot, decided once here:

- a symlink to a file is copied as the file it points to; a symlink to a directory is followed
  (its files get keys under the link's path), unless it points back at a directory it is inside,
  which would never end: that is a problem;
- a dangling symlink, a FIFO, a socket or a device, and a name that is not UTF-8 (object keys are
  UTF-8) are problems: `list` skips them but records each in `problems`, and the run refuses a
  source that has any (exit 2, every path named) before a byte moves. Nothing is skipped quietly.

Opening never blocks: a file that became a FIFO since it was listed is refused, not waited on.
"""

from __future__ import annotations

import mimetypes
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from migrate.storage.backend import (
    CHUNK,
    Attributes,
    Backend,
    Head,
    ObjectInfo,
    ObjectMissing,
    StorageInputError,
)

_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def _shown(path: str) -> str:
    """A path for messages: bytes that are not UTF-8 shown as \\x.. escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


class FileBackend(Backend):
    def __init__(self, root: Path, option: str) -> None:
        self.root = root
        self.option = option
        self.display = f"file://{root}"
        self.problems: list[str] = []

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
        self.problems = []
        if not self.root.is_dir():
            return
        top = self.root.stat()
        yield from self._walk(str(self.root), "", frozenset({(top.st_dev, top.st_ino)}))

    def _walk(self, folder: str, prefix: str, inside: frozenset) -> Iterator[ObjectInfo]:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            self.problems.append(f"{_shown(folder)}: cannot read the directory ({exc.strerror})")
            return
        for entry in entries:
            shown = _shown(entry.path)
            try:
                entry.name.encode("utf-8")
            except UnicodeEncodeError:
                self.problems.append(f"{shown}: the name is not UTF-8, which object keys must be")
                continue
            try:
                info = os.stat(entry.path)  # follows symlinks
            except FileNotFoundError:
                link = _shown(os.readlink(entry.path)) if entry.is_symlink() else "?"
                self.problems.append(f"{shown}: a dangling symlink (to {link})")
                continue
            except OSError as exc:
                self.problems.append(f"{shown}: cannot stat ({exc.strerror})")
                continue
            key = prefix + entry.name
            if stat.S_ISDIR(info.st_mode):
                ident = (info.st_dev, info.st_ino)
                if ident in inside:
                    self.problems.append(f"{shown}: a symlink loop (points to a folder it is in)")
                    continue
                yield from self._walk(entry.path, key + "/", inside | {ident})
            elif stat.S_ISREG(info.st_mode):
                yield ObjectInfo(key, info.st_size, f"{info.st_mtime_ns}:{info.st_size}")
            else:
                kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
                self.problems.append(f"{shown}: {kind}, not a regular file")

    def is_empty(self) -> bool:
        empty = next(self.list(), None) is None
        return empty and not self.problems

    def open(self, key: str) -> BinaryIO:
        path = self.root / key
        try:
            # O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore it.
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            raise ObjectMissing(key) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OSError(f"{_shown(str(path))} is no longer a regular file")
        return os.fdopen(fd, "rb")

    def read(self, key: str) -> tuple[BinaryIO, Attributes]:
        """Files carry no media type; guess it from the name, as web servers do."""
        return self.open(key), Attributes(content_type=mimetypes.guess_type(key)[0])

    def head(self, key: str, expected: Attributes | None = None) -> Head | None:
        try:
            info = (self.root / key).stat()
        except FileNotFoundError:
            return None
        version = f"{info.st_mtime_ns}:{info.st_size}"
        attributes = Attributes(content_type=mimetypes.guess_type(key)[0])
        return Head(ObjectInfo(key, info.st_size, version), attributes)

    def delete(self, key: str) -> None:
        path = self.root / key
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != self.root and not any(parent.iterdir()):
            parent.rmdir()  # a folder that only held the deleted file
            parent = parent.parent

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
