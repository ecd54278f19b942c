"""Verification on both servers at once: row counts, content hashes, sequences, schema object
definitions, database settings.

The content hash is order-independent: the sum over rows of a 64-bit row hash, summed exactly as
numeric. The row hash must mix its columns non-linearly: `hash_record_extended` combines column
hashes as `h = 31 * h + column_hash`, so a sum of those over rows depends only on each column's
multiset of values, and a value moved from one row to another (or a key given another row's
values) would sum the same. So the record hash `h` is mixed once more, `hashint8extended(h, h)`
(lookup3's mix over all 64 bits: the value's folded halves, and `h` again as the seed), and only
those are summed. `h` is computed once, in a subquery the planner may not flatten (`OFFSET 0`);
flattened, it would compute the record hash twice. Measured on the bench's orders table, the mix
costs about 2% of the hash query; hashing `int8send(h)` as bytea instead cost 25%.

The record hash is `hash_record_extended(ROW(columns...), 0)` (PostgreSQL 14+): each column hashed
by its type's own hash function, without rendering text, about 2x cheaper than hashing `row::text`,
where that hash sees the value's whole content. A type's hash follows its equality, which for many
types is not the content: numeric 1.0 = 1.00, float -0 = 0, interval '1 day' = '24 hours', jsonb
numbers by value, text under a nondeterministic collation. Each column therefore enters the row
by its kind (`catalog.HASH_IS_CONTENT` and `_column`): by value where hash is content (collatable
ones under COLLATE "C"), numerics by value plus their scale (or the text of NaN and the
infinities, which all hash alike), floats by value plus a zero's text (its sign is all equality
drops), and as text rendered with pinned settings (`conn.VERIFY_SETTINGS`) otherwise. Measured by
the server's CPU time on the bench's orders table (`bench/pg_row_hash.py`): the scale adds about
2% to the hash query where numeric as text added 9%. Servers older than 14 fall back to
`hashtextextended(row::text)`, which is text throughout.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import psycopg
from psycopg import sql

from migrate.postgres import catalog, sequences
from migrate.postgres.catalog import TableInfo
from migrate.postgres.conn import PgUrl, apply_verify_settings, connect, connect_source
from migrate.report import Check, Report

_SHOWN = 5
ENUM_CASE_LABELS = 64  # enums with more labels enter the row hash as text


class _Sessions:
    """One verification session per thread and side, closed together at the end."""

    def __init__(self, source: PgUrl, target: PgUrl, snapshot: str | None = None) -> None:
        self.urls = {"source": source, "target": target}
        self.snapshot = snapshot
        self.local = threading.local()
        self.opened: list[psycopg.Connection] = []
        self.lock = threading.Lock()

    def get(self, side: str) -> psycopg.Connection:
        conn = getattr(self.local, side, None)
        if conn is None:
            url = self.urls[side]
            conn = connect_source(url) if side == "source" else connect(url)
            if side == "source" and self.snapshot is not None:
                # one transaction for the session's life, reading the given snapshot
                conn.execute(
                    sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(self.snapshot))
                )
            else:
                conn.autocommit = True
            apply_verify_settings(conn)
            setattr(self.local, side, conn)
            with self.lock:
                self.opened.append(conn)
        return conn

    def close(self) -> None:
        for conn in self.opened:
            conn.close()


class NoRecordHash(Exception):
    """The server has no hash_record_extended (before 14); verify by the row's text instead."""


def _column(name: str, kind: str, labels: tuple[str, ...] | None) -> list[sql.Composable]:
    """The fields one column adds to the row hash, by its kind (see `catalog._HASH_KIND`).

    An enum value enters as its label's position in the source's label list: comparing an enum to
    a label is an OID comparison, where rendering it as text (`enum_out`) costs a catalog lookup
    per row, a third of the whole hash on an enum-bearing table. Equal labels give equal positions
    on both sides whatever their OIDs; a label missing from the list (added since the list was
    read) falls back to its text's hash. Very long label lists are hashed as text instead, so the
    CASE stays short."""
    column = sql.SQL("r.{}").format(sql.Identifier(name))
    if kind == "enum" and labels is not None and len(labels) <= ENUM_CASE_LABELS:
        whens = sql.SQL(" ").join(
            sql.SQL("WHEN {} THEN {}").format(sql.Literal(label), sql.Literal(position))
            for position, label in enumerate(labels)
        )
        return [
            sql.SQL("CASE {c} {whens} ELSE hashtextextended({c}::text, 0) END").format(
                c=column, whens=whens
            )
        ]
    if kind == "value":
        return [column]
    if kind == "value_c":
        return [sql.SQL('{} COLLATE "C"').format(column)]
    if kind == "numeric":
        return [column, sql.SQL("COALESCE(scale({c})::text, {c}::text)").format(c=column)]
    if kind == "float":
        return [column, sql.SQL("CASE WHEN {c} = 0 THEN {c}::text END").format(c=column)]
    return [sql.SQL("{}::text").format(column)]


def _row_hash(table: TableInfo, method: str) -> sql.Composable:
    if method == "text" or not table.hashed:
        return sql.SQL("hashtextextended(r::text, 0)")
    fields = [f for name, kind, labels in table.hashed for f in _column(name, kind, labels)]
    return sql.SQL("hash_record_extended(ROW({}), 0)").format(sql.SQL(", ").join(fields))


