"""Decoded changes turned into statements on the target, one source row change at a time.

Values travel as text and are cast by the target to the column's type (psycopg sends a str with
no type, so the server infers it from the column), which is how COPY's text format moves them
too. A row is found by its replica identity: the primary key (or identity index) columns, or for
REPLICA IDENTITY FULL every column the old row image carries, compared as text. An UPDATE or
DELETE that finds no row means the target has diverged from the source: it stops the relay
rather than being skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg import sql

from migrate.postgres.online.decode import (
    UNCHANGED,
    Delete,
    Insert,
    Message,
    Relation,
    Truncate,
    Update,
    Value,
)


class SchemaChanged(Exception):
    """A change about a table whose columns differ from the copied schema, or a table the bulk
    copy did not have: DDL ran on the source during the migration."""


class Diverged(Exception):
    """An UPDATE or DELETE matched no row on the target."""


def describe_change(relation: Relation, expected: Sequence[Sequence] | None) -> str | None:
    """What differs between a Relation message and the copied table's (name, type oid) columns;
    None when they agree."""
    if expected is None:
        return f"table {relation.qualified} is not one the bulk copy had (created during the run)"
    got = [(c.name, c.type_oid) for c in relation.columns]
    want = [(name, oid) for name, oid in expected]
    if got == want:
        return None
    added = [n for n, _ in got if n not in dict(want)]
    removed = [n for n, _ in want if n not in dict(got)]
    retyped = [n for n, oid in got if n in dict(want) and dict(want)[n] != oid]
    parts = [
        f"{label} {', '.join(names)}"
        for label, names in (("added", added), ("dropped", removed), ("retyped", retyped))
        if names
    ]
    return f"table {relation.qualified} changed columns: {'; '.join(parts) or 'reordered'}"


class Applier:
    """Applies changes on one target session; `relations` is filled from Relation messages."""

    def __init__(self, conn: psycopg.Connection, expected: dict[str, list[list]]) -> None:
        self.conn = conn
        self.expected = expected
        self.relations: dict[int, Relation] = {}
        self.applied = 0
        # statement text by its shape: composing it costs more than running it (bench)
        self._statements: dict[tuple, str] = {}

    def _relation(self, relid: int) -> Relation:
        try:
            return self.relations[relid]
        except KeyError:
            raise SchemaChanged(
                f"a change for relation {relid} came before its description"
            ) from None

    def apply(self, message: Message) -> None:
        if isinstance(message, Relation):
            change = describe_change(message, self.expected.get(message.qualified))
            if change:
                raise SchemaChanged(change)
            self.relations[message.oid] = message
        elif isinstance(message, Insert):
            self._insert(self._relation(message.relid), message.new)
        elif isinstance(message, Update):
            self._update(message)
        elif isinstance(message, Delete):
            self._delete(message)
        elif isinstance(message, Truncate):
            self._truncate(message)
        else:
            return
        self.applied += not isinstance(message, Relation)

    @staticmethod
    def _table(relation: Relation) -> sql.Identifier:
        return sql.Identifier(relation.schema, relation.name)

    def _insert(self, relation: Relation, new: tuple[Value, ...]) -> None:
        key = ("insert", relation)
        query = self._statements.get(key)
        if query is None:
            names = [c.name for c in relation.columns]
            query = self._statements[key] = (
                sql.SQL("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE VALUES ({})")
                .format(
                    self._table(relation),
                    sql.SQL(", ").join(map(sql.Identifier, names)),
                    sql.SQL(", ").join(sql.Placeholder() * len(names)),
                )
                .as_string(self.conn)
            )
        self.conn.execute(query, list(new))

    def _where(
        self, relation: Relation, old: tuple[Value, ...], full: bool
    ) -> tuple[tuple[bool, ...], list[Value]]:
        """Which old-row columns name the row, and their values. Key columns compare with
        `=`; a FULL identity's every column (but an unchanged TOAST one) compares as text
        (json and others have no `=`), NULL matching NULL."""
        used = tuple(
            value is not UNCHANGED and (full or column.is_key)
            for column, value in zip(relation.columns, old, strict=True)
        )
        if not any(used):
            raise Diverged(f"{relation.qualified}: a change with no key to find its row by")
        return used, [v for v, u in zip(old, used, strict=True) if u]

    def _where_sql(self, relation: Relation, used: tuple[bool, ...], full: bool) -> sql.Composable:
        names = [sql.Identifier(c.name) for c, u in zip(relation.columns, used, strict=True) if u]
        term = sql.SQL("{}::text IS NOT DISTINCT FROM %s" if full else "{} = %s")
        where = sql.SQL(" AND ").join(term.format(n) for n in names)
        if full:  # duplicates are interchangeable: change exactly one of them, as the source did
            where = sql.SQL("ctid = (SELECT ctid FROM ONLY {} WHERE {} LIMIT 1)").format(
                self._table(relation), where
            )
        return where

    def _checked(self, relation: Relation, what: str, query: str, params: list) -> None:
        cur = self.conn.execute(query, params)
        if cur.rowcount != 1:
            raise Diverged(
                f"{what} on {relation.qualified} matched {cur.rowcount} rows on the target "
                "(expected 1): the target no longer mirrors the source"
            )

    def _update(self, message: Update) -> None:
        relation = self._relation(message.relid)
        full = message.old is not None and not message.old_is_key
        old = message.old if message.old is not None else message.new
        used, where_params = self._where(relation, old, full)
        changed = tuple(v is not UNCHANGED for v in message.new)
        key = ("update", relation, full, used, changed)
        query = self._statements.get(key)
        if query is None:
            names = [c.name for c, ch in zip(relation.columns, changed, strict=True) if ch]
            query = self._statements[key] = (
                sql.SQL("UPDATE ONLY {} SET {} WHERE {}")
                .format(
                    self._table(relation),
                    sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(n)) for n in names),
                    self._where_sql(relation, used, full),
                )
                .as_string(self.conn)
            )
        values = [v for v in message.new if v is not UNCHANGED]
        self._checked(relation, "UPDATE", query, values + where_params)

    def _delete(self, message: Delete) -> None:
        relation = self._relation(message.relid)
        full = not message.old_is_key
        used, params = self._where(relation, message.old, full)
        key = ("delete", relation, full, used)
        query = self._statements.get(key)
        if query is None:
            query = self._statements[key] = (
                sql.SQL("DELETE FROM ONLY {} WHERE {}")
                .format(self._table(relation), self._where_sql(relation, used, full))
                .as_string(self.conn)
            )
        self._checked(relation, "DELETE", query, params)

    def _truncate(self, message: Truncate) -> None:
        tables = [self._table(self._relation(relid)) for relid in message.relids]
        self.conn.execute(
            sql.SQL("TRUNCATE ONLY {}{}{}").format(
                sql.SQL(", ").join(tables),
                sql.SQL(" RESTART IDENTITY" if message.restart_identity else ""),
                sql.SQL(" CASCADE" if message.cascade else ""),
            )
        )
