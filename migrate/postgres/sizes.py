"""Chunk sizes as the CLI takes them; kept apart from the planner so `--help` needs no psycopg."""

from __future__ import annotations

import re

DEFAULT_CHUNK_BYTES = 128 * 1024 * 1024

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}


def parse_size(text: str) -> int:
    """'64MB', '512kB', '1GB' or a byte count; ValueError says what is valid."""
    match = _SIZE.match(text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a size; use e.g. 128MB, 512kB, 1GB or a byte count")
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "b").lower()])