def table_digest(conn: psycopg.Connection, table: TableInfo, method: str) -> tuple[int, str]:
    """(row count, order-independent content hash) of one table's own rows."""
    query = sql.SQL(
        "SELECT count(*), COALESCE(sum(hashint8extended(h, h)), 0)::text "
        "FROM (SELECT {h} AS h FROM ONLY {t} AS r OFFSET 0) AS rows"
    ).format(h=_row_hash(table, method), t=sql.Identifier(table.schema, table.name))
    try:
        count, digest = conn.execute(query).fetchone()
    except (psycopg.errors.UndefinedFunction, psycopg.errors.FeatureNotSupported) as exc:
        if method == "record":
            raise NoRecordHash(str(exc)) from exc
        raise
    return count, digest


def definitions_check(kind: str, source: dict[str, str], target: dict[str, str]) -> Check:
    """One check per kind of object: the same names on both sides, each with the same definition
    (as the server prints it), so a changed CHECK body, default, type, trigger state, policy or
    view under an unchanged name fails too."""
    missing = sorted(set(source) - set(target))
    extra = sorted(set(target) - set(source))
    differs = sorted(n for n in set(source) & set(target) if source[n] != target[n])
    detail = []
    if missing:
        detail.append(f"missing on target: {', '.join(missing[:_SHOWN])}")
    if extra:
        detail.append(f"only on target: {', '.join(extra[:_SHOWN])}")
    for name in differs[:_SHOWN]:
        detail.append(f"differs: {name} (source: {source[name]!r}; target: {target[name]!r})")
    ok = not missing and not extra and not differs
    return Check(kind, "definitions", ok, len(source), len(target), "; ".join(detail))


def _without(objects: dict[str, dict[str, str]], schema: str) -> dict[str, dict[str, str]]:
    return {
        kind: {n: d for n, d in items.items() if n != schema and not n.startswith(schema + ".")}
        for kind, items in objects.items()
    }


def schema_checks(
    src: psycopg.Connection, tgt: psycopg.Connection, ignore_schema: str | None = None
) -> list[Check]:
    """Every kind of schema object, and the database's own settings, compared by definition.
    `ignore_schema`: the tool's own bookkeeping schema on the target (the online copy's)."""
    source_objects, target_objects = catalog.objects(src), catalog.objects(tgt)
    if ignore_schema is not None:
        target_objects = _without(target_objects, ignore_schema)
    checks = [
        definitions_check(kind, source_objects[kind], target_objects[kind])
        for kind in catalog.OBJECT_KINDS
    ]
    checks.append(
        definitions_check(
            "database settings", catalog.database_settings(src), catalog.database_settings(tgt)
        )
    )
    return checks


def verify(
    source: PgUrl,
    target: PgUrl,
    report: Report,
    jobs: int,
    on_table: Callable[[], None] = lambda: None,
    ignore_schema: str | None = None,
    snapshot: str | None = None,
) -> list[TableInfo]:
    """Add every check to `report`; returns the tables it compared (for progress totals).
    `snapshot`: an exported snapshot every source session reads (the online copy verifies the
    source as of the position the target was drained to)."""
    sessions = _Sessions(source, target, snapshot)
    try:
        src = sessions.get("source")
        tgt = sessions.get("target")
        tables = catalog.tables(src)
        report.checks.extend(schema_checks(src, tgt, ignore_schema))
        names = catalog.sequences(src)
        src_values = sequences.read_values(src, names)
        tgt_names = set(catalog.sequences(tgt))
        tgt_values = sequences.read_values(tgt, [n for n in names if n in tgt_names])
        for name in names:
            report.add(name, "sequence", src_values[name], tgt_values.get(name))

        def digest(side: str, table: TableInfo, method: str) -> tuple[int, str] | str:
            try:
                return table_digest(sessions.get(side), table, method)
            except NoRecordHash:
                return "text"
            except psycopg.Error as exc:
                return f"error: {str(exc).strip().splitlines()[0]}"

        def both(table: TableInfo, method: str) -> tuple[Future, Future]:
            return (
                pool.submit(digest, "source", table, method),
                pool.submit(digest, "target", table, method),
            )

        with ThreadPoolExecutor(max(1, jobs), thread_name_prefix="pg-verify") as pool:
            futures = [(table, *both(table, "record")) for table in tables]
            for table, src_future, tgt_future in futures:
                src_result, tgt_result = src_future.result(), tgt_future.result()
                if "text" in (src_result, tgt_result):
                    src_future, tgt_future = both(table, "text")
                    src_result, tgt_result = src_future.result(), tgt_future.result()
                on_table()
                if isinstance(src_result, str) or isinstance(tgt_result, str):
                    report.checks.append(
                        Check(table.qualified, "readable", False, src_result, tgt_result)
                    )
                    continue
                report.add(table.qualified, "rows", src_result[0], tgt_result[0])
                report.add(table.qualified, "hash", src_result[1], tgt_result[1])
        return tables
    finally:
        sessions.close()
