"""Sequences (serial, identity and standalone) set on the target to the source's current values.

Sequence state is not part of the table data COPY moves, so without this step the first insert on
the target would collide with a copied primary key.
"""

from __future__ import annotations

import psycopg
from psycopg import sql


def read_values(conn: psycopg.Connection, names: list[str]) -> dict[str, tuple[int, bool]]:
    """(last_value, is_called) of each sequence, by its quoted qualified name."""
    values = {}
    for name in names:
        row = conn.execute(
            sql.SQL("SELECT last_value, is_called FROM {}").format(sql.SQL(name))
        ).fetchone()
        values[name] = (row[0], row[1])
    return values


def write_values(conn: psycopg.Connection, values: dict[str, tuple[int, bool]]) -> None:
    with conn.transaction():
        for name, (last_value, is_called) in values.items():
            conn.execute("SELECT setval(%s::regclass, %s, %s)", (name, last_value, is_called))
