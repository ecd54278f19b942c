"""The container artefacts, checked by real validators: hadolint, the vendored GitHub workflow
schema and the Compose specification schema (check-jsonschema, offline)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
DOCKERFILE = ROOT / "app" / "Dockerfile"
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
COMPOSE = ROOT / "app" / "docker-compose.yml"
CONTRACT_KEYS = {
    "ENV",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "CORS_ALLOWED_ORIGINS",
    "CSRF_TRUSTED_ORIGINS",
    "STORAGE_BACKEND",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "SENTRY_DSN",
    "CELERY_EAGER",
    "PORT",
}


def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=120
    )


def test_hadolint_passes_on_the_dockerfile():
    result = run(BIN / "hadolint", DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_is_really_checking(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN apt-get install gcc\n")
    result = run(BIN / "hadolint", bad)
    assert result.returncode != 0
    assert "DL3006" in result.stdout


def test_dockerfile_is_multi_stage_non_root_and_enters_through_the_script():
    text = DOCKERFILE.read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(stages) >= 3
    runtime = text[text.rindex("FROM ") :]
    assert "uv sync --frozen --no-dev" in text
    assert "USER 10001" in runtime
    assert "uv" not in runtime.replace("/opt/venv", "")
    assert 'ENTRYPOINT ["/app/docker-entrypoint.sh"]' in runtime


@pytest.mark.parametrize(
    ("path", "schema"),
    [(WORKFLOW, "vendor.github-workflows"), (COMPOSE, "vendor.compose-spec")],
)
def test_validates_against_its_schema(path, schema):
    result = run(BIN / "check-jsonschema", "--builtin-schema", schema, path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_schema_rejects_a_broken_workflow(tmp_path):
    broken = yaml.safe_load(WORKFLOW.read_text())
    del broken["jobs"]["test"]["runs-on"]
    broken["jobs"]["lint"]["timeout-minutes"] = "ten"
    path = tmp_path / "ci.yml"
    path.write_text(yaml.safe_dump(broken))
    result = run(BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", path)
    assert result.returncode != 0


def test_workflow_lints_tests_with_services_and_builds_the_image():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    jobs = workflow["jobs"]
    assert any("make lint" in step.get("run", "") for step in jobs["lint"]["steps"])
    test = jobs["test"]
    assert set(test["services"]) == {"postgres", "redis"}
    assert test["services"]["postgres"]["image"].startswith("postgres:")
    assert test["services"]["redis"]["image"].startswith("redis:")
    assert any(step.get("run") == "make test" for step in test["steps"])
    build = next(s for s in jobs["docker"]["steps"] if "build-push-action" in s.get("uses", ""))
    assert build["with"]["context"] == "app"
    assert build["with"]["push"] is False


def test_compose_runs_every_process_on_postgres16_redis7_and_minio():
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    assert {"postgres", "redis", "backend", "celery-worker", "celery-beat", "minio"} <= set(
        services
    )
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["minio"]["image"].startswith("minio/minio")
    commands = {name: svc.get("command") for name, svc in services.items()}
    assert commands["backend"] == ["web"]
    assert commands["celery-worker"] == ["worker"]
    assert commands["celery-beat"] == ["beat"]
    assert commands["release"] == ["release"]
    beats = [name for name, svc in services.items() if svc.get("command") == ["beat"]]
    assert beats == ["celery-beat"]
    bucket = compose["x-app-env"]["AWS_STORAGE_BUCKET_NAME"]
    assert f"mc mb --ignore-existing local/{bucket}" in services["minio-bucket"]["command"][0]
    for name in ("backend", "celery-worker", "celery-beat", "release"):
        assert set(services[name]["environment"]) >= CONTRACT_KEYS, name
        assert services[name]["build"]["context"] == "."
    backend_deps = services["backend"]["depends_on"]
    assert backend_deps["release"]["condition"] == "service_completed_successfully"
    assert backend_deps["minio-bucket"]["condition"] == "service_completed_successfully"


def test_the_dockerfile_collectstatic_step_works_with_its_build_only_env(tmp_path):
    """Run the image's collectstatic command, with the env the Dockerfile gives it, for real."""
    text = DOCKERFILE.read_text()
    step = text[text.index("RUN ENV=production") : text.index("collectstatic --noinput")]
    env = dict(re.findall(r"(\w+)=(\S+)", step))
    assert env["ENV"] == "production"
    env.update({"PATH": os.environ["PATH"], "STATIC_ROOT": str(tmp_path / "static")})
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=DOCKERFILE.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    assert any(name.startswith("admin/") for name in manifest["paths"])
