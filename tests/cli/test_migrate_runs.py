"""`trudeploy migrate runs` lists the journals of the state directory, passwords redacted."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from typer.testing import CliRunner

from cli.main import app
from migrate.journal import Journal


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRUDEPLOY_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def _with_password(url: str) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username or 'postgres'}:hunter2@{parts.hostname}:{parts.port or 5432}"
    return urlunsplit(parts._replace(netloc=netloc))


def _runs(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["migrate", "runs", *args], env={"COLUMNS": "250"})
    return result.exit_code, result.stdout


def test_no_runs_names_the_folder(state: Path) -> None:
    code, out = _runs()
    assert code == 0
    assert f"no runs in {state / 'runs'}" in " ".join(out.split())
    assert _runs("--json") == (0, "[]\n")


def test_lists_a_real_run_and_redacts_passwords(state: Path, make_database) -> None:
    source, target = make_database("runsrc"), make_database("rundst")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE TABLE items (id int PRIMARY KEY)")
        conn.execute("INSERT INTO items SELECT generate_series(1, 10)")
    src, dst = _with_password(source), _with_password(target)
    copied = CliRunner().invoke(app, ["migrate", "postgres", "--from", src, "--to", dst, "--json"])
    assert copied.exit_code == 0, copied.stderr
    run_id = json.loads(copied.stdout)["run_id"]
    # A journal whose endpoints were stored unredacted (as no release writes them, but a hand-
    # made or future one might) still never shows its password.
    legacy = Journal.create(
        "redis", {"source": "redis://:topsecret@10.0.0.1:6379", "target": "redis://10.0.0.2"}
    )
    legacy.set_status("failed")
    legacy.close()

    code, out = _runs("--json")
    assert code == 0
    listed = {run["id"]: run for run in json.loads(out)}
    assert set(listed) == {run_id, legacy.run_id}
    ours = listed[run_id]
    assert (ours["store"], ours["state"]) == ("postgres", "verified")
    assert ours["source"] == source.replace("postgres@", "postgres:***@", 1)
    assert ours["target"] == target.replace("postgres@", "postgres:***@", 1)
    assert ours["started"].endswith("Z") and ours["path"].startswith(str(state / "runs"))
    assert listed[legacy.run_id]["source"] == "redis://:***@10.0.0.1:6379"
    assert listed[legacy.run_id]["state"] == "failed"

    code, table = _runs()
    assert code == 0
    assert run_id in table and legacy.run_id in table and "verified" in table
    assert "hunter2" not in out + table and "topsecret" not in out + table


def test_unreadable_journal_is_named(state: Path) -> None:
    (state / "runs").mkdir(parents=True)
    (state / "runs" / "postgres-broken.sqlite").write_bytes(b"not a database at all" * 100)
    result = CliRunner().invoke(app, ["migrate", "runs"], env={"COLUMNS": "250"})
    assert result.exit_code == 2
    assert "postgres-broken.sqlite: not a readable journal" in result.stderr
    assert "Traceback" not in result.stderr
