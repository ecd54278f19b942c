"""Schema compared by definition, database settings copied and compared, event triggers created
last, and what is not copied reported."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from pg_helpers import cli, fingerprint, journal_files, report

# One object of every kind verification compares, and an event trigger that logs DDL into a
# table: created on the target before the foreign keys, it would log rows there.
DRIFT_SCHEMA = """
CREATE SCHEMA app;
CREATE TYPE app.level AS ENUM ('low', 'high');
CREATE TABLE app.accounts (
    id int PRIMARY KEY, owner text NOT NULL DEFAULT 'nobody',
    balance numeric CHECK (balance >= 0), kind text DEFAULT 'basic', level app.level
);
CREATE TABLE app.notes (id int PRIMARY KEY, account int REFERENCES app.accounts, body varchar(200));
CREATE INDEX notes_body_idx ON app.notes (body);
ALTER TABLE app.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON app.accounts USING (owner = current_user);
CREATE FUNCTION app.f(x int) RETURNS int LANGUAGE sql AS 'SELECT x + 1';
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER notes_touch BEFORE INSERT ON app.notes FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE VIEW app.rich AS SELECT id FROM app.accounts WHERE balance > 100;
CREATE SEQUENCE app.ticket INCREMENT 5;
CREATE RULE notes_keep AS ON DELETE TO app.notes DO INSTEAD NOTHING;
CREATE STATISTICS app.acc_stats (dependencies) ON owner, kind FROM app.accounts;
INSERT INTO app.accounts VALUES (1, 'a', 5, 'basic', 'low'), (2, 'b', 500, 'gold', 'high');
INSERT INTO app.notes VALUES (1, 1, 'hi'), (2, 2, 'there');
GRANT SELECT ON app.notes TO PUBLIC;
GRANT USAGE ON SCHEMA app TO PUBLIC;
CREATE TABLE app.ddl_log (id serial PRIMARY KEY, tag text);
CREATE FUNCTION app.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS
  $$ BEGIN INSERT INTO app.ddl_log (tag) VALUES (tg_tag); END $$;
