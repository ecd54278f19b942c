"""`trudeploy validate` and `trudeploy plan`: exit codes, one clear message, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from plan_stackfiles import docker_config, project_with_stack

REPO = Path(__file__).resolve().parents[2]


def trudeploy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )


def test_validate_checks_the_repo_stack_files_and_their_targets() -> None:
    proc = trudeploy("validate", "--json")
    report = json.loads(proc.stdout)
    by_file = {s["file"]: s for s in report["stacks"]}
    assert sorted(by_file) == [
        "Pulumi.dev.yaml",
        "Pulumi.prod-azure.yaml",
        "Pulumi.prod-gcp.yaml",
        "Pulumi.prod-k8s.yaml",
        "Pulumi.prod.yaml",
        "Pulumi.staging.yaml",
    ]
    assert all(by_file[f]["ok"] for f in by_file), report
    assert report["ok"] is True
    assert proc.returncode == 0


def test_validate_fails_with_exit_2_on_a_bad_file(tmp_path: Path) -> None:
    project_with_stack("good", docker_config("development"), tmp_path)
    (tmp_path / "Pulumi.bad.yaml").write_text("config:\n  trudeploy:env: prod\n")
    proc = trudeploy("validate", "--root", str(tmp_path))
    assert proc.returncode == 2
    assert "Pulumi.bad.yaml: trudeploy:env: Input should be 'development'" in proc.stdout
    assert "Pulumi.bad.yaml: trudeploy:target: Field required" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_plan_dev_prints_the_tree() -> None:
    proc = trudeploy("plan", "-s", "dev")
    assert proc.returncode == 0, proc.stderr
    for name in (
        "trudeploy-dev-app-web",
        "trudeploy-dev-app-beat",
        "trudeploy-dev-network-backend",
    ):
        assert name in proc.stdout
    assert "[secret]" in proc.stdout  # databaseUrl output, masked


def test_plan_json_is_the_plan() -> None:
    proc = trudeploy("plan", "-s", "dev", "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (Path(__file__).parent / "golden" / "dev.json").read_text()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {**docker_config("development"), "trudeploy:app": {"port": "eighty"}},
            "Pulumi.bad.yaml: trudeploy:app.port: Input should be a valid integer",
        ),
        (
            {**docker_config("development"), "trudeploy:target": "heroku"},
            "Pulumi.bad.yaml: trudeploy:target: Input should be 'docker', 'render', 'aws'",
        ),
        (
            docker_config("development", redis={"provider": "external"}),
            "Pulumi.bad.yaml: trudeploy: redis.provider is external but the secret "
            "trudeploy:redisUrl is missing",
        ),
    ],
    ids=["wrong-type", "unknown-target", "missing-secret"],
)
def test_plan_bad_input_exits_2_with_one_message(
    tmp_path: Path, config: dict, message: str
) -> None:
    project_with_stack("bad", config, tmp_path)
    proc = trudeploy("plan", "-s", "bad", "--root", str(tmp_path))
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert message in lines[0]
    assert "Traceback" not in proc.stdout + proc.stderr


def test_plan_of_a_missing_stack_file_exits_2() -> None:
    proc = trudeploy("plan", "-s", "nosuchstack")
    assert proc.returncode == 2
    assert "Pulumi.nosuchstack.yaml: no such stack file in" in proc.stderr
    assert proc.stderr.strip().endswith(
        "stacks here: dev, prod, prod-azure, prod-gcp, prod-k8s, staging"
    )


def test_plan_and_validate_default_to_the_project_in_the_current_directory(
    tmp_path: Path,
) -> None:
    project_with_stack("local", docker_config("development"), tmp_path)
    for args in (("validate", "--json"), ("plan", "-s", "local", "--json")):
        proc = subprocess.run(
            [sys.executable, "-m", "cli.main", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
        )
        assert proc.returncode == 0, proc.stderr
        assert "local" in proc.stdout


def test_plan_staging_plans_the_render_target() -> None:
    proc = trudeploy("plan", "-s", "staging", "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (Path(__file__).parent / "golden" / "staging.json").read_text()


def test_plan_of_an_azure_stack_without_its_location_names_the_setting(tmp_path: Path) -> None:
    """Every target is filled now (azure was the last): the Azure plan runs from a stack file,
    and without `azure-native:location` it stops naming that setting."""
    config = {**docker_config("development"), "trudeploy:target": "azure"}
    project_with_stack("aks", {**config, "azure-native:location": "westeurope"}, tmp_path)
    assert trudeploy("plan", "-s", "aks", "--root", str(tmp_path)).returncode == 0
    project_with_stack("aks", config, tmp_path)
    proc = trudeploy("plan", "-s", "aks", "--root", str(tmp_path))
    assert proc.returncode != 0
    assert "azure-native:location" in proc.stderr
    assert "Traceback" not in proc.stderr
