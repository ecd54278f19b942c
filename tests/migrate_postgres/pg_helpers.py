"""Builders and fingerprints for the PostgreSQL migration tests.

`fingerprint` is computed independently of the tool's own verification (md5 of every row's text in
a fixed order, and every sequence's state), so a test can tell "source unchanged" and "target equals
source" without trusting the code under test.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg

# Every awkward case the issue names: jsonb, bytea, arrays, enums, numeric, timestamptz, uuid,
# NULLs, unicode, foreign keys, identity and serial columns, a partitioned table, a table without a
# primary key (big enough to split by blocks), a table split by key, a dropped column, a generated
# column, json (no hash function: verified by text), views, a materialized view, a trigger, a
# sequence.
AWKWARD_SCHEMA = """
CREATE EXTENSION citext;
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy', 'ecstatic 😀');
CREATE TABLE app.customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email citext UNIQUE,
    name text NOT NULL,
    mood app.mood,
    created timestamptz,
    balance numeric(30, 8),
    tags text[],
    prefs jsonb,
    avatar bytea,
    token uuid,
    score double precision,
    note json,
    dropped_later int
);
ALTER TABLE app.customers DROP COLUMN dropped_later;
INSERT INTO app.customers
    (email, name, mood, created, balance, tags, prefs, avatar, token, score, note)
SELECT CASE WHEN g % 11 = 0 THEN NULL ELSE 'User' || g || '@Example.com' END,
       'Zoë ' || g || ' 漢字 🚀 "quoted" \\ back',
       CASE WHEN g % 7 = 0 THEN NULL ELSE (enum_range(NULL::app.mood))[1 + g % 4] END,
       '2024-03-10 01:30:00+00'::timestamptz + g * interval '37 minutes 13.123456 seconds',
       CASE WHEN g % 13 = 0 THEN NULL ELSE (g * 12345.678901)::numeric(30, 8) END,
       CASE WHEN g % 5 = 0 THEN NULL ELSE ARRAY['a' || g, NULL, 'ü,{x}"y'] END,
       jsonb_build_object('g', g, 'nested', jsonb_build_array(1, 'two', NULL, g * 0.5)),
       decode(lpad(to_hex(g), 8, '0') || '00ff', 'hex'),
       md5(g::text)::uuid,
       CASE g % 4 WHEN 0 THEN 'NaN'::float8 WHEN 1 THEN '-Infinity'::float8 ELSE g / 3.0 END,
       json_build_object('k', g, 'dup', 1)
  FROM generate_series(1, 1500) g;
CREATE TABLE app.orders (
    id serial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES app.customers (id),
    total numeric CHECK (total >= 0),
    total_cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED,
    placed_at timestamptz DEFAULT now(),
    quantities int[][]
);
INSERT INTO app.orders (customer_id, total, placed_at, quantities)
SELECT 1 + g % 1500, round((g * 3.17)::numeric, 2),
       '2024-01-01'::timestamptz + g * interval '1 hour',
       ARRAY[[g, g + 1], [g + 2, NULL]]
  FROM generate_series(1, 4000) g;
CREATE INDEX orders_placed_at_idx ON app.orders (placed_at);
COMMENT ON TABLE app.orders IS 'orders, with a comment';
CREATE TABLE app.events (
    id bigint NOT NULL, at timestamptz NOT NULL, kind text, payload jsonb,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE app.events_2024q1 PARTITION OF app.events
    FOR VALUES FROM ('2024-01-01') TO ('2024-04-01');
CREATE TABLE app.events_2024q2 PARTITION OF app.events
    FOR VALUES FROM ('2024-04-01') TO ('2024-07-01');
CREATE TABLE app.events_other PARTITION OF app.events DEFAULT;
CREATE INDEX events_kind_idx ON app.events (kind);
INSERT INTO app.events
SELECT g, '2024-01-01'::timestamptz + g * interval '1 hour', 'kind' || g % 5,
       CASE WHEN g % 3 = 0 THEN NULL ELSE jsonb_build_object('v', g) END
  FROM generate_series(1, 5000) g;
CREATE TABLE app.audit_log (at timestamptz, message text, data bytea);
INSERT INTO app.audit_log
SELECT '2024-01-01'::timestamptz + g * interval '1 second', repeat('log line ' || g, 8),
       CASE WHEN g % 9 = 0 THEN NULL ELSE sha256(g::text::bytea) END
  FROM generate_series(1, 12000) g;
INSERT INTO app.audit_log SELECT * FROM app.audit_log LIMIT 50;  -- real duplicate rows
CREATE TABLE app.big (id integer PRIMARY KEY, body text, n numeric, mood app.mood);
INSERT INTO app.big SELECT g, repeat(chr(65 + g % 26), 100), g / 7.0,
       (enum_range(NULL::app.mood))[1 + g % 4]
  FROM generate_series(1, 15000) g;
CREATE SEQUENCE app.invoice_no START 1000;
SELECT nextval('app.invoice_no') FROM generate_series(1, 5);
CREATE VIEW app.customer_totals AS
  SELECT c.id, c.name, sum(o.total) AS total FROM app.customers c
  JOIN app.orders o ON o.customer_id = c.id GROUP BY c.id, c.name;
CREATE MATERIALIZED VIEW app.mood_counts AS
  SELECT mood, count(*) AS n FROM app.customers GROUP BY mood;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN NEW.placed_at := coalesce(NEW.placed_at, now()); RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE INSERT ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE TABLE public.settings (key text PRIMARY KEY, value text);
INSERT INTO public.settings VALUES ('a', NULL), ('b', '');
"""


def build_awkward(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(AWKWARD_SCHEMA)


def fingerprint(url: str) -> dict[str, str]:
    """md5 over every user table's rows (sorted text) and every sequence's state."""
    out: dict[str, str] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET extra_float_digits = 3")
        tables = conn.execute(
            "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = "
            "c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', "
            "'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1"
        ).fetchall()
        for (table,) in tables:
            out[table] = conn.execute(
                f"SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, E'\\n' "
                f"ORDER BY r::text COLLATE \"C\")), '') FROM ONLY {table} r"
            ).fetchone()[0]
        seqs = conn.execute(
            "SELECT c.oid::regclass::text FROM pg_class c WHERE c.relkind = 'S' ORDER BY 1"
        ).fetchall()
        for (seq,) in seqs:
            out[seq] = str(conn.execute(f"SELECT last_value, is_called FROM {seq}").fetchone())
    return out


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `trudeploy migrate postgres` in a subprocess, as an operator would."""
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "migrate", "postgres", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=Path(__file__).resolve().parents[2],
        timeout=600,
        check=False,
    )


def report(done: subprocess.CompletedProcess[str]) -> dict:
    assert done.stdout.strip(), f"no JSON report; stderr:\n{done.stderr}"
    return json.loads(done.stdout)


def journal_files(state: Path) -> list[Path]:
    return sorted((state / "runs").glob("*.sqlite")) if (state / "runs").exists() else []


def done_units(journal: Path) -> int:
    """Data units a (possibly running) run has journaled done; read-only, safe while it writes."""
    try:
        with sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5) as db:
            return db.execute(
                "SELECT count(*) FROM unit WHERE state = 'done' AND name LIKE 'data:%'"
            ).fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def user_objects(url: str) -> int:
    """Relations, functions and types a database holds outside the system schemas."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
            "c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%') + (SELECT count(*) FROM pg_proc p JOIN "
            "pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN ('pg_catalog', "
            "'information_schema'))"
        ).fetchone()[0]