CREATE EVENT TRIGGER ddl_audit ON ddl_command_end EXECUTE FUNCTION app.log_ddl();
"""

# What an operator (or a bug) could change on the target under the same names, by kind.
DRIFT = {
    "constraints": "ALTER TABLE app.accounts DROP CONSTRAINT accounts_balance_check, "
    "ADD CONSTRAINT accounts_balance_check CHECK (balance > 0)",
    "tables": "ALTER TABLE app.accounts ALTER kind SET DEFAULT 'gold'; "
    "ALTER TABLE app.notes ALTER body TYPE varchar(300)",
    "policies": "ALTER POLICY own ON app.accounts USING (true)",
    "triggers": "ALTER TABLE app.notes DISABLE TRIGGER notes_touch",
    "views": "CREATE OR REPLACE VIEW app.rich AS SELECT id FROM app.accounts WHERE balance > 1000",
    "functions": "CREATE OR REPLACE FUNCTION app.f(x int) RETURNS int LANGUAGE sql "
    "AS 'SELECT x + 2'",
    "sequences": "ALTER SEQUENCE app.ticket INCREMENT 1",
    "rules": "ALTER TABLE app.notes DISABLE RULE notes_keep",
    "statistics": "DROP STATISTICS app.acc_stats; "
    "CREATE STATISTICS app.acc_stats (ndistinct) ON owner, kind FROM app.accounts",
    "types": "ALTER TYPE app.level ADD VALUE 'mid'",
    "row security": "ALTER TABLE app.accounts FORCE ROW LEVEL SECURITY",
    "indexes": "DROP INDEX app.notes_body_idx; "
    "CREATE INDEX notes_body_idx ON app.notes (body DESC)",
    "database settings": "ALTER DATABASE {db} SET timezone = 'UTC'",
}


def _build(url: str) -> None:
    db = url.rsplit("/", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{db}" SET search_path = app, "$user", public')
        conn.execute(f"ALTER DATABASE \"{db}\" SET timezone = 'Europe/Paris'")
        conn.execute(f"ALTER DATABASE \"{db}\" SET app.tenant = 'acme, inc'")
        conn.execute(DRIFT_SCHEMA)


def test_schema_settings_and_event_triggers_copied_then_drift_caught(
    make_database, state_dir
) -> None:
    source, target = make_database("pgsrc"), make_database("pgdst")
    _build(source)
    before = fingerprint(source)

    done = cli("--from", source, "--to", target, "--jobs", "2", "--json")

    assert done.returncode == 0, done.stderr + done.stdout
    result = report(done)
    assert result["status"] == "verified"
    # the DDL-audit event trigger came last: it logged nothing on the target
    assert fingerprint(target) == before
    with psycopg.connect(target) as conn:
        assert conn.execute("SHOW search_path").fetchone()[0] == 'app, "$user", public'
        assert conn.execute("SHOW timezone").fetchone()[0] == "Europe/Paris"
        assert conn.execute("SHOW app.tenant").fetchone()[0] == "acme, inc"
    skipped = result["stats"]["not_copied"]
    assert skipped["grants"] == 2 and skipped["owners"] == ["postgres"]
    assert any(line.startswith("not copied (by design): 2 grants") for line in result["preflight"])
    checked = {c["subject"] for c in result["checks"] if c["check"] == "definitions"}
    assert set(DRIFT) <= checked

    db = target.rsplit("/", 1)[1]
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("ALTER EVENT TRIGGER ddl_audit DISABLE")
        for statement in DRIFT.values():
            conn.execute(statement.format(db=f'"{db}"'))
        conn.execute("ALTER EVENT TRIGGER ddl_audit ENABLE")
    run_id = journal_files(state_dir)[0].stem

    done = cli("--from", source, "--to", target, "--resume", run_id, "--json")

    assert done.returncode == 1
    failed = {c["subject"]: c for c in report(done)["checks"] if not c["ok"]}
    assert set(failed) == set(DRIFT)
    assert all(c["check"] == "definitions" for c in failed.values())
    assert "differs: app.accounts" in failed["tables"]["detail"]
    assert "differs: app.notes" in failed["tables"]["detail"]
    assert "differs: TimeZone" in failed["database settings"]["detail"]

    human = cli("--from", source, "--to", target, "--resume", run_id)
    assert human.returncode == 1
    assert "not copied (by design): 2 grants" in " ".join(human.stderr.split())
    assert "database settings" in human.stderr


@pytest.fixture
def non_owner(pg_admin_url) -> Iterator[str]:
    """A login role that does not own the target database (so may not ALTER DATABASE)."""
    name = f"trudeploy_nonowner_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN")
    yield name
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f"DROP ROLE {name}")


def test_settings_the_target_role_may_not_set_are_reported(
    make_database, non_owner, state_dir
) -> None:
    source, target = make_database("pgsrc"), make_database("pgdst")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE \"{source.rsplit('/', 1)[1]}\" SET timezone = 'Asia/Tokyo'")
        conn.execute("CREATE TABLE items (id int PRIMARY KEY)")
    db = target.rsplit("/", 1)[1]
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute(f'GRANT CREATE ON DATABASE "{db}" TO {non_owner}')
        conn.execute(f"GRANT CREATE ON SCHEMA public TO {non_owner}")
    as_non_owner = target.replace("postgres@", f"{non_owner}@", 1)
    try:
        done = cli("--from", source, "--to", as_non_owner, "--json")

        assert done.returncode == 1, done.stderr + done.stdout
        result = report(done)
        statement = f'ALTER DATABASE "{db}" SET "TimeZone" TO \'Asia/Tokyo\''
        assert any(
            line.startswith("not copied: 1 database settings") and statement in line
            for line in result["preflight"]
        ), result["preflight"]
        assert [(c["subject"], c["check"]) for c in result["checks"] if not c["ok"]] == [
            ("database settings", "definitions")
        ]
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(statement)  # what the report told the operator to run
        run_id = journal_files(state_dir)[0].stem
        resumed = cli("--from", source, "--to", as_non_owner, "--resume", run_id, "--json")
        assert resumed.returncode == 0, resumed.stdout
    finally:
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {non_owner}")
