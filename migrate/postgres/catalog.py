"""What a database holds, from the system catalogs: the tables to copy and the objects to compare.

Only user objects count: system schemas and objects that belong to an extension are left out, since
`CREATE EXTENSION` recreates those on the target.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

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
    # every column (generated too), how it enters the row hash (see `hash_kind`), and an enum
    # column's labels in sort order (None for other types)
    hashed: tuple[tuple[str, str, tuple[str, ...] | None], ...]
    bytes: int
    rows: int
    blocks: int

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


# Types whose hash function hashes exactly their content: two values hash alike only when they
# are the same data (and print the same). Collatable ones are hashed under COLLATE "C", so a
# nondeterministic collation's "equal" (case, accents) is not taken for "same".
HASH_IS_CONTENT = [
    "bool", "int2", "int4", "int8", "text", "varchar", "bpchar", "name", "bytea", "date", "time",
    "timetz", "timestamp", "timestamptz", "uuid", "inet", "cidr", "macaddr", "macaddr8",
]  # fmt: skip

# How each column enters the row hash, decided on its type (a domain by its base type):
#   value    by its type's hash (types above, and arrays of them); value_c: under COLLATE "C"
#   numeric  by value, and its scale (numeric equality says 1.0 = 1.00), or for NaN and the
#            infinities (which all hash alike) their text
#   float    by value, and zeros by their text: float equality (and hash) says -0 = 0
#   enum     by its label's position (enum hashes are OIDs, which differ between databases)
#   text     as text rendered with pinned settings: every other type, whose equality can differ
#            from its content (interval '1 day' = '24 hours', jsonb 1.0 = 1.00, citext, ...)
_HASH_KIND = f"""CASE
    WHEN b.oid = ANY('{{{",".join(HASH_IS_CONTENT)}}}'::regtype[])
      OR (b.typcategory = 'A' AND b.typelem = ANY('{{{",".join(HASH_IS_CONTENT)}}}'::regtype[]))
      THEN CASE WHEN b.typcollation <> 0 THEN 'value_c' ELSE 'value' END
    WHEN b.oid = 'numeric'::regtype THEN 'numeric'
    WHEN b.oid IN ('float4'::regtype, 'float8'::regtype) THEN 'float'
    WHEN b.typtype = 'e' THEN 'enum'
    ELSE 'text' END"""

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
       ARRAY(SELECT {_HASH_KIND}
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
       CASE WHEN c.relpages > 0 AND c.reltuples >= 0
            THEN (c.reltuples / c.relpages * pg_relation_size(c.oid)
                  / current_setting('block_size')::int)::bigint
            WHEN pg_relation_size(c.oid) = 0 THEN 0
            ELSE -1 END,
       pg_relation_size(c.oid) / current_setting('block_size')::int
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND {USER_NAMESPACE}
   AND {_not_extension_member("pg_class", "c.oid")}
 ORDER BY 10 DESC, 1, 2
"""


# Never-analysed tables up to this many blocks (10 MB at 8 kB) are counted: a count is cheap
# there, and the planner's guess for a small table assumes at least 10 pages.
_COUNT_BELOW_BLOCKS = 1280


def _row_estimate(conn: psycopg.Connection, schema: str, name: str, blocks: int) -> int:
    """Rows of a table with no statistics (never analysed, or analysed while empty), so the
    progress bar has a total and an ETA: counted when small, else the planner's estimate from
    its current size and column widths, which reads no rows."""
    table = sql.Identifier(schema, name)
    if blocks <= _COUNT_BELOW_BLOCKS:
        return conn.execute(sql.SQL("SELECT count(*) FROM ONLY {}").format(table)).fetchone()[0]
    plan = conn.execute(
        sql.SQL("EXPLAIN (FORMAT JSON) SELECT 1 FROM ONLY {}").format(table)
    ).fetchone()[0]
    return int(plan[0]["Plan"]["Plan Rows"])


def tables(conn: psycopg.Connection) -> list[TableInfo]:
    """Tables holding rows, largest first (so the long ones start early in a parallel copy).

    Partitioned parents hold no rows themselves, so only their leaf partitions are listed.
    Row counts are the statistics' figure scaled to the table's current size, as the planner
    scales it; a table without statistics is estimated by `_row_estimate`."""
    found = [
        (
            *row[:10],
            row[10] if row[10] >= 0 else _row_estimate(conn, row[0], row[1], row[11]),
            row[11],
        )
        for row in conn.execute(_TABLES).fetchall()
    ]
    return [
        TableInfo(
            s,
            t,
            tuple(cols),
            key,
            pk,
            binary,
            tuple(
                (name, kind, tuple(labels) if labels is not None else None)
                for name, kind, labels in zip(every, kinds, enums, strict=True)
            ),
            size,
            rows,
            blocks,
        )
        for s, t, cols, key, pk, binary, every, kinds, enums, size, rows, blocks in found
    ]


