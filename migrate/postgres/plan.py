"""Cutting the copy into units: whole tables, or key/block ranges of large ones.

A unit is what the journal marks done, so its boundaries are fixed when the run starts and stored in
the journal: a resumed run copies exactly the ranges the first run planned.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass

import psycopg
from psycopg import sql

from migrate.postgres.catalog import TableInfo


@dataclass(frozen=True)
class Unit:
    """One COPY: a table, or the rows of a table with `lo <= key < hi` (None = unbounded).

    mode 'whole' copies the table; 'key' ranges over an integer primary key; 'block' ranges over
    ctid block numbers (tables with no integer key)."""

    name: str
    schema: str
    table: str
    columns: tuple[str, ...]
    binary: bool
    mode: str
    key: str | None
    lo: int | None
    hi: int | None
    est_bytes: int
    est_rows: int

    @property
    def table_name(self) -> str:
        return f"{self.schema}.{self.table}"

    def ident(self) -> sql.Composed:
        return sql.Identifier(self.schema, self.table)

    def where(self) -> sql.Composable:
        """The WHERE clause selecting this unit's rows on the source (and, for keys, the target)."""
        if self.mode == "whole":
            return sql.SQL("")
        column = sql.Identifier(self.key) if self.mode == "key" else sql.SQL("ctid")

        def bound(value: int) -> sql.Composable:
            return sql.Literal(value) if self.mode == "key" else sql.Literal(f"({value},0)")

        cast = sql.SQL("") if self.mode == "key" else sql.SQL("::tid")
        parts = []
        if self.lo is not None:
            parts.append(sql.SQL("{} >= {}{}").format(column, bound(self.lo), cast))
        if self.hi is not None:
            parts.append(sql.SQL("{} < {}{}").format(column, bound(self.hi), cast))
        return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(parts)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Unit:
        return cls(**{**data, "columns": tuple(data["columns"])})


def _bounds(lo: int, hi: int, parts: int) -> list[tuple[int | None, int | None]]:
    """`parts` half-open ranges covering everything, the outer ones unbounded."""
    step = max(1, math.ceil((hi - lo + 1) / parts))
    cuts = list(range(lo + step, hi + 1, step))
    edges: list[int | None] = [None, *cuts, None]
    return list(itertools.pairwise(edges))


def units_for(table: TableInfo, source: psycopg.Connection, chunk_bytes: int) -> list[Unit]:
    """Split a table bigger than `chunk_bytes` into about size/chunk ranges; else one unit.

    `source` must be in the run's snapshot, so the key range read here is the one copied."""
    parts = math.ceil(table.bytes / chunk_bytes) if table.bytes > chunk_bytes else 1
    spans: list[tuple[int | None, int | None]] = [(None, None)]
    mode, key = "whole", None
    if parts > 1 and table.int_key:
        row = source.execute(
            sql.SQL("SELECT min({k}), max({k}) FROM ONLY {t}").format(
                k=sql.Identifier(table.int_key), t=sql.Identifier(table.schema, table.name)
            )
        ).fetchone()
        if row and row[0] is not None and row[1] > row[0]:
            mode, key = "key", table.int_key
            spans = _bounds(row[0], row[1], parts)
    elif parts > 1 and table.blocks > 1:
        mode = "block"
        spans = _bounds(0, table.blocks - 1, min(parts, table.blocks))
    base = f"data:{table.qualified}"
    return [
        Unit(
            name=base if len(spans) == 1 else f"{base}#{i}",
            schema=table.schema,
            table=table.name,
            columns=table.columns,
            binary=table.binary_safe,
            mode=mode if len(spans) > 1 else "whole",
            key=key if len(spans) > 1 else None,
            lo=lo,
            hi=hi,
            est_bytes=table.bytes // len(spans),
            est_rows=table.rows // len(spans),
        )
        for i, (lo, hi) in enumerate(spans)
    ]


def make_plan(
    tables: list[TableInfo], source: psycopg.Connection, chunk_bytes: int, binary: bool
) -> list[Unit]:
    """Every unit of the copy, largest first so the long ones start early."""
    units = [u for table in tables for u in units_for(table, source, chunk_bytes)]
    if not binary:
        units = [Unit.from_dict({**u.to_dict(), "binary": False}) for u in units]
    return sorted(units, key=lambda u: -u.est_bytes)
