"""The toolkit image a move runs from (tools/toolkit/), checked by what can run here without a
Docker engine: hadolint on the Dockerfile, ShellCheck on the entry script, the image's `uv sync`
steps resolved offline from exactly the files the Dockerfile copies, the entry script run for real,
and the Kubernetes Job validated against the Kubernetes schema the kubernetes tests use and against
the NetworkPolicies and Pod Security profile of the stack it joins."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from components.kubernetes.common import APP_ROLE, APP_UID
from tests.plan_kubernetes.manifest_schemas import problems

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
TOOLKIT = ROOT / "tools" / "toolkit"
DOCKERFILE = TOOLKIT / "Dockerfile"
ENTRYPOINT = TOOLKIT / "entrypoint.sh"
JOB = TOOLKIT / "kubernetes-job.yaml"
PROVIDER_SDKS = {
    "pulumi-aws",
    "pulumi-azure-native",
    "pulumi-gcp",
    "pulumi-kubernetes",
    "pulumi-docker",
    "pulumi-cloudflare",
    "pulumi-render",
    "pulumi-neon",
    "upstash-pulumi",
    "pulumi-random",
    "pulumi-policy",
}
MOVE_NEEDS = {"psycopg", "redis", "hiredis", "boto3", "obstore", "typer", "rich"}


def run(*command: str | Path, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(p) for p in command], capture_output=True, text=True, timeout=300, **kwargs
    )


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions (continuation lines joined, comments dropped)."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        tuple(line.split(None, 1))  # type: ignore[misc]
        for line in lines
        if line and not line.startswith("#")
    ]


def builder_steps() -> list[tuple[str, str]]:
    """The builder stage's instructions, in order."""
    steps = instructions()
    start = next(i for i, (op, arg) in enumerate(steps) if op == "FROM" and "AS builder" in arg)
    end = next(i for i, (op, _) in enumerate(steps) if op == "FROM" and i > start)
    return steps[start + 1 : end]


