"""Bench: wall time and peak RSS of `trudeploy plan` per stack, and of provider SDK imports.

Every measurement is a fresh subprocess (nothing warm), timed from spawn to exit, with the peak
resident set size of that one child from `os.wait4`. Goal (issue 3): a stack's plan under 2 s and
under 300 MB.

    .venv/bin/python bench/plan.py [--repeat 3] [--json]
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import typer
import yaml
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
GOAL_SECONDS, GOAL_MB = 2.0, 300.0
# Provider SDKs load their modules lazily, so an import alone costs little; what a program pays is
# touching the resource classes it declares. These are the ones each target uses.
DOCKER_CLASSES = (
    "pulumi_docker.Container",
    "pulumi_docker.Network",
    "pulumi_docker.Volume",
    "pulumi_docker.RemoteImage",
    "pulumi_docker.Image",
    "pulumi_random.RandomPassword",
)
AWS_CLASSES = tuple(
    f"pulumi_aws.{c}"
    for c in (
        "ec2.Vpc",
        "ec2.Subnet",
        "ec2.SecurityGroup",
        "rds.Instance",
        "elasticache.ReplicationGroup",
        "s3.Bucket",
        "ecr.Repository",
        "ecs.Cluster",
        "ecs.TaskDefinition",
        "ecs.Service",
        "lb.LoadBalancer",
        "lb.TargetGroup",
        "iam.Role",
        "cloudwatch.LogGroup",
        "secretsmanager.Secret",
        "appautoscaling.Target",
    )
)
RENDER_CLASSES = (
    "pulumi_render.services.WebService",
    "pulumi_render.services.BackgroundWorker",
    "pulumi_render.services.Deploy",
    "pulumi_render.env_groups.EnvGroup",
    "pulumi_render.postgres.Postgres",
    "pulumi_render.key_value.KeyValue",
    "pulumi_neon.resource.Project",
    "upstash_pulumi.RedisDatabase",
)
"""What the staging stack (target render) touches besides pulumi_aws's S3/IAM classes."""
KUBERNETES_CLASSES = tuple(
    f"pulumi_kubernetes.{c}"
    for c in (
        "core.v1.Namespace",
        "core.v1.Secret",
        "apps.v1.Deployment",
        "apps.v1.StatefulSet",
        "batch.v1.Job",
        "networking.v1.Ingress",
        "networking.v1.NetworkPolicy",
        "autoscaling.v2.HorizontalPodAutoscaler",
        "policy.v1.PodDisruptionBudget",
        "apiextensions.CustomResource",
    )
)
"""What Pulumi.prod-k8s.yaml (target kubernetes) touches."""
GCP_CLASSES = tuple(
    f"pulumi_gcp.{c}"
    for c in (
        "compute.Network",
        "compute.BackendService",
        "servicenetworking.Connection",
        "sql.DatabaseInstance",
        "redis.Instance",
        "storage.Bucket",
        "serviceaccount.Account",
        "projects.IAMMember",
        "secretmanager.Secret",
        "artifactregistry.Repository",
        "cloudrunv2.Service",
        "cloudrunv2.WorkerPool",
        "logging.ProjectSink",
    )
)
"""What the prod-gcp stack (target gcp) touches."""
AZURE_CLASSES = tuple(
    f"pulumi_azure_native.{c}"
    for c in (
        "resources.ResourceGroup",
        "network.VirtualNetwork",
        "network.PrivateEndpoint",
        "privatedns.PrivateZone",
        "keyvault.Vault",
        "managedidentity.UserAssignedIdentity",
        "authorization.RoleAssignment",
        "dbforpostgresql.Server",
        "redisenterprise.RedisEnterprise",
        "storage.StorageAccount",
        "containerregistry.Registry",
        "operationalinsights.Workspace",
        "app.ManagedEnvironment",
        "app.ContainerApp",
    )
)
"""What the prod-azure stack (target azure) touches: its submodules only."""
SDKS = (
    "pulumi_aws",
    "pulumi_docker",
    "pulumi_random",
    "pulumi_render",
    "pulumi_neon",
    "upstash_pulumi",
    "pulumi_cloudflare",
    "pulumi_gcp",
    "pulumi_azure_native",
    "pulumi_kubernetes",
)


