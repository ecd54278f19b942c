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
        ("indexes", "objects"),
        ("app.audit_log", "rows"),
        ("app.audit_log", "hash"),
        ("app.big", "hash"),
    }
    indexes = next(c for c in report(done)["checks"] if c["subject"] == "indexes")
    assert "app.orders_placed_at_idx" in indexes["detail"]