def test_hadolint_passes_on_the_toolkit_dockerfile():
    result = run(BIN / "hadolint", DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_shellcheck_passes_on_the_entry_script(tmp_path):
    assert run(BIN / "shellcheck", ENTRYPOINT).returncode == 0
    bad = tmp_path / "bad.sh"
    bad.write_text("#!/bin/sh\nrm -rf $dir/*\n")
    result = run(BIN / "shellcheck", bad)
    assert result.returncode != 0 and "SC2086" in result.stdout


def test_the_image_holds_every_package_of_the_toolkit_and_the_context_sends_them():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    copies = {arg.split()[0] for op, arg in builder_steps() if op == "COPY" and "--from" not in arg}
    assert set(packages) <= copies
    ignore = (TOOLKIT / "Dockerfile.dockerignore").read_text().splitlines()
    admitted = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    runtime_copies = {
        arg.split()[0] for op, arg in instructions() if op == "COPY" and "--from" not in arg
    }
    assert runtime_copies - {"pyproject.toml", "uv.lock", "README.md"} <= admitted
    assert {"pyproject.toml", "uv.lock", "README.md"} <= admitted


def test_the_uv_steps_resolve_offline_from_only_the_copied_files(tmp_path):
    """Each `RUN uv sync` of the builder, as a dry run, in a directory holding exactly what the
    Dockerfile copied before it: the lock pins everything the move needs, and nothing of the
    provider SDKs is installed."""
    env = {
        **os.environ,
        "UV_OFFLINE": "1",
        "UV_PROJECT_ENVIRONMENT": str(tmp_path / "venv"),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    context = tmp_path / "src"
    context.mkdir()
    synced = 0
    for op, arg in builder_steps():
        if op == "COPY" and "--from" not in arg:
            *sources, _ = arg.split()
            for source in sources:
                if (ROOT / source).is_dir():
                    shutil.copytree(ROOT / source, context / source)
                else:
                    shutil.copy(ROOT / source, context / source)
        if op == "RUN" and arg.startswith("uv sync"):
            words = arg.split()
            skipped = {words[i + 1] for i, w in enumerate(words) if w == "--no-install-package"}
            assert skipped == PROVIDER_SDKS
            result = run(
                ROOT / ".tools" / "bin" / "uv", *words[1:], "--dry-run", cwd=context, env=env
            )
            assert result.returncode == 0, result.stderr
            planned = {
                line.split()[1].split("==")[0]
                for line in result.stderr.splitlines()
                if line.startswith(" + ")
            }
            assert planned >= MOVE_NEEDS, planned
            assert not planned & PROVIDER_SDKS
            synced += 1
    assert synced == 2


@pytest.fixture
def stub_trudeploy(tmp_path) -> Path:
    """A `trudeploy` that reports how it was called and what the files it was given hold: the
    entry script's job ends at exec, which is what is under test here."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    stub = bindir / "trudeploy"
    stub.write_text(
        "#!/usr/bin/env python3\n"
        "import json, os, stat, sys\n"
        "args = sys.argv[1:]\n"
        "files = {a: open(a).read() for a in args if os.path.isfile(a)}\n"
        "modes = {a: oct(stat.S_IMODE(os.stat(a).st_mode)) for a in files}\n"
        "env = [k for k in os.environ if k.startswith('TRUDEPLOY_')]\n"
        "print(json.dumps({'args': args, 'files': files, 'modes': modes, 'env': env}))\n"
    )
    stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    return bindir


def entry(*args: str, bindir: Path, **env: str) -> dict:
    result = run(
        ENTRYPOINT,
        *args,
        env={"PATH": f"{bindir}:/usr/bin:/bin", "TMPDIR": str(bindir.parent), **env},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_outputs_given_as_environment_become_private_files_for_migrate_stack(stub_trudeploy):
    source, target = '{"redisUrl": "redis://a"}', '{"redisUrl": "rediss://b"}'
    seen = entry(
        "migrate",
        "stack",
        "--dry-run",
        bindir=stub_trudeploy,
        TRUDEPLOY_FROM_OUTPUTS=source,
        TRUDEPLOY_TO_OUTPUTS=target,
    )
    args = seen["args"]
    assert args[:3] == ["migrate", "stack", "--dry-run"]
    from_file = args[args.index("--from-outputs") + 1]
    to_file = args[args.index("--to-outputs") + 1]
    assert seen["files"] == {from_file: source, to_file: target}
    assert set(seen["modes"].values()) == {"0o600"}
    assert seen["env"] == []  # the JSON does not stay in the toolkit's environment


def test_files_named_on_the_command_line_win_and_other_commands_are_passed_as_is(stub_trudeploy):
    named = entry(
        "migrate",
        "stack",
        "--from-outputs=/mnt/from.json",
        bindir=stub_trudeploy,
        TRUDEPLOY_FROM_OUTPUTS="{}",
        TRUDEPLOY_TO_OUTPUTS="{}",
    )
    assert named["args"].count("--to-outputs") == 1
    assert "--from-outputs" not in named["args"]
    both = entry(
        "migrate",
        "stack",
        "--to-outputs",
        "/mnt/to.json",
        bindir=stub_trudeploy,
        TRUDEPLOY_FROM_OUTPUTS="{}",
        TRUDEPLOY_TO_OUTPUTS="{}",
    )
    assert both["args"].count("--to-outputs") == 1 and both["args"][3] == "/mnt/to.json"
    assert both["args"].count("--from-outputs") == 1
    other = entry("maintenance", "status", "-s", "prod", bindir=stub_trudeploy)
    assert other["args"] == ["maintenance", "status", "-s", "prod"]


def test_the_entry_script_runs_the_real_toolkit(private_redis):
    result = run(
        ENTRYPOINT,
        "maintenance",
        "status",
        "--redis-url",
        private_redis.url,
        "--json",
        env={"PATH": f"{BIN}:/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"maintenance": "off"}


def _job() -> tuple[dict, dict]:
    claim, job = yaml.safe_load_all(JOB.read_text())
    return claim, job


def test_the_kubernetes_job_validates_against_the_kubernetes_schema():
    for obj in _job():
        assert problems(obj) == [], obj["kind"]


def test_the_kubernetes_job_is_admitted_where_the_service_is():
    """The pod carries the label the stack's NetworkPolicies admit to PostgreSQL and Redis, runs
    as the image's user under the `restricted` Pod Security profile, and mounts the outputs its
    command names and the state directory the image sets."""
    claim, job = _job()
    pod = job["spec"]["template"]
    assert pod["metadata"]["labels"][APP_ROLE] == "true"
    spec = pod["spec"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == APP_UID
    assert f"USER {APP_UID}:{APP_UID}" in DOCKERFILE.read_text()
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    (container,) = spec["containers"]
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    args = container["args"]
    for flag in ("--from-outputs", "--to-outputs"):
        assert Path(args[args.index(flag) + 1]).parent == Path(mounts["outputs"])
    state = next(e["value"] for e in container["env"] if e["name"] == "TRUDEPLOY_STATE_DIR")
    assert mounts["state"] == state
    assert f"TRUDEPLOY_STATE_DIR={state}" in DOCKERFILE.read_text()
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["state"]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert volumes["outputs"]["secret"]["defaultMode"] & 0o040  # fsGroup can read it
    assert job["spec"]["backoffLimit"] == 0


def test_the_entry_script_accepts_its_own_name_first(stub_trudeploy):
    """Render runs a one-off job's start command; whether or not the platform keeps the image's
    entry point in front of it, `trudeploy-task migrate ...` reaches trudeploy the same way."""
    seen = entry("trudeploy-task", "maintenance", "status", bindir=stub_trudeploy)
    assert seen["args"] == ["maintenance", "status"]


ECS_TASK = TOOLKIT / "ecs-task-definition.json"


def test_the_ecs_task_definition_is_what_register_task_definition_accepts():
    """botocore's own model of the ECS API (the check boto3 and the AWS CLI make before sending)
    refuses an unknown field, a missing required one, or a value of the wrong type."""
    import botocore.session
    from botocore.exceptions import ParamValidationError
    from botocore.validate import validate_parameters

    model = botocore.session.get_session().get_service_model("ecs")
    shape = model.operation_model("RegisterTaskDefinition").input_shape
    definition = json.loads(ECS_TASK.read_text())
    validate_parameters(definition, shape)
    with pytest.raises(ParamValidationError):
        validate_parameters({**definition, "cpu": 1024}, shape)


def test_the_ecs_task_hands_the_outputs_to_the_entry_script_and_keeps_its_journal():
    definition = json.loads(ECS_TASK.read_text())
    (container,) = definition["containerDefinitions"]
    assert container["command"][:2] == ["migrate", "stack"]
    secrets = {s["name"] for s in container["secrets"]}
    script = ENTRYPOINT.read_text()
    assert secrets == {"TRUDEPLOY_FROM_OUTPUTS", "TRUDEPLOY_TO_OUTPUTS"}
    assert all(f"${{{name}:-}}" in script for name in secrets)
    env = {e["name"]: e["value"] for e in container["environment"]}
    (mount,) = container["mountPoints"]
    assert mount["containerPath"] == env["TRUDEPLOY_STATE_DIR"]
    assert f"TRUDEPLOY_STATE_DIR={env['TRUDEPLOY_STATE_DIR']}" in DOCKERFILE.read_text()
    assert definition["networkMode"] == "awsvpc"  # run-task takes the service's subnets and group