def sequences(conn: psycopg.Connection) -> list[str]:
    """Qualified, quoted names of every user sequence (serial, identity and standalone)."""
    rows = conn.execute(
        f"""SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n
             ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND {USER_NAMESPACE}
            AND {_not_extension_member("pg_class", "c.oid")} ORDER BY 1"""
    ).fetchall()
    return [r[0] for r in rows]


def _relations(kinds: str, definition: str) -> str:
    return f"""SELECT n.nspname || '.' || c.relname, {definition} FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind IN ({kinds}) AND {USER_NAMESPACE}
               AND {_not_extension_member("pg_class", "c.oid")}"""


def _on_table(source: str, name: str, definition: str, where: str = "true") -> str:
    """Objects that hang off a user table (policies, rules), named schema.table.object;
    `source` is `catalog alias ON alias.relid_column`."""
    return f"""SELECT n.nspname || '.' || c.relname || '.' || {name}, {definition}
               FROM {source.split(" ON ")[0]} JOIN pg_class c ON c.oid = {source.split(" ON ")[1]}
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE {where} AND {USER_NAMESPACE}
               AND {_not_extension_member("pg_class", "c.oid")}"""


# A table's shape: kind, persistence, partitioning, and every column's type, collation (when not
# its type's default), NOT NULL, default or generation expression, and identity.
_TABLE_DEF = """c.relkind::text || ' ' || c.relpersistence::text
    || COALESCE(' partition of ' || (SELECT string_agg(i.inhparent::regclass::text, ','
                                                      ORDER BY i.inhseqno)
                                       FROM pg_inherits i WHERE i.inhrelid = c.oid), '')
    || COALESCE(' ' || pg_get_expr(c.relpartbound, c.oid), '')
    || COALESCE(' by ' || pg_get_partkeydef(c.oid), '')
    || ' (' || COALESCE((
        SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
               || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
               || CASE WHEN a.attcollation <> t.typcollation
                       THEN ' collate ' || a.attcollation::regcollation::text ELSE '' END
               || CASE a.attgenerated WHEN 's' THEN ' generated ' ELSE '' END
               || COALESCE(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
               || CASE a.attidentity WHEN 'a' THEN ' identity always'
                                     WHEN 'd' THEN ' identity by default' ELSE '' END,
               ', ' ORDER BY a.attnum)
          FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '') || ')'"""

_SEQUENCE_DEF = """(SELECT format_type(s.seqtypid, NULL) || ' increment ' || s.seqincrement
                    || ' min ' || s.seqmin || ' max ' || s.seqmax || ' start ' || s.seqstart
                    || ' cache ' || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END
               FROM pg_sequence s WHERE s.seqrelid = c.oid)
    || COALESCE(' owned by ' || (SELECT d.refobjid::regclass::text || '.' || a.attname
                                   FROM pg_depend d JOIN pg_attribute a
                                     ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                    AND d.deptype IN ('a', 'i') LIMIT 1), '')"""

_TYPE_DEF = """CASE t.typtype
    WHEN 'e' THEN 'enum ' || (SELECT string_agg(quote_literal(e.enumlabel), ', '
                                                ORDER BY e.enumsortorder)
                                FROM pg_enum e WHERE e.enumtypid = t.oid)
    WHEN 'c' THEN 'composite ' || COALESCE((
        SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod),
                          ', ' ORDER BY a.attnum)
          FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0
           AND NOT a.attisdropped), '')
    WHEN 'd' THEN 'domain ' || format_type(t.typbasetype, t.typtypmod)
        || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END
        || COALESCE(' default ' || pg_get_expr(t.typdefaultbin, 0), '')
    WHEN 'r' THEN 'range ' || (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r
                                WHERE r.rngtypid = t.oid)
    ELSE t.typtype::text END"""

