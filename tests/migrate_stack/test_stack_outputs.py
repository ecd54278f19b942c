"""Bad outputs files: exit 2, the file and the key named, no run journaled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

GOOD = {
    "databaseUrl": "postgresql://app:pw@127.0.0.1:1/app",
    "redisUrl": "redis://127.0.0.1:1/0",
    "storageUrl": "s3://media/",
}


def _run(tmp_path: Path, source: object, target: object, *extra: str) -> tuple[int, str]:
    files = []
    for name, content in (("from.json", source), ("to.json", target)):
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        files.append(path)
    result = CliRunner().invoke(
        app,
        ["migrate", "stack", "--from-outputs", str(files[0]), "--to-outputs", str(files[1]),
         *extra],
        env={"TRUDEPLOY_STATE_DIR": str(tmp_path / "state"), "COLUMNS": "300"},
    )  # fmt: skip
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("{not json", GOOD, ["--from-outputs", "from.json", "not JSON"]),
        ([1, 2], GOOD, ["--from-outputs", "from.json", "JSON object"]),
        (GOOD, {**GOOD, "redisUrl": None}, ["--to-outputs", "to.json", "'redisUrl' is missing"]),
        (
            GOOD,
            {**GOOD, "redisUrl": "rediss://127.0.0.1:1/0", "redisCaCert": "not pem"},
            ["--to-outputs", "to.json", "'redisCaCert' is not a PEM certificate"],
        ),
        (
            {**GOOD, "redisCaCert": "-----BEGIN CERTIFICATE-----\\nMII\\n"},
            GOOD,
            ["--from-outputs", "from.json", "'redisUrl' is not rediss://"],
        ),
        (
            GOOD,
            {**GOOD, "databaseUrl": "[secret]"},
            ["'databaseUrl' is [secret]", "--show-secrets"],
        ),
        (GOOD, {**GOOD, "storageAccessKeyId": "AKIA"}, ["'storageSecretAccessKey' go together"]),
        (GOOD, {**GOOD, "storageUrl": 3}, ["'storageUrl' must be a string"]),
    ],
)
def test_bad_outputs_are_refused_naming_file_and_key(tmp_path, source, target, expected):
    code, output = _run(tmp_path, source, target)
    assert code == 2, output
    for text in expected:
        assert text in output
    assert not (tmp_path / "state").exists()


def test_every_problem_of_both_files_is_named_at_once(tmp_path):
    code, output = _run(tmp_path, {"redisUrl": "redis://x"}, {**GOOD, "storageUrl": ""})
    assert code == 2
    assert "from.json: output 'databaseUrl' is missing" in output
    assert "from.json: output 'storageUrl' is missing" in output
    assert "to.json: output 'storageUrl' is missing" in output


def test_a_missing_file_is_named(tmp_path):
    result = CliRunner().invoke(
        app,
        ["migrate", "stack", "--from-outputs", str(tmp_path / "nope.json"),
         "--to-outputs", str(tmp_path / "nope2.json")],
        env={"TRUDEPLOY_STATE_DIR": str(tmp_path / "state"), "COLUMNS": "300"},
    )  # fmt: skip
    assert result.exit_code == 2
    assert "nope.json: cannot read it" in result.output
    assert "nope2.json: cannot read it" in result.output


def test_a_side_given_twice_or_not_at_all_is_refused(tmp_path):
    (tmp_path / "o.json").write_text(json.dumps(GOOD))
    result = CliRunner().invoke(
        app, ["migrate", "stack", "--from", "dev", "--from-outputs", str(tmp_path / "o.json")]
    )
    assert result.exit_code == 2
    assert "either --from STACK or --from-outputs FILE" in result.output
    assert "either --to STACK or --to-outputs FILE" in result.output


def test_stacks_are_read_through_the_engine_and_refused_clearly_without_it(tmp_path):
    runner = CliRunner()
    env = {"TRUDEPLOY_STATE_DIR": str(tmp_path / "state"), "PATH": "/nonexistent", "COLUMNS": "300"}
    unknown = runner.invoke(app, ["migrate", "stack", "--from", "nosuch", "--to", "prod"], env=env)
    assert unknown.exit_code == 2
    assert "Pulumi.nosuch.yaml: no such stack file" in unknown.output
    no_cli = runner.invoke(app, ["migrate", "stack", "--from", "staging", "--to", "prod"], env=env)
    assert no_cli.exit_code == 2
    assert "the Pulumi CLI is not on PATH" in no_cli.output
    assert not (tmp_path / "state").exists()
