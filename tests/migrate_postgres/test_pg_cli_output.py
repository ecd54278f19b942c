"""What `trudeploy migrate postgres` tells its operator (issue 17): notes before the copy, row
estimates for tables never analysed, versions as PostgreSQL prints them, a dry run's plan, resume
with the password moved out of the URL, and one database given as both sides."""

from __future__ import annotations

import re
import stat
from urllib.parse import urlsplit, urlunsplit

import psycopg
from pg_helpers import cli, journal_files, report, user_objects


def _flat(text: str) -> str:
    """stderr without rich's line wrapping."""
    return " ".join(text.split())


def _estimates(found: dict) -> dict[str, int]:
    """Estimated rows per table from the plan's "largest tables" note."""
    (note,) = [n for n in found["preflight"] if n.startswith("largest tables:")]
    return {
        name: int(rows.replace(",", ""))
        for name, rows in re.findall(r"(\S+) \(~([\d,]+) rows", note)
    }


def _unanalysed_source(url: str) -> None:
    """A small and a large (over 10 MB) table that no ANALYZE has seen; autovacuum is off on them
    so it cannot analyse them while the test runs."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE small (id int PRIMARY KEY, v text) WITH (autovacuum_enabled = off)"
        )
        conn.execute("INSERT INTO small SELECT g, 'v' || g FROM generate_series(1, 3000) g")
        conn.execute("CREATE TABLE big (id int, v text) WITH (autovacuum_enabled = off)")
        conn.execute("INSERT INTO big SELECT g, repeat('x', 40) FROM generate_series(1, 250000) g")
        assert (
            conn.execute(
                "SELECT count(*) FROM pg_class WHERE relname IN ('small', 'big') AND reltuples < 0"
            ).fetchone()[0]
            == 2
        )


def test_dry_run_plan_estimates_and_versions(make_database, state_dir) -> None:
    source, target = make_database("pgsrc"), make_database("pgdst")
    _unanalysed_source(source)
    human = cli("--from", source, "--to", target, "--dry-run")
    assert human.returncode == 0, human.stderr
    text = _flat(human.stderr)
    assert "run id" not in text
    assert "dry run, nothing written" in text
    assert "plan: 2 units over 2 tables" in text and "largest tables: public.big" in text
    version = psycopg.connect(source).info.server_version
    shown = f"{version // 10000}.{version % 10000}"
    assert f"versions: source {shown}, target {shown}" in text
    assert str(version) not in text
    found = report(cli("--from", source, "--to", target, "--dry-run", "--json"))
    rows = _estimates(found)
    assert rows["public.small"] == 3000  # small: counted
    assert 125_000 <= rows["public.big"] <= 500_000  # large: the planner's estimate, not 0
    assert found["run_id"] is None  # no journal, no run to name
    assert journal_files(state_dir) == [] and user_objects(target) == 0


def test_notes_are_printed_before_the_copy(make_database, state_dir) -> None:
    source, target = make_database("pgsrc"), make_database("pgdst")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE TABLE keyless (a int)")
        conn.execute("INSERT INTO keyless SELECT generate_series(1, 500)")
    done = cli("--from", source, "--to", target)
    assert done.returncode == 0, done.stderr
    text = _flat(done.stderr)
    copying = text.index("verify tables")  # a progress bar: the copy has run
    for note in ("tables without a primary key (1): public.keyless", "not copied (by design)"):
        assert -1 < text.index(note) < copying, done.stderr
    assert text.count("not copied (by design)") == 1  # not printed again in the summary


def _with(
    url: str, *, password: str | None = None, host: str | None = None, port: int | None = None
) -> str:
    """`url` with its password, host or port replaced."""
    parts = urlsplit(url)
    user = parts.username or "postgres"
    secret = f":{password}" if password else ""
    netloc = f"{user}{secret}@{host or parts.hostname}:{port or parts.port or 5432}"
    return urlunsplit(parts._replace(netloc=netloc))


def test_resume_with_password_from_environment_or_file(make_database, state_dir, tmp_path) -> None:
    """The server trusts local connections, so the password is not checked: what is tested is
    that the run's endpoints are recognised without it."""
    source, target = make_database("pgsrc"), make_database("pgdst")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE TABLE items (id int PRIMARY KEY)")
        conn.execute("INSERT INTO items SELECT generate_series(1, 100)")
    first = cli(
        "--from",
        _with(source, password="s3cret"),
        "--to",
        _with(target, password="s3cret"),
        "--json",
    )
    assert first.returncode == 0, first.stderr
    run_id = journal_files(state_dir)[0].stem
    by_env = cli("--from", source, "--to", target, "--resume", run_id, env={"PGPASSWORD": "s3cret"})
    assert by_env.returncode == 0, by_env.stderr
    passfile = tmp_path / "pgpass"
    passfile.write_text("*:*:*:postgres:s3cret\n")
    passfile.chmod(stat.S_IRUSR | stat.S_IWUSR)
    by_file = cli(
        "--from", source, "--to", target, "--resume", run_id, env={"PGPASSFILE": str(passfile)}
    )
    assert by_file.returncode == 0, by_file.stderr
    port = urlsplit(target).port or 5432
    refused = cli("--from", source, "--to", _with(target, port=port + 1), "--resume", run_id)
    assert refused.returncode == 2
    assert f"--to port: the run had '{port}', now '{port + 1}'" in _flat(refused.stderr)
    assert "--from" not in _flat(refused.stderr).split("(", 1)[-1]  # only what differs


def test_same_database_refused(make_database, state_dir) -> None:
    """One database named two ways (another host name) is refused as itself, not as "not
    empty"; and nothing is written."""
    source = make_database("pgsrc")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE TABLE items (id int PRIMARY KEY)")
    host = urlsplit(source).hostname
    alias = _with(source, host="localhost" if host != "localhost" else "127.0.0.1")
    done = cli("--from", source, "--to", alias)
    assert done.returncode == 2
    text = _flat(done.stderr)
    assert text.startswith("refused --from and --to are the same database"), text
    assert "not empty" not in text
    assert not journal_files(state_dir)