_FUNCTION_DEF = """CASE WHEN p.prokind = 'a'
    THEN 'aggregate ' || (SELECT a.aggtransfn::regproc::text || ' ' || a.aggfinalfn::regproc::text
                          || ' ' || format_type(a.aggtranstype, NULL)
                          || COALESCE(' ' || a.agginitval, '')
                          FROM pg_aggregate a WHERE a.aggfnoid = p.oid)
    ELSE pg_get_functiondef(p.oid) END"""

_POLICY_DEF = """CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END
    || ' for ' || p.polcmd::text || ' to '
    || array_to_string(ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r) END
                               FROM unnest(p.polroles) r ORDER BY 1), ',')
    || COALESCE(' using (' || pg_get_expr(p.polqual, p.polrelid) || ')', '')
    || COALESCE(' with check (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', '')"""

# Each kind: SELECT name, definition. Definitions are what the server prints for the object
# (pg_get_*def where there is one), so two objects compare equal only when they behave alike.
OBJECT_KINDS: dict[str, str] = {
    "schemas": f"""SELECT n.nspname, '' FROM pg_namespace n
                   WHERE {USER_NAMESPACE} AND n.nspname <> 'public'
                   AND {_not_extension_member("pg_namespace", "n.oid")}""",
    "tables": _relations("'r', 'p'", _TABLE_DEF),
    "row security": _relations(
        "'r', 'p'",
        "CASE WHEN c.relrowsecurity THEN 'enabled' ELSE 'disabled' END"
        " || CASE WHEN c.relforcerowsecurity THEN ', forced' ELSE '' END",
    )
    + " AND (c.relrowsecurity OR c.relforcerowsecurity)",
    "indexes": _relations("'i', 'I'", "pg_get_indexdef(c.oid)"),
    "sequences": _relations("'S'", _SEQUENCE_DEF),
    "views": _relations("'v', 'm'", "c.relkind::text || ' ' || pg_get_viewdef(c.oid)"),
    "constraints": f"""SELECT n.nspname || '.' || COALESCE(c.relname, t.typname)
                              || '.' || k.conname, pg_get_constraintdef(k.oid)
                       FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
                       LEFT JOIN pg_class c ON c.oid = k.conrelid
                       LEFT JOIN pg_type t ON t.oid = k.contypid
                       WHERE {USER_NAMESPACE} AND {_not_extension_member("pg_constraint", "k.oid")}
                       AND (c.oid IS NULL OR {_not_extension_member("pg_class", "c.oid")})""",
    "functions": f"""SELECT p.oid::regprocedure::text, {_FUNCTION_DEF} FROM pg_proc p
                     JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE {USER_NAMESPACE} AND {_not_extension_member("pg_proc", "p.oid")}""",
    "types": f"""SELECT n.nspname || '.' || t.typname, {_TYPE_DEF} FROM pg_type t
                 JOIN pg_namespace n ON n.oid = t.typnamespace
                 LEFT JOIN pg_class c ON c.oid = t.typrelid
                 WHERE {USER_NAMESPACE} AND {_not_extension_member("pg_type", "t.oid")}
                 AND (t.typrelid = 0 OR c.relkind = 'c')
                 AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)""",
    "triggers": f"""SELECT n.nspname || '.' || c.relname || '.' || g.tgname,
                           pg_get_triggerdef(g.oid) || ' enabled=' || g.tgenabled::text
                    FROM pg_trigger g
                    JOIN pg_class c ON c.oid = g.tgrelid
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE NOT g.tgisinternal AND {USER_NAMESPACE}""",
    "policies": _on_table("pg_policy p ON p.polrelid", "p.polname", _POLICY_DEF),
    "rules": _on_table(
        "pg_rewrite r ON r.ev_class",
        "r.rulename",
        "pg_get_ruledef(r.oid) || ' enabled=' || r.ev_enabled::text",
        "r.rulename <> '_RETURN'",
    ),
    "statistics": f"""SELECT n.nspname || '.' || s.stxname, pg_get_statisticsobjdef(s.oid)
                      FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
                      WHERE {USER_NAMESPACE}""",
    "event triggers": f"""SELECT e.evtname, e.evtevent || ' ' || e.evtfoid::regprocedure::text
                          || ' enabled=' || e.evtenabled::text
                          || COALESCE(' tags ' || array_to_string(e.evttags, ','), '')
                          FROM pg_event_trigger e
                          WHERE {_not_extension_member("pg_event_trigger", "e.oid")}""",
    "extensions": """SELECT x.extname, 'schema ' || x.extnamespace::regnamespace::text
                     FROM pg_extension x""",
}


