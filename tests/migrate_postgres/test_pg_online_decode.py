"""pgoutput bytes the relay must refuse rather than skip, and the tuple states it must keep apart.
(Every message kind it does apply is exercised against real servers in test_pg_online_changes.)"""

from __future__ import annotations

import struct

import pytest

from migrate.postgres.online.decode import UNCHANGED, DecodeError, Insert, Update, decode


def _tuple(*columns: bytes) -> bytes:
    return struct.pack("!h", len(columns)) + b"".join(columns)


def _text(value: str) -> bytes:
    data = value.encode()
    return b"t" + struct.pack("!i", len(data)) + data


def test_tuple_states_kept_apart() -> None:
    message = decode(b"U" + struct.pack("!I", 7) + b"N" + _tuple(_text("1"), b"n", b"u"))
    assert message == Update(7, None, True, ("1", None, UNCHANGED))
    assert decode(b"I" + struct.pack("!I", 7) + b"N" + _tuple(_text(""))) == Insert(7, ("",))


@pytest.mark.parametrize(
    "data, why",
    [
        (b"M\x00", "message kind 'M'"),  # logical decoding messages were not asked for
        (b"S" + b"\x00" * 8, "message kind 'S'"),  # a streamed transaction (protocol 2+)
        (b"I" + struct.pack("!I", 7) + b"N" + _tuple(b"b"), "binary mode"),
        (b"D" + struct.pack("!I", 7) + b"N" + _tuple(_text("1")), "DELETE with tuple marker"),
        (b"", "empty message"),
    ],
)
def test_unknown_bytes_refused(data: bytes, why: str) -> None:
    with pytest.raises(DecodeError, match=why):
        decode(data)
