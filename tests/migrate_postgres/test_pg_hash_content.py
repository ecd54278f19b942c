"""The content hash sees what the data is, not what its type calls equal, and values moved
between rows. Each case builds the same table in two real databases, changes one side, and
compares the digests verification computes (`verify.table_digest`, both hash methods)."""

from __future__ import annotations

import psycopg
import pytest

from migrate.postgres.catalog import tables
from migrate.postgres.conn import apply_verify_settings, connect_source, parse_url
from migrate.postgres.verify import table_digest

# (column type, value on the source, a value its type calls equal but that is other data)
EQUAL_BUT_DIFFERENT = [
    ("numeric", "1.0", "1.00"),
    ("numeric", "NaN", "0"),  # controls: not equal, but NaN, 0 and the infinities hash alike
    ("numeric", "Infinity", "-Infinity"),
    ("numeric", "NaN", "Infinity"),
    ("numeric[]", "{1.0,2}", "{1.00,2}"),
    ("money_like", "1.0", "1.000"),  # a domain over numeric
    ("interval", "1 day", "24 hours"),
    ("interval", "1 mon", "30 days"),
    ("double precision", "0", "-0"),
    ("real", "-0", "0"),
    ("float8[]", "{0,1}", "{-0,1}"),
    ("jsonb", '{"a": 1.0}', '{"a": 1.00}'),
    ("text COLLATE ci", "Straße", "STRASSE"),
    ("text COLLATE ci", "abc", "ABC"),
    ("text[] COLLATE ci", "{abc}", "{ABC}"),
    ("citext", "Hello", "hello"),
]


def _digests(url: str, method: str) -> dict[str, tuple[int, str]]:
    with connect_source(parse_url(url, "--from")) as conn:
        conn.autocommit = True
        apply_verify_settings(conn)
        return {t.qualified: table_digest(conn, t, method) for t in tables(conn)}


def _prepare(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION citext")
        conn.execute(
            "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level1', "
            "deterministic = false)"
        )
        conn.execute("CREATE DOMAIN money_like AS numeric")


@pytest.mark.parametrize("method", ["record", "text"])
def test_equal_under_the_type_but_different_data_differs(make_database, method) -> None:
    source, target = make_database("pgsrc"), make_database("pgdst")
    for url in (source, target):
        _prepare(url)
    for i, (kind, value, _other) in enumerate(EQUAL_BUT_DIFFERENT):
        for url in (source, target):
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f"CREATE TABLE t{i} (id int PRIMARY KEY, v {kind})")
                conn.execute(f"INSERT INTO t{i} VALUES (1, %s), (2, NULL)", (value,))
    assert _digests(source, method) == _digests(target, method)  # same content, same digest

    with psycopg.connect(target, autocommit=True) as conn:
        for i, (kind, value, other) in enumerate(EQUAL_BUT_DIFFERENT):
            base, _, collation = kind.partition(" COLLATE ")
            collate = f" COLLATE {collation}" if collation else ""
            equal = conn.execute(
                f"SELECT %s::{base}{collate} = %s::{base}", (value, other)
            ).fetchone()[0]
            control = kind == "numeric" and ("NaN" in value + other or "Inf" in value + other)
            assert equal != control, f"{kind}: {value!r} = {other!r} is the case under test"
            conn.execute(f"UPDATE t{i} SET v = %s WHERE id = 1", (other,))
    src, tgt = _digests(source, method), _digests(target, method)
    same = [
        f"{kind}: {value} vs {other}"
        for i, (kind, value, other) in enumerate(EQUAL_BUT_DIFFERENT)
        if src[f"public.t{i}"] == tgt[f"public.t{i}"]
    ]
    assert same == []


def test_values_moved_between_rows_differ(make_database) -> None:
    """Swapping one column's values between two rows keeps every column's multiset: a digest
    that sums a linear row hash cannot see it. Every one of these swaps must be seen."""
    source, target = make_database("pgsrc"), make_database("pgdst")
    ddl = "CREATE TABLE m (id int PRIMARY KEY, a int, b text, c bigint, d uuid)"
    fill = (
        "INSERT INTO m SELECT g, g * 7, 'b' || g, g * 1000003, md5(g::text)::uuid "
        "FROM generate_series(1, 200) g"
    )
    for url in (source, target):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(ddl)
            conn.execute(fill)
    assert _digests(source, "record") == _digests(target, "record")
    unseen = []
    for column, (x, y) in [
        ("a", (1, 2)),
        ("a", (10, 150)),
        ("b", (3, 4)),
        ("c", (5, 99)),
        ("d", (6, 7)),
        ("id", (8, 9)),  # the key given another row's values
    ]:
        swap = (
            f"UPDATE m SET {column} = CASE id WHEN {x} THEN (SELECT {column} FROM m WHERE id = {y})"
            f" ELSE (SELECT {column} FROM m WHERE id = {x}) END WHERE id IN ({x}, {y})"
        )
        if column == "id":
            swap = (
                f"UPDATE m SET id = CASE id WHEN {x} THEN -{y} ELSE -{x} END "
                f"WHERE id IN ({x}, {y}); UPDATE m SET id = -id WHERE id < 0"
            )
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(swap)
            if _digests(target, "record") == _digests(source, "record"):
                unseen.append(f"{column} {x}<->{y}")
            conn.execute(swap)  # swap back
    assert _digests(source, "record") == _digests(target, "record")
    assert unseen == []
