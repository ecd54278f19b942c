"""What a database holds, from the system catalogs: the tables to copy and the objects to compare.

Only user objects count: system schemas and objects that belong to an extension are left out, since
`CREATE EXTENSION` recreates those on the target.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

USER_NAMESPACE = (
    "n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'"
)


def _not_extension_member(classid: str, oid: str) -> str:
    return (
        f"NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{classid}'::regclass "
        f"AND d.objid = {oid} AND d.deptype = 'e')"
    )


@dataclass(frozen=True)
class TableInfo:
    """A table that holds rows (ordinary table or leaf partition), as the copy needs to know it."""

    schema: str
    name: str
    columns: tuple[str, ...]
    int_key: str | None  # a single-column integer primary key, usable for key-range splits
    has_pk: bool
    binary_safe: bool  # every column type has binary send/receive functions
    # every column (generated too), whether it hashes by value, and an enum column's labels in
    # sort order (None for other types)
    hashed: tuple[tuple[str, bool, tuple[str, ...] | None], ...]
    bytes: int
    rows: int
    blocks: int

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


# Types whose hash function hashes the value itself. Enums hash their label's OID and reg* types
# their OID, which differ between databases; columns of those (and of any type not listed) are
# hashed as text instead.
HASH_BY_VALUE = [
    "bool", "int2", "int4", "int8", "numeric", "float4", "float8", "text", "varchar",
    "bpchar", "name", "bytea", "date", "time", "timetz", "timestamp", "timestamptz",
    "interval", "uuid", "jsonb", "inet", "cidr", "macaddr", "macaddr8",
]  # fmt: skip

_TABLES = f"""
SELECT n.nspname, c.relname,
       ARRAY(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
             AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum) AS columns,
       (SELECT a.attname FROM pg_index i JOIN pg_attribute a
               ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
         WHERE i.indrelid = c.oid AND i.indisprimary AND i.indnatts = 1
           AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)) AS int_key,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_pk,
       COALESCE((SELECT bool_and(t.typsend <> 0 AND t.typreceive <> 0)
                   FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), true),
       ARRAY(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
             AND NOT a.attisdropped ORDER BY a.attnum),
       ARRAY(SELECT (CASE WHEN b.typcategory = 'A' THEN b.typelem ELSE b.oid END)
                    = ANY('{{{",".join(HASH_BY_VALUE)}}}'::regtype[])
               FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
               JOIN pg_type b ON b.oid = CASE t.typtype WHEN 'd' THEN t.typbasetype ELSE t.oid END
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
              ORDER BY a.attnum),
       ARRAY(SELECT (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder)
                       FROM pg_enum e WHERE e.enumtypid = b.oid)
               FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
               JOIN pg_type b ON b.oid = CASE t.typtype WHEN 'd' THEN t.typbasetype ELSE t.oid END
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
              ORDER BY a.attnum),
       pg_relation_size(c.oid) + COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0),
       GREATEST(c.reltuples, 0)::bigint,
       pg_relation_size(c.oid) / current_setting('block_size')::int
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND {USER_NAMESPACE}
   AND {_not_extension_member("pg_class", "c.oid")}
 ORDER BY 10 DESC, 1, 2
"""


def tables(conn: psycopg.Connection) -> list[TableInfo]:
    """Tables holding rows, largest first (so the long ones start early in a parallel copy).

    Partitioned parents hold no rows themselves, so only their leaf partitions are listed."""
    found = conn.execute(_TABLES).fetchall()
    return [
        TableInfo(
            s,
            t,
            tuple(cols),
            key,
            pk,
            binary,
            tuple(
                (name, by, tuple(labels) if labels is not None else None)
                for name, by, labels in zip(every, by_value, enums, strict=True)
            ),
            size,
            rows,
            blocks,
        )
        for s, t, cols, key, pk, binary, every, by_value, enums, size, rows, blocks in found
    ]


def sequences(conn: psycopg.Connection) -> list[str]:
    """Qualified, quoted names of every user sequence (serial, identity and standalone)."""
    rows = conn.execute(
        f"""SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n
             ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND {USER_NAMESPACE}
            AND {_not_extension_member("pg_class", "c.oid")} ORDER BY 1"""
    ).fetchall()
    return [r[0] for r in rows]


def _names(conn: psycopg.Connection, sql: str) -> list[str]:
    return sorted(r[0] for r in conn.execute(sql).fetchall())


def _relations(kinds: str) -> str:
    return f"""SELECT n.nspname || '.' || c.relname FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind IN ({kinds}) AND {USER_NAMESPACE}
               AND {_not_extension_member("pg_class", "c.oid")}"""


OBJECT_KINDS: dict[str, str] = {
    "tables": _relations("'r', 'p'"),
    "indexes": _relations("'i', 'I'"),
    "sequences": _relations("'S'"),
    "views": _relations("'v', 'm'"),
    "constraints": f"""SELECT n.nspname || '.' || COALESCE(c.relname, t.typname) || '.' || k.conname
                       FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
                       LEFT JOIN pg_class c ON c.oid = k.conrelid
                       LEFT JOIN pg_type t ON t.oid = k.contypid
                       WHERE {USER_NAMESPACE} AND {_not_extension_member("pg_constraint", "k.oid")}
                       AND (c.oid IS NULL OR {_not_extension_member("pg_class", "c.oid")})""",
    "functions": f"""SELECT p.oid::regprocedure::text FROM pg_proc p
                     JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE {USER_NAMESPACE} AND {_not_extension_member("pg_proc", "p.oid")}""",
    "types": f"""SELECT n.nspname || '.' || t.typname FROM pg_type t
                 JOIN pg_namespace n ON n.oid = t.typnamespace
                 LEFT JOIN pg_class c ON c.oid = t.typrelid
                 WHERE {USER_NAMESPACE} AND {_not_extension_member("pg_type", "t.oid")}
                 AND (t.typrelid = 0 OR c.relkind = 'c')
                 AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)""",
    "triggers": f"""SELECT n.nspname || '.' || c.relname || '.' || g.tgname FROM pg_trigger g
                    JOIN pg_class c ON c.oid = g.tgrelid
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE NOT g.tgisinternal AND {USER_NAMESPACE}""",
}


def objects(conn: psycopg.Connection) -> dict[str, list[str]]:
    """Every user schema object by kind, by name, for comparing source and target."""
    return {kind: _names(conn, sql) for kind, sql in OBJECT_KINDS.items()}


def extensions(conn: psycopg.Connection) -> dict[str, str]:
    """Installed extensions and their versions."""
    return dict(conn.execute("SELECT extname, extversion FROM pg_extension").fetchall())


def large_object_count(conn: psycopg.Connection) -> int:
    return conn.execute("SELECT count(*) FROM pg_largeobject_metadata").fetchone()[0]
