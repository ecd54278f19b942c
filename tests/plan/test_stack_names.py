"""Project and stack names are checked where they become cloud names (stacks/names.py): a clear
config error at validate/plan time naming the key and what would be valid, never a cloud error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from plan_stackfiles import REPO, docker_config, project_with_stack

from core.vocabulary import TargetName
from stacks.config import ConfigError
from stacks.names import LIMITS, name_errors
from stacks.offline.runner import build_plan


@pytest.mark.parametrize(
    ("project", "stack", "fragment"),
    [
        ("My_App", "dev", "Pulumi.yaml: name 'My_App' must be lowercase"),
        ("my.app", "dev", "Pulumi.yaml: name 'my.app'"),
        ("9app", "dev", "starting with a letter"),
        ("app-", "dev", "Pulumi.yaml: name 'app-'"),
        ("app", "Prod", "stack name 'Prod' must be lowercase"),
        ("app", "eu_west", "stack name 'eu_west'"),
        ("app", "a--b", "stack name 'a--b'"),
        ("app", "-dev", "stack name '-dev'"),
    ],
)
def test_a_name_the_cloud_refuses_is_a_config_error(
    project: str, stack: str, fragment: str
) -> None:
    errors = name_errors(project, stack, TargetName.docker)
    assert len(errors) == 1 and fragment in errors[0], errors


@pytest.mark.parametrize(("project", "stack"), [("trudeploy", "dev"), ("app2", "eu-1"), ("a", "9")])
def test_valid_names_pass(project: str, stack: str) -> None:
    assert name_errors(project, stack, TargetName.aws) == []


def test_the_aws_length_budget_comes_from_the_32_character_elb_names() -> None:
    assert name_errors("trudeploy", "staging-eu1", TargetName.aws) == []  # prefix: 21 characters
    errors = name_errors("trudeploy", "staging-eu12", TargetName.aws)  # 22
    assert len(errors) == 2
    assert "target group name 'trudeploy-staging-eu12-app-lb-web' would be 33" in errors[1]
    assert (
        "within 21 characters (with project 'trudeploy', a stack name of at most 11)" in errors[1]
    )
    assert name_errors("trudeploy", "staging-eu12", TargetName.docker) == []


def test_the_length_budgets_match_the_names_the_real_plans_build() -> None:
    """LIMITS restates how targets build names from `<project>-<stack>`; if a target renames a
    resource, this fails until the budget follows."""
    for stack, target in (
        ("prod", TargetName.aws),
        ("dev", TargetName.docker),
        ("prod-k8s", TargetName.kubernetes),
        ("prod-gcp", TargetName.gcp),
        ("prod-azure", TargetName.azure),
    ):
        plan = json.dumps(build_plan(stack, REPO).to_dict())
        for limit in LIMITS[target]:
            built = limit.name(f"trudeploy-{stack}")
            if limit.what == "IAM role name":  # autonamed: the hex suffix differs
                built = built.rsplit("-", 1)[0] + "-"
            assert f'"{built}' in plan, (target, limit.what, built)


def test_validate_and_plan_reject_a_bad_stack_name_before_any_resource(tmp_path: Path) -> None:
    root = project_with_stack("Dev_1", docker_config("development"), tmp_path)
    with pytest.raises(ConfigError) as caught:
        build_plan("Dev_1", root)
    assert caught.value.errors == [name_errors("trudeploy", "Dev_1", TargetName.docker)[0]]
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "validate", "--root", str(root)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={"COLUMNS": "300", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert proc.returncode == 2
    assert "Pulumi.Dev_1.yaml: stack name 'Dev_1' must be lowercase" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_a_bad_project_name_is_reported_against_pulumi_yaml(tmp_path: Path) -> None:
    root = project_with_stack("dev", docker_config("development"), tmp_path)
    pulumi_yaml = root / "Pulumi.yaml"
    pulumi_yaml.write_text(pulumi_yaml.read_text().replace("name: trudeploy", "name: TruDeploy"))
    with pytest.raises(ConfigError) as caught:
        build_plan("dev", root)
    assert "Pulumi.yaml: name 'TruDeploy'" in caught.value.errors[0]
