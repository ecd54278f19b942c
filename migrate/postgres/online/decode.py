"""pgoutput (protocol version 1) messages decoded from the bytes a logical slot hands out.

Only what a relay needs: transaction bounds, the relation each change is about, and the row images
in text form. Tuple columns keep the three states the protocol distinguishes: a value, NULL, and
"unchanged TOAST" (`UNCHANGED`), which an UPDATE must leave alone rather than overwrite.
Message layout: https://www.postgresql.org/docs/15/protocol-logicalrep-message-formats.html
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final


class DecodeError(Exception):
    """Bytes that are not a pgoutput v1 message this relay understands: never skipped."""


class _Unchanged:
    """A TOASTed value the UPDATE did not touch: the server did not send it."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged()
Value = str | None | _Unchanged


@dataclass(frozen=True)
class Column:
    name: str
    is_key: bool
    type_oid: int


@dataclass(frozen=True)
class Relation:
    oid: int
    schema: str
    name: str
    replica_identity: str  # d(efault, the primary key), n(othing), f(ull), i(ndex)
    columns: tuple[Column, ...]

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Begin:
    final_lsn: int
    xid: int


@dataclass(frozen=True)
class Commit:
    commit_lsn: int
    end_lsn: int


@dataclass(frozen=True)
class Insert:
    relid: int
    new: tuple[Value, ...]


@dataclass(frozen=True)
class Update:
    relid: int
    old: tuple[Value, ...] | None  # key ('K') or whole old row ('O'); None: key unchanged
    old_is_key: bool
    new: tuple[Value, ...]


@dataclass(frozen=True)
class Delete:
    relid: int
    old: tuple[Value, ...]
    old_is_key: bool


@dataclass(frozen=True)
class Truncate:
    relids: tuple[int, ...]
    cascade: bool
    restart_identity: bool


@dataclass(frozen=True)
class Ignored:
    """Type and Origin messages: the relay sends values as text, so it needs neither."""

    kind: str


Message = Begin | Commit | Relation | Insert | Update | Delete | Truncate | Ignored


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> int:
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return value

    def byte(self) -> str:
        value = chr(self.data[self.pos])
        self.pos += 1
        return value

    def string(self) -> str:
        end = self.data.index(b"\0", self.pos)
        value = self.data[self.pos : end].decode()
        self.pos = end + 1
        return value

    def tuple(self) -> tuple[Value, ...]:
        values: list[Value] = []
        for _ in range(self.take("!h")):
            kind = self.byte()
            if kind == "n":
                values.append(None)
            elif kind == "u":
                values.append(UNCHANGED)
            elif kind == "t":
                size = self.take("!i")
                values.append(self.data[self.pos : self.pos + size].decode())
                self.pos += size
            else:
                raise DecodeError(f"tuple column kind {kind!r} (binary mode is not requested)")
        return tuple(values)


def decode(data: bytes) -> Message:
    """One pgoutput message; DecodeError for a kind the relay cannot apply faithfully."""
    if not data:
        raise DecodeError("empty message")
    r = _Reader(bytes(data))
    kind = r.byte()
    if kind == "B":
        final_lsn = r.take("!Q")
        r.take("!q")  # commit timestamp
        return Begin(final_lsn, r.take("!I"))
    if kind == "C":
        r.take("!b")  # flags, unused
        commit_lsn = r.take("!Q")
        return Commit(commit_lsn, r.take("!Q"))
    if kind == "R":
        oid = r.take("!I")
        schema, name = r.string() or "pg_catalog", r.string()
        identity = r.byte()
        columns = []
        for _ in range(r.take("!h")):
            flags = r.take("!b")
            column = r.string()
            type_oid = r.take("!I")
            r.take("!i")  # typmod
            columns.append(Column(column, bool(flags & 1), type_oid))
        return Relation(oid, schema, name, identity, tuple(columns))
    if kind == "I":
        relid = r.take("!I")
        if r.byte() != "N":
            raise DecodeError("INSERT without a new tuple")
        return Insert(relid, r.tuple())
    if kind == "U":
        relid = r.take("!I")
        marker = r.byte()
        old = None
        if marker in "KO":
            old = r.tuple()
            old_is_key = marker == "K"
            marker = r.byte()
        else:
            old_is_key = True
        if marker != "N":
            raise DecodeError(f"UPDATE with tuple marker {marker!r}")
        return Update(relid, old, old_is_key, r.tuple())
    if kind == "D":
        relid = r.take("!I")
        marker = r.byte()
        if marker not in "KO":
            raise DecodeError(f"DELETE with tuple marker {marker!r}")
        return Delete(relid, r.tuple(), marker == "K")
    if kind == "T":
        count = r.take("!I")
        options = r.take("!b")
        relids = tuple(r.take("!I") for _ in range(count))
        return Truncate(relids, bool(options & 1), bool(options & 2))
    if kind == "Y":
        return Ignored("type")
    if kind == "O":
        return Ignored("origin")
    raise DecodeError(f"pgoutput message kind {kind!r} is not one this relay applies")
