"""End-to-end copies of the awkward schema: between two databases, and to a second cluster."""

from __future__ import annotations

import psycopg
import pytest
from pg_helpers import build_awkward, cli, fingerprint, report

from migrate.postgres import schema
from migrate.postgres.catalog import tables
from migrate.postgres.conn import connect_source, parse_url
from migrate.postgres.copy import DataCopy
from migrate.postgres.plan import make_plan


def _assert_behaves_like_source(target: str) -> None:
    """What a copy must give beyond equal rows: sequences continue, constraints enforce."""
    with psycopg.connect(target, autocommit=True) as conn:
        new_id = conn.execute(
            "INSERT INTO app.customers (name) VALUES ('new') RETURNING id"
        ).fetchone()[0]
        assert new_id == 1501  # identity continues after the copied rows
        order_id = conn.execute(
            "INSERT INTO app.orders (customer_id, total) VALUES (1, 1) RETURNING id"
        ).fetchone()[0]
        assert order_id == 4001  # serial continues
        assert conn.execute("SELECT nextval('app.invoice_no')").fetchone()[0] == 1005
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("INSERT INTO app.orders (customer_id, total) VALUES (999999, 1)")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO app.orders (customer_id, total) VALUES (1, -1)")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO app.events VALUES (1, '2024-01-01 01:00+00', 'dup')")
        assert conn.execute("SELECT count(*) FROM app.mood_counts").fetchone()[0] == 5
        assert conn.execute("SELECT count(*) FROM app.customer_totals").fetchone()[0] == 1500
        analyzed = conn.execute(
            "SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"
        ).fetchone()[0]
        assert analyzed >= 8


def test_copy_between_databases(make_database, state_dir) -> None:
    source, target = make_database("pgsrc"), make_database("pgdst")
    build_awkward(source)
    before = fingerprint(source)

    done = cli("--from", source, "--to", target, "--jobs", "3", "--chunk-size", "128kB", "--json")

    assert done.returncode == 0, done.stderr + done.stdout
    result = report(done)
    assert result["status"] == "verified" and result["ok"]
    subjects = {c["subject"] for c in result["checks"] if c["check"] == "hash"}
    assert {"app.customers", "app.events_2024q1", "app.events_other", "app.audit_log"} <= subjects
    assert "app.events" not in subjects  # partitioned parent: its leaves carry the rows
    assert any("split into ranges" in line for line in result["preflight"])
    assert any(
        "without a primary key" in line and "app.audit_log" in line for line in result["preflight"]
    )
    assert result["stats"]["units"] > 10  # big (by key) and audit_log (by block) were split
    assert fingerprint(target) == before  # independent of the tool's own hashes
    assert fingerprint(source) == before  # the source was only read
    source_rows = sum(int(v.split(":")[0]) for v in before.values() if ":" in v)
    assert result["stats"]["rows_copied"] == source_rows
    _assert_behaves_like_source(target)


def test_copy_to_second_cluster(make_database, second_database, state_dir) -> None:
    source = make_database("pgsrc")
    build_awkward(source)
    before = fingerprint(source)

    done = cli(
        "--from", source, "--to", second_database, "--jobs", "2", "--chunk-size", "256kB", "--json"
    )

    assert done.returncode == 0, done.stderr + done.stdout
    assert report(done)["status"] == "verified"
    assert fingerprint(second_database) == before
    assert fingerprint(source) == before
    _assert_behaves_like_source(second_database)


def test_dry_run_plans_and_writes_nothing(make_database, state_dir) -> None:
    source, target = make_database("pgsrc"), make_database("pgdst")
    build_awkward(source)

    done = cli("--from", source, "--to", target, "--dry-run", "--chunk-size", "128kB", "--json")

    assert done.returncode == 0, done.stderr
    result = report(done)
    assert result["status"] == "planned" and result["dry_run"]
    assert any(line.startswith("plan:") for line in result["preflight"])
    assert any(line.startswith("size estimate:") for line in result["preflight"])
    assert not (state_dir / "runs").exists()
    with psycopg.connect(target) as conn:
        assert (
            conn.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
            ).fetchone()[0]
            == 0
        )


def test_text_copy_path(make_database, state_dir) -> None:
    """Text COPY, used when the servers' majors differ (binary formats may not match)."""
    source_url, target_url = make_database("pgsrc"), make_database("pgdst")
    build_awkward(source_url)
    before = fingerprint(source_url)
    source, target = parse_url(source_url, "--from"), parse_url(target_url, "--to")
    with connect_source(source) as coordinator:
        snapshot = coordinator.execute("SELECT pg_export_snapshot()").fetchone()[0]
        units = make_plan(tables(coordinator), coordinator, 64 * 1024, binary=False)
        assert not any(u.binary for u in units)
        schema.copy_pre_data(source, target, snapshot)
        DataCopy(
            source,
            target,
            snapshot,
            mark_done=lambda name, detail: None,
            resuming=False,
            on_progress=lambda n_bytes, n_rows: None,
        ).run(units, 2)
    rows_only = {k: v for k, v in before.items() if ":" in v}
    assert {k: v for k, v in fingerprint(target_url).items() if ":" in v} == rows_only