def objects(conn: psycopg.Connection) -> dict[str, dict[str, str]]:
    """Every user schema object by kind: name -> definition, for comparing source and target."""
    return {kind: dict(conn.execute(query).fetchall()) for kind, query in OBJECT_KINDS.items()}


def database_settings(conn: psycopg.Connection) -> dict[str, str]:
    """`ALTER DATABASE ... SET` settings of the connected database for every role: name -> value
    (pg_db_role_setting keeps `name=value` strings, list values as the server printed them)."""
    rows = conn.execute(
        """SELECT unnest(s.setconfig) FROM pg_db_role_setting s
            JOIN pg_database d ON d.oid = s.setdatabase
           WHERE d.datname = current_database() AND s.setrole = 0"""
    ).fetchall()
    return dict(r[0].split("=", 1) for r in rows)


def role_database_settings(conn: psycopg.Connection) -> list[str]:
    """`ALTER ROLE r IN DATABASE ... SET` entries of the connected database, as `role: name=value`
    (roles are not copied, so these are reported, not applied)."""
    rows = conn.execute(
        """SELECT pg_get_userbyid(s.setrole) || ': ' || unnest(s.setconfig)
             FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
            WHERE d.datname = current_database() AND s.setrole <> 0 ORDER BY 1"""
    ).fetchall()
    return [r[0] for r in rows]


def rls_hidden_tables(conn: psycopg.Connection) -> list[str]:
    """Tables whose rows a row-level security policy filters for the connected role (RLS enabled
    and the role neither bypasses it nor owns the table unforced): reading them whole fails."""
    rows = conn.execute(
        f"""SELECT c.oid::regclass::text FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND c.relrowsecurity AND {USER_NAMESPACE}
              AND row_security_active(c.oid) ORDER BY 1"""
    ).fetchall()
    return [r[0] for r in rows]


def not_copied(conn: psycopg.Connection) -> dict[str, int | list[str]]:
    """What the copy leaves behind by design, counted so a run can say so: grants (explicit ACL
    entries for roles other than the object's owner, default privileges too), the owning roles
    (everything on the target belongs to the target's role), publications, subscriptions, and
    per-role settings in this database (roles are not copied). The public schema's grants are
    left out: every database has its own."""
    grants = conn.execute(
        f"""SELECT
          (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                  aclexplode(c.relacl) x WHERE {USER_NAMESPACE} AND x.grantee <> c.relowner)
        + (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(a.attacl) x
            WHERE {USER_NAMESPACE} AND NOT a.attisdropped)
        + (SELECT count(*) FROM pg_namespace n, aclexplode(n.nspacl) x
            WHERE {USER_NAMESPACE} AND x.grantee <> n.nspowner AND n.nspname <> 'public')
        + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace,
                  aclexplode(p.proacl) x WHERE {USER_NAMESPACE} AND x.grantee <> p.proowner)
        + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace,
                  aclexplode(t.typacl) x WHERE {USER_NAMESPACE} AND x.grantee <> t.typowner)
        + (SELECT count(*) FROM pg_default_acl d, aclexplode(d.defaclacl) x)
        + (SELECT count(*) FROM pg_database d, aclexplode(d.datacl) x
            WHERE d.datname = current_database() AND x.grantee <> d.datdba)"""
    ).fetchone()[0]
    owners = conn.execute(
        f"""SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {USER_NAMESPACE}
            UNION SELECT pg_get_userbyid(p.proowner) FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {USER_NAMESPACE}
            UNION SELECT pg_get_userbyid(n.nspowner) FROM pg_namespace n
             WHERE {USER_NAMESPACE} AND n.nspname <> 'public'
            ORDER BY 1"""
    ).fetchall()
    publications = conn.execute("SELECT count(*) FROM pg_publication").fetchone()[0]
    subscriptions = conn.execute(
        "SELECT count(s.subname) FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid "
        "WHERE d.datname = current_database()"
    ).fetchone()[0]
    return {
        "grants": grants,
        "owners": [r[0] for r in owners],
        "publications": publications,
        "subscriptions": subscriptions,
        "role_settings": len(role_database_settings(conn)),
    }


def extensions(conn: psycopg.Connection) -> dict[str, str]:
    """Installed extensions and their versions."""
    return dict(conn.execute("SELECT extname, extversion FROM pg_extension").fetchall())


def large_object_count(conn: psycopg.Connection) -> int:
    return conn.execute("SELECT count(*) FROM pg_largeobject_metadata").fetchone()[0]
