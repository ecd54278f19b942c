"""`trudeploy plan --manifests DIR` writes every Kubernetes object of the plan, and every object
validates: built-in kinds against the Kubernetes 1.31 OpenAPI schemas (kubernetes-validate,
strict, offline), CloudNativePG kinds against the vendored CRDs. Negative controls prove the
validators refuse a broken object; bad `--manifests` input fails with nothing written."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from kubernetes_plans import ENVS, plan_for
from manifest_schemas import problems
from typer.testing import CliRunner

from cli.main import app
from stacks.offline.manifests import ManifestError, manifests, write_manifests

REPO = Path(__file__).resolve().parents[2]
BUILT_IN = {
    "Namespace", "ServiceAccount", "ConfigMap", "Secret", "Service", "Deployment", "StatefulSet",
    "Job", "Ingress", "NetworkPolicy",
}  # fmt: skip


@pytest.mark.parametrize("env", ENVS)
def test_every_object_of_every_profile_validates(env: str, tmp_path: Path) -> None:
    plan = plan_for(env)
    written = write_manifests(plan, tmp_path / "out")
    objects = [r for r in plan.resources if r.custom and r.type.startswith("kubernetes:")]
    assert len(written) == len(objects)  # every object (this plan has no Helm release)
    kinds = set()
    for path in written:
        obj = yaml.safe_load(path.read_text())
        kinds.add(obj["kind"])
        assert problems(obj) == [], path.name
    assert BUILT_IN | {"Cluster", "ScheduledBackup"} <= kinds
    if env == "production":
        assert {"HorizontalPodAutoscaler", "PodDisruptionBudget"} <= kinds


@pytest.mark.parametrize("env", ENVS)
def test_no_secret_value_reaches_a_manifest(env: str, tmp_path: Path) -> None:
    plan = plan_for(env)
    text = "".join(p.read_text() for p in write_manifests(plan, tmp_path / "out"))
    scanned = [s for s in plan.secret_values if len(s) >= 8]
    assert scanned
    assert [s[:3] for s in scanned if s in text] == []


def _objects() -> dict[str, dict]:
    return copy.deepcopy(manifests(plan_for("production")))


@pytest.mark.parametrize(
    ("filename", "path", "value"),
    [
        ("deployment-web.yaml", ("spec", "replicas"), "two"),
        ("deployment-web.yaml", ("spec", "bogus"), 1),
        ("service-web.yaml", ("spec", "ports"), [{"port": "http"}]),
        ("ingress-web.yaml", ("spec", "rules"), {"host": "x"}),
        ("cluster-postgres.yaml", ("spec", "instances"), 0),
        ("cluster-postgres.yaml", ("spec", "backup", "barmanObjectStore", "bogus"), True),
        ("scheduledbackup-postgres-daily.yaml", ("spec", "cluster"), {"nom": "postgres"}),
    ],
)
def test_the_validators_refuse_a_broken_object(filename: str, path: tuple, value: object) -> None:
    obj = _objects()[filename]
    assert problems(obj) == []
    node = obj
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert problems(obj), f"{filename} {'.'.join(path)}={value!r} validated"


def test_cli_writes_the_manifests(tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    result = CliRunner().invoke(
        app, ["plan", "-s", "prod-k8s", "--root", str(REPO), "--manifests", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert "deployment-web.yaml" in files and "cluster-postgres.yaml" in files
    assert all(problems(yaml.safe_load((out / f).read_text())) == [] for f in files)


def test_cli_refuses_a_non_empty_directory_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text("kind: Old\n")
    result = CliRunner().invoke(
        app, ["plan", "-s", "prod-k8s", "--root", str(REPO), "--manifests", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "--manifests:" in result.output and "must be an empty directory" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["old.yaml"]


def test_cli_refuses_a_stack_without_kubernetes_objects(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["plan", "-s", "dev", "--root", str(REPO), "--manifests", str(out)]
    )
    assert result.exit_code == 2
    assert "declares no Kubernetes objects" in result.output
    assert not out.exists()


def test_two_objects_with_one_file_name_are_refused(tmp_path: Path) -> None:
    plan = copy.deepcopy(plan_for("development"))
    web = next(r for r in plan.resources if r.name.endswith("-app-web"))
    twin = copy.deepcopy(web)
    twin.urn += "-twin"
    plan.resources.append(twin)
    with pytest.raises(ManifestError, match="two objects would be written to deployment-web"):
        write_manifests(plan, tmp_path / "out")
    assert not (tmp_path / "out").exists()