def measure(argv: list[str], cwd: Path) -> tuple[float, float, int, float]:
    """(wall seconds, peak RSS MiB, exit code, CPU seconds) of one fresh child process. CPU time
    (user + system) is reported beside wall time because it hardly moves when other jobs share
    the machine, while wall time does."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode, usage.ru_utime + usage.ru_stime


def touch(classes: tuple[str, ...]) -> str:
    """A one-liner that imports each class's module and resolves the class."""
    lines = ["import importlib"]
    for dotted in classes:
        module, cls = dotted.rsplit(".", 1)
        lines.append(f"getattr(importlib.import_module({module!r}), {cls!r})")
    return "; ".join(lines)


def run_case(name: str, argv: list[str], cwd: Path, repeat: int) -> dict[str, object]:
    """Median wall time and the largest peak RSS over `repeat` fresh runs."""
    runs = [measure(argv, cwd) for _ in range(repeat)]
    return {
        "case": name,
        "wall_s": round(statistics.median(r[0] for r in runs), 3),
        "cpu_s": round(statistics.median(r[3] for r in runs), 3),
        "peak_rss_mb": round(max(r[1] for r in runs), 1),
        "exit": sorted({r[2] for r in runs}),
    }


def docker_profile_projects() -> dict[str, Path]:
    """Throwaway projects running the docker target under the staging and production profiles,
    so the bench covers every profile on the docker target too."""
    projects = {}
    for env in ("staging", "production"):
        root = Path(tempfile.mkdtemp(prefix=f"bench-plan-{env}-"))
        (root / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
        config = {"config": {"trudeploy:env": env, "trudeploy:target": "docker"}}
        (root / f"Pulumi.docker-{env}.yaml").write_text(yaml.safe_dump(config))
        projects[f"docker-{env}"] = root
    return projects


def aws_profile_projects() -> dict[str, Path]:
    """Throwaway projects holding Pulumi.prod.yaml (target aws) under the development and staging
    profiles; `plan -s prod` covers production."""
    projects = {}
    prod = yaml.safe_load((REPO / "Pulumi.prod.yaml").read_text())["config"]
    # Stack names stay within 11 characters: the ALB name `<project>-<stack>-app-lb-alb` has 32.
    for env, stack in (("development", "aws-dev"), ("staging", "aws-staging")):
        root = Path(tempfile.mkdtemp(prefix=f"bench-plan-{stack}-"))
        (root / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
        config = {"config": {**prod, "trudeploy:env": env}}
        (root / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(config))
        projects[stack] = root
    return projects


def render_profile_projects() -> dict[str, Path]:
    """Throwaway projects holding Pulumi.staging.yaml (target render) under the development and
    production profiles, and with R2 storage (which imports pulumi-cloudflare); `plan -s staging`
    covers the staging profile."""
    projects = {}
    staging = yaml.safe_load((REPO / "Pulumi.staging.yaml").read_text())["config"]
    r2 = {"provider": "r2", "accountId": "0123456789abcdef0123456789abcdef"}
    variants = {
        "render-development": {"trudeploy:env": "development"},
        "render-production": {"trudeploy:env": "production"},
        "render-r2": {"trudeploy:storage": r2},
    }
    for name, overrides in variants.items():
        root = Path(tempfile.mkdtemp(prefix=f"bench-plan-{name}-"))
        (root / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
        (root / f"Pulumi.{name}.yaml").write_text(
            yaml.safe_dump({"config": {**staging, **overrides}})
        )
        projects[name] = root
    return projects


def kubernetes_profile_projects() -> dict[str, Path]:
    """A throwaway project holding Pulumi.prod-k8s.yaml under the development profile (MinIO in
    the cluster instead of the external store); `plan -s prod-k8s` covers production."""
    config = yaml.safe_load((REPO / "Pulumi.prod-k8s.yaml").read_text())["config"]
    config["trudeploy:env"] = "development"
    config["trudeploy:kubernetes"].pop("objectStore")
    for key in ("trudeploy:objectStoreAccessKeyId", "trudeploy:objectStoreSecretAccessKey"):
        config.pop(key)
    root = Path(tempfile.mkdtemp(prefix="bench-plan-k8s-dev-"))
    (root / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    (root / "Pulumi.k8s-dev.yaml").write_text(yaml.safe_dump({"config": config}))
    return {"k8s-dev": root}


def main(
    repeat: int = typer.Option(3, min=1, help="Fresh runs per case (median wall, max RSS)."),
    as_json: bool = typer.Option(False, "--json", help="Print results as JSON."),
) -> None:
    """Measure the offline plan and provider SDK imports."""
    py = sys.executable
    cases: list[tuple[str, list[str], Path]] = []
    for stack in sorted(p.name.split(".")[1] for p in REPO.glob("Pulumi.*.yaml")):
        cases.append((f"plan -s {stack}", [py, "-m", "cli.main", "plan", "-s", stack], REPO))
    projects = {
        **docker_profile_projects(),
        **aws_profile_projects(),
        **render_profile_projects(),
        **kubernetes_profile_projects(),
    }
    for stack, root in projects.items():
        argv = [py, "-m", "cli.main", "plan", "-s", stack, "--root", str(root)]
        cases.append((f"plan -s {stack} (tmp project)", argv, REPO))
    program = "from stacks.offline.runner import build_plan; build_plan('dev')"
    cases.append(("plan dev without the CLI (build_plan)", [py, "-c", program], REPO))
    cases.append(("import pulumi (baseline)", [py, "-c", "import pulumi"], REPO))
    cases.append(("trudeploy --help", [py, "-m", "cli.main", "--help"], REPO))
    cases.append(("trudeploy validate (every stack)", [py, "-m", "cli.main", "validate"], REPO))
    installed = [m for m in SDKS if importlib.util.find_spec(m) is not None]
    missing = [m for m in SDKS if m not in installed]
    cases.append(("docker target: its classes", [py, "-c", touch(DOCKER_CLASSES)], REPO))
    if "pulumi_render" in installed:
        cases.append(("render target: its classes", [py, "-c", touch(RENDER_CLASSES)], REPO))
    if "pulumi_gcp" in installed:
        cases.append(("gcp target: its classes", [py, "-c", touch(GCP_CLASSES)], REPO))
    if "pulumi_azure_native" in installed:
        label = "azure target: its classes (whole namespaces, not components/azure/sdk.py)"
        cases.append((label, [py, "-c", touch(AZURE_CLASSES)], REPO))
    if "pulumi_cloudflare" in installed:
        r2 = ("pulumi_cloudflare.R2Bucket", "pulumi_cloudflare.AccountToken")
        cases.append(("render r2 storage: pulumi_cloudflare", [py, "-c", touch(r2)], REPO))
    if "pulumi_kubernetes" in installed:
        k8s = touch(KUBERNETES_CLASSES)
        cases.append(("kubernetes target: its classes", [py, "-c", k8s], REPO))
    every = DOCKER_CLASSES + (AWS_CLASSES if "pulumi_aws" in installed else ())
    cases.append(("every installed SDK: docker + aws classes", [py, "-c", touch(every)], REPO))
    console = Console(stderr=as_json)
    results = []
    with console.status("measuring...") as status:
        for name, argv, cwd in cases:
            status.update(f"measuring {name}")
            results.append(run_case(name, argv, cwd, repeat))
    report = {
        "repeat": repeat,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "not_installed": missing,
        "goal": {"wall_s": GOAL_SECONDS, "peak_rss_mb": GOAL_MB},
        "results": results,
    }
    if as_json:
        print(json.dumps(report, indent=2))
        return
    table = Table(
        "case", "wall (median)", "cpu (median)", "peak RSS", "exit", title="Offline plan bench"
    )
    for r in results:
        table.add_row(
            str(r["case"]),
            f"{r['wall_s']:.2f} s",
            f"{r['cpu_s']:.2f} s",
            f"{r['peak_rss_mb']:.0f} MB",
            ",".join(map(str, r["exit"])),
        )
    console.print(table)
    console.print(f"not installed (not measured): {', '.join(missing) or 'none'}")


if __name__ == "__main__":
    typer.run(main)
