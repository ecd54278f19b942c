"""Verification fails loudly: a changed or lost row, a sequence, a missing index on the target."""

from __future__ import annotations

import psycopg
from pg_helpers import build_awkward, cli, fingerprint, journal_files, report


def _copied(make_database, state_dir) -> tuple[str, str, str]:
    source, target = make_database("pgsrc"), make_database("pgdst")
    build_awkward(source)
    done = cli("--from", source, "--to", target, "--chunk-size", "256kB", "--json")
    assert done.returncode == 0, done.stderr
    return source, target, journal_files(state_dir)[0].stem


def test_one_corrupted_row_names_its_table(make_database, state_dir) -> None:
    source, target, run_id = _copied(make_database, state_dir)
    before = fingerprint(source)
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("UPDATE app.big SET body = body || '!' WHERE id = 7777")

    # Resuming a finished run re-runs only verification.
    done = cli("--from", source, "--to", target, "--resume", run_id, "--json")

    assert done.returncode == 1
    result = report(done)
    assert result["status"] == "mismatch" and not result["ok"]
    failures = [(c["subject"], c["check"]) for c in result["checks"] if not c["ok"]]
    assert failures == [("app.big", "hash")]
    assert fingerprint(source) == before

    human = cli("--from", source, "--to", target, "--resume", run_id)
    assert human.returncode == 1
    assert "app.big" in human.stderr and "hash" in human.stderr


def test_every_kind_of_drift_is_reported(make_database, state_dir) -> None:
    source, target, run_id = _copied(make_database, state_dir)
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("DELETE FROM app.events_2024q2 WHERE id = 3000")
        conn.execute("UPDATE app.customers SET prefs = prefs || '{\"x\": 1}' WHERE id = 5")
        conn.execute("SELECT setval('app.invoice_no', 5000)")
        conn.execute("DROP INDEX app.orders_placed_at_idx")
        conn.execute("INSERT INTO app.audit_log (message) VALUES ('extra')")
        # an enum column enters the hash as text (enum hashes are OIDs, which differ per database)
        conn.execute("UPDATE app.big SET mood = 'sad' WHERE id = 2 AND mood <> 'sad'")

    done = cli("--from", source, "--to", target, "--resume", run_id, "--json")

    assert done.returncode == 1
    failures = {(c["subject"], c["check"]) for c in report(done)["checks"] if not c["ok"]}
    assert failures == {
        ("app.events_2024q2", "rows"),
        ("app.events_2024q2", "hash"),
        ("app.customers", "hash"),
        ("app.invoice_no", "sequence"),
        ("indexes", "definitions"),
        ("app.audit_log", "rows"),
        ("app.audit_log", "hash"),
        ("app.big", "hash"),
    }
    indexes = next(c for c in report(done)["checks"] if c["subject"] == "indexes")
    assert "app.orders_placed_at_idx" in indexes["detail"]


def test_enum_values_are_compared_by_label(make_database, state_dir) -> None:
    """Enums enter the hash by label position (short enums) or as text (long ones); both must
    verify a faithful copy whose label OIDs and sort orders differ from the source's, and both
    must catch one value changed to another label."""
    source, target = make_database("pgsrc"), make_database("pgdst")
    many = ", ".join(f"'l{i}'" for i in range(100))
    with psycopg.connect(source, autocommit=True) as conn:
        # Labels added out of order get fractional sort orders and OIDs pg_dump will not repeat.
        conn.execute("CREATE TYPE size AS ENUM ('m')")
        conn.execute("ALTER TYPE size ADD VALUE 's' BEFORE 'm'")
        conn.execute("ALTER TYPE size ADD VALUE 'xl'")
        conn.execute("ALTER TYPE size ADD VALUE 'l' BEFORE 'xl'")
        conn.execute(f"CREATE TYPE many AS ENUM ({many})")
        conn.execute("CREATE TABLE shirts (id int PRIMARY KEY, size size, code many)")
        conn.execute(
            """INSERT INTO shirts SELECT g, (enum_range(NULL::size))[1 + g % 4],
                      CASE WHEN g % 5 = 0 THEN NULL ELSE (enum_range(NULL::many))[1 + g % 100] END
                 FROM generate_series(1, 500) g"""
        )
    done = cli("--from", source, "--to", target, "--json")
    assert done.returncode == 0, done.stderr
    run_id = journal_files(state_dir)[0].stem

    for column, other in (("size", "xl"), ("code", "l99")):
        with psycopg.connect(target, autocommit=True) as conn:
            was = conn.execute(f"SELECT {column}::text FROM shirts WHERE id = 1").fetchone()[0]
            assert was != other
            conn.execute(f"UPDATE shirts SET {column} = %s WHERE id = 1", (other,))
            done = cli("--from", source, "--to", target, "--resume", run_id, "--json")
            conn.execute(f"UPDATE shirts SET {column} = %s WHERE id = 1", (was,))
        assert done.returncode == 1
        failures = [(c["subject"], c["check"]) for c in report(done)["checks"] if not c["ok"]]
        assert failures == [("public.shirts", "hash")]
    restored = cli("--from", source, "--to", target, "--resume", run_id, "--json")
    assert restored.returncode == 0, restored.stdout
