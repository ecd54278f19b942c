"""`trudeploy plan --all --json`: every stack file planned in one process, judged like `plan -s`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from stacks.offline.plans import FORMAT

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={"COLUMNS": "400", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
    )


def test_every_repo_stack_is_planned_and_matches_the_single_stack_plan() -> None:
    proc = cli("plan", "--all", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["format"] == FORMAT
    files = {
        path.name[len("Pulumi.") : -len(".yaml")]: yaml.safe_load(path.read_text())["config"][
            "trudeploy:target"
        ]
        for path in REPO.glob("Pulumi.*.yaml")
    }
    assert {"dev": "docker", "prod": "aws", "staging": "render"}.items() <= files.items()
    assert {k: v["target"] for k, v in doc["stacks"].items()} == files
    single = json.loads(cli("plan", "-s", "dev", "--json").stdout)
    assert doc["stacks"]["dev"]["plan"] == single
    # render's documented exceptions travel with the plan, not as violations
    assert doc["stacks"]["staging"]["invariants"]["excused"]
    assert not any(v["invariants"]["broken"] for v in doc["stacks"].values())


def test_a_bad_stack_is_recorded_and_the_others_still_planned(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "tests" / "plan"))
    from plan_stackfiles import docker_config, project_with_stack

    project_with_stack("good", docker_config("development"), tmp_path)
    (tmp_path / "Pulumi.bad.yaml").write_text("config:\n  trudeploy:env: prod\n")
    proc = cli("plan", "--all", "--json", "--root", str(tmp_path))
    assert proc.returncode == 2
    doc = json.loads(proc.stdout)
    assert doc["stacks"]["good"]["plan"]["resources"]
    assert doc["stacks"]["bad"]["plan"] is None
    assert any("trudeploy:target: Field required" in e for e in doc["stacks"]["bad"]["errors"])
    assert "bad: Pulumi.bad.yaml: trudeploy:target: Field required" in proc.stderr


def test_plan_needs_a_stack_or_all() -> None:
    for args in ((), ("-s", "dev", "--all")):
        proc = cli("plan", *args)
        assert proc.returncode == 2
        assert "give exactly one of --stack STACK or --all" in proc.stderr


def test_the_terminal_form_lists_each_stack(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "tests" / "plan"))
    from plan_stackfiles import docker_config, project_with_stack

    project_with_stack("one", docker_config("development"), tmp_path)
    (tmp_path / "Pulumi.two.yaml").write_text("config:\n  trudeploy:env: prod\n")
    proc = cli("plan", "--all", "--root", str(tmp_path))
    assert proc.returncode == 2
    lines = proc.stdout.splitlines()
    assert any(line.startswith("one (docker): ok, ") for line in lines), proc.stdout
    assert "two (?): not planned, 0 resources" in lines
